//go:build !windows

package state

import (
	"os"

	"golang.org/x/sys/unix"
)

// errWouldBlock is what tryLock returns when another process holds the lock.
var errWouldBlock = unix.EWOULDBLOCK

// tryLock takes flock(2) on f without waiting: exclusive, or shared. The
// kernel releases it when the process dies, whatever killed it.
func tryLock(f *os.File, exclusive bool) error {
	how := unix.LOCK_SH
	if exclusive {
		how = unix.LOCK_EX
	}
	for {
		err := unix.Flock(int(f.Fd()), how|unix.LOCK_NB)
		if err != unix.EINTR {
			return err
		}
	}
}

func unlock(f *os.File) error { return unix.Flock(int(f.Fd()), unix.LOCK_UN) }

// openLockFile opens a lock file (0600 when it creates it).
func openLockFile(path string, flag int) (*os.File, error) { return os.OpenFile(path, flag, 0o600) }

// createLockTemp makes the file ForceUnlock locks and renames over the
// lock file: a new name in dir, 0600.
func createLockTemp(dir string) (*os.File, error) { return os.CreateTemp(dir, ".force-*.tmp") }

// replaceLockFile renames tmp over path in one step: a third instance
// finds the old file or the new one, never none.
func replaceLockFile(tmp, path string) error { return os.Rename(tmp, path) }
