package lab

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	testPassphrase = "correct horse battery"
	testAdmin      = DefaultAdminUser
	testPassword   = DefaultAdminPassword
)

func newTestLab(t *testing.T) *Lab {
	t.Helper()
	l, err := Init(filepath.Join(t.TempDir(), "lab"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// answers joins lines the way an operator types them.
func answers(lines ...string) string { return strings.Join(lines, "\n") + "\n" }

// createAnswers are the replies to a command that encrypts a file.
func createAnswers(pass string) string { return answers(testAdmin, testPassword, pass, pass) }

// openAnswers are the replies to a command that decrypts a file.
func openAnswers(pass string) string { return answers(testAdmin, testPassword, pass) }

func run(t *testing.T, l *Lab, stdin, tool string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Exec(l.Dir(), tool, args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func mustRun(t *testing.T, l *Lab, stdin, tool string, args ...string) string {
	t.Helper()
	code, out, errs := run(t, l, stdin, tool, args...)
	if code != 0 {
		t.Fatalf("%s %v: exit %d\nstdout: %s\nstderr: %s", tool, args, code, out, errs)
	}
	return out
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func writeFile(t *testing.T, p, s string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// snapshot maps every file under dir to its contents, to show that a
// failed command changed nothing.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			m[p] = string(b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func sameSnapshot(t *testing.T, before, after map[string]string) {
	t.Helper()
	for p, v := range before {
		if w, ok := after[p]; !ok {
			t.Errorf("%s disappeared", p)
		} else if w != v {
			t.Errorf("%s changed", p)
		}
	}
	for p := range after {
		if _, ok := before[p]; !ok {
			t.Errorf("%s appeared", p)
		}
	}
}

func localServer(t *testing.T, l *Lab) Server {
	t.Helper()
	z, err := l.Zone()
	if err != nil {
		t.Fatal(err)
	}
	s, ok := z.Server(l.Hostname())
	if !ok {
		t.Fatalf("zone has no %s", l.Hostname())
	}
	return s
}
