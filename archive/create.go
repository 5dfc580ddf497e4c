package archive

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"filippo.io/age"
)

// CreateOptions say how to encrypt and what to require. The recipients
// and a passphrase may both be given; at least one must be.
type CreateOptions struct {
	// Recipients are age public keys (age1…) or SSH public key lines.
	Recipients []string
	// Passphrase, when set, protects a key made for this set (identity.age);
	// it never reaches the checkpoint, a log or an error.
	Passphrase string
	// PartSize is the tar bytes a part holds (DefaultPartSize when 0).
	PartSize int64
	// Force replaces an existing set at DEST once the new one is complete,
	// and discards an interrupted DEST.partial instead of refusing.
	Force bool
	// Require names folders, relative to the source, that must be there
	// (content-repo's images): the archive is refused without them and the
	// result counts what each held.
	Require []string
	// Progress, when set, is called on the caller's goroutine: at phase
	// changes, at the end, and in between at most every ProgressInterval
	// (100ms when 0; at every update when negative).
	Progress         func(Progress)
	ProgressInterval time.Duration
	// OnNote, when set, is called on the caller's goroutine for each note
	// as it is found.
	OnNote func(Note)
	// ScryptWorkFactor is identity.age's (age's default, 18, when 0).
	ScryptWorkFactor int
}

// ResumeOptions are what a resumed archive may change: the rest comes from
// the checkpoint.
type ResumeOptions struct {
	Progress         func(Progress)
	ProgressInterval time.Duration
	OnNote           func(Note)
}

// Note is something the operator should know about one path: it changed
// while it was read, it could not be read, it is a device.
type Note struct {
	Path   string
	Kind   string // re-read, changed, incomplete, unreadable, vanished, special
	Detail string
}

func (n Note) String() string { return n.Path + ": " + n.Detail }

// Result describes a complete archive.
type Result struct {
	Dest      string
	Parts     int
	Entries   int64
	Files     int64
	Bytes     int64 // file contents archived
	TarBytes  int64
	Flagged   int64 // entries flagged changed or incomplete
	Required  []Required
	Notes     []Note // this session's, the first maxNotes
	NoteCount int
	Kinds     map[string]int // notes of this session by kind
	Resumed   bool
	Elapsed   time.Duration
}

const maxNotes = 200

// Unfaithful counts what this archive does not hold faithfully: files
// that could not be read, and copies flagged changed or incomplete (over
// all sessions). A file that changed once and was read again is faithful;
// one removed while the archive was made, or a device, is not counted.
func (r *Result) Unfaithful() int64 {
	return r.Flagged + int64(r.Kinds["unreadable"])
}

type notes struct {
	list  []Note
	count int
	kinds map[string]int
	fn    func(Note)
}

func (n *notes) add(x Note) {
	n.count++
	if n.kinds == nil {
		n.kinds = map[string]int{}
	}
	n.kinds[x.Kind]++
	if len(n.list) < maxNotes {
		n.list = append(n.list, x)
	}
	if n.fn != nil {
		n.fn(x)
	}
}

