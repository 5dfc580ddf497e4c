package archive

import (
	"errors"
	"fmt"
	"syscall"
)

// ErrExists is wrapped by Create's error when DEST (or an interrupted
// DEST.partial) is already there and Force is not set.
var ErrExists = errors.New("already exists")

// StoppedError is returned when creating an archive stopped before the
// end (cancelled, disk full, a read-only destination): DEST.partial holds
// every complete part and Resume continues from there.
type StoppedError struct {
	Dest string
	Err  error
}

func (e *StoppedError) Error() string {
	return fmt.Sprintf("%v; the archive is not complete, and nothing written so far is lost: `zenrecover archive resume %s` continues it", e.Err, e.Dest)
}

func (e *StoppedError) Unwrap() error { return e.Err }

// explainWrite turns the errors an operator can fix into words.
func explainWrite(dir string, err error) error {
	switch {
	case errors.Is(err, syscall.ENOSPC), diskFull(err):
		return fmt.Errorf("the disk holding %s is full: free some space: %w", dir, err)
	case errors.Is(err, syscall.EDQUOT):
		return fmt.Errorf("the disk quota for %s is used up: %w", dir, err)
	case errors.Is(err, syscall.EROFS):
		return fmt.Errorf("%s is on a read-only file system: %w", dir, err)
	}
	return err
}

// Problem is something verify or extract found, named by path.
type Problem struct {
	Path   string // "" when it concerns the set as a whole
	Detail string
}

func (p Problem) String() string {
	if p.Path == "" {
		return p.Detail
	}
	return p.Path + ": " + p.Detail
}

// VerifyError is the error of a set that does not verify; it names the
// first problems found.
type VerifyError struct {
	Problems []Problem
	Count    int // all problems, including those beyond Problems
}

func (e *VerifyError) Error() string {
	msg := "the archive does not verify"
	for i, p := range e.Problems {
		if i == 3 {
			break
		}
		msg += "; " + p.String()
	}
	if e.Count > 3 {
		msg += fmt.Sprintf("; and %d more", e.Count-3)
	}
	return msg
}
