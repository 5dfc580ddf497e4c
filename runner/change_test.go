package runner_test

import (
	"bytes"
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	"zenrecover/procedures"
	"zenrecover/runner"
	"zenrecover/state"
)

// exported13 answers 1.3's questions and runs its export, stopping short
// of the Next that would complete the run.
func exported13(t *testing.T, f *fixture) *runner.Session {
	t.Helper()
	ctx := context.Background()
	s := f.start("1.3", procedures.Values{"remove_ca_role": "false"})
	for _, kv := range [][2]string{{"admin_user", "Administrator"}, {"ca_backup_file", "/root/zcm_backups/ca.bak"},
		{"admin_password", adminPW}, {"ca_passphrase", passphrase}} {
		if err := s.Answer(ctx, kv[0], kv[1]); err != nil {
			t.Fatal(err)
		}
	}
	need, err := s.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n, ok := need.(*runner.NeedStep)
	if !ok || n.Key != "export-ca" {
		t.Fatalf("need %T %+v", need, need)
	}
	var out bytes.Buffer
	if o, err := s.ExecuteWith(ctx, n.Key, n.ConfirmWord, runner.ExecIO{Out: &out}); err != nil || !o.OK {
		t.Fatalf("export: %v %+v\n%s", err, o, out.String())
	}
	return s
}

func TestAnswersSayWhichFinishedStepsUsedThem(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	s := exported13(t, f)
	got := map[string]runner.AnswerInfo{}
	var order []string
	for _, a := range s.Answers() {
		got[a.ID] = a
		order = append(order, a.ID)
	}
	// The platform zenrecover detected is among them, as a fact.
	if want := []string{"platform", "remove_ca_role", "admin_user", "ca_backup_file"}; !slices.Equal(order, want) {
		t.Errorf("answers %v, want %v (facts, then inputs, no secrets)", order, want)
	}
	if a := got["platform"]; !a.Fact || a.Value != "linux" {
		t.Errorf("the platform: %+v", a)
	}
	if a := got["remove_ca_role"]; !a.Fact || !slices.Equal(a.UsedBy, []string{"export-ca"}) {
		t.Errorf("the fact the export's condition reads: %+v", a)
	}
	if a := got["ca_backup_file"]; a.Fact || a.Value != "/root/zcm_backups/ca.bak" || !slices.Equal(a.UsedBy, []string{"export-ca"}) {
		t.Errorf("the backup file: %+v", a)
	}
}

func TestChangedAnswerIsJournaledAndAffectedStepRunsAgain(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	s := exported13(t, f)

	if _, err := s.ChangeAnswer(ctx, "admin_password", "other", "typo"); err == nil || !strings.Contains(err.Error(), "secrets are never stored") {
		t.Errorf("changing a secret: %v", err)
	}
	if _, err := s.ChangeAnswer(ctx, "no_such", "x", ""); err == nil || !strings.Contains(err.Error(), "no_such") {
		t.Errorf("an unknown id: %v", err)
	}

	affected, err := s.ChangeAnswer(ctx, "ca_backup_file", "/root/zcm_backups/ca-2.bak", "")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(affected, []string{"export-ca"}) {
		t.Errorf("affected %v", affected)
	}
	if s.Values()["ca_backup_file"] != "/root/zcm_backups/ca-2.bak" {
		t.Errorf("values %v", s.Values())
	}
	evs, _ := f.store.Journal(ctx, s.Run().ID)
	var ch *state.Event
	for i := range evs {
		if evs[i].Kind == state.EventChanged {
			ch = &evs[i]
		}
	}
	if ch == nil || ch.Key != "ca_backup_file" || ch.Value != "/root/zcm_backups/ca-2.bak" ||
		ch.Reason != runner.DefaultChangeReason || !strings.Contains(ch.Detail, "/root/zcm_backups/ca.bak") || !strings.Contains(ch.Detail, `"user"`) {
		t.Fatalf("the change journaled as %+v", ch)
	}

	if err := s.Redo(ctx, []string{"export-ca"}, ""); err != nil {
		t.Fatal(err)
	}
	if err := s.Redo(ctx, []string{"export-ca"}, ""); err == nil {
		t.Error("a pending step was put back again")
	}
	var out bytes.Buffer
	if n := drive(t, s, nil, &out); !isDone(n) {
		t.Fatalf("after the redo: %T %+v\n%s", n, n, out.String())
	}
	if _, err := os.Stat(f.lab.Rebase("/root/zcm_backups/ca-2.bak")); err != nil {
		t.Errorf("the step did not run again with the new value: %v", err)
	}
	if ss := s.State().Steps["export-ca"]; ss.Attempts != 2 || ss.Status != state.StepSucceeded {
		t.Errorf("export-ca: %+v", ss)
	}
	r, err := runner.Report(ctx, f.store, s.Run().ID)
	if err != nil {
		t.Fatal(err)
	}
	var words []string
	for _, e := range r.Stops {
		words = append(words, e.Words())
	}
	if j := strings.Join(words, "\n"); !strings.Contains(j, "ca-2.bak") || !strings.Contains(j, runner.DefaultChangeReason) {
		t.Errorf("the report does not tell the change: %s", j)
	}
}

// A wrong fact changes the plan: after the correction the run follows the
// branch the new answer selects.
func TestChangedFactChangesThePlan(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	s := exported13(t, f)
	// Checked as Answer checks it, with the same words.
	_, answerErr := s.ChangeAnswer(ctx, "remove_ca_role", "perhaps", "")
	f2 := newFixture(t)
	fresh := f2.start("1.3", nil)
	if err := fresh.Answer(ctx, "remove_ca_role", "perhaps"); err == nil || answerErr == nil || err.Error() != answerErr.Error() {
		t.Errorf("ChangeAnswer said %v, Answer says %v", answerErr, err)
	}
	affected, err := s.ChangeAnswer(ctx, "remove_ca_role", "yes", "this server is being replaced")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(affected, []string{"export-ca"}) {
		t.Errorf("affected %v", affected)
	}
	need, err := s.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n, ok := need.(*runner.NeedStep); !ok || n.Key != "export-ca-remove-role" || !n.Destructive {
		t.Fatalf("after the change: %T %+v", need, need)
	}
}
