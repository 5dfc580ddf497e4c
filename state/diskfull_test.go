//go:build !windows

package state

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// Issue 6, disk full: the state directory lives on a small tmpfs that the
// test fills with a file and frees again, so it fills exactly when the
// test says.

// smallFS mounts a tmpfs of the given size (as mount's size= option) on a
// fresh directory, or skips the test saying why it cannot.
func smallFS(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	if err := unix.Mount("zenrecover-test", dir, "tmpfs", 0, "size="+size+",mode=0700"); err != nil {
		t.Skipf("disk-full test skipped: cannot mount a small tmpfs on %s (mount -t tmpfs -o size=%s: %v); it needs root or CAP_SYS_ADMIN", dir, size, err)
	}
	t.Cleanup(func() { unix.Unmount(dir, unix.MNT_DETACH) })
	return dir
}

// fillFS writes a file until the file system has no block left and
// returns the function that frees it.
func fillFS(t *testing.T, dir string) func() {
	t.Helper()
	p := filepath.Join(dir, "filler")
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, n := range []int{1 << 16, 1 << 12, 1} {
		buf := make([]byte, n)
		for {
			if _, err := f.Write(buf); err != nil {
				if !errors.Is(err, syscall.ENOSPC) {
					t.Fatal(err)
				}
				break
			}
		}
	}
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil || st.Bavail != 0 {
		t.Fatalf("the file system is not full: %d blocks free, %v", st.Bavail, err)
	}
	return func() {
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
	}
}

func TestFullDiskRefusesTheWriteAndSaysSo(t *testing.T) {
	ctx := context.Background()
	fsdir := smallFS(t, "4m")
	path := filepath.Join(fsdir, "zenrecover", "state.db")
	s := mustOpen(t, path)
	r := mustCreateRun(t, s, Run{})
	mustAppend(t, s, r.OwnerToken, Event{RunID: r.ID, Step: "1", Kind: EventStarted})
	mustAppend(t, s, r.OwnerToken, Event{RunID: r.ID, Step: "1", Kind: EventSucceeded})

	free := fillFS(t, fsdir)
	_, err := s.Append(ctx, r.OwnerToken, Event{RunID: r.ID, Step: "2", Kind: EventStarted, Detail: strings.Repeat("x", 10000)})
	if err == nil {
		t.Fatal("started was committed on a full disk")
	}
	t.Log(err)
	for _, want := range []string{"is full", filepath.Dir(path), "free space there", "zenrecover resume"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error lacks %q: %v", want, err)
		}
	}
	if err := s.SetStatus(ctx, r.ID, r.OwnerToken, RunStopped); err == nil || !strings.Contains(err.Error(), "is full") {
		t.Errorf("SetStatus on a full disk: %v", err)
	}
	// Nothing of the failed write is in the journal, even before space
	// comes back: the step was never started.
	if st := foldRun(t, s, r.ID).Steps["2"]; st != nil {
		t.Errorf("step 2 after the failed started: %+v", st)
	}

	free()
	mustAppend(t, s, r.OwnerToken, Event{RunID: r.ID, Step: "2", Kind: EventStarted})
	if err := s.Check(ctx); err != nil {
		t.Errorf("integrity check after the disk filled: %v", err)
	}
	s.Close()
	s2 := mustOpen(t, path)
	st := foldRun(t, s2, r.ID)
	if st.Steps["1"].Status != StepSucceeded || st.Steps["2"].Status != StepInDoubt || st.Steps["2"].Attempts != 1 {
		t.Errorf("after reopening: step 1 %+v, step 2 %+v", st.Steps["1"], st.Steps["2"])
	}
}

// A full disk when the run starts: the copy of the database cannot be
// written, and the error says so (the runner then does not start the run).
func TestFullDiskBeforeTheCopy(t *testing.T) {
	fsdir := smallFS(t, "4m")
	s := mustOpen(t, filepath.Join(fsdir, "zenrecover", "state.db"))
	mustCreateRun(t, s, Run{})
	free := fillFS(t, fsdir)
	defer free()
	if _, err := s.Snapshot(context.Background(), "x"); err == nil {
		t.Fatal("a copy was written on a full disk")
	} else if !strings.Contains(err.Error(), "full") {
		t.Errorf("the error does not say the disk is full: %v", err)
	}
	if left, _ := filepath.Glob(filepath.Join(fsdir, "zenrecover", "snapshots", "*")); len(left) != 0 {
		t.Errorf("a partial copy was left behind: %v", left)
	}
}
