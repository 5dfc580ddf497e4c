package lab

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
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

// ScryptWorkFactor is far below age's default (18): the lab's files guard
// only simulated secrets, and the tests seal and open many archives. The
// passphrase still decides everything, which is what a rehearsal teaches.
// A rehearsal's archive steps (runner) use it too: at 18 each seal and
// each open costs about a second of CPU, most of a rehearsal's.
const ScryptWorkFactor = 12

// maxArchiveBytes bounds what opening an archive reads into memory; a lab
// server's configuration is a few hundred kilobytes.
const maxArchiveBytes = 64 << 20

// manifestName is the first entry of every archive. Its leading dot keeps
// it apart from any configuration file name.
const manifestName = ".zenrecover-archive.json"

// Archive kinds: a server backup must not be restored as a certificate
// authority, nor the other way round.
const (
	kindServerBackup = "zenserver-backup"
	kindCA           = "certificate-authority"
)

var (
	errIncorrectPassphrase = errors.New("incorrect passphrase")
	errNotArchive          = errors.New("not an encrypted ZENworks backup file")
)

type manifest struct {
	Kind    string    `json:"kind"`
	Host    string    `json:"host"`
	Zone    string    `json:"zone"`
	Version string    `json:"version,omitempty"`
	Created time.Time `json:"created"`
	Files   []string  `json:"files"`
}

type archiveEntry struct {
	name string // slash-separated, relative
	data []byte
	mode os.FileMode
}

// sealArchive writes a gzip'd tar of the manifest and entries, encrypted
// with age to the passphrase.
func sealArchive(w io.Writer, passphrase string, m manifest, entries []archiveEntry) error {
	r, err := age.NewScryptRecipient(passphrase)
	if err != nil {
		return err
	}
	r.SetWorkFactor(ScryptWorkFactor)
	enc, err := age.Encrypt(w, r)
	if err != nil {
		return err
	}
	gz := gzip.NewWriter(enc)
	tw := tar.NewWriter(gz)
	m.Files = m.Files[:0]
	for _, e := range entries {
		m.Files = append(m.Files, e.name)
	}
	mj, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	all := append([]archiveEntry{{name: manifestName, data: mj, mode: 0o644}}, entries...)
	for _, e := range all {
		hdr := &tar.Header{Typeflag: tar.TypeReg, Name: e.name, Mode: int64(e.mode.Perm()),
			Size: int64(len(e.data)), ModTime: m.Created, Format: tar.FormatPAX}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if _, err := tw.Write(e.data); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if err := gz.Close(); err != nil {
		return err
	}
	return enc.Close()
}

// openArchive decrypts and reads a whole archive into memory before anything
// is written, so a wrong passphrase or a damaged file changes nothing.
func openArchive(r io.Reader, passphrase string) (manifest, []archiveEntry, error) {
	var m manifest
	id, err := age.NewScryptIdentity(passphrase)
	if err != nil {
		return m, nil, err
	}
	dec, err := age.Decrypt(r, id)
	if err != nil {
		if errors.Is(err, age.ErrIncorrectIdentity) {
			return m, nil, errIncorrectPassphrase
		}
		return m, nil, errNotArchive
	}
	plain, err := io.ReadAll(io.LimitReader(dec, maxArchiveBytes+1))
	if err != nil {
		return m, nil, fmt.Errorf("the file is damaged: %w", err)
	}
	if len(plain) > maxArchiveBytes {
		return m, nil, fmt.Errorf("the file is larger than %d bytes", maxArchiveBytes)
	}
	gz, err := gzip.NewReader(bytes.NewReader(plain))
	if err != nil {
		return m, nil, errNotArchive
	}
	tr := tar.NewReader(gz)
	var entries []archiveEntry
	first := true
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return m, nil, fmt.Errorf("the file is damaged: %w", err)
		}
		if hdr.Typeflag != tar.TypeReg {
			return m, nil, fmt.Errorf("the file holds %q, which is not a regular file", hdr.Name)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			return m, nil, fmt.Errorf("the file is damaged: %w", err)
		}
		if first {
			if hdr.Name != manifestName || json.Unmarshal(data, &m) != nil {
				return m, nil, errNotArchive
			}
			first = false
			continue
		}
		if !safeRelative(hdr.Name) {
			return m, nil, fmt.Errorf("the file holds %q, which would land outside the target folder", hdr.Name)
		}
		entries = append(entries, archiveEntry{name: hdr.Name, data: data, mode: os.FileMode(hdr.Mode).Perm()})
	}
	if first {
		return m, nil, errNotArchive
	}
	return m, entries, nil
}

func safeRelative(name string) bool {
	return name != "" && path.Clean(name) == name && filepath.IsLocal(filepath.FromSlash(name))
}
