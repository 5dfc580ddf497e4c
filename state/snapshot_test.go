package state

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

func TestSnapshotIsAConsistentPrivateCopyAndOnlyTheNewestAreKept(t *testing.T) {
	ctx := context.Background()
	st, err := Open(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	run, err := st.CreateRun(ctx, Run{ProcedureID: "server-backup", Mode: ModeLab, DefText: []byte("x")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Append(ctx, run.OwnerToken, Event{RunID: run.ID, Kind: EventAnswered, Key: "db_on_server", Value: "true"}); err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, name := range []string{"a1", "a2", "a3", "a4", "a5", "a6", "a7"} {
		p, err := st.Snapshot(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	for i, p := range paths {
		_, err := os.Stat(p)
		if kept := i >= len(paths)-KeepSnapshots; kept != (err == nil) {
			t.Errorf("%s: kept=%v, exists err=%v", filepath.Base(p), kept, err)
		}
	}
	last := paths[len(paths)-1]
	if fi, _ := os.Stat(last); fi.Mode().Perm() != 0o600 {
		t.Errorf("snapshot mode %v", fi.Mode().Perm())
	}
	// The copy is a whole database with the journal in it.
	cp, err := Open(last)
	if err != nil {
		t.Fatalf("the snapshot does not open: %v", err)
	}
	defer cp.Close()
	if err := cp.Check(ctx); err != nil {
		t.Fatal(err)
	}
	evs, err := cp.Journal(ctx, run.ID)
	if err != nil || len(evs) != 1 || evs[0].Value != "true" {
		t.Fatalf("journal in the copy: %v %v", evs, err)
	}
}
