package state

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// KeepSnapshots is how many copies of the database are kept.
const KeepSnapshots = 5

// Snapshot writes a consistent copy of the whole database to
// <dir>/snapshots/<name>.db before a run starts, so a database damaged
// later (a disk failing mid-recovery) still leaves the journal as it was.
// VACUUM INTO reads one transaction's view, WAL included, unlike copying
// the file. The oldest copies beyond KeepSnapshots are removed.
func (s *Store) Snapshot(ctx context.Context, name string) (string, error) {
	dir := filepath.Join(s.dir, "snapshots")
	if err := ensurePrivateDir(dir); err != nil {
		return "", err
	}
	dst := filepath.Join(dir, fileSafe(name)+".db")
	// Recorded before it is written: a copy the database has no record of
	// proves the database lost that commit (lost.go).
	if _, err := s.db.ExecContext(ctx, `INSERT OR REPLACE INTO snapshots (name, at) VALUES (?, ?)`, filepath.Base(dst), fmtTime(time.Now())); err != nil {
		return "", s.writeError(fmt.Errorf("copy of the state database: %w", err))
	}
	tmp := dst + ".tmp"
	os.Remove(tmp)
	if _, err := s.db.ExecContext(ctx, "VACUUM INTO ?", tmp); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("copy of the state database: %w", err)
	}
	if err := os.Chmod(tmp, 0o600); err != nil {
		os.Remove(tmp)
		return "", err
	}
	if err := os.Rename(tmp, dst); err != nil {
		os.Remove(tmp)
		return "", err
	}
	s.pruneSnapshots(dir)
	return dst, nil
}

// pruneSnapshots keeps the newest copies; run ids sort by time.
func (s *Store) pruneSnapshots(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".db") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	for len(names) > KeepSnapshots {
		os.Remove(filepath.Join(dir, names[0]))
		names = names[1:]
	}
}
