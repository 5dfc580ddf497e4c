package archive

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// Extract restores the set dest into dir, which becomes the archived tree
// itself (created when missing). It checks everything Verify checks as it
// goes: a file is written under a temporary name and renamed into place
// only when its SHA-256 matches the manifest, so a damaged file never
// stands where a good one should. Modes, times and (as root) owners are
// restored; owners by name where this machine knows the name, as GNU tar
// does. Copies the manifest flags superseded or incomplete are not
// restored. Nothing is ever written through a symbolic link: every name
// is created relative to its parent folder's descriptor, without
// following links (fsys.go). On Windows, modes and owners are not
// applied (a restored file takes its folder's permissions) and each file
// is synced before it is renamed into place.
//
// Into a DIR that is empty or missing (no Force), Extract first writes
// ExtractMarker in it, naming the set, and removes it only once every file
// is in place: an extraction that was interrupted (Ctrl+C, a crash) is
// then continued by running Extract again, which restores every file
// again into the same DIR rather than refusing a DIR that is not empty.
func Extract(ctx context.Context, dest, dir string, o ExtractOptions) (*Report, error) {
	dir = filepath.Clean(dir)
	marker, resumed := true, false
	if fi, err := os.Stat(dir); err == nil {
		if !fi.IsDir() {
			return nil, fmt.Errorf("%s exists and is not a folder", dir)
		}
		switch {
		case o.Force:
			marker = false
		case emptyDir(dir):
		default:
			ok, err := interruptedExtract(dir, dest)
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, fmt.Errorf("%s is not empty: %w (--force merges the archive into it)", dir, ErrExists)
			}
			resumed = true
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	s, err := openSet(dest, o.OpenOptions)
	if err != nil {
		return nil, err
	}
	defer s.close()
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return nil, err
	}
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return nil, err
	}
	if marker && !resumed {
		if err := writeExtractMarker(dir, dest); err != nil {
			return nil, err
		}
	}
	x := &extractor{root: dir, own: newOwners(), chown: os.Geteuid() == 0, pid: os.Getpid(), marker: marker}
	rep := &Report{Owners: x.chown, Resumed: resumed}
	tr := newTracker(o.Progress, o.ProgressInterval)
	tr.p.FilesTotal, tr.p.BytesTotal = s.sum.Files, s.sum.Bytes
	tr.begin(PhaseExtract)
	err = s.read(ctx, x, rep, tr)
	// Only a whole, sound restore removes the marker (as the root folder
	// is finished, before its time is set).
	x.finished = err == nil && rep.ProblemCount == 0
	if cerr := x.close(); err == nil {
		err = cerr
	}
	if err != nil {
		return rep, err
	}
	tr.done()
	return rep, rep.err()
}

type openDir struct {
	d    outDir
	path string
	e    Entry
}

type extractor struct {
	root  string
	stack []*openDir
	own   *owners
	chown bool
	pid   int
	seq   int

	f      *os.File // the file being written, as tmp in tmpDir
	tmp    string
	tmpDir outDir

	marker   bool // ExtractMarker is in root
	finished bool // every entry is in place: the marker goes
}

func parentOf(p string) string { return path.Dir(p) }

// parent finishes the folders the stream has left and returns the one
// that holds p.
func (x *extractor) parent(p string) (*openDir, error) {
	want := parentOf(p)
	for len(x.stack) > 0 {
		top := x.stack[len(x.stack)-1]
		if top.path == want {
			return top, nil
		}
		if err := x.pop(); err != nil {
			return nil, err
		}
	}
	return nil, fmt.Errorf("%s: its folder is not in the archive before it", p)
}

func (x *extractor) tmpName(create func(name string) error) (string, error) {
	for {
		x.seq++
		name := fmt.Sprintf(".zenrecover-%d-%d.tmp", x.pid, x.seq)
		err := create(name)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return name, err
	}
}

func (x *extractor) dir(e *Entry) error {
	if e.Path == "." {
		if len(x.stack) > 0 {
			return errors.New("the archive holds its root twice")
		}
		d, err := openOutRoot(x.root)
		if err != nil {
			return err
		}
		x.stack = append(x.stack, &openDir{d: d, path: ".", e: *e})
		return nil
	}
	par, err := x.parent(e.Path)
	if err != nil {
		return err
	}
	name := path.Base(e.Path)
	if err := par.d.mkdir(name); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s: %w", filepath.Join(x.root, e.Path), err)
	}
	d, err := par.d.openSub(name)
	if err != nil {
		if isLink(err) || isNotFolder(err) {
			return fmt.Errorf("%s exists and is not a folder: it is not replaced", filepath.Join(x.root, e.Path))
		}
		return fmt.Errorf("%s: %w", filepath.Join(x.root, e.Path), err)
	}
	x.stack = append(x.stack, &openDir{d: d, path: e.Path, e: *e})
	return nil
}

