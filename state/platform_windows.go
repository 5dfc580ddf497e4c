//go:build windows

package state

import (
	"fmt"
	"io/fs"
	"os"

	"golang.org/x/sys/windows"
)

// readOnlyDir says why this process cannot write in dir, or "" when it
// can: Windows has no access(2) for effective rights, so it tries.
func readOnlyDir(dir string) string {
	f, err := os.CreateTemp(dir, ".zenrecover-write-test-*")
	if err != nil {
		if os.IsPermission(err) {
			return fmt.Sprintf("its directory %s is read-only for you", dir)
		}
		return ""
	}
	name := f.Name()
	f.Close()
	os.Remove(name)
	return ""
}

// ownerOf: Windows files have no numeric owner to compare with ours.
func ownerOf(fs.FileInfo) (int, bool) { return 0, false }

// errWouldBlock is what tryLock returns when another process holds the lock.
var errWouldBlock = windows.ERROR_LOCK_VIOLATION

// lockRegion is where the lock lies: far past the holder's details at the
// start of the file, because a Windows lock is mandatory and would keep
// others from reading who holds it. Windows releases it when the process
// ends, whatever ended it, as flock on Linux. These are the calls
// github.com/gofrs/flock makes; its path-based API hides the handle,
// which this package needs (lock, check the path still names the file
// locked, then write the holder into it).
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
