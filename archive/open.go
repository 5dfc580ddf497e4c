package archive

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"time"

	"filippo.io/age"
)

// OpenOptions say how to open a set for verify and extract.
type OpenOptions struct {
	// Identities are age identities (LoadIdentities reads them from files).
	Identities []age.Identity
	// Passphrase is asked only when the set is protected by one; it is
	// never kept beyond opening identity.age.
	Passphrase func() (string, error)
	// Progress as in CreateOptions.
	Progress         func(Progress)
	ProgressInterval time.Duration
}

// Report says what verify or extract found.
type Report struct {
	Summary      Summary
	Entries      int64
	Files        int64 // files whose contents matched (restored, for extract)
	Bytes        int64
	Problems     []Problem // the first maxNotes
	ProblemCount int
	Flagged      []Problem // entries flagged when the archive was made
	FlaggedCount int
	Skipped      int64 // extract: flagged copies not restored
	Owners       bool  // extract: owners were restored (running as root)
	Resumed      bool  // extract: an interrupted extraction into the same folder was continued
}

// Print lists the problems and the flagged entries, saying how many more
// there were beyond those kept. A nil Report prints nothing.
func (r *Report) Print(w io.Writer) {
	if r == nil {
		return
	}
	for _, p := range r.Problems {
		fmt.Fprintln(w, "problem:", p)
	}
	if r.ProblemCount > len(r.Problems) {
		fmt.Fprintf(w, "problem: and %d more\n", r.ProblemCount-len(r.Problems))
	}
	for _, p := range r.Flagged {
		fmt.Fprintln(w, "flagged when archived:", p)
	}
	if r.FlaggedCount > len(r.Flagged) {
		fmt.Fprintf(w, "flagged when archived: and %d more\n", r.FlaggedCount-len(r.Flagged))
	}
}

func (r *Report) problem(p, detail string) {
	r.ProblemCount++
	if len(r.Problems) < maxNotes {
		r.Problems = append(r.Problems, Problem{Path: p, Detail: detail})
	}
}

func (r *Report) flagged(e *Entry) {
	r.FlaggedCount++
	if len(r.Flagged) < maxNotes {
		r.Flagged = append(r.Flagged, Problem{Path: e.Path, Detail: e.Flag + ": " + e.Note})
	}
}

func (r *Report) err() error {
	if r.ProblemCount == 0 {
		return nil
	}
	return &VerifyError{Problems: r.Problems, Count: r.ProblemCount}
}

// set is an opened archive set.
type set struct {
	dir  string
	ids  []age.Identity
	sum  Summary
	man  *bufio.Reader
	file *os.File
}

// openSet checks that dir is a complete set and opens its manifest.
func openSet(dir string, o OpenOptions) (*set, error) {
	dir = filepath.Clean(dir)
	mf, err := os.Open(filepath.Join(dir, manifestName))
	if err != nil {
		if _, perr := os.Stat(PartialDir(canonicalDest(dir))); perr == nil && errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s is not complete: an interrupted archive is in %s; `zenrecover archive resume %s` finishes it", canonicalDest(dir), PartialDir(canonicalDest(dir)), canonicalDest(dir))
		}
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s is not a zenrecover archive (it has no %s)", dir, manifestName)
		}
		return nil, err
	}
	ids := append([]age.Identity(nil), o.Identities...)
	if b, err := os.ReadFile(filepath.Join(dir, identityName)); err == nil {
		if o.Passphrase == nil {
			mf.Close()
			return nil, fmt.Errorf("%s is protected by a passphrase, and there is no one to ask (set %s)", dir, PassphraseEnv)
		}
		pass, err := o.Passphrase()
		if err != nil {
			mf.Close()
			return nil, err
		}
		sid, err := age.NewScryptIdentity(pass)
		if err != nil {
			mf.Close()
			return nil, err
		}
		r, err := age.Decrypt(bytes.NewReader(b), sid)
		if err != nil {
			mf.Close()
			return nil, fmt.Errorf("wrong passphrase for %s", dir)
		}
		keys, err := io.ReadAll(io.LimitReader(r, 1<<20))
		if err != nil {
			mf.Close()
			return nil, fmt.Errorf("%s is damaged: %w", identityName, err)
		}
		more, err := age.ParseIdentities(bytes.NewReader(keys))
		if err != nil {
			mf.Close()
			return nil, fmt.Errorf("%s is damaged: %w", identityName, err)
		}
		ids = append(ids, more...)
	}
	if len(ids) == 0 {
		mf.Close()
		return nil, fmt.Errorf("no key to open %s: give an identity file (-i) of one of its recipients", dir)
	}
	r, err := age.Decrypt(bufio.NewReader(mf), ids...)
	if err != nil {
		mf.Close()
		var nm *age.NoIdentityMatchError
		if errors.As(err, &nm) {
			return nil, fmt.Errorf("none of the keys given opens %s: it was made for other recipients", dir)
		}
		return nil, fmt.Errorf("%s/%s is damaged or was altered: %v", dir, manifestName, err)
	}
	s := &set{dir: dir, ids: ids, man: bufio.NewReaderSize(r, 256<<10), file: mf}
	line, err := s.man.ReadBytes('\n')
	if err != nil {
		s.close()
		return nil, fmt.Errorf("%s/%s is damaged: %v", dir, manifestName, err)
	}
	if err := json.Unmarshal(line, &s.sum); err != nil || s.sum.Format != formatName {
		s.close()
		return nil, fmt.Errorf("%s/%s is not a zenrecover manifest", dir, manifestName)
	}
	if s.sum.Version != formatVersion {
		s.close()
		return nil, fmt.Errorf("%s was made by another version of zenrecover (format %d)", dir, s.sum.Version)
	}
	return s, nil
}

