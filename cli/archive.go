package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"zenrecover/archive"
)

func newArchiveCmd(_ *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "archive",
		Short: "Encrypted, resumable backups of a folder tree (tar in age-encrypted parts)",
		Long: `archive backs up a folder tree (a content-repo with its images) as one tar
stream cut into parts, each part encrypted with age: age and tar alone restore
it on any machine (the set's README.txt says how). A manifest inside lists
every file with its SHA-256, so verify proves the set complete and unaltered.
An interrupted create resumes from its last complete part.

Recipients are age public keys (age1...) or SSH public keys; with none given,
the team's recipients file is used (` + teamFileForHelp() + `).
A passphrase is asked hidden, or read from ` + archive.PassphraseEnv + `.`,
		Example: `  zenrecover archive create /var/opt/novell/zenworks/content-repo /backup/content-repo --require images
  zenrecover archive verify /backup/content-repo -i ~/.ssh/id_ed25519`,
	}
	cmd.AddCommand(newArchiveCreateCmd(), newArchiveResumeCmd(), newArchiveVerifyCmd(), newArchiveExtractCmd())
	return cmd
}

func teamFileForHelp() string {
	p, err := archive.TeamRecipientsFile()
	if err != nil {
		return "~/.config/zenrecover/recipients"
	}
	return p
}

func newArchiveCreateCmd() *cobra.Command {
	var (
		recips, recipFiles, require []string
		passphrase, force, plain    bool
		partSize                    string
	)
	cmd := &cobra.Command{
		Use:   "create SRC DEST",
		Short: "Archive the tree SRC into the encrypted archive set DEST",
		Long: `create archives SRC into DEST, a folder of parts. It is built in DEST.partial
and renamed to DEST only when complete. An existing DEST is replaced only with
--force, and only once the new archive is complete. Ctrl+C stops cleanly:
` + "`zenrecover archive resume DEST`" + ` continues from where it stopped.

Exit status: 0 complete; 1 complete but some files could not be archived
faithfully (listed), or failed; 2 bad usage or DEST exists; 3 stopped and
resumable.`,
		Example: `  zenrecover archive create /var/opt/novell/zenworks/content-repo /backup/content-repo --require images
  zenrecover archive create /srv/data /backup/data --passphrase --part-size 1G`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			o := archive.CreateOptions{Force: force, Require: require}
			var err error
			if o.Recipients, err = gatherRecipients(cmd, recips, recipFiles, passphrase); err != nil {
				return err
			}
			if passphrase {
				if o.Passphrase, err = archivePassphrase(true); err != nil {
					return err
				}
			}
			if partSize != "" {
				if o.PartSize, err = parseSize(partSize); err != nil {
					return usageErr("--part-size: %v", err)
				}
			}
			pr := newProgressOut(cmd.ErrOrStderr(), plain)
			o.Progress, o.ProgressInterval, o.OnNote = pr.progress, pr.interval, pr.note
			res, err := archive.Create(cmd.Context(), args[0], args[1], o)
			pr.end()
			return createOutcome(cmd, res, err)
		},
	}
	f := cmd.Flags()
	f.StringArrayVarP(&recips, "recipient", "r", nil, "encrypt to this age or SSH public key (repeatable)")
	f.StringArrayVarP(&recipFiles, "recipients-file", "R", nil, "encrypt to the recipients listed in FILE, one a line (repeatable)")
	f.BoolVarP(&passphrase, "passphrase", "p", false, "protect the archive with a passphrase, asked twice (or "+archive.PassphraseEnv+")")
	f.BoolVar(&force, "force", false, "replace an existing archive at DEST once the new one is complete; start an interrupted one over")
	f.StringArrayVar(&require, "require", nil, "a folder inside SRC that must be there, e.g. images (repeatable)")
	f.StringVar(&partSize, "part-size", "", "tar bytes a part holds: what an interruption can lose at most (default 256M)")
	f.BoolVar(&plain, "plain", false, "a progress line every few seconds instead of a progress bar")
	return cmd
}

