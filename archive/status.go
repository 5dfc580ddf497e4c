package archive

import (
	"errors"
	"os"
	"path/filepath"
	"time"
)

// State of an archive set, as far as it can be told without a key.
type State string

const (
	StateNone     State = "none"     // nothing at DEST or DEST.partial
	StatePartial  State = "partial"  // interrupted: Resume continues it
	StateComplete State = "complete" // DEST holds a finished set (Verify proves it with a key)
)

// Status describes DEST without decrypting anything; the run engine uses
// it to settle an archive step found in doubt.
type Status struct {
	State      State
	Dest       string
	Source     string    // partial: the tree being archived
	Created    time.Time // partial: when the archive was started
	Parts      int       // complete parts
	Plain      int64     // partial: tar bytes in complete parts
	Files      int64     // partial: files complete so far
	Passphrase bool      // the set is protected by a passphrase
}

// Inspect tells whether dest is complete, interrupted or absent. A
// complete set and an interrupted one can both exist (a --force run that
// will replace it): Inspect reports the interrupted one, which is what
// needs doing.
func Inspect(dest string) (Status, error) {
	dest = canonicalDest(dest)
	st := Status{State: StateNone, Dest: dest}
	partial := PartialDir(dest)
	if _, err := os.Stat(partial); err == nil {
		st.State = StatePartial
		if cp, err := loadCheckpoint(partial); err == nil {
			st.Source, st.Created, st.Parts, st.Plain = cp.Source, cp.Created, len(cp.Parts), cp.Plain
			st.Files, st.Passphrase = cp.Counts.Files, cp.Passphrase
		} else if !errors.Is(err, os.ErrNotExist) {
			return st, err
		}
		return st, nil
	}
	if _, err := os.Stat(filepath.Join(dest, manifestName)); err == nil {
		st.State = StateComplete
		parts, err := listParts(dest)
		if err != nil {
			return st, err
		}
		st.Parts = len(parts)
		_, err = os.Stat(filepath.Join(dest, identityName))
		st.Passphrase = err == nil
	}
	return st, nil
}
