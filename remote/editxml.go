package remote

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path"
	"time"

	"github.com/pkg/sftp"

	"zenrecover/actions"
)

// maxXMLThere bounds what is read of a configuration file there: CaConfig.xml
// and its kind are a few kilobytes, and a larger file is not one of them.
const maxXMLThere = 16 << 20

// EditXML is actions.EditXML on another host, over SFTP: the same edit
// (actions.SetXMLText), the same backup beside the file, the same atomic
// replacement (temporary file, mode and owner kept, renamed over it), and
// a link there is followed so it survives.
type EditXML struct {
	Client               *Client
	File, Element, Value string
	KeepBackup           bool
	Changed              *bool
}

func (e *EditXML) Describe() string {
	s := fmt.Sprintf("on %s over SFTP: edit %s: set <%s> to %q", e.Client.Host, e.File, path.Base("/"+e.Element), e.Value)
	if e.KeepBackup {
		s += fmt.Sprintf(" (keeping the original as %s.<timestamp>.bak)", path.Base(e.File))
	}
	return s + "; nothing is written when it already has that value"
}

func (e *EditXML) Run(ctx context.Context, rio actions.IO) error {
	out := actions.SafeWriter(rio.Output, rio.Secrets)
	defer out.Close()
	if e.Changed != nil {
		*e.Changed = false
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("edit %s on %s: %w", e.File, e.Client.Host, err)
	}
	s, err := e.Client.SFTP()
	if err != nil {
		return err
	}
	where := e.Client.Host + ":" + e.File
	p, err := followThere(s, e.File)
	if err != nil {
		return fmt.Errorf("edit-xml: %s: %w", where, err)
	}
	fi, err := s.Stat(p)
	if err != nil {
		return fmt.Errorf("edit-xml: %s: %w", where, err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("edit-xml: %s is not a file", where)
	}
	if fi.Size() > maxXMLThere {
		return fmt.Errorf("edit-xml: %s is %s, too large for a configuration file; nothing changed", where, actions.Bytes(fi.Size()))
	}
	orig, err := readThere(s, p)
	if err != nil {
		return fmt.Errorf("edit-xml: %s: %w", where, err)
	}
	data, tag, old, err := actions.SetXMLText(where, orig, e.Element, e.Value)
	if err != nil {
		return err
	}
	if data == nil {
		fmt.Fprintf(out, "<%s> in %s is already %q; nothing changed\n", tag, where, e.Value)
		return nil
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("edit %s: %w", where, err)
	}
	backup := ""
	if e.KeepBackup {
		if backup, err = backupThere(s, p, orig, fi.Mode().Perm()); err != nil {
			return fmt.Errorf("edit-xml: keep a backup of %s: %w", where, err)
		}
	}
	if err := writeThere(ctx, s, p, bytes.NewReader(data), fi.Mode().Perm(), fi); err != nil {
		return fmt.Errorf("edit-xml: %s: %w", where, err)
	}
	if e.Changed != nil {
		*e.Changed = true
	}
	fmt.Fprintf(out, "set <%s> in %s to %q (was %q)", tag, where, e.Value, old)
	if backup != "" {
		fmt.Fprintf(out, "; the original is kept as %s", backup)
	}
	fmt.Fprintln(out)
	return nil
}

func readThere(s *sftp.Client, p string) ([]byte, error) {
	f, err := s.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxXMLThere+1))
	if err == nil && len(data) > maxXMLThere {
		err = fmt.Errorf("larger than %s", actions.Bytes(maxXMLThere))
	}
	return data, err
}

// backupThere saves the original beside p under a name that does not
// exist yet (created exclusively, so an earlier backup is never replaced).
func backupThere(s *sftp.Client, p string, orig []byte, perm os.FileMode) (string, error) {
	now := time.Now()
	for i := 0; i < 100; i++ {
		name := actions.XMLBackupName(p, now, i)
		if exists(s, name) {
			continue
		}
		f, err := s.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL)
		if err != nil {
			if exists(s, name) {
				continue
			}
			return "", err
		}
		_, err = f.Write(orig)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = s.Chmod(name, perm)
		}
		if err != nil {
			s.Remove(name)
			return "", err
		}
		return name, nil
	}
	return "", fmt.Errorf("too many backups named %s*.bak", actions.XMLBackupName(p, now, 0))
}

// followThere resolves the links of p there, as filepath.EvalSymlinks
// does here (an SFTP server's realpath need not follow them).
func followThere(s *sftp.Client, p string) (string, error) {
	for i := 0; i < 40; i++ {
		fi, err := s.Lstat(p)
		if err != nil {
			return "", err
		}
		if fi.Mode()&os.ModeSymlink == 0 {
			return p, nil
		}
		to, err := s.ReadLink(p)
		if err != nil {
			return "", err
		}
		if !path.IsAbs(to) {
			to = path.Join(path.Dir(p), to)
		}
		p = to
	}
	return "", fmt.Errorf("%s: too many links", p)
}
