package archive

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"strings"
)

// creator produces the tar stream on the caller's goroutine: it walks the
// tree, reads files straight into pool buffers, and decides where parts
// end. The hasher stage after it computes each file's SHA-256 and writes
// the manifest lines; the part writer after that encrypts and writes. Each
// stage has a core's worth of work on a tree of small files.
type creator struct {
	ctx      context.Context
	src      string
	partSize int64
	require  []string

	out   chan<- msg
	free  <-chan []byte
	stage *stageFail

	buf       []byte
	stream    int64 // tar bytes produced
	partStart int64

	ev      []event // what the hasher does with the bytes in buf
	cnt     counts
	after   string
	open    *openState
	scratch bytes.Buffer
	own     *owners
	tr      *tracker
	notes   *notes
}

// openState is the file whose header is written and whose data is not
// finished.
type openState struct {
	of         openFile
	fd         fileH // noFile: nothing to read (zero-filling, or not reopened yet)
	n          node
	incomplete string // why the rest is zeros, when it is
	short      bool   // the file ended early in this session
}

func (c *creator) send(m msg) error {
	select {
	case c.out <- m:
		return nil
	case <-c.stage.ch:
		return c.stage.err
	}
}

// flush hands the buffer and its events on.
func (c *creator) flush() error {
	if len(c.buf) == 0 && len(c.ev) == 0 {
		return nil
	}
	m := msg{ev: c.ev}
	if len(c.buf) > 0 {
		m.data = c.buf
	}
	c.ev = nil
	if err := c.send(m); err != nil {
		return err
	}
	if m.data == nil {
		return nil
	}
	select {
	case c.buf = <-c.free:
		return nil
	case <-c.stage.ch:
		c.buf = nil
		return c.stage.err
	}
}

// hashSpan marks buf[from:to] as file contents.
func (c *creator) hashSpan(from, to int) {
	if n := len(c.ev); n > 0 && c.ev[n-1].e == nil && c.ev[n-1].to == from {
		c.ev[n-1].to = to
		return
	}
	c.ev = append(c.ev, event{from: from, to: to})
}

// emit appends bytes that never span a cut (headers, padding, the end
// marker).
func (c *creator) emit(p []byte) error {
	for len(p) > 0 {
		if len(c.buf) == cap(c.buf) {
			if err := c.flush(); err != nil {
				return err
			}
		}
		n := copy(c.buf[len(c.buf):cap(c.buf)], p)
		c.buf = c.buf[:len(c.buf)+n]
		c.stream += int64(n)
		p = p[n:]
	}
	return nil
}

func (c *creator) zeros(n int64) error {
	var z [512]byte
	for n > 0 {
		k := min(n, int64(len(z)))
		if err := c.emit(z[:k]); err != nil {
			return err
		}
		n -= k
	}
	return nil
}

// cursor is where the stream stands; the hasher adds the open file's hash
// state.
func (c *creator) cursor() cursor {
	cur := cursor{After: c.after}
	if o := c.open; o != nil {
		of := o.of
		of.Zeros, of.Why = o.incomplete != "", o.incomplete
		cur.Open = &of
	}
	return cur
}

// cut ends the current part here and checkpoints.
func (c *creator) cut() error {
	if c.stream == c.partStart {
		return nil
	}
	if err := c.flush(); err != nil {
		return err
	}
	cnt := c.cnt
	cnt.Required = append([]Required(nil), c.cnt.Required...)
	if err := c.send(msg{cut: &cutInfo{counts: cnt, cursor: c.cursor()}}); err != nil {
		return err
	}
	c.partStart = c.stream
	return nil
}

// cutPoint is every place where the stream may end a part: after a
// header, after a chunk of data, after an entry. A cancelled context ends
// the part here, so that stopping loses nothing.
func (c *creator) cutPoint() error {
	if err := c.ctx.Err(); err != nil {
		if cerr := c.cut(); cerr != nil {
			return cerr
		}
		return err
	}
	if c.stream-c.partStart >= c.partSize {
		return c.cut()
	}
	return nil
}

func (c *creator) note(rel, kind, detail string) {
	c.notes.add(Note{Path: rel, Kind: kind, Detail: detail})
}

func (c *creator) entry(rel, typ string, st *fileStat) Entry {
	e := Entry{Path: rel, Type: typ, Mode: st.mode, MTime: st.mtime.UTC()}
	if st.owned {
		e.UID, e.GID, e.User, e.Group = st.uid, st.gid, c.own.user(st.uid), c.own.group(st.gid)
	}
	if typ == TypeFile {
		e.Size = st.size
	}
	return e
}

func (c *creator) header(e *Entry) error {
	if err := c.settle(); err != nil {
		return err
	}
	hb, err := headerBytes(e, &c.scratch)
	if err != nil {
		return err
	}
	return c.emit(hb)
}

