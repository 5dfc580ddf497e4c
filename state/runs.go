package state

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/user"
	"time"
)

// Mode says what a run does to the machine.
type Mode string

const (
	ModeLive   Mode = "live"    // runs on the real server
	ModeLab    Mode = "lab"     // rebased into a simulated server (actions/lab)
	ModeDryRun Mode = "dry-run" // executes nothing
	// ModeGuide executes nothing either: the run walks the procedure for
	// another server (Run.Host), whose operator does each step there and
	// confirms it here.
	ModeGuide Mode = "guide"
)

// RunStatus is the status of a run as a whole. Completed, failed and
// abandoned are final: such a run's journal is closed and its status cannot
// change again.
type RunStatus string

const (
	RunActive    RunStatus = "active"
	RunCompleted RunStatus = "completed"
	RunFailed    RunStatus = "failed"
	RunStopped   RunStatus = "stopped" // stopped by the operator; resumable
	// RunAbandoned: ended for good by the operator (Abandon), with a reason;
	// it no longer stands in the way of a new run of its procedure.
	RunAbandoned RunStatus = "abandoned"
)

// Run is one execution of one procedure.
type Run struct {
	ID          string
	ProcedureID string
	DefHash     string            // the definition's canonical hash
	StepHashes  map[string]string // step id -> hash, to detect edited steps on resume
	DefText     []byte            // the definition as it was when the run started
	Mode        Mode
	LabDir      string
	Host        string
	User        string
	BootID      string
	Version     string // the zenrecover binary's version
	StartedAt   time.Time
	EndedAt     time.Time // zero while the run is unfinished
	Status      RunStatus
	OwnerToken  string // proof of ownership for writes; rotated by TakeOver
}

// timeLayout is fixed width (nanoseconds always written), unlike
// RFC3339Nano, so stored times sort correctly as text.
const timeLayout = "2006-01-02T15:04:05.000000000Z07:00"

func fmtTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) (time.Time, error) { return time.Parse(time.RFC3339Nano, s) }

func (m Mode) valid() bool { return m == ModeLive || m == ModeLab || m == ModeDryRun || m == ModeGuide }

func (st RunStatus) valid() bool {
	return st == RunActive || st == RunCompleted || st == RunFailed || st == RunStopped || st == RunAbandoned
}

// Final reports whether a run with this status can change no more.
func (st RunStatus) Final() bool { return st.final() }

func (st RunStatus) final() bool { return st == RunCompleted || st == RunFailed || st == RunAbandoned }

func newToken() string { return rand.Text() }

// newRunID is the UTC time to the second, so ids sort and say when, plus
// four random hex digits, so two runs started in the same second differ.
func newRunID(now time.Time) string {
	var b [2]byte
	rand.Read(b[:])
	return now.UTC().Format("20060102-150405") + "-" + hex.EncodeToString(b[:])
}

// CreateRun records a new active run. It assigns ID, OwnerToken, StartedAt
// and Status (whatever r holds there is ignored) and fills Host, User and
// BootID from this machine when they are empty.
func (s *Store) CreateRun(ctx context.Context, r Run) (Run, error) {
	if r.ProcedureID == "" {
		return Run{}, errors.New("create run: empty procedure id")
	}
	if !r.Mode.valid() {
		return Run{}, fmt.Errorf("create run of %s: unknown mode %q (want live, lab, dry-run or guide)", r.ProcedureID, r.Mode)
	}
	if r.Host == "" {
		r.Host, _ = os.Hostname()
	}
	if r.User == "" {
		if u, err := user.Current(); err == nil {
			r.User = u.Username
		}
	}
	if r.BootID == "" {
		r.BootID = BootID()
	}
	hashes := r.StepHashes
	if hashes == nil {
		hashes = map[string]string{}
	}
	hj, err := json.Marshal(hashes)
	if err != nil {
		return Run{}, fmt.Errorf("create run of %s: %w", r.ProcedureID, err)
	}
	def := r.DefText
	if def == nil {
		def = []byte{}
	}
	r.StartedAt = time.Now().UTC()
	r.EndedAt = time.Time{}
	r.Status = RunActive
	r.OwnerToken = newToken()

	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return Run{}, fmt.Errorf("create run of %s: %w", r.ProcedureID, err)
	}
	defer tx.Rollback()
	// The random suffix makes a clash unlikely, not impossible; inside the
	// IMMEDIATE transaction nobody else can take the id between the check
	// and the insert.
	for i := 0; ; i++ {
		r.ID = newRunID(r.StartedAt)
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM runs WHERE id = ?`, r.ID).Scan(&n); err != nil {
			return Run{}, fmt.Errorf("create run of %s: %w", r.ProcedureID, err)
		}
		if n == 0 {
			break
		}
		if i == 100 {
			return Run{}, fmt.Errorf("create run of %s: no free run id", r.ProcedureID)
		}
	}
	_, err = tx.ExecContext(ctx, `
INSERT INTO runs (id, procedure_id, def_hash, step_hashes, def_text, mode, lab_dir,
	host, user, boot_id, version, started_at, ended_at, status, owner_token)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)`,
		r.ID, r.ProcedureID, r.DefHash, string(hj), def, string(r.Mode), r.LabDir,
		r.Host, r.User, r.BootID, r.Version, fmtTime(r.StartedAt), string(r.Status), r.OwnerToken)
	if err != nil {
		return Run{}, s.writeError(fmt.Errorf("create run of %s: %w", r.ProcedureID, err))
	}
	if err := tx.Commit(); err != nil {
		return Run{}, s.writeError(fmt.Errorf("create run of %s: %w", r.ProcedureID, err))
	}
	if r.StepHashes == nil {
		r.StepHashes = hashes
	}
	return r, nil
}

const runColumns = `id, procedure_id, def_hash, step_hashes, def_text, mode, lab_dir,
	host, user, boot_id, version, started_at, ended_at, status, owner_token`

type scanner interface{ Scan(...any) error }

func scanRun(sc scanner) (Run, error) {
	var (
		r                  Run
		hashes, mode, stat string
		started            string
		ended              sql.NullString
	)
	if err := sc.Scan(&r.ID, &r.ProcedureID, &r.DefHash, &hashes, &r.DefText, &mode, &r.LabDir,
		&r.Host, &r.User, &r.BootID, &r.Version, &started, &ended, &stat, &r.OwnerToken); err != nil {
		return Run{}, err
	}
	r.Mode, r.Status = Mode(mode), RunStatus(stat)
	if err := json.Unmarshal([]byte(hashes), &r.StepHashes); err != nil {
		return Run{}, fmt.Errorf("run %s: step hashes: %w", r.ID, err)
	}
	var err error
	if r.StartedAt, err = parseTime(started); err != nil {
		return Run{}, fmt.Errorf("run %s: start time: %w", r.ID, err)
	}
	if ended.Valid {
		if r.EndedAt, err = parseTime(ended.String); err != nil {
			return Run{}, fmt.Errorf("run %s: end time: %w", r.ID, err)
		}
	}
	return r, nil
}

// Run returns one run; a missing one is ErrNotFound wrapped with the id.
func (s *Store) Run(ctx context.Context, id string) (Run, error) {
	r, err := scanRun(s.db.QueryRowContext(ctx, `SELECT `+runColumns+` FROM runs WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Run{}, fmt.Errorf("run %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return Run{}, fmt.Errorf("run %s: %w", id, err)
	}
	return r, nil
}

