package state

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// EventKind is what a journal row records.
type EventKind string

const (
	EventPlanned   EventKind = "planned"   // the step is in the plan
	EventStarted   EventKind = "started"   // committed before the action begins
	EventRunning   EventKind = "running"   // the action's child process exists (pid, start time)
	EventOutput    EventKind = "output"    // a pointer into the run's log (Detail)
	EventSucceeded EventKind = "succeeded" // outcome
	EventFailed    EventKind = "failed"    // outcome
	EventSkipped   EventKind = "skipped"   // outcome, with the operator's Reason
	EventConfirmed EventKind = "confirmed" // outcome of a manual step
	EventAnswered  EventKind = "answered"  // an answer: Key, Value (never a secret)
	EventResolved  EventKind = "resolved"  // a decision on a step: Value "done" or "not-done"
	EventStopped   EventKind = "stopped"   // the operator stopped the run
	// EventChanged corrects an earlier answer: Key, Value (the new value,
	// never a secret), Reason, and Detail (JSON: the old value and the
	// user). Fold treats it as an answer.
	EventChanged EventKind = "changed"
	// EventRedo puts a finished step back to pending, to run again after an
	// answer it used was corrected; Reason says why.
	EventRedo EventKind = "redo"
	// EventAbandoned ends the run for good: Reason, and Detail (JSON: the
	// user). Only Abandon writes it, with the run's status.
	EventAbandoned EventKind = "abandoned"
	// EventResumed: a zenrecover took the run up again (Detail: JSON with
	// the user and pid). Its time, also written into the run's lock file,
	// is what shows a database that lost the resumed run's newest records
	// (lost.go).
	EventResumed EventKind = "resumed"
)

// Values of a resolved event.
const (
	ResolvedDone    = "done"
	ResolvedNotDone = "not-done"
)

// Event is one journal row.
type Event struct {
	Seq    int64 // assigned by Append; orders the journal
	RunID  string
	At     time.Time // assigned by Append: the time of the commit
	Step   string
	Target string // "" except for fan-out steps, one row per target
	Kind   EventKind

	// Attempt numbers the started events of a step/target from 1. Append
	// fills it when the caller leaves it 0: a started gets the next number,
	// running and outcome events get the number of the attempt they close.
	Attempt int

	// On started: this zenrecover's own pid, its start time and the boot id.
	// On running: the child's pid, its start time and the boot id.
	PID      int
	PIDStart uint64
	BootID   string

	// Key and Value: on answered, the answer's id and value; on resolved,
	// Value is ResolvedDone or ResolvedNotDone. The caller guarantees that
	// no secret ever reaches them: the journal is not encrypted and never
	// forgets.
	Key, Value string

	Reason string // the operator's typed reason, or why a step was resolved
	Detail string // free text or JSON: exit code, error, log offset, ...
}

func (k EventKind) valid() bool {
	switch k {
	case EventPlanned, EventStarted, EventRunning, EventOutput, EventSucceeded, EventFailed,
		EventSkipped, EventConfirmed, EventAnswered, EventResolved, EventStopped,
		EventChanged, EventRedo, EventAbandoned, EventResumed:
		return true
	}
	return false
}

func (e Event) validate() error {
	if e.RunID == "" {
		return errors.New("empty run id")
	}
	if !e.Kind.valid() {
		return fmt.Errorf("unknown event kind %q", e.Kind)
	}
	switch e.Kind {
	case EventAnswered, EventChanged:
		if e.Key == "" {
			return fmt.Errorf("%s event without a key", e.Kind)
		}
	case EventOutput, EventStopped, EventResumed:
	case EventAbandoned:
		if strings.TrimSpace(e.Reason) == "" {
			return errors.New("abandoned event without a reason")
		}
	case EventPlanned:
		// Without a step, planned records the plan of the whole run (the
		// step ids in Detail); with one, it puts that step in the fold.
	default:
		if e.Step == "" {
			return fmt.Errorf("%s event without a step", e.Kind)
		}
	}
	if e.Kind == EventResolved && e.Value != ResolvedDone && e.Value != ResolvedNotDone {
		return fmt.Errorf("resolved event with value %q, want %q or %q", e.Value, ResolvedDone, ResolvedNotDone)
	}
	if e.Kind == EventRunning && e.PID <= 0 {
		return errors.New("running event without a pid")
	}
	return nil
}

// Append adds e to its run's journal in one IMMEDIATE transaction, only if
// token still owns the run (else ErrNotOwner, and nothing is written). It
// returns after the commit is durable (WAL with synchronous=FULL syncs the
// log at each commit), with Seq, At and Attempt filled in.
//
// Two rules keep the journal meaningful: running needs an attempt in
// progress for its step and target (else ErrNoOpenAttempt), and succeeded,
// failed and confirmed are refused for a step that is already succeeded or
// confirmed with no started since (ErrAlreadyDone). An outcome needs no
// started before it otherwise: a manual step is confirmed in one row, and a
// step whose action could not even be built fails without having started.
func (s *Store) Append(ctx context.Context, token string, e Event) (Event, error) {
	if err := e.validate(); err != nil {
		return Event{}, fmt.Errorf("append to run %s: %w", e.RunID, err)
	}
	if e.Kind == EventAbandoned {
		return Event{}, fmt.Errorf("append to run %s: an abandoned event goes with the run's status: use Abandon", e.RunID)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return Event{}, s.writeError(fmt.Errorf("append to run %s: %w", e.RunID, err))
	}
	defer tx.Rollback()
	if _, err := checkOwner(ctx, tx, e.RunID, token); err != nil {
		return Event{}, err
	}
	if e.Kind == EventStarted || e.Kind == EventRunning || e.Kind == EventSucceeded ||
		e.Kind == EventFailed || e.Kind == EventConfirmed {
		if err := checkAttempt(ctx, tx, &e); err != nil {
			return Event{}, err
		}
	}
	if err := s.insertEvent(ctx, tx, &e); err != nil {
		return Event{}, err
	}
	if err := tx.Commit(); err != nil {
		return Event{}, s.writeError(fmt.Errorf("append to run %s: %w", e.RunID, err))
	}
	return e, nil
}

