package archive

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"filippo.io/age"
)

// produce runs the first pass, then the producer and the part writer,
// until the stream's end is in a complete part.
func produce(ctx context.Context, dir, dest string, cp *checkpoint, recips []age.Recipient, tr *tracker, nt *notes) error {
	stopped := func(err error) error { return &StoppedError{Dest: dest, Err: err} }
	tr.p.Files, tr.p.Bytes, tr.p.Parts = cp.Counts.Files, cp.Counts.Read, len(cp.Parts)
	// The first pass runs beside the archiving: it is several times
	// quicker, and on a tree of small files waiting for it cost a fifth
	// of the run.
	tot := &totals{}
	scanCtx, stopScan := context.WithCancel(ctx)
	scanned := make(chan struct{})
	go func() {
		defer close(scanned)
		if scan(scanCtx, cp.Source, tot) == nil {
			tot.done.Store(true)
		}
	}()
	defer func() {
		stopScan()
		<-scanned
	}()
	tr.totals = tot
	spool, err := os.OpenFile(filepath.Join(dir, spoolName), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return stopped(explainWrite(dir, err))
	}
	defer spool.Close()
	if err := spool.Truncate(cp.SpoolBytes); err != nil {
		return stopped(explainWrite(dir, err))
	}
	if _, err := spool.Seek(cp.SpoolBytes, io.SeekStart); err != nil {
		return stopped(err)
	}
	toHash := make(chan msg, bufCount)
	toWrite := make(chan msg, bufCount)
	free := make(chan []byte, bufCount+1)
	for range bufCount {
		free <- make([]byte, 0, bufSize)
	}
	hs, err := newHasher(bufio.NewWriterSize(spool, 64<<10), cp.SpoolBytes, cp.Cursor.Open)
	if err != nil {
		return err
	}
	sf := newStageFail()
	commits := make(chan commit, 4)
	w := &partWriter{dir: dir, recips: recips, next: len(cp.Parts) + 1, free: free, commit: commits, failed: sf.ch}
	k := &committer{dir: dir, cp: cp, spool: spool}
	var wg sync.WaitGroup
	wg.Add(3)
	go func() {
		defer wg.Done()
		k.run(commits, sf.fail)
	}()
	go func() {
		defer wg.Done()
		if err := hs.run(toHash, toWrite, sf.ch); err != nil {
			sf.fail(err)
		}
	}()
	go func() {
		defer wg.Done()
		if err := w.run(toWrite); err != nil {
			sf.fail(err)
		}
	}()
	c := &creator{
		ctx: ctx, src: cp.Source, partSize: cp.PartSize, require: cp.Require,
		out: toHash, free: free, stage: sf,
		stream: cp.Plain, partStart: cp.Plain,
		cnt: cp.Counts, after: cp.Cursor.After, own: newOwners(), tr: tr, notes: nt,
	}
	c.cnt.Required = slices.Clone(cp.Counts.Required)
	c.buf = <-free
	if cp.Cursor.Open != nil {
		c.open = restoreOpen(cp.Cursor.Open)
	}
	defer func() {
		if c.open != nil && c.open.fd != noFile {
			c.open.fd.close()
		}
	}()
	tr.begin(PhaseArchive)
	wk := &walker{ctx: ctx, root: cp.Source, fn: walkFuncs{dir: c.dir, leaf: c.leaf, resume: c.resume, note: c.note}}
	err = wk.run(newResumePoint(cp.Cursor))
	if err == nil {
		err = c.end()
	} else if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		// Stopped between entries: what is in the stream so far is whole.
		if cerr := c.cut(); cerr != nil {
			err = cerr
		}
	}
	if err != nil {
		select {
		case toHash <- msg{end: true}:
		case <-sf.ch:
		}
	}
	// The producer is the only sender. Closing ends the hasher's range even
	// when a failed later stage made the producer stop without sending the
	// end: the hasher waits only for input, so it would wait for ever.
	close(toHash)
	wg.Wait()
	tr.p.Parts = len(cp.Parts)
	switch {
	case sf.err != nil:
		return stopped(explainWrite(dir, sf.err))
	case err != nil:
		if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			err = fmt.Errorf("stopped: %w", err)
		}
		return stopped(err)
	}
	return nil
}

// scan is the quick first pass: it counts the files and bytes the
// progress bar measures against.
func scan(ctx context.Context, src string, tot *totals) error {
	wk := &walker{ctx: ctx, root: src, fn: walkFuncs{
		dir: func(string, *fileStat, bool) error { return nil },
		leaf: func(n node) error {
			if n.typ.Type() != 0 {
				return nil
			}
			if st, err := n.dir.lstat(n.name); err == nil {
				tot.files.Add(1)
				tot.bytes.Add(st.size)
			}
			return nil
		},
		resume: func(node) (bool, error) { return false, nil },
		note:   func(string, string, string) {},
	}}
	return wk.run(nil)
}
