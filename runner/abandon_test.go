package runner_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"strings"
	"testing"

	"zenrecover/assets"
	"zenrecover/procedures"
	"zenrecover/runner"
	"zenrecover/state"
)

// An operator who abandons an interrupted run can start the procedure
// again: the run is final, its reason and user are journaled, and reports
// say so.
func TestAbandonedRunMakesWayForANewRun(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	s := f.start("1.3", procedures.Values{"remove_ca_role": "false"})
	id := s.Run().ID
	s.Close() // interrupted

	if prev, err := runner.Unfinished(ctx, f.opts(), "ca-backup"); err != nil || prev == nil || prev.ID != id {
		t.Fatalf("before abandoning, the unfinished run is %+v, %v", prev, err)
	}
	if err := runner.Abandon(ctx, f.opts(), id, "  "); err == nil || !strings.Contains(err.Error(), "reason") {
		t.Fatalf("abandon without a reason: %v", err)
	}
	// Held by another session: refused with who holds it.
	held, err := runner.Resume(ctx, f.opts(), id)
	if err != nil {
		t.Fatal(err)
	}
	err = runner.Abandon(ctx, f.opts(), id, "wrong server")
	var le *state.LockedError
	if !errors.As(err, &le) || !strings.Contains(err.Error(), "another zenrecover") {
		t.Fatalf("abandon of a run held elsewhere: %v", err)
	}
	held.Close()

	if err := runner.Abandon(ctx, f.opts(), id, "wrong server; starting over"); err != nil {
		t.Fatal(err)
	}
	run, _ := f.store.Run(ctx, id)
	if run.Status != state.RunAbandoned || run.EndedAt.IsZero() {
		t.Errorf("status %s, ended %v", run.Status, run.EndedAt)
	}
	if reason, who, err := runner.Abandonment(ctx, f.store, run); err != nil || reason != "wrong server; starting over" || who == "" {
		t.Errorf("abandonment: %q by %q, %v", reason, who, err)
	}
	if prev, err := runner.Unfinished(ctx, f.opts(), "ca-backup"); err != nil || prev != nil {
		t.Fatalf("after abandoning, unfinished: %+v, %v", prev, err)
	}
	if _, err := runner.Resume(ctx, f.opts(), id); err == nil || !strings.Contains(err.Error(), "abandoned") {
		t.Errorf("resume of an abandoned run: %v", err)
	}
	if err := runner.Abandon(ctx, f.opts(), id, "again"); !errors.Is(err, state.ErrRunFinished) {
		t.Errorf("abandoning twice: %v", err)
	}
	again := f.start("1.3", nil)
	if again.Run().ID == id {
		t.Fatal("the new run is the old one")
	}

	r, err := runner.Report(ctx, f.store, id)
	if err != nil {
		t.Fatal(err)
	}
	theme, _ := fs.Sub(assets.Checklist, "checklist")
	for _, format := range []string{"md", "html", "json"} {
		var b bytes.Buffer
		if err := procedures.WriteReport(&b, r, format, theme); err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		if !strings.Contains(b.String(), "wrong server; starting over") || !strings.Contains(b.String(), "abandoned") {
			t.Errorf("the %s report does not show the abandonment and its reason:\n%s", format, b.String())
		}
	}
}

func TestAbandonOfACompletedRunIsRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	s := f.start("1.3", nil)
	var out bytes.Buffer
	if n := drive(t, s, map[string]string{"remove_ca_role": "no", "admin_password": adminPW, "ca_passphrase": passphrase}, &out); !isDone(n) {
		t.Fatalf("run ended on %T %+v\n%s", n, n, out.String())
	}
	s.Close()
	err := runner.Abandon(ctx, f.opts(), s.Run().ID, "tidy up")
	if !errors.Is(err, state.ErrRunFinished) || !strings.Contains(err.Error(), "completed") {
		t.Fatalf("abandon of a completed run: %v", err)
	}
	run, _ := f.store.Run(ctx, s.Run().ID)
	if run.Status != state.RunCompleted {
		t.Errorf("status changed to %s", run.Status)
	}
}

// Abandoning from the session that holds the run releases the lock there
// and then; a secret typed in the reason is masked.
func TestSessionAbandonReleasesTheLock(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	s := f.start("1.3", procedures.Values{"remove_ca_role": "false"})
	if err := s.Answer(ctx, "admin_password", "Secret-In-Reason-42"); err != nil {
		t.Fatal(err)
	}
	if err := s.Abandon(ctx, ""); err == nil {
		t.Fatal("abandon without a reason went through")
	}
	// The failed call closed the session; the run is still unfinished.
	s2, err := runner.Resume(ctx, f.opts(), s.Run().ID)
	if err != nil {
		t.Fatal(err)
	}
	s2.Answer(ctx, "admin_password", "Secret-In-Reason-42")
	if err := s2.Abandon(ctx, "typed Secret-In-Reason-42 by mistake"); err != nil {
		t.Fatal(err)
	}
	if s2.Run().Status != runner.RunAbandoned {
		t.Errorf("session's run status %s", s2.Run().Status)
	}
	f.start("1.3", nil) // the lock is free
	evs, _ := f.store.Journal(ctx, s.Run().ID)
	b, _ := json.Marshal(evs)
	if strings.Contains(string(b), "Secret-In-Reason-42") {
		t.Error("the secret in the reason reached the journal")
	}
	secretsNowhere(t, f.store.Dir(), "Secret-In-Reason-42")
}