// complete records an entry whose bytes are all in the stream; the hasher
// adds a file's SHA-256 and writes its manifest line.
func (c *creator) complete(e *Entry, cut bool) error {
	done := *e
	c.ev = append(c.ev, event{e: &done})
	c.cnt.Entries++
	if e.Flag != "" && e.Flag != FlagSuperseded {
		c.cnt.Flagged++
	}
	if e.Type == TypeFile && e.Flag != FlagSuperseded {
		c.cnt.Files++
		c.cnt.Bytes += e.Size
		c.tr.p.Files = c.cnt.Files
		for i, r := range c.require {
			if e.Path == r || strings.HasPrefix(e.Path, r+"/") {
				c.cnt.Required[i].Files++
				c.cnt.Required[i].Bytes += e.Size
			}
		}
	}
	c.after = e.Path
	c.tr.p.Current = e.Path
	c.tr.emit(false)
	if !cut {
		return nil
	}
	return c.cutPoint()
}

// dir is the walk's directory callback.
func (c *creator) dir(rel string, st *fileStat, skipHeader bool) error {
	if skipHeader {
		return nil
	}
	e := c.entry(rel, TypeDir, st)
	if err := c.header(&e); err != nil {
		return err
	}
	return c.complete(&e, true)
}

// leaf is the walk's callback for everything but directories.
func (c *creator) leaf(n node) error {
	switch n.typ.Type() {
	case 0:
		return c.file(n, 1)
	case fs.ModeSymlink:
		return c.symlink(n)
	}
	what := n.typ.Type().String()
	if n.typ&fs.ModeIrregular != 0 {
		// Windows: a junction, a mount point or another reparse point.
		what = "a junction or other reparse point"
	}
	c.note(n.rel, "special", "not a file, folder or link ("+what+"): not archived")
	return nil
}

func (c *creator) symlink(n node) error {
	st, err := n.dir.lstat(n.name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			c.note(n.rel, "vanished", "removed while the archive was being made")
			return nil
		}
		c.note(n.rel, "unreadable", err.Error())
		return nil
	}
	if st.typ != fs.ModeSymlink {
		if st.regular() {
			return c.file(n, 1)
		}
		c.note(n.rel, "changed", "changed type while the archive was being made: not archived")
		return nil
	}
	link, err := n.dir.readlink(n.name)
	if err != nil {
		c.note(n.rel, "unreadable", err.Error())
		return nil
	}
	e := c.entry(n.rel, TypeSymlink, &st)
	e.Link = link
	if err := c.header(&e); err != nil {
		return err
	}
	return c.complete(&e, true)
}

// file archives a regular file; attempt 2 is the re-read of a file that
// changed while it was read.
func (c *creator) file(n node, attempt int) error {
	fd, err := n.dir.openFile(n.name)
	if err != nil {
		switch {
		case errors.Is(err, fs.ErrNotExist):
			c.note(n.rel, "vanished", "removed while the archive was being made")
		case isLink(err):
			n.typ = fs.ModeSymlink
			return c.symlink(n)
		case errors.Is(err, errSwapped):
			c.note(n.rel, "changed", "changed type while the archive was being made: not archived")
		default:
			c.note(n.rel, "unreadable", err.Error()+": not archived")
		}
		return nil
	}
	return c.fileFD(n, fd, attempt)
}

func (c *creator) fileFD(n node, fd fileH, attempt int) error {
	st, err := fd.stat()
	if err != nil {
		fd.close()
		return err
	}
	if !st.regular() {
		fd.close()
		c.note(n.rel, "changed", "changed type while the archive was being made: not archived")
		return nil
	}
	if st.size > bufSize {
		fd.sequential()
	}
	e := c.entry(n.rel, TypeFile, &st)
	if err := c.header(&e); err != nil {
		fd.close()
		return err
	}
	c.open = &openState{
		of: openFile{Entry: e, Ino: st.ino, CtimeNs: st.ctimeNs, Attempt: attempt},
		fd: fd, n: n,
	}
	c.tr.p.Current = e.Path
	if err := c.cutPoint(); err != nil {
		return err
	}
	return c.stream1()
}

