package state

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestAbandonIsFinalAndJournaled(t *testing.T) {
	s := mustOpen(t, newStorePath(t))
	ctx := context.Background()
	r := mustCreateRun(t, s, Run{})
	if _, err := s.Append(ctx, r.OwnerToken, Event{RunID: r.ID, Kind: EventAbandoned, Reason: "x"}); err == nil {
		t.Fatal("Append wrote an abandoned event without the status")
	}
	if _, err := s.Abandon(ctx, r.OwnerToken, Event{RunID: r.ID}); err == nil {
		t.Fatal("abandoned without a reason")
	}
	if _, err := s.Abandon(ctx, "not-the-token", Event{RunID: r.ID, Reason: "wrong server"}); !errors.Is(err, ErrNotOwner) {
		t.Fatalf("abandon without owning the run: %v", err)
	}
	if _, err := s.Abandon(ctx, r.OwnerToken, Event{RunID: r.ID, Reason: "wrong server", Detail: `{"user":"ops"}`}); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Run(ctx, r.ID)
	if got.Status != RunAbandoned || got.EndedAt.IsZero() || !got.Status.Final() {
		t.Errorf("after Abandon: %s, ended %v", got.Status, got.EndedAt)
	}
	if un, _ := s.Unfinished(ctx); len(un) != 0 {
		t.Errorf("an abandoned run is listed as unfinished: %+v", un)
	}
	evs, _ := s.Journal(ctx, r.ID)
	if len(evs) != 1 || evs[0].Kind != EventAbandoned || evs[0].Reason != "wrong server" {
		t.Errorf("journal %+v", evs)
	}
	if err := s.SetStatus(ctx, r.ID, r.OwnerToken, RunActive); !errors.Is(err, ErrRunFinished) {
		t.Errorf("an abandoned run came back: %v", err)
	}
	if _, err := s.Append(ctx, r.OwnerToken, Event{RunID: r.ID, Kind: EventStopped}); !errors.Is(err, ErrRunFinished) {
		t.Errorf("the journal of an abandoned run is still open: %v", err)
	}
}

// A finished step put back by redo is pending in the fold, and may be
// confirmed (or succeed) once more: redo reopens it.
func TestRedoPutsAFinishedStepBack(t *testing.T) {
	s := mustOpen(t, newStorePath(t))
	ctx := context.Background()
	r := mustCreateRun(t, s, Run{})
	mustAppend(t, s, r.OwnerToken, Event{RunID: r.ID, Kind: EventConfirmed, Step: "m"})
	mustAppend(t, s, r.OwnerToken, Event{RunID: r.ID, Kind: EventAnswered, Key: "a", Value: "1"})
	mustAppend(t, s, r.OwnerToken, Event{RunID: r.ID, Kind: EventChanged, Key: "a", Value: "2", Reason: "typo"})
	if _, err := s.Append(ctx, r.OwnerToken, Event{RunID: r.ID, Kind: EventConfirmed, Step: "m"}); !errors.Is(err, ErrAlreadyDone) {
		t.Fatalf("second confirmation before a redo: %v", err)
	}
	mustAppend(t, s, r.OwnerToken, Event{RunID: r.ID, Kind: EventRedo, Step: "m", Reason: "answer a changed"})
	rs := foldRun(t, s, r.ID)
	if rs.Steps["m"].Status != StepPending || rs.Answers["a"] != "2" {
		t.Fatalf("after the redo: %+v, answers %v", rs.Steps["m"], rs.Answers)
	}
	mustAppend(t, s, r.OwnerToken, Event{RunID: r.ID, Kind: EventConfirmed, Step: "m"})
	if st := foldRun(t, s, r.ID).Steps["m"]; st.Status != StepConfirmed {
		t.Errorf("confirmed again: %+v", st)
	}
	if _, err := s.Append(ctx, r.OwnerToken, Event{RunID: r.ID, Kind: EventChanged, Value: "x"}); err == nil {
		t.Error("a change without a key was journaled")
	}
}

// A database of schema version 1 (whose status column knew no
// "abandoned") is migrated: its runs stay, a run can be abandoned, and the
// journal still refuses rows of runs that do not exist.
func TestVersion1DatabaseLearnsAbandoned(t *testing.T) {
	path := newStorePath(t)
	os.MkdirAll(filepath.Dir(path), 0o700)
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(migrations()[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`PRAGMA user_version = 1;
INSERT INTO runs (id, procedure_id, mode, started_at, status, owner_token)
VALUES ('20260102-030405-abcd', 'ca-backup', 'lab', '2026-01-02T03:04:05.000000000Z', 'stopped', 'tok');
INSERT INTO journal (run_id, at, kind, key, value) VALUES ('20260102-030405-abcd', '2026-01-02T03:04:06.000000000Z', 'answered', 'remove_ca_role', 'false');`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s := mustOpen(t, path)
	ctx := context.Background()
	if _, err := s.Abandon(ctx, "tok", Event{RunID: "20260102-030405-abcd", Reason: "old run"}); err != nil {
		t.Fatal(err)
	}
	if rs := foldRun(t, s, "20260102-030405-abcd"); rs.Answers["remove_ca_role"] != "false" {
		t.Errorf("answers after the migration: %v", rs.Answers)
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO journal (run_id, at, kind) VALUES ('no-such-run', 'x', 'stopped')`); err == nil {
		t.Error("foreign keys are off after the migration")
	}
}
