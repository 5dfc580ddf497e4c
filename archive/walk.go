package archive

import (
	"context"
	"errors"
	"io/fs"
	"slices"
	"strings"
)

// The tree is walked through open folders: each name is opened relative
// to its parent without following a link (fsys.go), so no symbolic link is
// ever followed (a link is archived as a link) and no rename during the
// walk can lead it out of the source. Entries come in one total order:
// depth first, a directory before its contents, names sorted by bytes;
// resuming relies on that order.

// node is one name found in a directory.
type node struct {
	dir  dirH
	name string
	rel  string
	typ  fs.FileMode // from the directory entry: fs.ModeDir, fs.ModeSymlink, 0 for a regular file, ...
}

// walkFuncs are what a walk does at each entry.
type walkFuncs struct {
	// dir is called for a directory once it is open and read, before its
	// contents; skipHeader is true when a resumed archive already holds it.
	dir func(rel string, st *fileStat, skipHeader bool) error
	// leaf is called for everything that is not a directory.
	leaf func(n node) error
	// resume is called for the entry named by a checkpoint that left a
	// file half written; handled=false has the walk visit it as new.
	resume func(n node) (handled bool, err error)
	// note reports an entry that cannot be read.
	note func(rel, kind, detail string)
}

type walker struct {
	ctx  context.Context
	root string
	fn   walkFuncs
}

// resumePoint places a walk after (or, for a half-written file, at) a
// path of an earlier session.
type resumePoint struct {
	comps []string
	open  bool // the path is a half-written file, to be continued
}

func newResumePoint(cur cursor) *resumePoint {
	switch {
	case cur.Open != nil:
		return &resumePoint{comps: splitRel(cur.Open.Entry.Path), open: true}
	case cur.After != "":
		return &resumePoint{comps: splitRel(cur.After)}
	}
	return nil
}

func splitRel(rel string) []string {
	if rel == "." {
		return []string{}
	}
	return strings.Split(rel, "/")
}

func joinRel(dir, name string) string {
	if dir == "." {
		return name
	}
	return dir + "/" + name
}

// run walks the tree from its root.
func (w *walker) run(rp *resumePoint) error {
	d, st, err := openTop(w.root)
	if err != nil {
		return err
	}
	defer d.close()
	var comps []string
	skip := false
	if rp != nil {
		comps, skip = rp.comps, true
		if len(comps) == 0 {
			comps = nil // after "."
		}
	}
	return w.dir(d, ".", &st, comps, skip, rp)
}

func (w *walker) dir(d dirH, rel string, st *fileStat, comps []string, skipHeader bool, rp *resumePoint) error {
	des, err := d.list()
	if err != nil {
		w.fn.note(rel, "unreadable", "cannot list the folder: "+err.Error())
		return nil
	}
	slices.SortFunc(des, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	if err := w.fn.dir(rel, st, skipHeader); err != nil {
		return err
	}
	for _, de := range des {
		if err := w.ctx.Err(); err != nil {
			return err
		}
		name := de.Name()
		n := node{dir: d, name: name, rel: joinRel(rel, name), typ: de.Type()}
		if comps != nil {
			c := comps[0]
			switch {
			case name < c:
				continue
			case name == c && len(comps) > 1 && n.typ.IsDir():
				if err := w.sub(n, comps[1:], true, rp); err != nil {
					return err
				}
				comps = nil
				continue
			case name == c && len(comps) == 1 && rp.open:
				comps = nil
				handled, err := w.fn.resume(n)
				if err != nil {
					return err
				}
				if handled {
					continue
				}
			case name == c && len(comps) == 1:
				comps = nil
				if n.typ.IsDir() {
					if err := w.sub(n, nil, true, rp); err != nil {
						return err
					}
				}
				continue
			}
			comps = nil
		}
		if n.typ.IsDir() {
			if err := w.sub(n, nil, false, rp); err != nil {
				return err
			}
			continue
		}
		if err := w.fn.leaf(n); err != nil {
			return err
		}
	}
	return nil
}

func (w *walker) sub(n node, comps []string, skipHeader bool, rp *resumePoint) error {
	d, st, err := n.dir.sub(n.name, w.root+"/"+n.rel)
	if err != nil {
		switch {
		case errors.Is(err, fs.ErrNotExist):
			w.fn.note(n.rel, "vanished", "removed while the archive was being made")
		case isLink(err), isNotFolder(err):
			// Replaced by a link or a file since the folder was listed.
			n.typ = 0
			if isLink(err) {
				n.typ = fs.ModeSymlink
			}
			return w.fn.leaf(n)
		default:
			w.fn.note(n.rel, "unreadable", err.Error())
		}
		return nil
	}
	defer d.close()
	return w.dir(d, n.rel, &st, comps, skipHeader, rp)
}
