package actions

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dustin/go-humanize/english"

	"zenrecover/archive"
)

// ArchiveEvery is how often an archive action writes a progress line.
const ArchiveEvery = 5 * time.Second

// Progress is a snapshot of a long action's progress, for a bar: what is
// done and what there is in all (files and bytes, counted by a quick first
// pass over the tree or read from an archive's manifest), the rate and an
// estimate of the time left. Fraction and Line say it as a number and as a
// line of text.
type Progress = archive.Progress

// Bytes formats a size in binary units, as progress lines do ("1.5 GiB").
func Bytes(n int64) string { return archive.Bytes(n) }

// Phase names what a Progress is about.
type Phase = archive.Phase

// The phases a Progress reports.
const (
	PhaseArchive = archive.PhaseArchive
	PhaseFinish  = archive.PhaseFinish
	PhaseVerify  = archive.PhaseVerify
	PhaseExtract = archive.PhaseExtract
	PhaseDone    = archive.PhaseDone
)

// ArchiveCreate backs up a tree (a content-repo) into an encrypted archive
// set with package archive. Run resumes the set's interrupted
// DEST.partial when it was started from the same source, so running the
// step again after a stop or a crash continues it rather than starting
// over. It fails when the archive is complete but some file in it is not
// a faithful copy (unreadable, or changing while it was read), naming
// them: the operator decides whether that backup will do.
type ArchiveCreate struct {
	Source, Dest string
	Recipients   []string // age or SSH public keys
	Passphrase   string   // secret; "" when the recipients suffice
	Require      []string // folders that must be in Source, e.g. "images"
	PartSize     int64    // 0: archive.DefaultPartSize
	Force        bool     // replace an existing set at Dest once the new one is complete
	// ScryptWorkFactor seals the set's key for the passphrase (age's
	// default when 0).
	ScryptWorkFactor int
	// Every is how often a progress line goes to the output (ArchiveEvery
	// when 0).
	Every time.Duration
	// OnProgress, when set, gets progress snapshots for a progress bar, on
	// the goroutine running Run, at most every ProgressInterval (100ms when
	// 0, every update when negative).
	OnProgress       func(archive.Progress)
	ProgressInterval time.Duration
}

func (a *ArchiveCreate) Describe() string {
	var to []string
	if n := len(a.Recipients); n > 0 {
		to = append(to, fmt.Sprintf("%d %s", n, english.PluralWord(n, "recipient", "")))
	}
	if a.Passphrase != "" {
		to = append(to, "a passphrase")
	}
	if len(to) == 0 {
		to = append(to, "nobody (no recipient given)")
	}
	s := fmt.Sprintf("archive the tree %s into the encrypted archive set %s (tar in age-encrypted parts, for %s)",
		a.Source, a.Dest, strings.Join(to, " and "))
	if len(a.Require) > 0 {
		s += "; " + strings.Join(a.Require, ", ") + " must be in it"
	}
	if st, err := archive.Inspect(a.Dest); err == nil {
		switch st.State {
		case archive.StatePartial:
			s += fmt.Sprintf("; resumes the interrupted archive in %s (%d parts complete)", archive.PartialDir(a.Dest), st.Parts)
		case archive.StateComplete:
			if a.Force {
				s += "; the existing archive is replaced once the new one is complete"
			} else {
				s += "; an archive is already there, and is not replaced"
			}
		}
	}
	return s
}

