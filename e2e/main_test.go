package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"zenrecover/lab/labtest/tmpfs"
)

// The binaries under test are built once per test run of this package, not
// once per test: a build takes seconds on a small machine, and the tests
// never change the binary. Each is built the first time a test asks.
var (
	binDir string
	builds sync.Map // tags → *build
)

type build struct {
	once sync.Once
	path string
	out  []byte
	err  error
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "zenrecover-e2e-bin-")
	if err != nil {
		panic(err)
	}
	binDir = dir
	code := tmpfs.Main(m)
	os.RemoveAll(dir)
	os.Exit(code)
}

// binary returns the path of zenrecover built with the given build tags
// ("" for none).
func binary(t testing.TB, tags string) string {
	t.Helper()
	v, _ := builds.LoadOrStore(tags, &build{})
	b := v.(*build)
	b.once.Do(func() {
		name := "zenrecover"
		args := []string{"build", "-o"}
		if tags != "" {
			name += "-" + tags
			args = append(args, filepath.Join(binDir, name), "-tags", tags)
		} else {
			args = append(args, filepath.Join(binDir, name))
		}
		b.path = filepath.Join(binDir, name)
		b.out, b.err = exec.Command("go", append(args, "zenrecover")...).CombinedOutput()
	})
	if b.err != nil {
		t.Fatalf("go build (tags %q): %v\n%s", tags, b.err, b.out)
	}
	return b.path
}

func buildBinary(t *testing.T) string { return binary(t, "") }

// slow skips a test under -short, for a quick local loop: the peers that
// take seconds (tmux at a person's pace, sshd, the kill matrix, the soak).
// CI runs the full suite; the rules they check are also tested quickly in
// tui, runner and state.
func slow(t *testing.T, what string) {
	t.Helper()
	if testing.Short() {
		t.Skipf("%s is skipped under -short; go test ./... (and CI) runs it", what)
	}
}
