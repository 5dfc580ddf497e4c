package state

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"modernc.org/sqlite"
)

// This file is about a state database that is damaged or has lost data:
// telling the operator what happened and what to do next, never opening a
// fresh empty state in its place without a word.

// checkLostWAL refuses a database whose -wal file has gone (or been cut
// short) while it still held commits not yet copied into the database
// file: SQLite would open the older file without a word, and the newest
// runs and steps, the in-doubt ones among them, would silently vanish.
// The -shm file left behind by a killed zenrecover still says how many
// frames the log held (mxFrame) and how many were copied back (nBackfill).
// Nothing is read or written through SQLite before this check, so the
// evidence is still there.
func checkLostWAL(path string) error {
	// Another zenrecover closing the database checkpoints, removes the
	// -shm, then the -wal: one look may catch the -shm from before and the
	// -wal from after. A second look, after seeing the -wal gone, sees the
	// -shm gone or saying everything was copied back.
	err := lostWAL(path)
	if err != nil {
		err = lostWAL(path)
	}
	return err
}

func lostWAL(path string) error {
	b := make([]byte, 100)
	f, err := os.Open(path + "-shm")
	if err != nil {
		return nil // no -shm: closed cleanly, or never opened
	}
	n, _ := f.ReadAt(b, 0)
	f.Close()
	if n < len(b) {
		return nil
	}
	// Two copies of the WAL index header (48 bytes each) in native byte
	// order, then the checkpoint information; see SQLite's wal.c.
	hdr := b[:48]
	if string(hdr) != string(b[48:96]) || hdr[12] != 1 || binary.NativeEndian.Uint32(hdr[0:]) != 3007000 {
		return nil // not initialised, or being written: cannot tell
	}
	pageSize := int64(binary.NativeEndian.Uint16(hdr[14:]))
	if pageSize == 1 {
		pageSize = 65536
	}
	mxFrame := int64(binary.NativeEndian.Uint32(hdr[16:]))
	nBackfill := int64(binary.NativeEndian.Uint32(b[96:]))
	if mxFrame <= nBackfill {
		return nil // every commit is in the database file already
	}
	need := 32 + mxFrame*(pageSize+24)
	fi, err := os.Stat(path + "-wal")
	switch {
	case err == nil && fi.Size() >= need:
		return nil
	case err == nil:
		return fmt.Errorf("state database %s: its write-ahead log %s-wal is shorter (%d bytes) than the %d committed frames it held need (%d bytes): the newest runs and steps would be lost.%s zenrecover did not change anything. Put the complete %s-wal back beside it if you have it.%s",
			path, path, fi.Size(), mxFrame, need, recentWork(path), path, wayForward(path))
	default:
		return fmt.Errorf("state database %s: its write-ahead log %s-wal is missing, but %s-shm says it held %s not yet written into the database file: without it the newest runs and steps (those in doubt among them) would be lost.%s zenrecover did not change anything. Put %s-wal back beside it if you have it.%s",
			path, path, path, count(int(mxFrame-nBackfill), "commit", "commits"), recentWork(path), path, wayForward(path))
	}
}

// recentWork names, for a message about lost commits, the runs whose files
// beside the database changed after the database file was last written
// (its last checkpoint): those are the runs whose newest records were in
// the lost log. It reads only files, since the database cannot be trusted.
func recentWork(path string) string {
	fi, err := os.Stat(path)
	if err != nil {
		return ""
	}
	since := fi.ModTime()
	ev := scanEvidence(filepath.Dir(path))
	seen := map[string]bool{}
	var runs []string
	for _, l := range ev.locks {
		if l.info.RunID != "" && l.info.Since.After(since) && !seen[l.info.RunID] {
			seen[l.info.RunID] = true
			runs = append(runs, fmt.Sprintf("run %s of %s (its lock file %s, held since %s by pid %d)", l.info.RunID, l.procedureID, l.path, l.info.Since.Local().Format("2006-01-02 15:04:05"), l.info.PID))
		}
	}
	for _, lg := range ev.logs {
		if lg.written.After(since) && !seen[lg.runID] {
			seen[lg.runID] = true
			runs = append(runs, fmt.Sprintf("run %s (its log %s, last written %s)", lg.runID, lg.path, lg.written.Local().Format("2006-01-02 15:04:05")))
		}
	}
	if len(runs) == 0 {
		return ""
	}
	return " What they recorded concerns " + strings.Join(runs, ", and ") + "."
}

// checkFile looks at the database file itself before SQLite opens it
// (opening sets WAL mode, which rewrites the header of a database that is
// not in WAL mode yet): an empty file that used to hold runs, or another
// program's database.
func checkFile(path string, existed bool) error {
	if !existed {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil // Open reports it
	}
	defer f.Close()
	hdr := make([]byte, 105)
	n, _ := f.ReadAt(hdr, 0)
	if n == 0 {
		if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() > 0 {
			return nil // everything may be in the log; checkNotReplaced looks
		}
		if hist := history(filepath.Dir(path)); hist != "" {
			return fmt.Errorf("state database %s is empty (0 bytes), but %s: the file was truncated or replaced. zenrecover did not change it and will not start a new empty state over it.%s",
				path, hist, wayForward(path))
		}
		return nil
	}
	// user_version is at offset 60; page 1 (the schema) is a b-tree page
	// whose header starts at 100 and counts its cells at 103.
	if n < len(hdr) || string(hdr[:16]) != "SQLite format 3\x00" {
		return nil // SQLite reports a damaged header
	}
	if binary.BigEndian.Uint32(hdr[60:]) == 0 && binary.BigEndian.Uint16(hdr[103:]) > 0 {
		return fmt.Errorf("state database %s has no zenrecover schema version but holds tables: it is not a zenrecover state database, or its header was damaged. zenrecover did not change it; point --state at zenrecover's database, or move this file aside.%s",
			path, wayForward(path))
	}
	return nil
}