// Runs returns every run, newest first.
func (s *Store) Runs(ctx context.Context) ([]Run, error) {
	return s.queryRuns(ctx, `SELECT `+runColumns+` FROM runs ORDER BY started_at DESC, id DESC`)
}

// Unfinished returns the runs that can be resumed (active or stopped),
// newest first. An active run here is either running in another process or
// was interrupted; the run lock tells which.
func (s *Store) Unfinished(ctx context.Context) ([]Run, error) {
	return s.queryRuns(ctx, `SELECT `+runColumns+` FROM runs
WHERE status IN ('active', 'stopped') ORDER BY started_at DESC, id DESC`)
}

func (s *Store) queryRuns(ctx context.Context, q string) ([]Run, error) {
	rows, err := s.db.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	defer rows.Close()
	var out []Run
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, fmt.Errorf("list runs: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	return out, nil
}

// SetStatus changes a run's status if token still owns it. Completed and
// failed set EndedAt; active and stopped clear it. A completed, failed or
// abandoned run cannot change status again (ErrRunFinished). Abandoning goes
// through Abandon, which journals the reason in the same transaction.
func (s *Store) SetStatus(ctx context.Context, id, token string, st RunStatus) error {
	if !st.valid() {
		return fmt.Errorf("run %s: unknown status %q", id, st)
	}
	if st == RunAbandoned {
		return fmt.Errorf("run %s: abandoning needs a journaled reason: use Abandon", id)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("run %s: set status: %w", id, err)
	}
	defer tx.Rollback()
	if _, err := checkOwner(ctx, tx, id, token); err != nil {
		return err
	}
	var ended any
	if st.final() {
		ended = fmtTime(time.Now())
	}
	if _, err := tx.ExecContext(ctx, `UPDATE runs SET status = ?, ended_at = ? WHERE id = ?`, string(st), ended, id); err != nil {
		return s.writeError(fmt.Errorf("run %s: set status: %w", id, err))
	}
	if err := tx.Commit(); err != nil {
		return s.writeError(fmt.Errorf("run %s: set status: %w", id, err))
	}
	return nil
}

// TakeOver gives the run a new owner token and returns it. From then on
// writes carrying the previous token fail with ErrNotOwner, so a zenrecover
// that is still alive after a --force-unlock cannot interleave its journal
// entries with the new owner's.
func (s *Store) TakeOver(ctx context.Context, id string) (string, error) {
	tok := newToken()
	res, err := s.db.ExecContext(ctx, `UPDATE runs SET owner_token = ? WHERE id = ?`, tok, id)
	if err != nil {
		return "", fmt.Errorf("run %s: take over: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return "", fmt.Errorf("run %s: take over: %w", id, err)
	} else if n == 0 {
		return "", fmt.Errorf("run %s: %w", id, ErrNotFound)
	}
	return tok, nil
}

// checkOwner must run inside the write transaction that then writes, so
// that a TakeOver cannot slip between the check and the write.
func checkOwner(ctx context.Context, tx *sql.Tx, id, token string) (RunStatus, error) {
	var owner, st string
	err := tx.QueryRowContext(ctx, `SELECT owner_token, status FROM runs WHERE id = ?`, id).Scan(&owner, &st)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("run %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("run %s: %w", id, err)
	}
	if token == "" || owner != token {
		return "", fmt.Errorf("run %s: %w", id, ErrNotOwner)
	}
	if RunStatus(st).final() {
		return "", fmt.Errorf("run %s (%s): %w", id, st, ErrRunFinished)
	}
	return RunStatus(st), nil
}
