//go:build windows

package state

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"

	"golang.org/x/sys/windows"
)

// errWouldBlock is what tryLock returns when another process holds the lock.
var errWouldBlock = windows.ERROR_LOCK_VIOLATION

// lockRegion is where the lock lies: far past the holder's details at the
// start of the file, because a Windows lock is mandatory and would keep
// others from reading who holds it. Windows releases it when the process
// ends, whatever ended it, as flock on Linux. Why this and not
// github.com/gofrs/flock: see "Locks" in doc.go.
const lockRegionHigh = 0x40000000

// tryLock takes LockFileEx on f without waiting: exclusive, or shared.
func tryLock(f *os.File, exclusive bool) error {
	flags := uint32(windows.LOCKFILE_FAIL_IMMEDIATELY)
	if exclusive {
		flags |= windows.LOCKFILE_EXCLUSIVE_LOCK
	}
	ol := windows.Overlapped{OffsetHigh: lockRegionHigh}
	return windows.LockFileEx(windows.Handle(f.Fd()), flags, 0, 1, 0, &ol)
}

func unlock(f *os.File) error {
	ol := windows.Overlapped{OffsetHigh: lockRegionHigh}
	return windows.UnlockFileEx(windows.Handle(f.Fd()), 0, 1, 0, &ol)
}

// openLockFile opens a lock file with every sharing right, delete
// included. Go's own opens leave out FILE_SHARE_DELETE, and Windows then
// refuses any rename of a file so held: ForceUnlock could neither rename
// its new lock file (it holds it open, locked) nor replace the one a hung
// holder keeps open. os.O_CREATE, os.O_EXCL, os.O_RDWR and os.O_WRONLY are
// understood; the file's access is its folder's (locks/ is private).
func openLockFile(path string, flag int) (*os.File, error) {
	p, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	access := uint32(windows.GENERIC_READ)
	if flag&(os.O_WRONLY|os.O_RDWR) != 0 {
		access |= windows.GENERIC_WRITE
	}
	disposition := uint32(windows.OPEN_EXISTING)
	switch {
	case flag&(os.O_CREATE|os.O_EXCL) == os.O_CREATE|os.O_EXCL:
		disposition = windows.CREATE_NEW
	case flag&os.O_CREATE != 0:
		disposition = windows.OPEN_ALWAYS
	}
	share := uint32(windows.FILE_SHARE_READ | windows.FILE_SHARE_WRITE | windows.FILE_SHARE_DELETE)
	h, err := windows.CreateFile(p, access, share, nil, disposition, windows.FILE_ATTRIBUTE_NORMAL, 0)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	return os.NewFile(uintptr(h), path), nil
}

// createLockTemp makes the file ForceUnlock locks and renames over the
// lock file: a new name in dir, opened as openLockFile opens.
func createLockTemp(dir string) (*os.File, error) {
	for range 100 {
		f, err := openLockFile(filepath.Join(dir, fmt.Sprintf(".force-%d.tmp", rand.Uint64())), os.O_RDWR|os.O_CREATE|os.O_EXCL)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
	return nil, fmt.Errorf("no free temporary name in %s", dir)
}

// replaceLockFile renames tmp over path in one step, through os.Root,
// whose rename has POSIX semantics (Windows 10 1709 and later): it
// replaces a file still open elsewhere (a hung holder's), which
// MoveFileEx, os.Rename's call, refuses.
func replaceLockFile(tmp, path string) error {
	r, err := os.OpenRoot(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer r.Close()
	return r.Rename(filepath.Base(tmp), filepath.Base(path))
}