func (s *set) close() { s.file.Close() }

// next returns the manifest's next entry, io.EOF after the last.
func (s *set) next() (*Entry, error) {
	line, err := s.man.ReadBytes('\n')
	if err == io.EOF && len(line) == 0 {
		return nil, io.EOF
	}
	if err != nil {
		return nil, fmt.Errorf("%s is damaged: %w", manifestName, err)
	}
	var e Entry
	if err := json.Unmarshal(line, &e); err != nil {
		return nil, fmt.Errorf("%s is damaged: %w", manifestName, err)
	}
	return &e, nil
}

// partError is a part that could not be read; the reading loop names the
// entry it was in.
type partError struct {
	part string
	err  error
}

func (e *partError) Error() string {
	return fmt.Sprintf("%s is damaged or was altered (%v): nothing after this point can be read", e.part, e.err)
}

// decryptParts streams the plaintext of every part, in order, into p.
func (s *set) decryptParts(p *chunkPipe) {
	for _, part := range s.sum.Parts {
		f, err := os.Open(filepath.Join(s.dir, part.Name))
		if err != nil {
			p.finish(&partError{part: part.Name, err: err})
			return
		}
		r, err := age.Decrypt(bufio.NewReaderSize(f, 1<<20), s.ids...)
		if err != nil {
			f.Close()
			p.finish(&partError{part: part.Name, err: err})
			return
		}
		n, err, more := p.fill(r)
		f.Close()
		if !more {
			p.finish(nil)
			return
		}
		if err == nil && n != part.Plain {
			err = fmt.Errorf("it holds %d bytes of the archive, the manifest says %d", n, part.Plain)
		}
		if err != nil {
			p.finish(&partError{part: part.Name, err: err})
			return
		}
	}
	p.finish(nil)
}

// sink is what the reading loop does with entries whose header matched
// the manifest; verify's is nil.
type sink interface {
	dir(e *Entry) error
	file(e *Entry) (io.Writer, error)
	fileDone(e *Entry, ok bool) error
	symlink(e *Entry) error
	close() error
}

