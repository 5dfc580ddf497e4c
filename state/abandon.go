package state

import (
	"context"
	"fmt"
	"time"
)

// Abandon ends a run for good: it journals e (an EventAbandoned with the
// operator's reason) and sets the run's status to abandoned in one
// transaction, so the reason and the status never part. token must own the
// run, and the run must not be finished already (ErrRunFinished).
func (s *Store) Abandon(ctx context.Context, token string, e Event) (Event, error) {
	e.Kind = EventAbandoned
	if err := e.validate(); err != nil {
		return Event{}, fmt.Errorf("abandon run %s: %w", e.RunID, err)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return Event{}, s.writeError(fmt.Errorf("abandon run %s: %w", e.RunID, err))
	}
	defer tx.Rollback()
	if _, err := checkOwner(ctx, tx, e.RunID, token); err != nil {
		return Event{}, err
	}
	if err := s.insertEvent(ctx, tx, &e); err != nil {
		return Event{}, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE runs SET status = ?, ended_at = ? WHERE id = ?`,
		string(RunAbandoned), fmtTime(time.Now()), e.RunID); err != nil {
		return Event{}, s.writeError(fmt.Errorf("abandon run %s: %w", e.RunID, err))
	}
	if err := tx.Commit(); err != nil {
		return Event{}, s.writeError(fmt.Errorf("abandon run %s: %w", e.RunID, err))
	}
	return e, nil
}
