//go:build !windows

package state

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// readOnlyDir says why this process cannot write in dir (a read-only file
// system, or permissions), or "" when it can. Effective ids are checked,
// as the kernel does when SQLite creates its -wal and -shm files.
func readOnlyDir(dir string) string {
	err := unix.Faccessat(unix.AT_FDCWD, dir, unix.W_OK, unix.AT_EACCESS)
	switch {
	case err == nil:
		return ""
	case errors.Is(err, unix.EROFS):
		return fmt.Sprintf("its directory %s is on a read-only file system", dir)
	case errors.Is(err, unix.EACCES), errors.Is(err, unix.EPERM):
		mode := ""
		if fi, err := os.Stat(dir); err == nil {
			mode = fmt.Sprintf(" (mode %04o)", fi.Mode().Perm())
		}
		return fmt.Sprintf("its directory %s is read-only for you%s", dir, mode)
	}
	return ""
}

func ownerOf(fi fs.FileInfo) (int, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return int(st.Uid), true
}

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
