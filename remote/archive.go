package remote

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"regexp"
	"runtime"
	"strings"
	"time"

	"zenrecover/actions"
	"zenrecover/archive"
)

// Archiving a tree on another host (2.1 step 1: a reliable backup of each
// other Primary Server, its content repository included). The archiver is
// zenrecover's own, so the set there is what a local step writes: parts,
// manifest, README, resumable. Rather than a second archiver over SFTP,
// this zenrecover copies itself there (one static binary, once per
// version, under ~/.cache/zenrecover on that host, 0700) and runs
// `zenrecover archive create` there under a remote pseudo-terminal,
// typing the passphrase at its hidden prompt as any answer is typed:
// never on a command line or in the environment. A set interrupted there
// is resumed there (`archive resume`), as a local step resumes its own.
// Only a host of this machine's kind (Linux, same architecture) can run
// it; another is refused with a sentence, and the step is done by hand.

// ArchiveCreate archives Source into the archive set Dest on the host.
type ArchiveCreate struct {
	Client     *Client
	Binary     string // this zenrecover, copied there (os.Executable)
	Source     string
	Dest       string
	Require    []string
	Passphrase string   // secret; "" when Recipients suffice
	Recipients []string // public keys: not secret
	Env        []string // NAME=value for the command there (a lab's), never a secret
	OnProcess  func(ProcessInfo)
	// CacheDir is where the binary goes there; "" is .cache/zenrecover in
	// the login's home.
	CacheDir string
}

func (a *ArchiveCreate) Describe() string {
	return fmt.Sprintf("on %s over SSH: archive the tree %s into the encrypted archive set %s there (zenrecover's archiver, copied there)", a.Client.Host, a.Source, a.Dest)
}

// passphrasePrompt matches every prompt `zenrecover archive` asks a
// passphrase with: new, again, and an interrupted set's.
var passphrasePrompt = regexp.MustCompile(`(?i)passphrase[^\n]*: *$`)

func (a *ArchiveCreate) Run(ctx context.Context, rio actions.IO) error {
	out := actions.SafeWriter(rio.Output, rio.Secrets)
	defer out.Close()
	if a.Passphrase != "" && rio.Secrets != nil {
		rio.Secrets.Add(a.Passphrase)
	}
	st, err := InspectArchive(ctx, a.Client, a.Dest)
	if err != nil {
		return err
	}
	if st == archive.StateComplete {
		fmt.Fprintf(out, "%s on %s is already a complete archive set; it is not replaced\n", a.Dest, a.Client.Host)
		return nil
	}
	bin, err := a.push(ctx, out)
	if err != nil {
		return err
	}
	argv := []string{bin, "archive", "create", a.Source, a.Dest, "--plain"}
	if st == archive.StatePartial {
		argv = []string{bin, "archive", "resume", a.Dest, "--plain"}
	} else {
		for _, r := range a.Require {
			argv = append(argv, "--require", r)
		}
		for _, r := range a.Recipients {
			argv = append(argv, "--recipient", r)
		}
		if a.Passphrase != "" {
			argv = append(argv, "--passphrase")
		}
	}
	cmd := &Command{Client: a.Client, Argv: argv, Env: a.Env, OnProcess: a.OnProcess,
		Display: []string{"zenrecover", "archive", "create", a.Source, a.Dest}}
	if a.Passphrase != "" {
		cmd.Answers = []actions.Answer{{Label: "archive passphrase", Pattern: passphrasePrompt, Value: a.Passphrase, Secret: true, Repeat: true}}
	}
	if err := cmd.Run(ctx, rio); err != nil {
		return fmt.Errorf("archive %s on %s: %w", a.Source, a.Client.Host, err)
	}
	return nil
}