// Create archives the tree src into the set dest: parts are built in
// dest.partial, which becomes dest only when the set is complete. An
// error that leaves a resumable dest.partial is a *StoppedError.
func Create(ctx context.Context, src, dest string, o CreateOptions) (*Result, error) {
	dest = filepath.Clean(dest)
	if strings.HasSuffix(dest, partialSuffix) {
		return nil, fmt.Errorf("%s: an archive's name must not end in %s", dest, partialSuffix)
	}
	srcAbs, err := filepath.Abs(src)
	if err != nil {
		return nil, err
	}
	fi, err := os.Stat(srcAbs)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("%s is not a directory", src)
	}
	if srcReal, err := filepath.EvalSymlinks(srcAbs); err == nil {
		srcAbs = srcReal
	}
	if err := outside(srcAbs, dest); err != nil {
		return nil, err
	}
	o.Require = slices.Clone(o.Require)
	for i, r := range o.Require {
		r = filepath.ToSlash(filepath.Clean(r))
		o.Require[i] = r
		if !filepath.IsLocal(r) {
			return nil, fmt.Errorf("required folder %q must be a plain path inside the source", r)
		}
		fi, err := os.Lstat(filepath.Join(srcAbs, r))
		if err != nil || !fi.IsDir() {
			return nil, fmt.Errorf("%s has no folder %s, which this archive must contain: is this the right source?", srcAbs, r)
		}
	}
	recips := slices.Clone(o.Recipients)
	if _, err := parseRecipients(recips); err != nil {
		return nil, err
	}
	if o.Passphrase != "" && len([]rune(o.Passphrase)) < MinPassphrase {
		return nil, fmt.Errorf("the passphrase must be at least %d characters", MinPassphrase)
	}
	if len(recips) == 0 && o.Passphrase == "" {
		return nil, errors.New("no recipient and no passphrase: nobody could open this archive")
	}
	if _, err := os.Lstat(dest); err == nil {
		if !o.Force {
			return nil, fmt.Errorf("%s: %w (--force replaces it once the new archive is complete)", dest, ErrExists)
		}
		if !isArchiveSet(dest) {
			return nil, fmt.Errorf("%s exists and is not a zenrecover archive: it is never replaced", dest)
		}
	}
	partial := PartialDir(dest)
	if _, err := os.Lstat(partial); err == nil {
		// One stopped before its first checkpoint holds nothing to resume
		// (a kill while the passphrase's key was made): it starts over.
		unstarted := neverCheckpointed(partial)
		if !o.Force && !unstarted {
			return nil, fmt.Errorf("%s: %w: an interrupted archive; `zenrecover archive resume %s` continues it, --force starts over", partial, ErrExists, dest)
		}
		if !isArchiveSet(partial) && !emptyDir(partial) && !unstarted {
			return nil, fmt.Errorf("%s exists and is not a zenrecover archive: it is never replaced", partial)
		}
		if err := os.RemoveAll(partial); err != nil {
			return nil, err
		}
	}
	if err := os.Mkdir(partial, 0o700); err != nil {
		return nil, err
	}
	host, _ := os.Hostname()
	cp := &checkpoint{
		Version: stateVersion, Source: srcAbs, Host: host, Created: time.Now().UTC(),
		PartSize: o.PartSize, Recipients: recips, Replace: o.Force, Require: o.Require,
		Parts: []PartInfo{},
	}
	if cp.PartSize <= 0 {
		cp.PartSize = DefaultPartSize
	}
	for _, r := range o.Require {
		cp.Counts.Required = append(cp.Counts.Required, Required{Path: r})
	}
	if o.Passphrase != "" {
		rec, err := writeSetKey(partial, o.Passphrase, o.ScryptWorkFactor)
		if err != nil {
			return nil, &StoppedError{Dest: dest, Err: explainWrite(partial, err)}
		}
		cp.Recipients = append(cp.Recipients, rec)
		cp.Passphrase = true
	}
	if err := cp.save(partial); err != nil {
		return nil, &StoppedError{Dest: dest, Err: explainWrite(partial, err)}
	}
	return run(ctx, partial, dest, cp, ResumeOptions{Progress: o.Progress, ProgressInterval: o.ProgressInterval, OnNote: o.OnNote})
}

// neverCheckpointed tells whether dir is a .partial that Create stopped
// in before it wrote its first checkpoint: it holds no checkpoint and
// nothing but what Create writes before one (the passphrase's key and
// temporary files), so no part in it counts.
func neverCheckpointed(dir string) bool {
	des, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, de := range des {
		n := de.Name()
		if n != identityName && n != identityName+tmpExt && n != stateName+tmpExt {
			return false
		}
	}
	return true
}