func newArchiveResumeCmd() *cobra.Command {
	var plain bool
	cmd := &cobra.Command{
		Use:   "resume DEST",
		Short: "Continue an interrupted archive create from its last complete part",
		Long: `resume continues the archive that create left in DEST.partial, with the
recipients and options it was started with; complete parts are kept. A file
that was cut by the interruption and changed since is archived afresh.`,
		Example: `  zenrecover archive resume /backup/content-repo`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if st, err := archive.Inspect(args[0]); err == nil && st.State == archive.StatePartial && st.Source != "" {
				fmt.Fprintf(cmd.ErrOrStderr(), "resuming the archive of %s: %d parts (%s) are complete\n", st.Source, st.Parts, archive.Bytes(st.Plain))
			}
			pr := newProgressOut(cmd.ErrOrStderr(), plain)
			res, err := archive.Resume(cmd.Context(), args[0], archive.ResumeOptions{Progress: pr.progress, ProgressInterval: pr.interval, OnNote: pr.note})
			pr.end()
			return createOutcome(cmd, res, err)
		},
	}
	cmd.Flags().BoolVar(&plain, "plain", false, "a progress line every few seconds instead of a progress bar")
	return cmd
}

func newArchiveVerifyCmd() *cobra.Command {
	var ids []string
	var plain bool
	cmd := &cobra.Command{
		Use:   "verify DEST",
		Short: "Read the whole archive back and check it against its manifest",
		Long: `verify decrypts every part and checks that the archive holds exactly what its
manifest lists: every part, every entry's name, type, size, mode, owner and
time, every file's SHA-256. It names every file that differs. It needs a key:
an identity file (-i) of one of the recipients, or the passphrase.

Exit status: 0 verified; 1 it does not verify, or cannot be read; 2 bad usage.`,
		Example: `  zenrecover archive verify /backup/content-repo -i ~/.ssh/id_ed25519
  zenrecover archive verify /backup/data --plain       # asks the passphrase`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o, err := openOptions(ids)
			if err != nil {
				return err
			}
			pr := newProgressOut(cmd.ErrOrStderr(), plain)
			o.Progress, o.ProgressInterval = pr.progress, pr.interval
			rep, err := archive.Verify(cmd.Context(), args[0], o)
			pr.end()
			rep.Print(cmd.OutOrStdout())
			if err != nil {
				return &exitError{code: exitFailed, err: err}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "verified: %s holds %s files (%s), all as its manifest lists them\n",
				args[0], humanize.Comma(rep.Files), archive.Bytes(rep.Bytes))
			return nil
		},
	}
	cmd.Flags().StringArrayVarP(&ids, "identity", "i", nil, "an age identity file or SSH private key (repeatable)")
	cmd.Flags().BoolVar(&plain, "plain", false, "a progress line every few seconds instead of a progress bar")
	return cmd
}

func newArchiveExtractCmd() *cobra.Command {
	var ids []string
	var force, plain bool
	cmd := &cobra.Command{
		Use:   "extract DEST DIR",
		Short: "Restore the archive DEST into the folder DIR, checking every file",
		Long: `extract restores the archived tree into DIR (DIR becomes the tree itself),
with modes, times and, as root, owners. Every file is checked against the
manifest before it is put in place. DIR must be empty or missing unless
--force, which merges: the archive's files replace those of the same name.

Exit status: 0 restored; 1 something did not restore (listed); 2 bad usage.`,
		Example: `  zenrecover archive extract /backup/content-repo /var/opt/novell/zenworks/content-repo -i ~/.ssh/id_ed25519`,
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			o, err := openOptions(ids)
			if err != nil {
				return err
			}
			pr := newProgressOut(cmd.ErrOrStderr(), plain)
			o.Progress, o.ProgressInterval = pr.progress, pr.interval
			rep, err := archive.Extract(cmd.Context(), args[0], args[1], archive.ExtractOptions{OpenOptions: o, Force: force})
			pr.end()
			rep.Print(cmd.OutOrStdout())
			if errors.Is(err, archive.ErrExists) {
				return &exitError{code: exitUsage, err: err}
			}
			if err != nil {
				return &exitError{code: exitFailed, err: err}
			}
			owners := "owners restored"
			if !rep.Owners {
				owners = "owners not restored: not running as root"
			}
			fmt.Fprintf(cmd.OutOrStdout(), "restored %s files (%s) into %s; %s\n", humanize.Comma(rep.Files), archive.Bytes(rep.Bytes), args[1], owners)
			return nil
		},
	}
	cmd.Flags().StringArrayVarP(&ids, "identity", "i", nil, "an age identity file or SSH private key (repeatable)")
	cmd.Flags().BoolVar(&force, "force", false, "merge into a DIR that is not empty")
	cmd.Flags().BoolVar(&plain, "plain", false, "a progress line every few seconds instead of a progress bar")
	return cmd
}

