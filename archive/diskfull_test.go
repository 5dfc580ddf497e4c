//go:build !windows

package archive

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A full disk stops the archive with a clear error and a state from which
// it resumes once there is room. It needs a small file system of its own:
// a tmpfs, which only root can mount.
func TestAFullDiskStopsResumably(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount a small tmpfs: not tested")
	}
	mnt := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=200k", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs (%v: %s): not tested", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", mnt).Run() })
	src, _ := makeTree(t)
	k := newKey(t)
	dest := filepath.Join(mnt, "backup")
	_, err := Create(context.Background(), src, dest, CreateOptions{Recipients: []string{k.rec}, PartSize: 64 << 10})
	var se *StoppedError
	if !errors.As(err, &se) || !errors.Is(err, syscall.ENOSPC) || !strings.Contains(err.Error(), "is full") {
		t.Fatalf("create on a full disk: %v", err)
	}
	if _, err := os.Stat(dest); !os.IsNotExist(err) {
		t.Fatal("an archive stands at DEST")
	}
	tmps, _ := filepath.Glob(filepath.Join(PartialDir(dest), "*"+tmpExt))
	if len(tmps) != 0 {
		t.Errorf("a partial part is left taking space: %v", tmps)
	}
	// The operator makes room.
	must(t, exec.Command("mount", "-o", "remount,size=2m", mnt).Run())
	if _, err := Resume(context.Background(), dest, ResumeOptions{}); err != nil {
		t.Fatalf("resume: %v", err)
	}
	if _, err := Verify(context.Background(), dest, openWith(k)); err != nil {
		t.Fatal(err)
	}
}
