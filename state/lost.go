package state

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/user"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// This file finds runs that the database has lost but the files beside it
// remember: a log, a lock file or a copy of the database that the database
// knows nothing of. That happens when the -wal file is deleted after a
// zenrecover was killed (SQLite then opens the older database file without
// a word), or when the file is replaced by an older copy. Nothing here
// reads a log's content beyond its "===" step headers.

// LostRun is a run (or the newest part of one) that left files beside the
// database which the database has no record of.
type LostRun struct {
	// Key names the loss in lost_acks: the run's id; id@time when the run
	// is in the database but lost its records after time; snapshot:NAME
	// when only a copy of the database tells of a run.
	Key         string
	RunID       string    // "" when only a copy of the database tells of it
	ProcedureID string    // "" when no file says
	Started     time.Time // when it started (or was taken up again), as the files say

	// Partial: the run is in the database, but its lock file shows it was
	// taken up again at Holder.Recorded, after its last record (RecordsEnd):
	// what it did since is not recorded.
	Partial    bool
	RecordsEnd time.Time

	Log        string    // the run's log file, if any
	LogWritten time.Time // when the log was last written
	LogSteps   int       // how many step attempts the log shows begun
	LogLast    string    // the last of them, as its "===" header says

	Lock   string   // the lock file naming the run, if any
	Holder LockInfo // what the lock file says

	Snapshot string // the copy of the database taken as the run started, if any

	Ack *LostAck // the operator's acknowledgement, once given
}

// LostAck is the operator's acknowledgement of a lost run.
type LostAck struct {
	At     time.Time
	User   string
	Reason string
}

// Evidence lists the files that show the run existed, one phrase each.
func (l LostRun) Evidence() []string {
	var out []string
	if l.Log != "" {
		s := fmt.Sprintf("its log %s (last written %s", l.Log, stamp(l.LogWritten))
		switch {
		case l.LogSteps == 1:
			s += "; it shows one step begun: " + l.LogLast
		case l.LogSteps > 1:
			s += fmt.Sprintf("; it shows %d step attempts begun, the last %s", l.LogSteps, l.LogLast)
		}
		out = append(out, s+")")
	}
	if l.Lock != "" {
		h := l.Holder
		s := fmt.Sprintf("its lock file %s (pid %d", l.Lock, h.PID)
		if h.User != "" {
			s += ", user " + h.User
		}
		if h.Host != "" {
			s += ", on " + h.Host
		}
		if !h.Since.IsZero() {
			s += ", since " + stamp(h.Since)
		}
		out = append(out, s+")")
	}
	if l.Snapshot != "" {
		out = append(out, "the copy of the database taken as it started, "+l.Snapshot)
	}
	return out
}

// Describe says in one sentence what was lost and what shows it.
func (l LostRun) Describe() string {
	proc := ""
	if l.ProcedureID != "" {
		proc = " of " + l.ProcedureID
	}
	ev := strings.Join(l.Evidence(), "; ")
	switch {
	case l.Partial:
		return fmt.Sprintf("run %s%s is in it, but its records end at %s, while %s shows it was taken up again and recorded at %s: what it did since is not recorded",
			l.RunID, proc, stamp(l.RecordsEnd), ev, stamp(l.Holder.Recorded))
	case l.RunID == "":
		return fmt.Sprintf("a run%s started at %s: the copy of the database taken as it started, %s, is newer than anything in the database, which has no record of taking it", proc, stamp(l.Started), l.Snapshot)
	}
	return fmt.Sprintf("run %s%s, started %s, is not in it, though %s", l.RunID, proc, stamp(l.Started), ev)
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "an unknown time"
	}
	return t.Local().Format("2006-01-02 15:04:05")
}

// LostRunsError refuses to record anything while runs are lost and the
// operator has not acknowledged it.
type LostRunsError struct {
	Path string    // the state database
	Runs []LostRun // the unacknowledged losses
}

