package actions

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Copy copies a file or a directory tree, keeping permissions (with the
// setuid, setgid and sticky bits), modification times and, when running as
// root, owners: ZENworks files belong to its service accounts, and a
// restore that made them root's would break the services.
//
// A file goes to To, or into To when To is an existing directory. A
// directory tree becomes To itself: To is created, or merged into when it
// exists (restoring a backed-up configuration directory over the damaged
// one), never nested as To/<name> the way cp -r would; when To is a link
// to a directory, the copy goes where it points. The directory that will
// hold To must exist.
//
// Symbolic links inside the tree are copied as links, with the same target
// text, and never followed, wherever they point; only From itself is
// followed when it is a link, since that is the path the operator named.
// Devices, FIFOs and sockets are refused.
//
// Each file is written under a temporary name in its target directory and
// renamed into place, so a good file is never replaced by a partial one.
// Before anything is written every target is checked: an existing file
// that differs (in content or permissions) stops the copy unless Overwrite
// is set, and a file where a directory should go (or the reverse) always
// does; an identical file is left as it is, so a copy that completed can be
// run again.
type Copy struct {
	From, To  string
	Overwrite bool
	// CreateFolder makes the folder that holds To (0700: it may receive
	// keys) when it is missing; otherwise a missing folder is an error, as
	// it means a wrong path on a server.
	CreateFolder bool
}

func (c *Copy) Describe() string {
	policy := "an existing file that differs stops the copy before anything is written"
	if c.Overwrite {
		policy = "existing files that differ are replaced"
	}
	fi, err := os.Stat(c.From)
	switch {
	case err != nil:
		return fmt.Sprintf("copy %s to %s (%s does not exist now); %s", c.From, c.To, c.From, policy)
	case fi.IsDir():
		how := "created"
		if ti, err := os.Stat(c.To); err == nil && ti.IsDir() {
			how = "merged into the existing directory"
		}
		return fmt.Sprintf("copy the directory tree %s to %s (%s), keeping modes, times and links (not followed); %s", c.From, c.To, how, policy)
	default:
		return fmt.Sprintf("copy the file %s to %s, keeping mode and time; %s", c.From, c.fileTarget(), policy)
	}
}

func (c *Copy) fileTarget() string {
	if ti, err := os.Stat(c.To); err == nil && ti.IsDir() {
		return filepath.Join(c.To, filepath.Base(c.From))
	}
	return c.To
}

type copyKind uint8

const (
	kindDir copyKind = iota
	kindFile
	kindLink
)

type copyItem struct {
	src, dst string
	kind     copyKind
	info     fs.FileInfo
	link     string // the link's target text
	skip     bool   // identical target already there
	exists   bool   // a target directory that is already there
}

func (c *Copy) Run(ctx context.Context, rio IO) error {
	out := SafeWriter(rio.Output, rio.Secrets)
	defer out.Close()
	if c.From == "" || c.To == "" {
		return errors.New("copy: source and destination are both required")
	}
	if c.CreateFolder {
		if err := os.MkdirAll(filepath.Dir(c.To), 0o700); err != nil {
			return fmt.Errorf("copy: %w", err)
		}
	}
	items, err := c.plan(ctx)
	if err != nil {
		return err
	}
	var files, dirs, links, same int
	var size int64
	var created []*copyItem // directories made here, fixed up last
	touched := map[string]bool{}
	for _, it := range items {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("copy %s: stopped: %w", c.From, err)
		}
		if it.skip {
			if it.kind == kindFile {
				same++
			}
			continue
		}
		switch it.kind {
		case kindDir:
			if it.exists {
				continue
			}
			// Private until complete, like the files in it.
			if err := os.Mkdir(it.dst, 0o700); err != nil {
				return fmt.Errorf("copy: %w", err)
			}
			created = append(created, it)
			dirs++
		case kindFile:
			if err := copyFile(ctx, it); err != nil {
				return fmt.Errorf("copy %s: %w", it.src, err)
			}
			files++
			size += it.info.Size()
		case kindLink:
			if err := copyLink(it); err != nil {
				return fmt.Errorf("copy %s: %w", it.src, err)
			}
			links++
		}
		touched[filepath.Dir(it.dst)] = true
	}
	// Children first, since setting a directory's mode may make it
	// unwritable and adding to it changes its time.
	for i := len(created) - 1; i >= 0; i-- {
		if err := setMeta(created[i].dst, created[i].info); err != nil {
			return fmt.Errorf("copy: %w", err)
		}
	}
	for dir := range touched {
		if err := syncDir(dir); err != nil {
			return fmt.Errorf("copy: %w", err)
		}
	}
	fmt.Fprintf(out, "copied %d files (%d bytes), %d directories and %d links from %s to %s", files, size, dirs, links, c.From, c.To)
	if same > 0 {
		fmt.Fprintf(out, "; %d identical files were already there", same)
	}
	fmt.Fprintln(out)
	return nil
}