// checkNotReplaced runs before the schema is created or migrated. A
// database file that existed before Open but holds nothing at all, beside
// the copies and logs of earlier runs, was truncated or replaced: creating
// a fresh schema in it would be a silent new empty state. Tables without a
// schema version are someone else's database (or a damaged one).
func (s *Store) checkNotReplaced(ctx context.Context, existed bool) error {
	v, err := s.userVersion(ctx)
	if err != nil || v != 0 {
		return err
	}
	var tables []string
	rows, err := s.db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
	if err != nil {
		return s.openError(err)
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return s.openError(err)
		}
		tables = append(tables, n)
	}
	if err := rows.Err(); err != nil {
		return s.openError(err)
	}
	if len(tables) > 0 {
		return fmt.Errorf("state database %s has no zenrecover schema version but holds tables (%s): it is not a zenrecover state database, or its header was damaged. zenrecover did not change it; point --state at zenrecover's database, or move this file aside.%s",
			s.path, strings.Join(tables, ", "), wayForward(s.path))
	}
	if !existed {
		return nil
	}
	if hist := history(s.dir); hist != "" {
		return fmt.Errorf("state database %s is empty, but %s: the file was truncated or replaced (or its -wal file lost). zenrecover did not change it and will not start a new empty state over it.%s",
			s.path, hist, wayForward(s.path))
	}
	return nil
}

// history says what beside the database shows that it once held runs.
func history(dir string) string {
	var said []string
	if snaps := snapshots(dir); len(snaps) > 0 {
		said = append(said, fmt.Sprintf("%s holds %s of it", filepath.Join(dir, "snapshots"), count(len(snaps), "copy", "copies")))
	}
	if logs, _ := filepath.Glob(filepath.Join(dir, "logs", "*.log")); len(logs) > 0 {
		// Named, newest last (ids start with the time): what was lost.
		sort.Strings(logs)
		var ids []string
		for _, l := range logs[max(0, len(logs)-3):] {
			ids = append(ids, strings.TrimSuffix(filepath.Base(l), ".log"))
		}
		more := ""
		if len(logs) > 3 {
			more = ", the newest "
		}
		said = append(said, fmt.Sprintf("%s holds the logs of %s (%s%s)", filepath.Join(dir, "logs"), count(len(logs), "run", "runs"), strings.TrimPrefix(more, ", "), strings.Join(ids, ", ")))
	}
	return strings.Join(said, " and ")
}

// count words n things: "1 copy", "2 copies".
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// snapshots lists the copies Snapshot wrote, oldest first (their names
// start with the time).
func snapshots(dir string) []string {
	names, _ := filepath.Glob(filepath.Join(dir, "snapshots", "*.db"))
	sort.Strings(names)
	return names
}

// wayForward is the sentence that ends every "damaged" message: where the
// newest copy of the database is and how to go on from it.
func wayForward(path string) string {
	dir := filepath.Dir(path)
	snaps := snapshots(dir)
	logs := filepath.Join(dir, "logs")
	if len(snaps) == 0 {
		return fmt.Sprintf(" No copy of it was found in %s; to start over, move %s (with any -wal and -shm beside it) aside. The run logs in %s show what was done.",
			filepath.Join(dir, "snapshots"), path, logs)
	}
	newest := snaps[len(snaps)-1]
	when := ""
	name := strings.TrimSuffix(filepath.Base(newest), ".db")
	if ts, proc, ok := strings.Cut(name, "-before-"); ok {
		if t, err := time.Parse("20060102-150405.000", ts); err == nil {
			when = fmt.Sprintf(", taken %s as a run of %s started", t.Local().Format("2006-01-02 15:04:05"), proc)
		}
	}
	return fmt.Sprintf(" The newest copy of it%s, is %s: `zenrecover --state %s runs` shows what it holds. To go on from it, move %s (with any -wal and -shm beside it) aside and copy that file in its place; what ran after the copy was taken is in the logs in %s.",
		when, newest, newest, path, logs)
}

// writeError adds what to do when a write failed because the file system
// holding the state is full: nothing of the failed write was recorded.
func (s *Store) writeError(err error) error {
	if err == nil {
		return nil
	}
	var se *sqlite.Error
	full := errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) ||
		errors.As(err, &se) && se.Code()&0xff == 13 // SQLITE_FULL
	if errors.As(err, &se) && se.Code()&0xff == 8 { // SQLITE_READONLY
		why := s.readOnly
		if why == "" {
			why = "the file (or its -wal or -shm beside it) is read-only for you"
		}
		return fmt.Errorf("%w (%v)", &ReadOnlyError{Path: s.path, Dir: s.dir, Why: why}, err)
	}
	if !full {
		return err
	}
	return fmt.Errorf("%w (the file system holding the state database, %s, is full, so this was not recorded: free space there and try again; an interrupted run goes on with `zenrecover resume`)", err, s.dir)
}
