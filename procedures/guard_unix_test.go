//go:build unix

package procedures_test

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"zenrecover/procedures"
)

// Only regular files are read: a named pipe would block the read for
// ever, and /dev/zero never ends.
func TestOnlyRegularFilesAreRead(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{fifo: "is not a regular file (a named pipe)", "/dev/zero": "is not a regular file (a device)"} {
		for name, read := range map[string]func(string) ([]byte, error){"ReadFile": procedures.ReadFile, "ReadDefinition": procedures.ReadDefinition} {
			if _, err := read(path); err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%s(%s): %v; want %q", name, path, err, want)
			}
		}
	}
}