// plan lists what to copy and checks every target before anything is
// written.
func (c *Copy) plan(ctx context.Context) ([]*copyItem, error) {
	fi, err := os.Stat(c.From)
	if err != nil {
		return nil, fmt.Errorf("copy: %w", err)
	}
	if !fi.IsDir() {
		if !fi.Mode().IsRegular() {
			return nil, fmt.Errorf("copy: %s is not a regular file or directory", c.From)
		}
		dst := c.fileTarget()
		if err := parentExists(dst); err != nil {
			return nil, err
		}
		it := &copyItem{src: c.From, dst: dst, kind: kindFile, info: fi}
		if err := c.checkTarget(it); err != nil {
			return nil, err
		}
		return []*copyItem{it}, nil
	}

	root, err := filepath.EvalSymlinks(c.From)
	if err != nil {
		return nil, fmt.Errorf("copy: %w", err)
	}
	absRoot, err1 := filepath.Abs(root)
	absTo, err2 := filepath.Abs(c.To)
	if err := errors.Join(err1, err2); err != nil {
		return nil, fmt.Errorf("copy: %w", err)
	}
	// Like From, To is followed when it is a link to a directory: a
	// configuration directory may be a link to another disk, and the
	// restore belongs there. Links further down are never written through.
	dstRoot := c.To
	if realTo, err := filepath.EvalSymlinks(absTo); err == nil {
		absTo = realTo
		if fi, err := os.Stat(realTo); err == nil && fi.IsDir() {
			dstRoot = realTo
		}
	}
	if absTo == absRoot || strings.HasPrefix(absTo, absRoot+string(filepath.Separator)) {
		return nil, fmt.Errorf("copy: the destination %s is inside the source %s", c.To, c.From)
	}
	if err := parentExists(c.To); err != nil {
		return nil, err
	}

	var items []*copyItem
	var conflicts []string
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		it := &copyItem{src: p, dst: filepath.Join(dstRoot, rel), info: info}
		switch {
		case d.IsDir():
			it.kind = kindDir
		case info.Mode().IsRegular():
			it.kind = kindFile
		case info.Mode()&fs.ModeSymlink != 0:
			it.kind = kindLink
			if it.link, err = os.Readlink(p); err != nil {
				return err
			}
		default:
			return fmt.Errorf("%s is a %s, which is not copied", p, fileType(info.Mode()))
		}
		if err := c.checkTarget(it); err != nil {
			var ce conflictError
			if !errors.As(err, &ce) {
				return err
			}
			conflicts = append(conflicts, string(ce))
		}
		items = append(items, it)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("copy: %w", err)
	}
	if len(conflicts) > 0 {
		return nil, fmt.Errorf("copy: nothing was copied: %d targets already exist and differ, first %s; allow overwriting to replace them", len(conflicts), conflicts[0])
	}
	return items, nil
}

type conflictError string

func (e conflictError) Error() string { return string(e) }