func (a *ArchiveCreate) Run(ctx context.Context, rio IO) error {
	out := SafeWriter(rio.Output, rio.Secrets)
	defer out.Close()
	if a.Passphrase != "" && rio.Secrets != nil {
		rio.Secrets.Add(a.Passphrase)
	}
	// The backup folder may not exist yet on a freshly installed server;
	// 0700, as backups hold the zone's data.
	if err := os.MkdirAll(filepath.Dir(a.Dest), 0o700); err != nil {
		return fmt.Errorf("archive %s: %w", a.Source, err)
	}
	progress := archiveProgress(out, a.Every, rio, a.OnProgress)
	note := func(n archive.Note) { fmt.Fprintln(out, "note:", n) }
	var res *archive.Result
	var err error
	st, _ := archive.Inspect(a.Dest)
	if src, aerr := filepath.Abs(a.Source); st.State == archive.StatePartial && aerr == nil && sameDir(st.Source, src) {
		// The set was started with a passphrase typed then; resuming it
		// with another would leave an archive that the one typed now
		// does not open (secrets are asked again after a stop).
		if err := resumePassphrase(a.Dest, a.Passphrase, st.Passphrase); err != nil {
			return fmt.Errorf("archive %s: %w", a.Source, err)
		}
		fmt.Fprintf(out, "resuming the interrupted archive of %s: %d parts (%s) are complete\n", st.Source, st.Parts, archive.Bytes(st.Plain))
		res, err = archive.Resume(ctx, a.Dest, archive.ResumeOptions{Progress: progress, ProgressInterval: a.ProgressInterval, OnNote: note})
	} else {
		res, err = archive.Create(ctx, a.Source, a.Dest, archive.CreateOptions{
			Recipients: a.Recipients, Passphrase: a.Passphrase, PartSize: a.PartSize, Force: a.Force, ScryptWorkFactor: a.ScryptWorkFactor,
			Require: a.Require, Progress: progress, ProgressInterval: a.ProgressInterval, OnNote: note,
		})
	}
	if err != nil {
		return fmt.Errorf("archive %s: %w", a.Source, err)
	}
	fmt.Fprintf(out, "archive complete: %s: %d parts, %d files, %s\n", res.Dest, res.Parts, res.Files, archive.Bytes(res.Bytes))
	for _, r := range res.Required {
		fmt.Fprintf(out, "  %s: %d files, %s\n", r.Path, r.Files, archive.Bytes(r.Bytes))
	}
	if n := res.Unfaithful(); n > 0 {
		return fmt.Errorf("archive %s: complete, but %d files in it are not faithful copies (see the notes): stop what writes to them and run the step again with the archive replaced", a.Source, n)
	}
	return nil
}

func sameDir(a, b string) bool {
	if ra, err := filepath.EvalSymlinks(a); err == nil {
		a = ra
	}
	if rb, err := filepath.EvalSymlinks(b); err == nil {
		b = rb
	}
	return a == b
}

// resumePassphrase checks that the passphrase typed now is the one an
// interrupted set was started with.
func resumePassphrase(dest, passphrase string, protected bool) error {
	switch {
	case !protected && passphrase == "":
		return nil
	case !protected:
		return errors.New("the interrupted archive was started without a passphrase; resuming it cannot add one (replace it to have one)")
	case passphrase == "":
		return errors.New("the interrupted archive is protected by a passphrase, and none was given")
	}
	if err := archive.CheckPassphrase(dest, passphrase); err != nil {
		if errors.Is(err, archive.ErrWrongPassphrase) {
			return errors.New("the passphrase given is not the one the interrupted archive was started with; to type that one, stop the run and resume it (a resumed run asks for secrets again), or remove " + archive.PartialDir(dest) + " to start the archive over")
		}
		return err
	}
	return nil
}

// archiveProgress writes a line every few seconds and feeds the bars:
// the action's own and the engine's (IO.OnProgress), with the path shown
// masked and sanitized.
func archiveProgress(w io.Writer, every time.Duration, rio IO, bar func(archive.Progress)) func(archive.Progress) {
	if every <= 0 {
		every = ArchiveEvery
	}
	line := archive.LineEvery(w, every)
	m := rio.secretsOf()
	return func(p archive.Progress) {
		p.Current = m.String(Sanitize(p.Current))
		line(p)
		if bar != nil {
			bar(p)
		}
		if rio.OnProgress != nil {
			rio.OnProgress(p)
		}
	}
}

// ArchiveExtract restores an archive set into Dir (the 1.2 and 2.2
// restore of content-repo), checking every file against the manifest
// before it is put in place.
type ArchiveExtract struct {
	Archive, Dir string
	Identities   []string // age identity files or SSH private keys (unencrypted)
	Passphrase   string   // secret: for a set protected by one
	Force        bool     // merge into a Dir that is not empty
	Every        time.Duration
	OnProgress   func(archive.Progress)
}

func (x *ArchiveExtract) Describe() string {
	s := fmt.Sprintf("restore the archive set %s into %s, checking every file against its manifest, with modes, times and owners", x.Archive, x.Dir)
	if x.Force {
		s += "; files already there with the same names are replaced"
	} else {
		s += "; " + x.Dir + " must be empty or missing (or hold an interrupted restore of this archive, which is continued)"
	}
	return s
}

func (x *ArchiveExtract) Run(ctx context.Context, rio IO) error {
	out := SafeWriter(rio.Output, rio.Secrets)
	defer out.Close()
	o, err := archiveOpen(x.Identities, x.Passphrase, rio)
	if err != nil {
		return err
	}
	o.Progress = archiveProgress(out, x.Every, rio, x.OnProgress)
	rep, err := archive.Extract(ctx, x.Archive, x.Dir, archive.ExtractOptions{OpenOptions: o, Force: x.Force})
	if rep != nil && rep.Resumed {
		fmt.Fprintf(out, "continued the interrupted restore into %s: every file was restored again\n", x.Dir)
	}
	rep.Print(out)
	if err != nil {
		return fmt.Errorf("extract %s: %w", x.Archive, err)
	}
	fmt.Fprintf(out, "restored %d files (%s) into %s\n", rep.Files, archive.Bytes(rep.Bytes), x.Dir)
	if !rep.Owners {
		fmt.Fprintln(out, "owners were not restored: not running as root")
	}
	return nil
}