// outside refuses a destination inside the source: the archive would
// archive itself.
func outside(src, dest string) error {
	d, err := filepath.Abs(dest)
	if err != nil {
		return err
	}
	if parent, err := filepath.EvalSymlinks(filepath.Dir(d)); err == nil {
		d = filepath.Join(parent, filepath.Base(d))
	}
	if rel, err := filepath.Rel(src, d); err == nil && filepath.IsLocal(rel) {
		return fmt.Errorf("%s is inside %s: the archive would contain itself", dest, src)
	}
	return nil
}

func emptyDir(dir string) bool {
	des, err := os.ReadDir(dir)
	return err == nil && len(des) == 0
}

// writeSetKey makes the key a passphrase-protected set is encrypted to,
// and stores it encrypted with the passphrase: `age -d identity.age`
// recovers it, and the passphrase is then asked once, not once a part.
func writeSetKey(dir, passphrase string, workFactor int) (string, error) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return "", err
	}
	sr, err := age.NewScryptRecipient(passphrase)
	if err != nil {
		return "", err
	}
	if workFactor > 0 {
		sr.SetWorkFactor(workFactor)
	}
	var b strings.Builder
	w, err := age.Encrypt(&b, sr)
	if err != nil {
		return "", err
	}
	fmt.Fprintf(w, "# the key of the zenrecover archive set %s, made %s\n%s\n", filepath.Base(strings.TrimSuffix(dir, partialSuffix)), time.Now().UTC().Format(time.RFC3339), id)
	if err := w.Close(); err != nil {
		return "", err
	}
	if err := writeFileAtomic(filepath.Join(dir, identityName), []byte(b.String()), 0o600); err != nil {
		return "", err
	}
	return id.Recipient().String(), nil
}

// Resume continues an interrupted Create from its last complete part.
// dest may name the set or its .partial directory.
func Resume(ctx context.Context, dest string, o ResumeOptions) (*Result, error) {
	dest = canonicalDest(dest)
	partial := PartialDir(dest)
	cp, err := loadCheckpoint(partial)
	if errors.Is(err, os.ErrNotExist) {
		if _, err := os.Stat(filepath.Join(partial, manifestName)); err == nil {
			// Complete but for its final rename.
			if err := place(partial, dest, true); err != nil {
				return nil, &StoppedError{Dest: dest, Err: err}
			}
			return &Result{Dest: dest, Resumed: true}, nil
		}
		if _, err := os.Stat(dest); err == nil {
			return nil, fmt.Errorf("%s is complete: there is nothing to resume", dest)
		}
		return nil, fmt.Errorf("no interrupted archive at %s", partial)
	}
	if err != nil {
		return nil, err
	}
	// Parts the checkpoint does not count are from the moment it stopped.
	names, err := listParts(partial)
	if err != nil {
		return nil, err
	}
	for i, p := range cp.Parts {
		if i >= len(names) || names[i] != p.Name {
			return nil, fmt.Errorf("%s is missing from %s: the interrupted archive cannot be resumed; start over with --force", p.Name, partial)
		}
	}
	for _, n := range names[len(cp.Parts):] {
		os.Remove(filepath.Join(partial, n))
	}
	if tmps, _ := filepath.Glob(filepath.Join(partial, "*"+tmpExt)); tmps != nil {
		for _, t := range tmps {
			os.Remove(t)
		}
	}
	return run(ctx, partial, dest, cp, o)
}

