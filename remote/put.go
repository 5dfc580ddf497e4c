package remote

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"

	"github.com/pkg/sftp"

	"zenrecover/actions"
)

// Put copies one file from this machine to the host over SFTP (what
// `scp -p From HOST:To` would do, with actions.Copy's rules): To may be
// the file or an existing folder there; an existing file that differs
// stops the copy unless Overwrite is set, and an identical one is left as
// it is, so a copy that completed can be run again; the file is written
// under a temporary name beside its target and renamed over it, so a good
// file there is never replaced by a partial one. Mode and time are kept.
// Only a file: a tree goes by hand (the runner does not hand one here).
type Put struct {
	Client    *Client
	From, To  string
	Overwrite bool
	// CreateFolder makes the folder that holds To there (0700: it may
	// receive keys) when it is missing; otherwise that is an error.
	CreateFolder bool
}

func (p *Put) Describe() string {
	policy := "an existing file there that differs stops the copy"
	if p.Overwrite {
		policy = "an existing file there that differs is replaced"
	}
	return fmt.Sprintf("copy the file %s to %s:%s over SFTP, keeping mode and time; %s", p.From, p.Client.Host, p.To, policy)
}

func (p *Put) Run(ctx context.Context, rio actions.IO) error {
	out := actions.SafeWriter(rio.Output, rio.Secrets)
	defer out.Close()
	if err := ctx.Err(); err != nil {
		return err
	}
	src, err := os.Open(p.From)
	if err != nil {
		return fmt.Errorf("copy to %s: %w", p.Client.Host, err)
	}
	defer src.Close()
	fi, err := src.Stat()
	if err != nil {
		return fmt.Errorf("copy to %s: %w", p.Client.Host, err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("copy to %s: %s is not a file; only a file is copied to another host, copy this one by hand", p.Client.Host, p.From)
	}
	s, err := p.Client.SFTP()
	if err != nil {
		return err
	}
	target := p.To
	if ti, err := s.Stat(target); err == nil && ti.IsDir() {
		target = path.Join(target, path.Base(p.From))
	}
	dir := path.Dir(target)
	if di, err := s.Stat(dir); err != nil {
		if !notExist(err) {
			return fmt.Errorf("%s: cannot look at %s: %w", p.Client.Host, dir, err)
		}
		if !p.CreateFolder {
			return fmt.Errorf("%s: the folder %s does not exist there; check the path", p.Client.Host, dir)
		}
		if err := s.MkdirAll(dir); err != nil {
			return fmt.Errorf("%s: cannot make %s: %w", p.Client.Host, dir, err)
		}
		if err := s.Chmod(dir, 0o700); err != nil {
			return fmt.Errorf("%s: %s: %w", p.Client.Host, dir, err)
		}
		fmt.Fprintf(out, "made the folder %s on %s\n", dir, p.Client.Host)
	} else if !di.IsDir() {
		return fmt.Errorf("%s: %s is not a folder", p.Client.Host, dir)
	}

	if ti, err := s.Stat(target); err == nil {
		if !ti.Mode().IsRegular() {
			return fmt.Errorf("%s: %s is not a file; nothing was copied", p.Client.Host, target)
		}
		same, err := p.sameThere(ctx, s, src, fi, target, ti)
		if err != nil {
			return err
		}
		if same {
			fmt.Fprintf(out, "%s:%s already holds this file; nothing copied\n", p.Client.Host, target)
			return nil
		}
		if !p.Overwrite {
			return fmt.Errorf("%s:%s exists and differs from %s; nothing was copied (move it aside, or check the path)", p.Client.Host, target, p.From)
		}
	} else if !notExist(err) {
		return fmt.Errorf("%s: cannot look at %s: %w", p.Client.Host, target, err)
	}

	if _, err := src.Seek(0, io.SeekStart); err != nil {
		return err
	}
	if err := writeThere(ctx, s, target, ctxReader{ctx, src}, fi.Mode().Perm(), nil); err != nil {
		return fmt.Errorf("copy %s to %s:%s: %w", p.From, p.Client.Host, target, err)
	}
	s.Chtimes(target, fi.ModTime(), fi.ModTime())
	fmt.Fprintf(out, "copied %s to %s:%s (%s)\n", p.From, p.Client.Host, target, actions.Bytes(fi.Size()))
	return nil
}

// sameThere compares the file there with the local one by size, mode and
// content (a hash of each, streamed: no size limit in memory).
func (p *Put) sameThere(ctx context.Context, s *sftp.Client, src *os.File, fi fs.FileInfo, target string, ti fs.FileInfo) (bool, error) {
	if ti.Size() != fi.Size() || ti.Mode().Perm() != fi.Mode().Perm() {
		return false, nil
	}
	there, err := s.Open(target)
	if err != nil {
		return false, fmt.Errorf("%s: cannot read %s: %w", p.Client.Host, target, err)
	}
	defer there.Close()
	a, b := sha256.New(), sha256.New()
	if _, err := io.Copy(a, ctxReader{ctx, there}); err != nil {
		return false, fmt.Errorf("%s: cannot read %s: %w", p.Client.Host, target, err)
	}
	if _, err := src.Seek(0, io.SeekStart); err != nil {
		return false, err
	}
	if _, err := io.Copy(b, ctxReader{ctx, src}); err != nil {
		return false, err
	}
	return bytes.Equal(a.Sum(nil), b.Sum(nil)), nil
}

// writeThere writes r to a new temporary file beside target there, with
// mode perm (and owner's owner, where the login may give it: root there),
// and renames it over target; on any failure the temporary file is
// removed and target is as it was.
func writeThere(ctx context.Context, s *sftp.Client, target string, r io.Reader, perm fs.FileMode, owner fs.FileInfo) error {
	tmp, w, err := createTempThere(s, target)
	if err != nil {
		return err
	}
	_, err = io.Copy(w, r)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = ctx.Err()
	}
	if err == nil {
		if st, ok := sysStat(owner); ok {
			s.Chown(tmp, int(st.UID), int(st.GID))
		}
		err = s.Chmod(tmp, perm)
	}
	if err == nil {
		err = renameThere(s, tmp, target)
	}
	if err != nil {
		s.Remove(tmp)
	}
	return err
}

