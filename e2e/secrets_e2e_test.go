//go:build !windows

package e2e

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// procWatch samples /proc while a run goes on and keeps the argv and
// environment of every process descended from root: a secret in a child's
// command line is visible to every user of the machine.
type procWatch struct {
	mu   sync.Mutex
	seen map[int]string // pid → argv and environ, NUL-separated
	stop chan struct{}
	done chan struct{}
}

func watchDescendants(root int) *procWatch {
	w := &procWatch{seen: map[int]string{}, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		for {
			select {
			case <-w.stop:
				return
			default:
			}
			w.sample(root)
			time.Sleep(2 * time.Millisecond)
		}
	}()
	return w
}

func parentOf(pid int) int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	// The command name is in parentheses and may hold spaces.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 2 {
		return 0
	}
	p, _ := strconv.Atoi(f[1])
	return p
}

func (w *procWatch) sample(root int) {
	// A child between fork and exec is still a copy of zenrecover, with
	// zenrecover's own argv and environment (where a script may have put
	// ZENRECOVER_SECRET_*): it is not yet the child, so it is not counted.
	rootArgv, _ := os.ReadFile("/proc/" + strconv.Itoa(root) + "/cmdline")
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == root {
			continue
		}
		descends := false
		for p, n := parentOf(pid), 0; p > 1 && n < 20; p, n = parentOf(p), n+1 {
			if p == root {
				descends = true
				break
			}
		}
		if !descends {
			continue
		}
		argv, _ := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		env, _ := os.ReadFile("/proc/" + e.Name() + "/environ")
		if len(rootArgv) > 0 && bytes.Equal(argv, rootArgv) {
			continue
		}
		// Read argv again: an exec between the two reads would pair the
		// new program's argv with the old copy's environment.
		if again, _ := os.ReadFile("/proc/" + e.Name() + "/cmdline"); !bytes.Equal(again, argv) {
			continue
		}
		w.mu.Lock()
		w.seen[pid] += string(argv) + "\x00" + string(env)
		w.mu.Unlock()
	}
}

func (w *procWatch) end() map[int]string {
	close(w.stop)
	<-w.done
	return w.seen
}

// After a full rehearsal with known secrets (1.5: the administrator's
// password and two backup passphrases), the secrets are nowhere: not in
// the state directory (database, logs, snapshots), not in the run's
// reports, not in a checklist made from the same answers, not in what the
// operator saw, and not in the argv or environment of any process the run
// started.
func TestSecretsAreNowhereAfterAFullRun(t *testing.T) {
	if _, err := os.Stat("/proc/self/cmdline"); err != nil {
		t.Skip("no /proc on this system: the child processes cannot be examined")
	}
	e := newE2E(t)
	const pass1, pass2 = "Source-Secret-Phrase-77", "Destination-Secret-Phrase-88"
	answers := "source_platform: linux\ndestination_platform: linux\nsource_server: zen-primary-1\ndestination_server: zen-primary-2\n"
	if err := os.WriteFile(e.answers, []byte(answers), 0o600); err != nil {
		t.Fatal(err)
	}
	c := e.cmd("", "run", "1.5", "--lab", e.lab, "--plain", "--answers", e.answers, "--yes", "--confirm-host", "zen-primary-1")
	// Secrets through the environment of zenrecover itself, as a script
	// would give them; they must not reach its children.
	c.Env = append(c.Env, "ZENRECOVER_SECRET_ADMIN_PASSWORD="+labAdminPassword,
		"ZENRECOVER_SECRET_SOURCE_BACKUP_PASSPHRASE="+pass1, "ZENRECOVER_SECRET_DESTINATION_BACKUP_PASSPHRASE="+pass2)
	var screen bytes.Buffer
	c.Stdout, c.Stderr = &screen, &screen
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	w := watchDescendants(c.Process.Pid)
	err := c.Wait()
	seen := w.end()
	if code := exitCode(err); code != 0 {
		t.Fatalf("run 1.5 exited %d:\n%s", code, screen.String())
	}
	if len(seen) < 5 {
		t.Fatalf("saw only %d child processes: the sampling did not work", len(seen))
	}
	secrets := []string{labAdminPassword, pass1, pass2}
	for pid, text := range seen {
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("process %d had a secret in its argv or environment: %q", pid, strings.ReplaceAll(text, "\x00", " "))
			}
		}
	}

	// The reports and a checklist shaped by the same answers.
	out := t.TempDir()
	runs, err := e.cmd("", "runs", "--json").Output()
	if err != nil {
		t.Fatal(err)
	}
	id := between(string(runs), `"ID": "`, `"`)
	if id == "" {
		id = between(string(runs), `"id": "`, `"`)
	}
	if id == "" {
		t.Fatalf("no run id in %s", runs)
	}
	for _, f := range []string{"md", "html", "json"} {
		if b, err := e.cmd("", "report", id, "--format", f, "-o", filepath.Join(out, "report."+f)).CombinedOutput(); err != nil {
			t.Fatalf("report %s: %v\n%s", f, err, b)
		}
	}
	for _, f := range []string{"md", "html", "txt"} {
		if b, err := e.cmd("", "checklist", "1.5", "--answers", e.answers, "--format", f, "-o", filepath.Join(out, "checklist."+f)).CombinedOutput(); err != nil {
			t.Fatalf("checklist %s: %v\n%s", f, err, b)
		}
	}
	if err := os.WriteFile(filepath.Join(out, "screen.txt"), screen.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(screen.String(), "Completed") {
		t.Fatalf("the run did not complete:\n%s", screen.String())
	}
	for _, s := range secrets {
		e.assertNowhere(e.stateDir, s)
		e.assertNowhere(out, s)
	}
	// The lab got the backups (encrypted with the passphrases), and the
	// passphrases themselves nowhere.
	for _, s := range secrets {
		e.assertNowhere(e.lab, s)
	}
}

func between(s, a, b string) string {
	i := strings.Index(s, a)
	if i < 0 {
		return ""
	}
	s = s[i+len(a):]
	j := strings.Index(s, b)
	if j < 0 {
		return ""
	}
	return s[:j]
}