// insertEvent writes e inside tx, filling At and Seq.
func (s *Store) insertEvent(ctx context.Context, tx *sql.Tx, e *Event) error {
	e.At = time.Now().UTC()
	res, err := tx.ExecContext(ctx, `
INSERT INTO journal (run_id, at, step, target, kind, attempt, pid, pid_start, boot_id, key, value, reason, detail)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.RunID, fmtTime(e.At), e.Step, e.Target, string(e.Kind), e.Attempt, e.PID, int64(e.PIDStart),
		e.BootID, e.Key, e.Value, e.Reason, e.Detail)
	if err != nil {
		return s.writeError(fmt.Errorf("append to run %s: %w", e.RunID, err))
	}
	if e.Seq, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("append to run %s: %w", e.RunID, err)
	}
	return nil
}

// checkAttempt applies Append's rules and numbers the attempt. The step's
// last started or outcome row tells where it stands: a started with nothing
// after it is the attempt in flight.
func checkAttempt(ctx context.Context, tx *sql.Tx, e *Event) error {
	var (
		kind, value string
		attempt     int
	)
	err := tx.QueryRowContext(ctx, `
SELECT kind, value, attempt FROM journal
WHERE run_id = ? AND step = ? AND target = ?
	AND kind IN ('started', 'succeeded', 'failed', 'skipped', 'confirmed', 'resolved', 'redo')
ORDER BY seq DESC LIMIT 1`, e.RunID, e.Step, e.Target).Scan(&kind, &value, &attempt)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("append to run %s: %w", e.RunID, err)
	}
	last := EventKind(kind)
	open := err == nil && last == EventStarted
	done := err == nil && (last == EventSucceeded || last == EventConfirmed ||
		last == EventResolved && value == ResolvedDone)
	switch e.Kind {
	case EventStarted:
		if e.Attempt == 0 {
			var n int
			if err := tx.QueryRowContext(ctx, `
SELECT count(*) FROM journal WHERE run_id = ? AND step = ? AND target = ? AND kind = 'started'`,
				e.RunID, e.Step, e.Target).Scan(&n); err != nil {
				return fmt.Errorf("append to run %s: %w", e.RunID, err)
			}
			e.Attempt = n + 1
		}
		return nil
	case EventRunning:
		if !open {
			return fmt.Errorf("run %s: %s %s: %w", e.RunID, e.Kind, stepLabel(e.Step, e.Target), ErrNoOpenAttempt)
		}
	default: // succeeded, failed, confirmed
		if done {
			return fmt.Errorf("run %s: %s %s: %w", e.RunID, e.Kind, stepLabel(e.Step, e.Target), ErrAlreadyDone)
		}
	}
	if open && e.Attempt == 0 {
		e.Attempt = attempt
	}
	return nil
}

// Journal returns the run's events in the order they were committed. A run
// that does not exist is ErrNotFound; a run with no events yet is an empty
// journal.
func (s *Store) Journal(ctx context.Context, runID string) ([]Event, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM runs WHERE id = ?`, runID).Scan(&n); err != nil {
		return nil, fmt.Errorf("journal of run %s: %w", runID, err)
	}
	if n == 0 {
		return nil, fmt.Errorf("run %s: %w", runID, ErrNotFound)
	}
	rows, err := s.db.QueryContext(ctx, `
SELECT seq, run_id, at, step, target, kind, attempt, pid, pid_start, boot_id, key, value, reason, detail
FROM journal WHERE run_id = ? ORDER BY seq`, runID)
	if err != nil {
		return nil, fmt.Errorf("journal of run %s: %w", runID, err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var (
			e        Event
			at, kind string
			pidStart int64
		)
		if err := rows.Scan(&e.Seq, &e.RunID, &at, &e.Step, &e.Target, &kind, &e.Attempt, &e.PID, &pidStart,
			&e.BootID, &e.Key, &e.Value, &e.Reason, &e.Detail); err != nil {
			return nil, fmt.Errorf("journal of run %s: %w", runID, err)
		}
		e.Kind, e.PIDStart = EventKind(kind), uint64(pidStart)
		if e.At, err = parseTime(at); err != nil {
			return nil, fmt.Errorf("journal of run %s, event %d: %w", runID, e.Seq, err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("journal of run %s: %w", runID, err)
	}
	return out, nil
}

func stepLabel(step, target string) string {
	if target == "" {
		return "step " + step
	}
	return "step " + step + " for " + target
}