func createTempThere(s *sftp.Client, target string) (string, *sftp.File, error) {
	for i := 0; ; i++ {
		tmp := path.Join(path.Dir(target), fmt.Sprintf(".%s.zenrecover-%d-%d", path.Base(target), os.Getpid(), i))
		w, err := s.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL)
		if err == nil {
			// Owner-only until it is whole and its mode is set.
			s.Chmod(tmp, 0o600)
			return tmp, w, nil
		}
		if i >= 20 || !exists(s, tmp) {
			return "", nil, err
		}
	}
}

// renameThere replaces target atomically (the posix-rename extension of
// OpenSSH); a server without it gets a plain rename, which refuses to
// replace, so that case is a remove and a rename.
func renameThere(s *sftp.Client, from, to string) error {
	err := s.PosixRename(from, to)
	if err == nil {
		return nil
	}
	var se *sftp.StatusError
	if !errors.As(err, &se) || se.FxCode() != sftp.ErrSSHFxOpUnsupported {
		return err
	}
	if err := s.Rename(from, to); err == nil {
		return nil
	}
	if err := s.Remove(to); err != nil && !notExist(err) {
		return err
	}
	return s.Rename(from, to)
}

func exists(s *sftp.Client, p string) bool {
	_, err := s.Lstat(p)
	return err == nil
}

func notExist(err error) bool {
	var se *sftp.StatusError
	if errors.As(err, &se) && se.FxCode() == sftp.ErrSSHFxNoSuchFile {
		return true
	}
	return errors.Is(err, fs.ErrNotExist)
}

func sysStat(fi fs.FileInfo) (*sftp.FileStat, bool) {
	if fi == nil {
		return nil, false
	}
	st, ok := fi.Sys().(*sftp.FileStat)
	return st, ok
}
