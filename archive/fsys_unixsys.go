//go:build !windows

package archive

import (
	"io/fs"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// Unix system helpers, for the Unix layer (fsys_unix.go) and for the
// os.Root layer when the tests run it on Linux (-tags rootfs).

func statOf(st *unix.Stat_t) fileStat {
	var typ fs.FileMode
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFREG:
	case unix.S_IFDIR:
		typ = fs.ModeDir
	case unix.S_IFLNK:
		typ = fs.ModeSymlink
	default:
		typ = fs.ModeIrregular
	}
	sec, nsec := st.Mtim.Unix()
	return fileStat{
		typ: typ, mode: Mode(st.Mode & 0o7777),
		owned: true, uid: int(st.Uid), gid: int(st.Gid),
		size: st.Size, mtime: time.Unix(sec, nsec),
		ino: st.Ino, ctimeNs: st.Ctim.Nano(),
	}
}

func openat(dirfd int, name string, flags int) (int, error) {
	for {
		fd, err := unix.Openat(dirfd, name, flags, 0)
		if err != unix.EINTR {
			return fd, err
		}
	}
}

func times(t time.Time) []unix.Timespec {
	return []unix.Timespec{{Nsec: unix.UTIME_OMIT}, unix.NsecToTimespec(t.UnixNano())}
}

// fileID is a file's inode and change time: the os.Root layer
// (fsys_root.go), which Windows runs, is tested on Linux with it.
func fileID(f *os.File) (ino uint64, ctimeNs int64, err error) {
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		return 0, 0, err
	}
	return st.Ino, st.Ctim.Nano(), nil
}

// diskFull: ENOSPC, which explainWrite tests itself, says it on Unix.
func diskFull(error) bool { return false }