func run(ctx context.Context, dir, dest string, cp *checkpoint, o ResumeOptions) (*Result, error) {
	start := time.Now()
	recips, err := parseRecipients(cp.Recipients)
	if err != nil {
		return nil, err
	}
	cp.Sessions++
	nt := &notes{fn: o.OnNote}
	tr := newTracker(o.Progress, o.ProgressInterval)
	if !cp.Cursor.Done {
		if err := produce(ctx, dir, dest, cp, recips, tr, nt); err != nil {
			return nil, err
		}
	}
	// What was archived is the total now, counted or not.
	tr.totals = nil
	tr.p.Counting, tr.p.FilesTotal, tr.p.BytesTotal = false, cp.Counts.Files, max(tr.p.Bytes, cp.Counts.Read)
	tr.p.Files, tr.p.Bytes = cp.Counts.Files, max(tr.p.Bytes, cp.Counts.Read)
	tr.begin(PhaseFinish)
	if err := writeManifest(dir, cp, recips); err != nil {
		return nil, &StoppedError{Dest: dest, Err: explainWrite(dir, err)}
	}
	if err := place(dir, dest, cp.Replace); err != nil {
		return nil, &StoppedError{Dest: dest, Err: err}
	}
	tr.done()
	return &Result{
		Dest: dest, Parts: len(cp.Parts), Entries: cp.Counts.Entries, Files: cp.Counts.Files,
		Bytes: cp.Counts.Bytes, TarBytes: cp.Plain, Flagged: cp.Counts.Flagged, Required: cp.Counts.Required,
		Notes: nt.list, NoteCount: nt.count, Kinds: nt.kinds, Resumed: cp.Sessions > 1, Elapsed: time.Since(start),
	}, nil
}

// writeManifest seals the summary and the spooled entries into
// manifest.age.
func writeManifest(dir string, cp *checkpoint, recips []age.Recipient) error {
	final := filepath.Join(dir, manifestName)
	spool, err := os.Open(filepath.Join(dir, spoolName))
	if err != nil {
		if _, serr := os.Stat(final); serr == nil && errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return err
	}
	defer spool.Close()
	tmp := final + tmpExt
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	enc, err := age.Encrypt(bw, recips...)
	if err != nil {
		return err
	}
	sum := Summary{
		Format: formatName, Version: formatVersion, Source: cp.Source, Host: cp.Host,
		Created: cp.Created, Finished: time.Now().UTC(), Parts: cp.Parts,
		Entries: cp.Counts.Entries, Files: cp.Counts.Files, Bytes: cp.Counts.Bytes,
		TarBytes: cp.Plain, Flagged: cp.Counts.Flagged, Required: cp.Counts.Required,
	}
	line, err := json.Marshal(sum)
	if err != nil {
		return err
	}
	if _, err := enc.Write(append(line, '\n')); err != nil {
		return err
	}
	if n, err := io.Copy(enc, io.LimitReader(spool, cp.SpoolBytes)); err != nil || n != cp.SpoolBytes {
		if err == nil {
			err = fmt.Errorf("%s is shorter than its checkpoint says", spoolName)
		}
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := os.Rename(tmp, final); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, readmeName), []byte(readme(filepath.Base(canonicalDest(dir)), cp)), 0o644); err != nil {
		return err
	}
	if err := syncDir(dir); err != nil {
		return err
	}
	if err := os.Remove(filepath.Join(dir, stateName)); err != nil {
		return err
	}
	os.Remove(filepath.Join(dir, spoolName))
	return syncDir(dir)
}

// place renames the complete set to dest, replacing an earlier set only
// when told to, and only once the new one is whole.
func place(dir, dest string, replace bool) error {
	if _, err := os.Lstat(dest); err == nil {
		if !replace {
			return fmt.Errorf("%s: %w; the new archive is complete in %s", dest, ErrExists, dir)
		}
		if !isArchiveSet(dest) {
			return fmt.Errorf("%s exists and is not a zenrecover archive: it is never replaced; the new archive is complete in %s", dest, dir)
		}
		old := fmt.Sprintf("%s.replaced-%d", dest, time.Now().UnixNano())
		if err := os.Rename(dest, old); err != nil {
			return err
		}
		if err := os.Rename(dir, dest); err != nil {
			os.Rename(old, dest)
			return err
		}
		if err := syncDir(filepath.Dir(dest)); err != nil {
			return err
		}
		return os.RemoveAll(old)
	}
	if err := os.Rename(dir, dest); err != nil {
		return err
	}
	return syncDir(filepath.Dir(dest))
}