func (e *LostRunsError) Error() string {
	var b strings.Builder
	if len(e.Runs) == 1 {
		fmt.Fprintf(&b, "state database %s has lost records that files beside it show: %s.", e.Path, e.Runs[0].Describe())
	} else {
		fmt.Fprintf(&b, "state database %s has lost records of %d runs that files beside it show:", e.Path, len(e.Runs))
		for i, l := range e.Runs {
			fmt.Fprintf(&b, " (%d) %s.", i+1, l.Describe())
		}
	}
	fmt.Fprintf(&b, " Its write-ahead log (%s-wal) was probably deleted after a zenrecover was killed, or the file was replaced by an older copy. zenrecover changed nothing, and starts or resumes no run until you decide:", e.Path)
	fmt.Fprintf(&b, " if you still have %s-wal and %s-shm from that moment, put them back beside it, and `%s` lists the run again.", filepath.Base(e.Path), filepath.Base(e.Path), CommandLine(e.Path, "runs"))
	fmt.Fprintf(&b, " Otherwise check on the server what the run did (its log shows each step it began and that step's output; a step may have run without its end being recorded), then record that you know with `%s`; a new run then starts from its first step.",
		CommandLine(e.Path, "acknowledge-lost", "--reason", "TEXT"))
	return b.String()
}

// Unacknowledged keeps the losses the operator has not acknowledged.
func Unacknowledged(lost []LostRun) []LostRun {
	var out []LostRun
	for _, l := range lost {
		if l.Ack == nil {
			out = append(out, l)
		}
	}
	return out
}

// CanRecord says whether a run may start or be taken up: not while runs
// are lost and unacknowledged (*LostRunsError), nor in a directory that
// cannot be written (*ReadOnlyError).
func (s *Store) CanRecord(ctx context.Context) error {
	lost, err := s.LostRuns(ctx)
	if err != nil {
		return err
	}
	if un := Unacknowledged(lost); len(un) > 0 {
		return &LostRunsError{Path: s.path, Runs: un}
	}
	return s.CheckWritable()
}

// AcknowledgeLost records that the operator knows of every loss LostRuns
// reports now and has not been acknowledged, with who and why, and returns
// them. From then on they no longer stop a run.
func (s *Store) AcknowledgeLost(ctx context.Context, reason string) ([]LostRun, error) {
	if strings.TrimSpace(reason) == "" {
		return nil, errors.New("acknowledging a lost run needs a reason")
	}
	if err := s.CheckWritable(); err != nil {
		return nil, err
	}
	lost, err := s.LostRuns(ctx)
	if err != nil {
		return nil, err
	}
	un := Unacknowledged(lost)
	if len(un) == 0 {
		return nil, nil
	}
	who := ""
	if u, err := user.Current(); err == nil {
		who = u.Username
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, s.writeError(fmt.Errorf("acknowledge lost runs: %w", err))
	}
	defer tx.Rollback()
	now := time.Now()
	for i := range un {
		l := &un[i]
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO lost_acks (key, run_id, procedure_id, evidence, at, user, reason) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			l.Key, l.RunID, l.ProcedureID, l.Describe(), fmtTime(now), who, reason); err != nil {
			return nil, s.writeError(fmt.Errorf("acknowledge lost runs: %w", err))
		}
		l.Ack = &LostAck{At: now, User: who, Reason: reason}
	}
	if err := tx.Commit(); err != nil {
		return nil, s.writeError(fmt.Errorf("acknowledge lost runs: %w", err))
	}
	return un, nil
}