// gatherRecipients collects -r and -R, or else the team's recipients.
func gatherRecipients(cmd *cobra.Command, recips, files []string, passphrase bool) ([]string, error) {
	out := []string{}
	for _, r := range recips {
		if _, err := archive.ParseRecipient(r); err != nil {
			return nil, usageErr("--recipient: %v", err)
		}
		out = append(out, r)
	}
	for _, f := range files {
		rs, err := archive.ReadRecipientsFile(f)
		if err != nil {
			return nil, usageErr("--recipients-file: %v", err)
		}
		out = append(out, rs...)
	}
	if len(out) > 0 || passphrase {
		return out, nil
	}
	team, path, err := archive.TeamRecipients()
	if err != nil {
		return nil, usageErr("%v", err)
	}
	if len(team) == 0 {
		return nil, usageErr("no recipients: give --recipient KEY, --recipients-file FILE or --passphrase, or list the team's public keys in %s", path)
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "encrypting to the team's %d recipients listed in %s\n", len(team), path)
	return team, nil
}

func createOutcome(cmd *cobra.Command, res *archive.Result, err error) error {
	var se *archive.StoppedError
	switch {
	case errors.As(err, &se):
		return &exitError{code: exitStopped, err: err}
	case errors.Is(err, archive.ErrExists):
		return &exitError{code: exitUsage, err: err}
	case err != nil:
		return &exitError{code: exitFailed, err: err}
	}
	w := cmd.OutOrStdout()
	rate := ""
	if s := res.Elapsed.Seconds(); s > 0 && res.Bytes > 0 {
		rate = ", " + archive.Bytes(int64(float64(res.Bytes)/s)) + "/s"
	}
	fmt.Fprintf(w, "archive complete: %s: %d parts, %s files, %s, in %s%s\n", res.Dest, res.Parts,
		humanize.Comma(res.Files), archive.Bytes(res.Bytes), res.Elapsed.Round(time.Second/10), rate)
	for _, r := range res.Required {
		fmt.Fprintf(w, "  %s: %s files, %s\n", r.Path, humanize.Comma(r.Files), archive.Bytes(r.Bytes))
	}
	if n := res.Unfaithful(); n > 0 {
		return &exitError{code: exitFailed, err: fmt.Errorf(
			"the archive is complete and verifiable, but %d files in it are not faithful copies (unreadable, or changing while read: see the notes above); stop what writes to them and create the archive again with --force", n)}
	}
	return nil
}

// openOptions loads the identity files and arranges for a passphrase to be
// asked only if the set has one.
func openOptions(files []string) (archive.OpenOptions, error) {
	var o archive.OpenOptions
	for _, f := range files {
		ids, err := archive.LoadIdentities(f, askHidden)
		if err != nil {
			return o, usageErr("--identity: %v", err)
		}
		o.Identities = append(o.Identities, ids...)
	}
	o.Passphrase = func() (string, error) { return archivePassphrase(false) }
	return o, nil
}