// resume continues the file a checkpoint left half written, if it is
// still the same file.
func (c *creator) resume(n node) (bool, error) {
	o := c.open
	if o == nil || n.typ.Type() != 0 || o.incomplete != "" {
		return false, c.settle()
	}
	fd, err := n.dir.openFile(n.name)
	if err != nil {
		return false, c.settle()
	}
	st, err := fd.stat()
	if err != nil {
		fd.close()
		return false, err
	}
	e := &o.of.Entry
	same := st.regular() && st.ino == o.of.Ino && st.size == e.Size &&
		st.ctimeNs == o.of.CtimeNs && st.mtime.Equal(e.MTime)
	if !same {
		fd.close()
		o.incomplete = "changed between the interruption and the resume; a fresh copy follows"
		if err := c.settle(); err != nil {
			return true, err
		}
		return true, c.file(n, 2)
	}
	if err := fd.seek(o.of.Offset); err != nil {
		fd.close()
		return false, err
	}
	o.fd, o.n = fd, n
	return true, c.stream1()
}

// settle finishes a half-written file from an earlier session that this
// walk could not continue: the rest is zeros, and it is flagged.
func (c *creator) settle() error {
	o := c.open
	if o == nil || o.fd != noFile {
		return nil
	}
	if o.incomplete == "" {
		o.incomplete = "removed or replaced between the interruption and the resume"
	}
	return c.stream1()
}

// stream1 writes the open file's remaining data and padding, then checks
// whether it changed while it was read.
func (c *creator) stream1() error {
	o := c.open
	size := o.of.Entry.Size
	for o.of.Offset < size {
		if len(c.buf) == cap(c.buf) {
			if err := c.flush(); err != nil {
				return err
			}
		}
		room := c.partSize - (c.stream - c.partStart)
		if room <= 0 {
			if err := c.cut(); err != nil {
				return err
			}
			room = c.partSize
		}
		n := int(min(int64(cap(c.buf)-len(c.buf)), size-o.of.Offset, room))
		p := c.buf[len(c.buf) : len(c.buf)+n]
		k := 0
		if o.fd != noFile && o.incomplete == "" && !o.short {
			var err error
			k, err = o.fd.read(p)
			switch {
			case err != nil:
				o.incomplete = "could not be read to the end (" + err.Error() + "); the rest is zeros"
			case k < n:
				o.short = true
			}
		}
		clear(p[k:])
		c.hashSpan(len(c.buf), len(c.buf)+n)
		c.buf = c.buf[:len(c.buf)+n]
		c.stream += int64(n)
		o.of.Offset += int64(n)
		c.cnt.Read += int64(n)
		c.tr.p.Bytes = c.cnt.Read
		c.tr.emit(false)
		if err := c.cutPoint(); err != nil {
			return err
		}
	}
	if err := c.zeros(padding(size)); err != nil {
		return err
	}
	e := o.of.Entry
	changed := o.short
	if o.fd != noFile {
		if st, err := o.fd.stat(); err == nil {
			changed = changed || st.size != e.Size || st.ctimeNs != o.of.CtimeNs || !st.mtime.Equal(e.MTime)
		}
		o.fd.close()
		o.fd = noFile
	}
	c.open = nil
	switch {
	case o.incomplete != "":
		e.Flag, e.Note = FlagIncomplete, o.incomplete
		c.note(e.Path, "incomplete", o.incomplete)
		return c.complete(&e, true)
	case !changed:
		return c.complete(&e, true)
	case o.of.Attempt == 1:
		// Read it again, straight after: tar -x keeps the last copy.
		fd, err := o.n.dir.openFile(o.n.name)
		if err != nil {
			e.Flag, e.Note = FlagChanged, "changed while it was read, and could not be read again: "+err.Error()
			c.note(e.Path, "changed", e.Note)
			return c.complete(&e, true)
		}
		e.Flag, e.Note = FlagSuperseded, "changed while it was read; the next copy replaces this one"
		if err := c.complete(&e, false); err != nil {
			fd.close()
			return err
		}
		c.note(e.Path, "re-read", "changed while it was read: read again")
		return c.fileFD(o.n, fd, 2)
	}
	e.Flag, e.Note = FlagChanged, "changed while it was read, twice: this copy may mix old and new contents"
	c.note(e.Path, "changed", e.Note)
	return c.complete(&e, true)
}

// end writes tar's end marker and the last cut.
func (c *creator) end() error {
	if err := c.settle(); err != nil {
		return err
	}
	if err := c.zeros(endOfArchive); err != nil {
		return err
	}
	if err := c.flush(); err != nil {
		return err
	}
	cnt := c.cnt
	cnt.Required = append([]Required(nil), c.cnt.Required...)
	return c.send(msg{cut: &cutInfo{counts: cnt, cursor: cursor{Done: true, After: c.after}}, end: true})
}

// restoreOpen rebuilds the half-written file of a checkpoint; its hash
// state goes to the hasher.
func restoreOpen(of *openFile) *openState {
	o := &openState{of: *of, fd: noFile}
	if of.Zeros {
		o.incomplete = of.Why
		if o.incomplete == "" {
			o.incomplete = "removed or replaced between the interruption and the resume"
		}
	}
	return o
}