// LostRuns compares the files beside the database with what it holds:
//
//   - a log file of a run the database does not hold (a log is created
//     after the run's record is committed);
//   - a lock file naming a run the database does not hold (the run is
//     written into the lock after its record is committed), or naming one
//     whose newest record is older than the record the lock says its
//     holder committed (LockInfo.Recorded);
//   - a copy of the database (snapshots/) that the database has no record
//     of taking and that is newer than its newest record (every copy is
//     recorded before it is written).
//
// The files are listed before the database is read: whatever a live
// zenrecover commits after that only adds to what the database holds, so
// a run in progress is never taken for a lost one. Acknowledged losses are
// returned too, with Ack set; the result is in the order the runs started.
func (s *Store) LostRuns(ctx context.Context) ([]LostRun, error) {
	ev := scanEvidence(s.dir)
	if len(ev.logs) == 0 && len(ev.locks) == 0 && len(ev.snaps) == 0 {
		return nil, nil
	}
	last := map[string]string{} // run id -> its newest record (fmtTime)
	newest := ""
	rows, err := s.db.QueryContext(ctx, `SELECT id, started_at, COALESCE(ended_at, ''),
	COALESCE((SELECT max(at) FROM journal j WHERE j.run_id = r.id), '') FROM runs r`)
	if err != nil {
		return nil, fmt.Errorf("state database %s: looking for lost runs: %w", s.path, err)
	}
	for rows.Next() {
		var id, a, b, c string
		if err := rows.Scan(&id, &a, &b, &c); err != nil {
			rows.Close()
			return nil, fmt.Errorf("state database %s: looking for lost runs: %w", s.path, err)
		}
		m := max(a, b, c)
		last[id] = m
		newest = max(newest, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("state database %s: looking for lost runs: %w", s.path, err)
	}
	recorded := map[string]bool{}
	if err := s.strings(ctx, `SELECT name FROM snapshots`, func(v string) { recorded[v] = true }); err != nil {
		return nil, err
	}

	byKey := map[string]*LostRun{}
	entry := func(key, runID string) *LostRun {
		l := byKey[key]
		if l == nil {
			l = &LostRun{Key: key, RunID: runID, Started: runIDTime(runID)}
			byKey[key] = l
		}
		return l
	}
	for _, lg := range ev.logs {
		if _, ok := last[lg.runID]; !ok {
			l := entry(lg.runID, lg.runID)
			l.Log, l.LogWritten = lg.path, lg.written
		}
	}
	for _, lk := range ev.locks {
		id := lk.info.RunID
		if id == "" {
			continue // died before its run existed: nothing of it was recorded
		}
		end, ok := last[id]
		var l *LostRun
		switch {
		case !ok:
			l = entry(id, id)
		case !lk.info.Recorded.IsZero() && end < fmtTime(lk.info.Recorded):
			l = entry(id+"@"+lk.info.Recorded.UTC().Format("20060102-150405.000000000"), id)
			l.Partial = true
			l.RecordsEnd, _ = parseTime(end)
			l.Started = lk.info.Since
		default:
			continue
		}
		l.Lock, l.Holder, l.ProcedureID = lk.path, lk.info, lk.procedureID
		if l.Partial {
			if fi, err := os.Stat(s.LogPath(id)); err == nil {
				l.Log, l.LogWritten = s.LogPath(id), fi.ModTime()
			}
		}
	}
	for _, sn := range ev.snaps {
		if recorded[filepath.Base(sn.path)] || fmtTime(sn.at) <= newest {
			continue
		}
		// The copy a run's start took, just before the run's record: it
		// belongs with the lost run that started right after it.
		var best *LostRun
		for _, l := range byKey {
			t := runIDTime(l.RunID)
			if l.Partial || l.RunID == "" || l.Snapshot != "" || (l.ProcedureID != "" && l.ProcedureID != sn.procedureID) ||
				t.Before(sn.at.Truncate(time.Second)) || t.Sub(sn.at) > time.Minute {
				continue
			}
			if best == nil || t.Before(runIDTime(best.RunID)) {
				best = l
			}
		}
		if best == nil {
			best = entry("snapshot:"+filepath.Base(sn.path), "")
			best.Started = sn.at
		}
		best.Snapshot = sn.path
		if best.ProcedureID == "" {
			best.ProcedureID = sn.procedureID
		}
	}
	if len(byKey) == 0 {
		return nil, nil
	}
	acks := map[string]*LostAck{}
	ackProc := map[string]string{} // what the files said when it was acknowledged
	arows, err := s.db.QueryContext(ctx, `SELECT key, at, user, reason, procedure_id FROM lost_acks`)
	if err != nil {
		return nil, fmt.Errorf("state database %s: looking for lost runs: %w", s.path, err)
	}
	for arows.Next() {
		var k, at, proc string
		a := &LostAck{}
		if err := arows.Scan(&k, &at, &a.User, &a.Reason, &proc); err != nil {
			arows.Close()
			return nil, fmt.Errorf("state database %s: looking for lost runs: %w", s.path, err)
		}
		a.At, _ = parseTime(at)
		acks[k], ackProc[k] = a, proc
	}
	arows.Close()
	if err := arows.Err(); err != nil {
		return nil, fmt.Errorf("state database %s: looking for lost runs: %w", s.path, err)
	}
	var out []LostRun
	for _, l := range byKey {
		if l.Log != "" {
			l.LogSteps, l.LogLast = logSteps(l.Log)
		}
		l.Ack = acks[l.Key]
		if l.ProcedureID == "" {
			l.ProcedureID = ackProc[l.Key]
		}
		out = append(out, *l)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Started.Equal(out[j].Started) {
			return out[i].Started.Before(out[j].Started)
		}
		return out[i].Key < out[j].Key
	})
	return out, nil
}