// pop sets the finished folder's owner, mode and time: last, since adding
// to a folder changes its time and its mode may forbid adding.
func (x *extractor) pop() error {
	top := x.stack[len(x.stack)-1]
	x.stack = x.stack[:len(x.stack)-1]
	defer top.d.close()
	if x.chown {
		if err := top.d.chown(x.own.uid(top.e.User, top.e.UID), x.own.gid(top.e.Group, top.e.GID)); err != nil {
			return fmt.Errorf("%s: %w", filepath.Join(x.root, top.path), err)
		}
	}
	if err := top.d.chmod(top.e.Mode); err != nil {
		return fmt.Errorf("%s: %w", filepath.Join(x.root, top.path), err)
	}
	if len(x.stack) == 0 {
		if x.marker && x.finished {
			if err := top.d.remove(ExtractMarker); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("%s: %w", filepath.Join(x.root, ExtractMarker), err)
			}
		}
		if err := top.d.syncFS(); err != nil {
			return err
		}
		return top.d.setRootTime(x.root, top.e.MTime)
	}
	par := x.stack[len(x.stack)-1]
	return par.d.setDirTime(top.d, path.Base(top.path), top.e.MTime)
}

func (x *extractor) file(e *Entry) (io.Writer, error) {
	par, err := x.parent(e.Path)
	if err != nil {
		return nil, err
	}
	var f *os.File
	tmp, err := x.tmpName(func(name string) error {
		var err error
		// Private until its mode is set, after its contents.
		f, err = par.d.create(name)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(x.root, e.Path), explainWrite(x.root, err))
	}
	x.f, x.tmp, x.tmpDir = f, tmp, par.d
	return x.f, nil
}

func (x *extractor) fileDone(e *Entry, ok bool) error {
	f, tmp, d := x.f, x.tmp, x.tmpDir
	x.f = nil
	if !ok {
		f.Close()
		d.remove(tmp)
		return nil
	}
	err := fileMeta(f, x.chown, x.own.uid(e.User, e.UID), x.own.gid(e.Group, e.GID), e.Mode)
	if err == nil {
		err = syncFile(f)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = d.setTime(tmp, e.MTime)
	}
	if err == nil {
		err = d.rename(tmp, path.Base(e.Path))
	}
	if err != nil {
		d.remove(tmp)
		return fmt.Errorf("%s: %w", filepath.Join(x.root, e.Path), explainWrite(x.root, err))
	}
	return nil
}

func (x *extractor) symlink(e *Entry) error {
	par, err := x.parent(e.Path)
	if err != nil {
		return err
	}
	tmp, err := x.tmpName(func(name string) error { return par.d.symlink(e.Link, name) })
	if err == nil && x.chown {
		err = par.d.lchown(tmp, x.own.uid(e.User, e.UID), x.own.gid(e.Group, e.GID))
	}
	if err == nil {
		err = par.d.setTime(tmp, e.MTime)
	}
	if err == nil {
		err = par.d.rename(tmp, path.Base(e.Path))
	}
	if err != nil {
		if tmp != "" {
			par.d.remove(tmp)
		}
		return fmt.Errorf("%s: %w", filepath.Join(x.root, e.Path), err)
	}
	return nil
}

func (x *extractor) close() error {
	var errs []error
	if x.f != nil {
		x.f.Close()
		x.tmpDir.remove(x.tmp)
		x.f = nil
	}
	for len(x.stack) > 0 {
		if err := x.pop(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func writeExtractMarker(dir, dest string) error {
	abs, err := filepath.Abs(canonicalDest(dest))
	if err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(dir, ExtractMarker), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return explainWrite(dir, err)
	}
	_, err = fmt.Fprintf(f, "zenrecover is restoring %s into this folder; running the restore again continues it\n%s\n", abs, abs)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return explainWrite(dir, err)
}

// interruptedExtract reports whether dir holds the marker of an
// interrupted extraction of dest; a marker of another set is an error.
func interruptedExtract(dir, dest string) (bool, error) {
	b, err := os.ReadFile(filepath.Join(dir, ExtractMarker))
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	abs, err := filepath.Abs(canonicalDest(dest))
	if err != nil {
		return false, err
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if got := lines[len(lines)-1]; got != abs {
		return false, fmt.Errorf("%s holds an interrupted restore of another archive (%s): %w", dir, got, ErrExists)
	}
	return true, nil
}
