package remote

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"time"

	"github.com/pkg/sftp"

	"zenrecover/actions"
)

// FileExists checks over SFTP that a file exists on the host.
type FileExists struct {
	Client *Client
	Path   string
}

func (c *FileExists) Describe() string {
	return fmt.Sprintf("%s exists on %s", c.Path, c.Client.Host)
}

func (c *FileExists) Check(ctx context.Context, _ time.Time) (bool, string, error) {
	_, err := c.stat(ctx)
	if errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Sprintf("%s does not exist on %s", c.Path, c.Client.Host), nil
	}
	if err != nil {
		return false, "", err
	}
	return true, "", nil
}

func (c *FileExists) stat(ctx context.Context) (fs.FileInfo, error) {
	return statThere(ctx, c.Client, c.Path)
}

func statThere(ctx context.Context, cl *Client, p string) (fs.FileInfo, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s, err := cl.SFTP()
	if err != nil {
		return nil, err
	}
	fi, err := s.Stat(p)
	if err != nil {
		if notExist(err) {
			return nil, fs.ErrNotExist
		}
		return nil, fmt.Errorf("%s: cannot look at %s: %w", cl.Host, p, err)
	}
	return fi, nil
}

// NewerThanStart checks over SFTP that a file on the host was written
// after the step started, by that host's clock.
type NewerThanStart struct {
	Client *Client
	Path   string
}

func (c *NewerThanStart) Describe() string {
	return fmt.Sprintf("%s on %s was written by this step", c.Path, c.Client.Host)
}

func (c *NewerThanStart) Check(ctx context.Context, start time.Time) (bool, string, error) {
	fi, err := statThere(ctx, c.Client, c.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Sprintf("%s does not exist on %s", c.Path, c.Client.Host), nil
	}
	if err != nil {
		return false, "", err
	}
	c.Client.mu.Lock()
	skew := c.Client.skew
	c.Client.mu.Unlock()
	// The host's clock at the step's start, less a second: date +%s and
	// the file system's times do not share a resolution.
	there := start.Add(skew).Add(-time.Second)
	if fi.ModTime().Before(there) {
		return false, fmt.Sprintf("%s on %s was last written %s, before the step started", c.Path, c.Client.Host, fi.ModTime().Format(time.RFC3339)), nil
	}
	return true, "", nil
}

// Fetch copies a file, or a folder and everything in it, from the host to
// this machine (what `scp -rp HOST:From To` would do): modes and times
// kept, each file written to a temporary name beside its target, synced,
// and renamed over it.
type Fetch struct {
	Client   *Client
	From, To string
}

func (f *Fetch) Describe() string {
	return fmt.Sprintf("copy %s:%s to %s over SFTP", f.Client.Host, f.From, f.To)
}

func (f *Fetch) Run(ctx context.Context, rio actions.IO) error {
	out := actions.SafeWriter(rio.Output, rio.Secrets)
	defer out.Close()
	s, err := f.Client.SFTP()
	if err != nil {
		return err
	}
	fi, err := s.Stat(f.From)
	if err != nil {
		return fmt.Errorf("%s:%s: %w", f.Client.Host, f.From, err)
	}
	if !fi.IsDir() {
		return f.file(ctx, s, f.From, f.To, fi, out)
	}
	w := s.Walk(f.From)
	n := 0
	for w.Step() {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := w.Err(); err != nil {
			return fmt.Errorf("%s:%s: %w", f.Client.Host, w.Path(), err)
		}
		rel, err := filepath.Rel(f.From, w.Path())
		if err != nil {
			return err
		}
		dst := filepath.Join(f.To, filepath.FromSlash(rel))
		st := w.Stat()
		switch {
		case st.IsDir():
			if err := os.MkdirAll(dst, st.Mode().Perm()|0o700); err != nil {
				return err
			}
		case st.Mode().IsRegular():
			if err := f.file(ctx, s, w.Path(), dst, st, out); err != nil {
				return err
			}
			n++
		}
	}
	fmt.Fprintf(out, "%d files copied from %s\n", n, f.Client.Host)
	return nil
}

func (f *Fetch) file(ctx context.Context, s *sftp.Client, from, to string, fi fs.FileInfo, out io.Writer) error {
	src, err := s.Open(from)
	if err != nil {
		return fmt.Errorf("%s:%s: %w", f.Client.Host, from, err)
	}
	defer src.Close()
	if err := os.MkdirAll(filepath.Dir(to), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(to), "."+filepath.Base(to)+".part-*")
	if err != nil {
		return err
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := io.Copy(tmp, ctxReader{ctx, src}); err != nil {
		return fmt.Errorf("copy %s:%s: %w", f.Client.Host, from, err)
	}
	if err := tmp.Chmod(fi.Mode().Perm()); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	os.Chtimes(tmp.Name(), fi.ModTime(), fi.ModTime())
	if err := os.Rename(tmp.Name(), to); err != nil {
		return err
	}
	ok = true
	fmt.Fprintf(out, "copied %s:%s\n", f.Client.Host, path.Clean(from))
	return nil
}

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
