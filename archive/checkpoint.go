package archive

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

const stateVersion = 1

// checkpoint is the resume state, written atomically beside the parts
// each time one is complete. Everything in it is public: the recipients
// are public keys, and the source's names are in the tree it describes.
type checkpoint struct {
	Version    int        `json:"version"`
	Source     string     `json:"source"`
	Host       string     `json:"host"`
	Created    time.Time  `json:"created"`
	PartSize   int64      `json:"part_size"`
	Recipients []string   `json:"recipients"`
	Passphrase bool       `json:"passphrase,omitempty"` // identity.age holds the set's key
	Replace    bool       `json:"replace,omitempty"`    // --force: replace an existing set at DEST when done
	Require    []string   `json:"require,omitempty"`
	Parts      []PartInfo `json:"parts"`
	Plain      int64      `json:"plain"`       // tar bytes in the complete parts
	SpoolBytes int64      `json:"spool_bytes"` // manifest lines that belong to them
	Counts     counts     `json:"counts"`
	Cursor     cursor     `json:"cursor"`
	Sessions   int        `json:"sessions"`
}

// counts are running totals, checkpointed with the cursor.
type counts struct {
	Entries  int64      `json:"entries"`
	Files    int64      `json:"files"`
	Bytes    int64      `json:"bytes"` // sizes of the files counted in Files
	Read     int64      `json:"read"`  // file bytes put in the stream, copies included
	Flagged  int64      `json:"flagged"`
	Required []Required `json:"required,omitempty"`
}

// cursor is where the tar stream stands at the end of the last part.
type cursor struct {
	Done  bool      `json:"done,omitempty"`  // the end marker is written
	After string    `json:"after,omitempty"` // last entry written whole; "" before the source's own entry
	Open  *openFile `json:"open,omitempty"`  // a file whose header and Offset bytes are written
}

// openFile is a file cut by a part boundary: what is needed to continue
// it, and to notice that it changed in between.
type openFile struct {
	Entry   Entry  `json:"entry"`
	Offset  int64  `json:"offset"`
	Ino     uint64 `json:"ino"`
	CtimeNs int64  `json:"ctime_ns"`
	Hash    []byte `json:"hash"` // SHA-256 state after Offset bytes
	Attempt int    `json:"attempt"`
	Zeros   bool   `json:"zeros,omitempty"` // the rest is zero-filled: the entry will be flagged incomplete
	Why     string `json:"why,omitempty"`   // why it is
}

func loadCheckpoint(dir string) (*checkpoint, error) {
	b, err := os.ReadFile(filepath.Join(dir, stateName))
	if err != nil {
		return nil, err
	}
	var cp checkpoint
	if err := json.Unmarshal(b, &cp); err != nil {
		return nil, fmt.Errorf("%s is damaged: %w", filepath.Join(dir, stateName), err)
	}
	if cp.Version != stateVersion {
		return nil, fmt.Errorf("%s was written by another version of zenrecover (state version %d)", filepath.Join(dir, stateName), cp.Version)
	}
	return &cp, nil
}

func (cp *checkpoint) save(dir string) error {
	b, err := json.MarshalIndent(cp, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(dir, stateName), append(b, '\n'), 0o600)
}