// ArchiveVerify reads a set back whole and checks it against its
// manifest.
type ArchiveVerify struct {
	Archive    string
	Identities []string
	Passphrase string
	Every      time.Duration
	OnProgress func(archive.Progress)
}

func (v *ArchiveVerify) Describe() string {
	return "read the archive set " + v.Archive + " back whole and check every file against its manifest (SHA-256)"
}

func (v *ArchiveVerify) Run(ctx context.Context, rio IO) error {
	out := SafeWriter(rio.Output, rio.Secrets)
	defer out.Close()
	o, err := archiveOpen(v.Identities, v.Passphrase, rio)
	if err != nil {
		return err
	}
	o.Progress = archiveProgress(out, v.Every, rio, v.OnProgress)
	rep, err := archive.Verify(ctx, v.Archive, o)
	rep.Print(out)
	if err != nil {
		return fmt.Errorf("verify %s: %w", v.Archive, err)
	}
	fmt.Fprintf(out, "verified: %d files (%s), all as the manifest lists them\n", rep.Files, archive.Bytes(rep.Bytes))
	return nil
}

func archiveOpen(files []string, passphrase string, rio IO) (archive.OpenOptions, error) {
	var o archive.OpenOptions
	if passphrase != "" && rio.Secrets != nil {
		rio.Secrets.Add(passphrase)
	}
	for _, f := range files {
		ids, err := archive.LoadIdentities(f, nil)
		if err != nil {
			return o, err
		}
		o.Identities = append(o.Identities, ids...)
	}
	o.Passphrase = func() (string, error) {
		if passphrase == "" {
			return "", errors.New("the archive is protected by a passphrase, and none was given")
		}
		return passphrase, nil
	}
	return o, nil
}

// ArchiveComplete holds when Dest is a complete archive set; it does not
// decrypt (the server may hold only the recipients' public keys), so it
// settles whether an archive step finished, not whether its contents are
// sound: ArchiveVerify does that.
type ArchiveComplete struct{ Dest string }

func (c *ArchiveComplete) Describe() string { return c.Dest + " is a complete archive set" }

func (c *ArchiveComplete) Check(ctx context.Context, _ time.Time) (bool, string, error) {
	if err := ctx.Err(); err != nil {
		return false, "", err
	}
	st, err := archive.Inspect(c.Dest)
	if err != nil {
		return false, "", err
	}
	switch st.State {
	case archive.StateComplete:
		return true, fmt.Sprintf("%s is a complete archive set of %d parts", c.Dest, st.Parts), nil
	case archive.StatePartial:
		return false, fmt.Sprintf("%s is interrupted (%d parts complete): running the step again resumes it", c.Dest, st.Parts), nil
	}
	return false, c.Dest + " does not exist", nil
}

// EscrowSeal seals a secret the team must not lose (the zman backup
// passphrase of 1.1, the CA export passphrase of 1.3) with age to the
// team's recipients, beside the file it opens (archive.EscrowPath).
type EscrowSeal struct {
	For        string   // the file the secret opens
	Label      string   // what the secret is
	Secret     string   // secret
	Recipients []string // the team's (archive.TeamRecipients)
	Force      bool     // replace an earlier escrow
}

func (e *EscrowSeal) Describe() string {
	return fmt.Sprintf("seal the %s for %d %s in %s", e.Label, len(e.Recipients), english.PluralWord(len(e.Recipients), "recipient", ""), archive.EscrowPath(e.For))
}

func (e *EscrowSeal) Run(ctx context.Context, rio IO) error {
	out := SafeWriter(rio.Output, rio.Secrets)
	defer out.Close()
	if rio.Secrets != nil {
		rio.Secrets.Add(e.Secret)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	p := archive.EscrowPath(e.For)
	if err := archive.SealEscrow(p, archive.Escrow{Label: e.Label, For: e.For, Secret: e.Secret}, e.Recipients, e.Force); err != nil {
		return err
	}
	fmt.Fprintf(out, "sealed the %s for %d %s: %s\n", e.Label, len(e.Recipients), english.PluralWord(len(e.Recipients), "recipient", ""), p)
	return nil
}