func (s *Store) strings(ctx context.Context, q string, each func(string)) error {
	rows, err := s.db.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("state database %s: %w", s.path, err)
	}
	defer rows.Close()
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return fmt.Errorf("state database %s: %w", s.path, err)
		}
		each(v)
	}
	return rows.Err()
}

// runIDTime is the start time a run id begins with (newRunID), or zero.
func runIDTime(id string) time.Time {
	if len(id) < 15 {
		return time.Time{}
	}
	t, err := time.Parse("20060102-150405", id[:15])
	if err != nil {
		return time.Time{}
	}
	return t
}

type logEvidence struct {
	runID, path string
	written     time.Time
}

type lockEvidence struct {
	path, procedureID string
	info              LockInfo
}

type snapEvidence struct {
	path, procedureID string
	at                time.Time
}

type evidence struct {
	logs  []logEvidence
	locks []lockEvidence
	snaps []snapEvidence
}

// scanEvidence lists the files beside the database that tell of runs: the
// logs, the lock files that still name a holder (a holder that ended
// cleanly empties its lock file), and the copies of the database.
func scanEvidence(dir string) evidence {
	var ev evidence
	logs, _ := filepath.Glob(filepath.Join(dir, "logs", "*.log"))
	for _, p := range logs {
		fi, err := os.Stat(p)
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		ev.logs = append(ev.logs, logEvidence{runID: unFileSafe(strings.TrimSuffix(filepath.Base(p), ".log")), path: p, written: fi.ModTime()})
	}
	locks, _ := filepath.Glob(filepath.Join(dir, "locks", "*.lock"))
	for _, p := range locks {
		info := readLockInfo(p)
		if info.RunID == "" {
			continue
		}
		proc, _, _ := strings.Cut(filepath.Base(p), "@")
		ev.locks = append(ev.locks, lockEvidence{path: p, procedureID: unFileSafe(proc), info: info})
	}
	for _, p := range snapshots(dir) {
		name := strings.TrimSuffix(filepath.Base(p), ".db")
		ts, proc, ok := strings.Cut(name, "-before-")
		if !ok {
			continue
		}
		t, err := time.Parse("20060102-150405.000", ts)
		if err != nil {
			continue
		}
		ev.snaps = append(ev.snaps, snapEvidence{path: p, procedureID: unFileSafe(proc), at: t})
	}
	return ev
}

// unFileSafe undoes fileSafe's %XX escapes.
func unFileSafe(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

// logSteps counts the "===" headers a run's log begins each step attempt
// with (runner writes them) and returns the last, reading line by line so
// that a large log costs no memory; lines too long to be a header are
// skipped.
func logSteps(path string) (int, string) {
	f, err := os.Open(path)
	if err != nil {
		return 0, ""
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 64<<10)
	n, lastHdr := 0, ""
	for {
		line, err := r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = r.ReadSlice('\n')
			}
			if err != nil {
				break
			}
			continue
		}
		if h, ok := bytes.CutPrefix(line, []byte("=== ")); ok {
			n++
			lastHdr = strings.TrimSpace(string(h))
		}
		if err != nil {
			break
		}
	}
	return n, lastHdr
}