// archivePassphrase reads the archive passphrase from the environment or,
// hidden, from the terminal (twice when it is being created).
func archivePassphrase(create bool) (string, error) {
	if p := os.Getenv(archive.PassphraseEnv); p != "" {
		return p, nil
	}
	if !create {
		return askHidden("Archive passphrase")
	}
	for {
		p, err := askHidden(fmt.Sprintf("New archive passphrase (at least %d characters)", archive.MinPassphrase))
		if err != nil {
			return "", err
		}
		if len([]rune(p)) < archive.MinPassphrase {
			ttyPrintf("too short: at least %d characters\n", archive.MinPassphrase)
			continue
		}
		again, err := askHidden("The same passphrase again")
		if err != nil {
			return "", err
		}
		if again == p {
			return p, nil
		}
		ttyPrintf("the two do not match; again\n")
	}
}

// askHidden asks on the controlling terminal, so that standard input and
// output stay free for data; what is typed is not echoed.
func askHidden(prompt string) (string, error) {
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return "", fmt.Errorf("no terminal to ask %q (for scripts: %s)", strings.ToLower(prompt), archive.PassphraseEnv)
	}
	defer tty.Close()
	fmt.Fprintf(tty, "%s: ", prompt)
	b, err := term.ReadPassword(int(tty.Fd()))
	fmt.Fprintln(tty)
	if err != nil {
		return "", fmt.Errorf("reading %s: %w", strings.ToLower(prompt), err)
	}
	return string(b), nil
}

func ttyPrintf(format string, args ...any) {
	if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
		fmt.Fprintf(tty, format, args...)
		tty.Close()
	}
}

// parseSize reads 1G, 512M, 64K, 1GiB or a number of bytes.
func parseSize(s string) (int64, error) {
	t := strings.TrimSuffix(strings.TrimSuffix(strings.ToUpper(strings.TrimSpace(s)), "B"), "I")
	mult := int64(1)
	if n := len(t); n > 0 {
		switch t[n-1] {
		case 'K':
			mult = 1 << 10
		case 'M':
			mult = 1 << 20
		case 'G':
			mult = 1 << 30
		case 'T':
			mult = 1 << 40
		}
		if mult > 1 {
			t = t[:n-1]
		}
	}
	v, err := strconv.ParseInt(t, 10, 64)
	if err != nil || v <= 0 || v > (1<<62)/mult {
		return 0, fmt.Errorf("not a size: %q (try 1G or 512M)", s)
	}
	return v * mult, nil
}

// progressOut draws archive progress on standard error: a bar redrawn in
// place on a terminal, a line every few seconds otherwise (or --plain).
type progressOut struct {
	w        io.Writer
	fd       int
	live     bool
	drawn    bool
	interval time.Duration
	line     func(archive.Progress)
}

const plainEvery = 5 * time.Second

func newProgressOut(w io.Writer, plain bool) *progressOut {
	p := &progressOut{w: w, interval: 200 * time.Millisecond}
	if f, ok := w.(*os.File); ok && !plain && term.IsTerminal(int(f.Fd())) {
		p.live, p.fd = true, int(f.Fd())
	} else {
		p.line = archive.LineEvery(w, plainEvery)
		p.interval = time.Second
	}
	return p
}

func (p *progressOut) progress(pr archive.Progress) {
	if !p.live {
		p.line(pr)
		return
	}
	line := bar(pr)
	// A line that wraps cannot be redrawn in place.
	if cols, _, err := term.GetSize(p.fd); err == nil && cols > 1 && len(line) >= cols {
		line = line[:cols-1]
	}
	fmt.Fprint(p.w, "\r\x1b[K"+line)
	p.drawn = true
	if pr.Phase == archive.PhaseDone {
		fmt.Fprintln(p.w)
		p.drawn = false
	}
}

func (p *progressOut) note(n archive.Note) {
	if p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.drawn = false
	}
	fmt.Fprintln(p.w, "note:", n)
}

// end leaves the cursor on a fresh line when the operation stopped early.
func (p *progressOut) end() {
	if p.drawn {
		fmt.Fprintln(p.w)
		p.drawn = false
	}
}

func bar(pr archive.Progress) string {
	if pr.Counting {
		return pr.Line()
	}
	const width = 24
	n := int(pr.Fraction() * width)
	s := "[" + strings.Repeat("#", n) + strings.Repeat(".", width-n) + "] " + pr.Line()
	return s
}
