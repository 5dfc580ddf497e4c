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
