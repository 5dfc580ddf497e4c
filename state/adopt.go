package state

import (
	"context"
	"encoding/json"
	"fmt"
)

// AdoptDefinition makes a run go on with a newer definition of its
// procedure: the recorded copy, its hash and its step hashes are replaced in
// one transaction, by the run's owner only. The caller has checked that no
// finished or in-doubt step changed (DESIGN.md: such a change blocks).
func (s *Store) AdoptDefinition(ctx context.Context, id, token, hash string, stepHashes map[string]string, text []byte) error {
	hj, err := json.Marshal(stepHashes)
	if err != nil {
		return fmt.Errorf("run %s: adopt definition: %w", id, err)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("run %s: adopt definition: %w", id, err)
	}
	defer tx.Rollback()
	if _, err := checkOwner(ctx, tx, id, token); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE runs SET def_hash = ?, step_hashes = ?, def_text = ? WHERE id = ?`, hash, string(hj), text, id); err != nil {
		return fmt.Errorf("run %s: adopt definition: %w", id, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("run %s: adopt definition: %w", id, err)
	}
	return nil
}