// push copies the binary to the host once per build: its name there
// carries the hash of its content, so a new version is a new file and a
// half-copied one is never run (written under a temporary name, then
// renamed).
func (a *ArchiveCreate) push(ctx context.Context, out io.Writer) (string, error) {
	if err := a.sameKind(ctx); err != nil {
		return "", err
	}
	f, err := os.Open(a.Binary)
	if err != nil {
		return "", fmt.Errorf("zenrecover cannot copy itself to %s: %w", a.Client.Host, err)
	}
	defer f.Close()
	h := sha256.New()
	size, err := io.Copy(h, f)
	if err != nil {
		return "", fmt.Errorf("zenrecover cannot copy itself to %s: %w", a.Client.Host, err)
	}
	s, err := a.Client.SFTP()
	if err != nil {
		return "", err
	}
	dir := a.CacheDir
	if dir == "" {
		home, err := s.Getwd()
		if err != nil {
			return "", fmt.Errorf("%s: SFTP: no home folder: %w", a.Client.Host, err)
		}
		dir = path.Join(home, ".cache", "zenrecover")
	}
	target := path.Join(dir, "zenrecover-"+hex.EncodeToString(h.Sum(nil))[:16])
	if fi, err := s.Stat(target); err == nil && fi.Size() == size {
		return target, nil
	}
	if err := s.MkdirAll(dir); err != nil {
		return "", fmt.Errorf("%s: cannot make %s: %w", a.Client.Host, dir, err)
	}
	s.Chmod(dir, 0o700)
	fmt.Fprintf(out, "copying zenrecover (%s) to %s:%s\n", actions.Bytes(size), a.Client.Host, target)
	_, err = f.Seek(0, io.SeekStart)
	if err == nil {
		err = writeThere(ctx, s, target, ctxReader{ctx, f}, 0o700, nil)
	}
	if err != nil {
		return "", fmt.Errorf("zenrecover could not copy itself to %s:%s: %w", a.Client.Host, target, err)
	}
	return target, nil
}

// sameKind refuses a host this binary cannot run on.
func (a *ArchiveCreate) sameKind(ctx context.Context) error {
	got, err := a.Client.Output(ctx, "uname", "-sm")
	if err != nil {
		return fmt.Errorf("%s: cannot tell its system (uname -sm): %w", a.Client.Host, err)
	}
	want := map[string]string{"amd64": "x86_64", "arm64": "aarch64", "386": "i686"}[runtime.GOARCH]
	f := strings.Fields(got)
	if runtime.GOOS != "linux" || len(f) != 2 || f[0] != "Linux" || f[1] != want {
		return fmt.Errorf("%s runs %q, and this zenrecover is for %s/%s: it cannot archive there; do this step there by hand", a.Client.Host, strings.TrimSpace(got), runtime.GOOS, runtime.GOARCH)
	}
	return nil
}

// InspectArchive says over SFTP whether Dest on the host is a complete
// archive set, an interrupted one, or none, as archive.Inspect does here.
func InspectArchive(ctx context.Context, cl *Client, dest string) (archive.State, error) {
	dest = strings.TrimRight(dest, "/")
	if _, err := statThere(ctx, cl, archive.PartialDir(dest)); err == nil {
		return archive.StatePartial, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return archive.StateNone, err
	}
	if _, err := statThere(ctx, cl, path.Join(dest, archive.ManifestName)); err == nil {
		return archive.StateComplete, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return archive.StateNone, err
	}
	return archive.StateNone, nil
}

// ArchiveComplete checks over SFTP that Dest on the host is a complete
// archive set (actions.ArchiveComplete's check, there).
type ArchiveComplete struct {
	Client *Client
	Dest   string
}

func (c *ArchiveComplete) Describe() string {
	return fmt.Sprintf("%s on %s is a complete archive set", c.Dest, c.Client.Host)
}

func (c *ArchiveComplete) Check(ctx context.Context, _ time.Time) (bool, string, error) {
	st, err := InspectArchive(ctx, c.Client, c.Dest)
	switch {
	case err != nil:
		return false, "", err
	case st == archive.StateComplete:
		return true, fmt.Sprintf("%s on %s is a complete archive set", c.Dest, c.Client.Host), nil
	case st == archive.StatePartial:
		return false, fmt.Sprintf("%s on %s is interrupted: running the step again resumes it", c.Dest, c.Client.Host), nil
	}
	return false, fmt.Sprintf("%s does not exist on %s", c.Dest, c.Client.Host), nil
}
