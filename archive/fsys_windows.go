//go:build windows

package archive

import (
	"errors"
	"os"
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

// What the os.Root layer (fsys_root.go, fsys_rootfs.go) needs of Windows
// itself. This file is compiled and vetted on Linux (.ci/cross-build), not
// run: Debian's Wine cannot run a current Go binary.

// fileBasicInfo is FILE_BASIC_INFO, which golang.org/x/sys/windows does
// not declare: its ChangeTime moves with any change to the file, as
// st_ctime does.
type fileBasicInfo struct {
	CreationTime, LastAccessTime, LastWriteTime, ChangeTime int64
	FileAttributes                                          uint32
	_                                                       uint32
}

// fileID is a file's identity on its volume and its change time, from
// its handle.
func fileID(f *os.File) (ino uint64, ctimeNs int64, err error) {
	h := windows.Handle(f.Fd())
	var bi windows.ByHandleFileInformation
	if err := windows.GetFileInformationByHandle(h, &bi); err != nil {
		return 0, 0, err
	}
	var basic fileBasicInfo
	if err := windows.GetFileInformationByHandleEx(h, windows.FileBasicInfo, (*byte)(unsafe.Pointer(&basic)), uint32(unsafe.Sizeof(basic))); err != nil {
		return 0, 0, err
	}
	ct := syscall.Filetime{LowDateTime: uint32(basic.ChangeTime), HighDateTime: uint32(basic.ChangeTime >> 32)}
	return uint64(bi.FileIndexHigh)<<32 | uint64(bi.FileIndexLow), ct.Nanoseconds(), nil
}

func dropCache(*os.File) {}

// diskFull says the disk is full in Windows's words (ENOSPC is not what
// Windows returns).
func diskFull(err error) bool {
	return errors.Is(err, windows.ERROR_DISK_FULL) || errors.Is(err, windows.ERROR_HANDLE_DISK_FULL)
}