// read walks the tar stream and the manifest in step, checking each
// header and each file's SHA-256, and gives what matches to out.
func (s *set) read(ctx context.Context, out sink, rep *Report, tr *tracker) error {
	rep.Summary = s.sum
	names, err := listParts(s.dir)
	if err != nil {
		return err
	}
	want := map[string]bool{}
	for _, p := range s.sum.Parts {
		want[p.Name] = true
	}
	have := map[string]bool{}
	for _, n := range names {
		have[n] = true
		if !want[n] {
			rep.problem(n, "a part file the manifest does not list")
		}
	}
	for _, p := range s.sum.Parts {
		if !have[p.Name] {
			rep.problem(p.Name, "missing: the archive is incomplete")
		}
	}
	p := newChunkPipe()
	go s.decryptParts(p)
	defer func() {
		p.close()
		for range p.full {
		}
	}()
	tarR := tar.NewReader(p)
	h := sha256.New()
	buf := make([]byte, 256<<10)
	last := ""
	for {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("stopped: %w", err)
		}
		hdr, err := tarR.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			where := "the start of the archive"
			if last != "" {
				where = "the entry after " + last
			}
			rep.problem(last, readProblem(err, where))
			return nil
		}
		e, merr := s.next()
		if merr == io.EOF {
			rep.problem(pathOfHeader(hdr), "in the archive but not in the manifest")
			continue
		}
		if merr != nil {
			rep.problem("", merr.Error())
			return nil
		}
		rep.Entries++
		tr.p.Current = e.Path
		if !validPath(e.Path) {
			rep.problem(e.Path, "not a safe path inside the archive: refused")
			return nil
		}
		if d := mismatch(hdr, e); d != "" {
			rep.problem(e.Path, d)
			if pathOfHeader(hdr) != e.Path {
				return nil
			}
		}
		if e.Flag != "" && e.Flag != FlagSuperseded {
			rep.flagged(e)
		}
		restore := out != nil && e.Flag != FlagSuperseded && e.Flag != FlagIncomplete
		if out != nil && !restore {
			rep.Skipped++
		}
		switch e.Type {
		case TypeDir:
			if out != nil {
				if err := out.dir(e); err != nil {
					return err
				}
			}
		case TypeSymlink:
			if restore {
				if err := out.symlink(e); err != nil {
					return err
				}
			}
		case TypeFile:
			var w io.Writer = h
			if restore {
				fw, err := out.file(e)
				if err != nil {
					return err
				}
				w = io.MultiWriter(h, fw)
			}
			h.Reset()
			n, err := io.CopyBuffer(w, tarR, buf)
			ok := err == nil && n == e.Size && hex.EncodeToString(h.Sum(nil)) == e.SHA256
			if restore {
				if derr := out.fileDone(e, ok); derr != nil {
					return derr
				}
			}
			if err != nil {
				rep.problem(e.Path, readProblem(err, e.Path))
				return nil
			}
			if !ok {
				rep.problem(e.Path, "its contents differ from the manifest (SHA-256): altered or damaged")
				continue
			}
			if e.Flag != FlagSuperseded {
				rep.Files++
				rep.Bytes += e.Size
				tr.p.Files, tr.p.Bytes = rep.Files, rep.Bytes
			}
		}
		last = e.Path
		tr.emit(false)
	}
	for {
		e, err := s.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			rep.problem("", err.Error())
			break
		}
		rep.problem(e.Path, "listed in the manifest but missing from the archive")
	}
	if n, err := io.Copy(io.Discard, p); err != nil {
		rep.problem("", readProblem(err, "the end of the archive"))
	} else if n > 0 {
		rep.problem("", fmt.Sprintf("%d bytes follow the end of the archive", n))
	}
	return nil
}

func readProblem(err error, where string) string {
	var pe *partError
	if errors.As(err, &pe) {
		return fmt.Sprintf("%s is damaged or was altered, at %s (%v): nothing after this point can be read", pe.part, where, pe.err)
	}
	return fmt.Sprintf("the archive is damaged at %s: %v", where, err)
}

func validPath(p string) bool {
	return p == "." || (filepath.IsLocal(p) && path.Clean(p) == p)
}

// Verify reads the whole set back with the given keys and checks it
// against its manifest: every part present and authentic, every entry's
// header as listed, every file's SHA-256. A set that does not verify gives
// a *VerifyError naming the files; the report lists them all.
func Verify(ctx context.Context, dest string, o OpenOptions) (*Report, error) {
	s, err := openSet(dest, o)
	if err != nil {
		return nil, err
	}
	defer s.close()
	rep := &Report{}
	tr := newTracker(o.Progress, o.ProgressInterval)
	tr.p.FilesTotal, tr.p.BytesTotal = s.sum.Files, s.sum.Bytes
	tr.begin(PhaseVerify)
	if err := s.read(ctx, nil, rep, tr); err != nil {
		return rep, err
	}
	tr.done()
	return rep, rep.err()
}
