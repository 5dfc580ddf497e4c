package archive

import (
	"errors"
	"io/fs"
	"time"
)

// The walk, the reader of files and the extractor are written once, over
// a thin layer per system (fsys_unix.go, fsys_windows.go) that opens names
// relative to an open folder and never follows a link:
//
//   - Unix: folder descriptors, openat with O_NOFOLLOW, fstatat (see
//     "Safety" in doc.go). The Linux tests exercise the shared logic
//     through it.
//   - Windows: os.Root, whose opens are relative to a folder handle and
//     cannot leave the tree; it follows a link inside the tree, so each
//     name is first looked at with Root.Lstat, a symbolic link, junction or
//     other reparse point that stands for another name (ModeSymlink,
//     ModeIrregular) is refused as a folder or a file to read, and what was
//     opened must be the very file that was looked at (os.SameFile), which
//     catches a name swapped for a link in between. Data Deduplication's
//     reparse points are regular files to Go and are read as such.

// fileStat is what the archive records of a name, on any system.
type fileStat struct {
	typ     fs.FileMode // type bits only: 0 for a regular file, fs.ModeDir, fs.ModeSymlink, others
	mode    Mode        // permission bits with setuid, setgid, sticky
	owned   bool        // uid and gid mean something (Unix)
	uid     int
	gid     int
	size    int64
	mtime   time.Time
	ino     uint64 // identity on its file system
	ctimeNs int64  // change time: anything done to the file moves it
}

func (st *fileStat) regular() bool { return st.typ.Type() == 0 }

// errLink and errNotFolder are what a Windows open says when a name is a
// link (not followed) or not a folder; isLink and isNotFolder also know
// the Unix errors (ELOOP, ENOTDIR).
var (
	errLink      = errors.New("a link or junction: not followed")
	errNotFolder = errors.New("not a folder")
	// errSwapped: the name was replaced between the look and the open.
	errSwapped = errors.New("replaced while it was being opened")
)
