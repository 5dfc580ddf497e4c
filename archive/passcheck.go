package archive

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"filippo.io/age"
)

// ErrWrongPassphrase is returned by CheckPassphrase when the passphrase
// does not open the set.
var ErrWrongPassphrase = errors.New("the passphrase does not open this archive")

// ErrNoPassphrase is returned by CheckPassphrase for a set that is not
// protected by a passphrase (it is made for recipients only).
var ErrNoPassphrase = errors.New("the archive is not protected by a passphrase")

// CheckPassphrase tells whether passphrase opens the set at dest, complete
// or interrupted (DEST.partial is looked at first, as Inspect does): it
// decrypts identity.age with it (scrypt, about a second) and reads the
// key it holds, which is all a restore needs the passphrase for. The run
// engine checks a passphrase this way before it resumes an interrupted
// set with it, and before it seals it for the team.
func CheckPassphrase(dest, passphrase string) error {
	dest = canonicalDest(dest)
	dirs := []string{PartialDir(dest), dest}
	var b []byte
	var err error
	for _, d := range dirs {
		b, err = os.ReadFile(filepath.Join(d, identityName))
		if err == nil || !errors.Is(err, os.ErrNotExist) {
			break
		}
	}
	if errors.Is(err, os.ErrNotExist) {
		st, ierr := Inspect(dest)
		if ierr == nil && st.State != StateNone {
			return ErrNoPassphrase
		}
		return fmt.Errorf("no archive at %s", dest)
	}
	if err != nil {
		return err
	}
	id, err := age.NewScryptIdentity(passphrase)
	if err != nil {
		return err
	}
	r, err := age.Decrypt(bytes.NewReader(b), id)
	if err != nil {
		// age cannot tell a wrong passphrase from a damaged stanza.
		return ErrWrongPassphrase
	}
	keys, err := io.ReadAll(io.LimitReader(r, 1<<20))
	if err != nil {
		return fmt.Errorf("%s is damaged: %w", identityName, err)
	}
	if _, err := age.ParseIdentities(bytes.NewReader(keys)); err != nil {
		return fmt.Errorf("%s is damaged: %w", identityName, err)
	}
	return nil
}
