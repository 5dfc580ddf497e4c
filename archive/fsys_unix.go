//go:build !windows && !rootfs

package archive

import (
	"errors"
	"io/fs"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// The Unix layer under the walk, the reader and the extractor (fsys.go):
// every name is opened relative to its parent's descriptor with
// O_NOFOLLOW, so no link is ever followed and no rename during the walk
// leads it out of the tree.

func isLink(err error) bool { return errors.Is(err, unix.ELOOP) || errors.Is(err, errLink) }

func isNotFolder(err error) bool {
	return errors.Is(err, unix.ENOTDIR) || errors.Is(err, errNotFolder)
}

// dirH is a folder being walked: its descriptor, and the file that owns it
// (for listing and closing).
type dirH struct {
	f  *os.File
	fd int
}

// openTop opens the source itself; only it is followed if it is a link,
// since that is the path the operator named.
func openTop(root string) (dirH, fileStat, error) {
	f, err := os.Open(root)
	if err != nil {
		return dirH{}, fileStat{}, err
	}
	fd := int(f.Fd())
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		f.Close()
		return dirH{}, fileStat{}, err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFDIR {
		f.Close()
		return dirH{}, fileStat{}, errors.New(root + " is not a directory")
	}
	return dirH{f: f, fd: fd}, statOf(&st), nil
}

func (d dirH) list() ([]fs.DirEntry, error) { return d.f.ReadDir(-1) }

func (d dirH) close() { d.f.Close() }

// sub opens the folder name in d without following a link: a link gives
// ELOOP, a file ENOTDIR.
func (d dirH) sub(name, display string) (dirH, fileStat, error) {
	fd, err := openat(d.fd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC)
	if err != nil {
		return dirH{}, fileStat{}, err
	}
	f := os.NewFile(uintptr(fd), display)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		f.Close()
		return dirH{}, fileStat{}, err
	}
	return dirH{f: f, fd: fd}, statOf(&st), nil
}

// lstat looks at name in d itself, not at what a link names.
func (d dirH) lstat(name string) (fileStat, error) {
	var st unix.Stat_t
	if err := unix.Fstatat(d.fd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return fileStat{}, err
	}
	return statOf(&st), nil
}

func (d dirH) readlink(name string) (string, error) {
	buf := make([]byte, 4096)
	k, err := unix.Readlinkat(d.fd, name, buf)
	if err != nil {
		return "", err
	}
	return string(buf[:k]), nil
}

// openFile opens a file for reading without following a link (ELOOP)
// and without touching its access time where the kernel allows.
func (d dirH) openFile(name string) (fileH, error) {
	const flags = unix.O_RDONLY | unix.O_NOFOLLOW | unix.O_NONBLOCK | unix.O_CLOEXEC
	fd, err := openat(d.fd, name, flags|unix.O_NOATIME)
	if errors.Is(err, unix.EPERM) {
		fd, err = openat(d.fd, name, flags)
	}
	return fileH(fd), err
}

// fileH is a file open for reading: a bare descriptor, which costs a
// small file nothing beyond its syscalls.
type fileH int

const noFile fileH = -1

func (h fileH) stat() (fileStat, error) {
	var st unix.Stat_t
	if err := unix.Fstat(int(h), &st); err != nil {
		return fileStat{}, err
	}
	return statOf(&st), nil
}

// read fills p unless the file ends first.
func (h fileH) read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		k, err := unix.Read(int(h), p[n:])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return n, err
		}
		if k == 0 {
			break
		}
		n += k
	}
	return n, nil
}

func (h fileH) seek(off int64) error {
	_, err := unix.Seek(int(h), off, 0)
	return err
}

// sequential asks for read-ahead: it matters for images; for small files
// it is a syscall.
func (h fileH) sequential() { unix.Fadvise(int(h), 0, 0, unix.FADV_SEQUENTIAL) }

func (h fileH) close() { unix.Close(int(h)) }

// outDir is a folder Extract writes in, by descriptor.
type outDir int

func openOutRoot(path string) (outDir, error) {
	fd, err := openat(unix.AT_FDCWD, path, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC)
	return outDir(fd), err
}

func (d outDir) mkdir(name string) error { return unix.Mkdirat(int(d), name, 0o700) }

// openSub opens the folder name without following a link (ELOOP) or
// taking a file for one (ENOTDIR).
func (d outDir) openSub(name string) (outDir, error) {
	fd, err := openat(int(d), name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC)
	return outDir(fd), err
}

// create makes a new file, private until its mode is set after its
// contents; it fails if the name exists, even as a link.
func (d outDir) create(name string) (*os.File, error) {
	fd, err := unix.Openat(int(d), name, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(fd), name), nil
}

func (d outDir) remove(name string) error { return unix.Unlinkat(int(d), name, 0) }

func (d outDir) rename(from, to string) error { return unix.Renameat(int(d), from, int(d), to) }

func (d outDir) symlink(target, name string) error { return unix.Symlinkat(target, int(d), name) }

func (d outDir) lchown(name string, uid, gid int) error {
	return unix.Fchownat(int(d), name, uid, gid, unix.AT_SYMLINK_NOFOLLOW)
}

// setTime sets name's modification time (not a link's target's), leaving
// its access time.
func (d outDir) setTime(name string, t time.Time) error {
	return unix.UtimesNanoAt(int(d), name, times(t), unix.AT_SYMLINK_NOFOLLOW)
}

// setDirTime sets the time of the finished folder child, named name in d.
func (d outDir) setDirTime(_ outDir, name string, t time.Time) error { return d.setTime(name, t) }

// setRootTime sets the time of the folder the operator named.
func (d outDir) setRootTime(path string, t time.Time) error {
	return unix.UtimesNanoAt(unix.AT_FDCWD, path, times(t), 0)
}

func (d outDir) chown(uid, gid int) error { return unix.Fchown(int(d), uid, gid) }

func (d outDir) chmod(m Mode) error { return unix.Fchmod(int(d), uint32(m)) }

// syncFS makes every file written durable at once, at the end (one
// syncfs, not a sync per file).
func (d outDir) syncFS() error { return unix.Syncfs(int(d)) }

func (d outDir) close() { unix.Close(int(d)) }

// fileMeta sets a written file's owner (as root) and mode, through its
// descriptor; chown first, since it clears setuid and setgid.
func fileMeta(f *os.File, chown bool, uid, gid int, m Mode) error {
	fd := int(f.Fd())
	if chown {
		if err := unix.Fchown(fd, uid, gid); err != nil {
			return err
		}
	}
	return unix.Fchmod(fd, uint32(m))
}

// syncFile: nothing per file on Unix; syncFS covers them all at the end.
func syncFile(*os.File) error { return nil }