func parentExists(dst string) error {
	parent := filepath.Dir(dst)
	fi, err := os.Stat(parent)
	if err != nil {
		return fmt.Errorf("copy: the directory %s that should hold %s does not exist or cannot be read: %w", parent, dst, err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("copy: %s is not a directory", parent)
	}
	return nil
}

// checkTarget decides what happens at it.dst: returns a conflictError for
// a differing target without Overwrite, another error for a target that
// can never be replaced.
func (c *Copy) checkTarget(it *copyItem) error {
	ti, err := os.Lstat(it.dst)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	tmode := ti.Mode()
	switch it.kind {
	case kindDir:
		if !ti.IsDir() {
			return fmt.Errorf("%s exists and is a %s, not a directory", it.dst, fileType(tmode))
		}
		it.exists = true
		return nil
	case kindFile:
		if ti.IsDir() {
			return fmt.Errorf("%s is a directory; the file %s cannot replace it", it.dst, it.src)
		}
		if tmode.IsRegular() && permBits(tmode) == permBits(it.info.Mode()) {
			same, err := sameContent(it.src, it.dst)
			if err != nil {
				return err
			}
			if same {
				it.skip = true
				return nil
			}
		}
	case kindLink:
		if ti.IsDir() {
			return fmt.Errorf("%s is a directory; the link %s cannot replace it", it.dst, it.src)
		}
		if tmode&fs.ModeSymlink != 0 {
			if target, err := os.Readlink(it.dst); err == nil && target == it.link {
				it.skip = true
				return nil
			}
		}
	}
	if c.Overwrite {
		return nil
	}
	return conflictError(it.dst)
}

func fileType(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "directory"
	case m.IsRegular():
		return "file"
	case m&fs.ModeSymlink != 0:
		return "symbolic link"
	case m&fs.ModeNamedPipe != 0:
		return "FIFO"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeDevice != 0:
		return "device"
	}
	return "special file"
}

func permBits(m fs.FileMode) fs.FileMode {
	return m & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky)
}

func sameContent(a, b string) (bool, error) {
	fa, err := os.Open(a)
	if err != nil {
		return false, err
	}
	defer fa.Close()
	fb, err := os.Open(b)
	if err != nil {
		return false, err
	}
	defer fb.Close()
	ba, bb := make([]byte, 64<<10), make([]byte, 64<<10)
	for {
		na, erra := io.ReadFull(fa, ba)
		nb, errb := io.ReadFull(fb, bb)
		if !bytes.Equal(ba[:na], bb[:nb]) {
			return false, nil
		}
		endA := erra == io.EOF || erra == io.ErrUnexpectedEOF
		endB := errb == io.EOF || errb == io.ErrUnexpectedEOF
		switch {
		case erra != nil && !endA:
			return false, erra
		case errb != nil && !endB:
			return false, errb
		case endA || endB:
			return endA == endB, nil
		}
	}
}

// copyFile writes it.src to a temporary file beside it.dst, gives it the
// source's metadata and renames it into place.
func copyFile(ctx context.Context, it *copyItem) (err error) {
	in, err := os.Open(it.src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp, err := os.CreateTemp(filepath.Dir(it.dst), "."+filepath.Base(it.dst)+".zenrecover-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = io.Copy(tmp, ctxReader{ctx, in}); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = setMeta(tmp.Name(), it.info); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), it.dst)
}

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (r ctxReader) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(p)
}

// copyLink makes the link under a temporary name and renames it into
// place: rename replaces an existing link itself, never what it points to.
func copyLink(it *copyItem) error {
	dir, base := filepath.Dir(it.dst), filepath.Base(it.dst)
	for i := 0; ; i++ {
		tmp := filepath.Join(dir, "."+base+".zenrecover-link-"+strconv.Itoa(os.Getpid())+"-"+strconv.Itoa(i))
		err := os.Symlink(it.link, tmp)
		if errors.Is(err, fs.ErrExist) && i < 100 {
			continue
		}
		if err != nil {
			return err
		}
		if err := setLinkMeta(tmp, it.info); err != nil {
			os.Remove(tmp)
			return err
		}
		if err := os.Rename(tmp, it.dst); err != nil {
			os.Remove(tmp)
			return err
		}
		return nil
	}
}

// setMeta gives path (a file or directory, not a link) the owner (as
// root), permissions and modification time of info. The owner comes first
// because chown clears the setuid and setgid bits.
func setMeta(path string, info fs.FileInfo) error {
	if uid, gid, ok := fileOwner(info); ok && os.Geteuid() == 0 {
		if err := os.Lchown(path, uid, gid); err != nil {
			return err
		}
	}
	if err := os.Chmod(path, permBits(info.Mode())); err != nil {
		return err
	}
	return os.Chtimes(path, time.Time{}, info.ModTime())
}
