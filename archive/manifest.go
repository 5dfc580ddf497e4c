package archive

import (
	"archive/tar"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Entry types in the manifest.
const (
	TypeDir     = "dir"
	TypeFile    = "file"
	TypeSymlink = "symlink"
)

// Flags on a manifest entry: how far its archived copy can be trusted.
const (
	// FlagSuperseded: the file changed while it was read; a fresh copy
	// follows at once in the stream and replaces this one on extraction.
	FlagSuperseded = "superseded"
	// FlagChanged: the file changed while it was read, twice; this copy
	// may mix old and new contents. It is restored, with a warning.
	FlagChanged = "changed"
	// FlagIncomplete: the file shrank, vanished or could not be read after
	// its header was written; the missing bytes are zeros. Never restored.
	FlagIncomplete = "incomplete"
)

// Mode holds permission bits and setuid, setgid and sticky, as Unix
// numbers them (04000, 02000, 01000); it is written in octal.
type Mode uint32

func (m Mode) MarshalText() ([]byte, error) { return []byte(fmt.Sprintf("%04o", uint32(m))), nil }

func (m *Mode) UnmarshalText(b []byte) error {
	v, err := strconv.ParseUint(string(b), 8, 32)
	if err != nil || v > 0o7777 {
		return fmt.Errorf("bad mode %q", b)
	}
	*m = Mode(v)
	return nil
}

// Entry is one line of the manifest: what was archived at one place in
// the tar stream, in the stream's order.
type Entry struct {
	Path   string    `json:"path"` // slash-separated, relative to the source; "." is the source itself
	Type   string    `json:"type"`
	Size   int64     `json:"size,omitempty"`
	Mode   Mode      `json:"mode"`
	UID    int       `json:"uid"`
	GID    int       `json:"gid"`
	User   string    `json:"user,omitempty"`
	Group  string    `json:"group,omitempty"`
	MTime  time.Time `json:"mtime"`
	SHA256 string    `json:"sha256,omitempty"` // of the bytes as archived
	Link   string    `json:"link,omitempty"`
	Flag   string    `json:"flag,omitempty"`
	Note   string    `json:"note,omitempty"`
}

// PartInfo describes one part file of a set.
type PartInfo struct {
	Name  string `json:"name"`
	Plain int64  `json:"plain"` // bytes of the tar stream it holds
}

// Required reports a folder the archive had to contain (the images folder
// of a content-repo) and what it held.
type Required struct {
	Path  string `json:"path"`
	Files int64  `json:"files"`
	Bytes int64  `json:"bytes"`
}

// Summary is the manifest's first line.
type Summary struct {
	Format   string     `json:"format"`
	Version  int        `json:"version"`
	Source   string     `json:"source"`
	Host     string     `json:"host"`
	Created  time.Time  `json:"created"`
	Finished time.Time  `json:"finished"`
	Parts    []PartInfo `json:"parts"`
	Entries  int64      `json:"entries"`
	Files    int64      `json:"files"`
	Bytes    int64      `json:"bytes"` // file contents, final copies only
	TarBytes int64      `json:"tar_bytes"`
	Flagged  int64      `json:"flagged"`
	Required []Required `json:"required,omitempty"`
}

const (
	formatName    = "zenrecover-archive"
	formatVersion = 1
)

// tarName is the entry's name in the stream: directories end in a slash
// and the source itself is "./", as `tar -C SRC -cf - .` would have it.
func tarName(e *Entry) string {
	switch {
	case e.Path == ".":
		return "./"
	case e.Type == TypeDir:
		return e.Path + "/"
	}
	return e.Path
}

// header is e's tar header. Its time is to the second, as GNU tar writes
// by default: nanoseconds would need a PAX extension of 1 KiB per entry,
// a fifth more bytes for a tree of 4 KiB files. The manifest keeps the
// nanoseconds, and zenrecover's extract restores them. The format is left
// to archive/tar, which uses plain ustar unless a long name, a large size
// or a large owner id needs PAX.
func (e *Entry) header() *tar.Header {
	h := &tar.Header{
		Name: tarName(e), Mode: int64(e.Mode), Uid: e.UID, Gid: e.GID,
		Uname: e.User, Gname: e.Group, ModTime: e.MTime.Truncate(time.Second),
	}
	switch e.Type {
	case TypeDir:
		h.Typeflag = tar.TypeDir
	case TypeSymlink:
		h.Typeflag = tar.TypeSymlink
		h.Linkname = e.Link
	default:
		h.Typeflag = tar.TypeReg
		h.Size = e.Size
	}
	return h
}

func padding(size int64) int64 { return (512 - size%512) % 512 }

// endOfArchive is tar's end marker: two zero blocks.
const endOfArchive = 1024

// pathOfHeader is the manifest path of a header read back from a stream.
func pathOfHeader(h *tar.Header) string {
	if h.Name == "./" || h.Name == "." {
		return "."
	}
	return strings.TrimSuffix(h.Name, "/")
}

// mismatch returns what differs between a header read from the stream and
// the manifest's entry, or "" when they agree.
func mismatch(h *tar.Header, e *Entry) string {
	var diffs []string
	want := e.header()
	if pathOfHeader(h) != e.Path {
		return fmt.Sprintf("the archive holds %q where the manifest lists %q", h.Name, e.Path)
	}
	if h.Typeflag != want.Typeflag {
		diffs = append(diffs, "type")
	}
	if h.Size != want.Size {
		diffs = append(diffs, fmt.Sprintf("size (%d, manifest %d)", h.Size, want.Size))
	}
	if h.Mode&0o7777 != want.Mode {
		diffs = append(diffs, fmt.Sprintf("mode (%04o, manifest %04o)", h.Mode&0o7777, want.Mode))
	}
	if h.Uid != want.Uid || h.Gid != want.Gid || h.Uname != want.Uname || h.Gname != want.Gname {
		diffs = append(diffs, "owner")
	}
	if !h.ModTime.Equal(want.ModTime) {
		diffs = append(diffs, "modification time")
	}
	if h.Linkname != want.Linkname {
		diffs = append(diffs, "link target")
	}
	if len(diffs) == 0 {
		return ""
	}
	return strings.Join(diffs, ", ") + " differ from the manifest"
}
