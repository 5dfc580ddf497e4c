package archive

import (
	"io"
	"io/fs"
	"os"
	"time"
)

// The layer under the walk, the reader and the extractor on Windows
// (fsys.go, fsys_windows.go), written over os.Root, which Linux has too:
// the Linux tests run it (fsys_root_test.go), only the file IDs
// (fileID) and the meaning of ModeIrregular are Windows's own.
//
// os.Root opens each name relative to its folder's handle and never
// leaves the tree; it would follow a link inside the tree, so each name is
// looked at first (Root.Lstat: the name itself, not a link's target),
// links, junctions and other reparse points that stand for another name
// are refused, and the file or folder opened must be the one looked at
// (os.SameFile on the file IDs), which catches a name swapped for a link
// in between. Windows has no modes or numeric owners: a file is archived
// 0644 (0444 when read-only), a folder 0755, owner 0 with no name, and
// Extract applies neither (a restored file takes its folder's
// permissions).

// statOfInfo is what the archive records of a name from Go's view of it.
func statOfInfo(fi fs.FileInfo) fileStat {
	st := fileStat{typ: fi.Mode().Type(), mode: 0o644, size: fi.Size(), mtime: fi.ModTime()}
	if st.typ == fs.ModeDir {
		st.mode, st.size = 0o755, 0
	}
	if fi.Mode().Perm()&0o200 == 0 {
		st.mode &^= 0o222
	}
	return st
}

// notFollowed: a symbolic link, or a junction, mount point or other
// reparse point standing for another name (Go reports those irregular).
// Data Deduplication's files are regular to Go and read as such.
func notFollowed(fi fs.FileInfo) bool { return fi.Mode()&(fs.ModeSymlink|fs.ModeIrregular) != 0 }

// lookedAt, when a test sets it, runs between the look at a name and its
// open: it swaps the name for a link, as a hostile process could.
var lookedAt func(name string)

// openFolder opens the folder name in r if it is one, and the very one
// Lstat saw: never through a link.
func openFolder(r *os.Root, name string) (*os.Root, fs.FileInfo, error) {
	li, err := r.Lstat(name)
	if err != nil {
		return nil, nil, err
	}
	if lookedAt != nil {
		lookedAt(name)
	}
	switch {
	case notFollowed(li):
		return nil, nil, errLink
	case !li.IsDir():
		return nil, nil, errNotFolder
	}
	s, err := r.OpenRoot(name)
	if err != nil {
		return nil, nil, err
	}
	si, err := s.Stat(".")
	if err != nil {
		s.Close()
		return nil, nil, err
	}
	if !os.SameFile(li, si) {
		// Swapped for a link (followed inside the tree) since the look.
		s.Close()
		return nil, nil, errLink
	}
	return s, si, nil
}

// rootDir is a folder being walked.
type rootDir struct{ r *os.Root }

func openRootTop(root string) (rootDir, fileStat, error) {
	r, err := os.OpenRoot(root)
	if err != nil {
		return rootDir{}, fileStat{}, err
	}
	fi, err := r.Stat(".")
	if err != nil {
		r.Close()
		return rootDir{}, fileStat{}, err
	}
	return rootDir{r}, statOfInfo(fi), nil
}

func (d rootDir) list() ([]fs.DirEntry, error) {
	f, err := d.r.Open(".")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.ReadDir(-1)
}

func (d rootDir) close() { d.r.Close() }

func (d rootDir) sub(name, _ string) (rootDir, fileStat, error) {
	s, fi, err := openFolder(d.r, name)
	if err != nil {
		return rootDir{}, fileStat{}, err
	}
	return rootDir{s}, statOfInfo(fi), nil
}

func (d rootDir) lstat(name string) (fileStat, error) {
	fi, err := d.r.Lstat(name)
	if err != nil {
		return fileStat{}, err
	}
	return statOfInfo(fi), nil
}

func (d rootDir) readlink(name string) (string, error) { return d.r.Readlink(name) }

// openFile opens name for reading if it is the file Lstat saw: a link is
// errLink (archived as a link), a swap in between errSwapped.
func (d rootDir) openFile(name string) (rootFile, error) {
	li, err := d.r.Lstat(name)
	if err != nil {
		return noRootFile, err
	}
	if lookedAt != nil {
		lookedAt(name)
	}
	if notFollowed(li) {
		return noRootFile, errLink
	}
	f, err := d.r.Open(name)
	if err != nil {
		return noRootFile, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return noRootFile, err
	}
	if !os.SameFile(li, fi) {
		f.Close()
		return noRootFile, errSwapped
	}
	return rootFile{f}, nil
}

// rootFile is a file open for reading.
type rootFile struct{ f *os.File }

var noRootFile rootFile

func (h rootFile) stat() (fileStat, error) {
	fi, err := h.f.Stat()
	if err != nil {
		return fileStat{}, err
	}
	st := statOfInfo(fi)
	st.ino, st.ctimeNs, err = fileID(h.f)
	return st, err
}

// read fills p unless the file ends first.
func (h rootFile) read(p []byte) (int, error) {
	n, err := io.ReadFull(h.f, p)
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		err = nil
	}
	return n, err
}

func (h rootFile) seek(off int64) error {
	_, err := h.f.Seek(off, io.SeekStart)
	return err
}

func (h rootFile) sequential() {}

func (h rootFile) close() { h.f.Close() }

// rootOut is a folder Extract writes in.
type rootOut struct{ r *os.Root }

func openRootOut(path string) (rootOut, error) {
	r, err := os.OpenRoot(path)
	return rootOut{r}, err
}

func (d rootOut) mkdir(name string) error { return d.r.Mkdir(name, 0o700) }

func (d rootOut) openSub(name string) (rootOut, error) {
	s, _, err := openFolder(d.r, name)
	return rootOut{s}, err
}

// create makes a new file; it fails if the name exists, even as a link.
func (d rootOut) create(name string) (*os.File, error) {
	return d.r.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
}

func (d rootOut) remove(name string) error { return d.r.Remove(name) }

func (d rootOut) rename(from, to string) error { return d.r.Rename(from, to) }

// symlink needs the right to make links (an administrator, or developer
// mode); content-repo holds none.
func (d rootOut) symlink(target, name string) error { return d.r.Symlink(target, name) }

func (d rootOut) lchown(string, int, int) error { return nil }

// setTime sets name's modification time; a link's own time is not set
// (Root.Chtimes would set its target's).
func (d rootOut) setTime(name string, t time.Time) error {
	if fi, err := d.r.Lstat(name); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		return nil
	}
	return d.r.Chtimes(name, time.Time{}, t)
}

// setDirTime sets the finished folder's time through its own handle.
func (d rootOut) setDirTime(child rootOut, _ string, t time.Time) error {
	return child.r.Chtimes(".", time.Time{}, t)
}

func (d rootOut) setRootTime(_ string, t time.Time) error { return d.r.Chtimes(".", time.Time{}, t) }

func (d rootOut) chown(int, int) error { return nil }

func (d rootOut) chmod(Mode) error { return nil }

// syncFS: each file was synced before it was renamed into place (syncFile);
// NTFS journals the renames.
func (d rootOut) syncFS() error { return nil }

func (d rootOut) close() { d.r.Close() }
