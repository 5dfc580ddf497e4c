//go:build !windows

package state

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// Issue 11, item 5: a read-only state directory gave "unable to open
// database file (14)" even to `runs`. Reading works; writing is refused
// with what is read-only and how to fix it.

// readOnlyFS returns a tmpfs that fill fills and then is remounted
// read-only, or skips the test saying why it cannot mount one.
func readOnlyFS(t *testing.T, fill func(dir string)) string {
	t.Helper()
	dir := smallFS(t, "8m")
	fill(dir)
	if err := unix.Mount("", dir, "", unix.MS_REMOUNT|unix.MS_RDONLY, ""); err != nil {
		t.Skipf("cannot remount %s read-only: %v", dir, err)
	}
	return dir
}

func TestReadOnlyStateIsListedAndWritesSayWhy(t *testing.T) {
	var clean, killed, walOnly string
	var crashedID string
	dir := readOnlyFS(t, func(dir string) {
		clean = filepath.Join(dir, "clean", "state.db")
		olderRun(t, clean)

		killed = filepath.Join(dir, "killed", "state.db")
		olderRun(t, killed)
		crashedID = killedStart(t, killed)

		walOnly = filepath.Join(dir, "walonly", "state.db")
		olderRun(t, walOnly)
		killedStart(t, walOnly)
		os.Remove(walOnly + "-shm")
	})
	ctx := context.Background()

	t.Run("closed cleanly", func(t *testing.T) {
		s, err := Open(clean)
		if err != nil {
			t.Fatalf("Open on a read-only file system: %v", err)
		}
		defer s.Close()
		if runs, err := s.Runs(ctx); err != nil || len(runs) != 1 {
			t.Fatalf("runs: %d, %v", len(runs), err)
		}
		err = s.CheckWritable()
		var ro *ReadOnlyError
		if !errors.As(err, &ro) {
			t.Fatalf("CheckWritable: %v", err)
		}
		for _, want := range []string{clean, "read-only file system", "remount", "--state", "can list runs"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("the message lacks %q: %v", want, err)
			}
		}
		if err := s.CanRecord(ctx); !errors.As(err, &ro) {
			t.Errorf("CanRecord: %v", err)
		}
		_, err = s.CreateRun(ctx, Run{ProcedureID: "server-backup", Mode: ModeLab})
		if !errors.As(err, &ro) || strings.Contains(err.Error(), "(14)") {
			t.Errorf("CreateRun on a read-only state: %v", err)
		}
	})
	t.Run("killed with its -wal and -shm", func(t *testing.T) {
		s, err := Open(killed)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		defer s.Close()
		if _, err := s.Run(ctx, crashedID); err != nil {
			t.Errorf("the run whose records are in the -wal: %v", err)
		}
	})
	t.Run("a -wal without its -shm", func(t *testing.T) {
		_, err := Open(walOnly)
		if err == nil || !strings.Contains(err.Error(), "-shm") || !strings.Contains(err.Error(), "read-only file system") || !strings.Contains(err.Error(), "remount") {
			t.Errorf("Open: %v; want a refusal saying the -wal cannot be read without a -shm here", err)
		}
	})
	t.Run("no database yet", func(t *testing.T) {
		_, err := Open(filepath.Join(dir, "clean", "other.db"))
		if err == nil || !strings.Contains(err.Error(), "cannot be created") || !strings.Contains(err.Error(), "read-only") {
			t.Errorf("Open: %v", err)
		}
	})
}

// The same for a directory the user may not write to (not as root, whom
// modes do not stop).
func TestReadOnlyDirectoryByMode(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root writes through any mode; the read-only file system test covers this, and e2e runs it as another user")
	}
	path := newStorePath(t)
	olderRun(t, path)
	if err := os.Chmod(filepath.Dir(path), 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(filepath.Dir(path), 0o700) })
	s, err := Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	if runs, err := s.Runs(context.Background()); err != nil || len(runs) != 1 {
		t.Fatalf("runs: %d, %v", len(runs), err)
	}
	if err := s.CheckWritable(); err == nil || !strings.Contains(err.Error(), "chmod 700") {
		t.Errorf("CheckWritable: %v", err)
	}
}
