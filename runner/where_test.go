package runner_test

import (
	"context"
	"strings"
	"testing"

	"zenrecover/procedures"
	"zenrecover/runner"
)

func TestWhereStoppedSaysTheFirstUnfinishedStep(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	def := f.lib.Get("1.3")
	ev := func(kind runner.EventKind, step, key, value string) runner.Event {
		return runner.Event{Seq: 0, Kind: kind, Step: step, Key: key, Value: value}
	}
	where, done, total := runner.WhereStopped(def, runner.Fold(nil))
	if !strings.Contains(where, "questions are still open") || done != 0 || total != 0 {
		t.Errorf("before the facts: %q %d/%d", where, done, total)
	}
	answered := []runner.Event{ev(runner.EventAnswered, "", "platform", "linux"), ev(runner.EventAnswered, "", "remove_ca_role", "false")}
	where, done, total = runner.WhereStopped(def, runner.Fold(answered))
	if !strings.Contains(where, "Export the certificate authority with zman") || !strings.Contains(where, "not started") || done != 0 || total != 1 {
		t.Errorf("pending: %q %d/%d", where, done, total)
	}
	where, _, _ = runner.WhereStopped(def, runner.Fold(append(answered, ev(runner.EventStarted, "export-ca", "", ""))))
	if !strings.Contains(where, "did not finish") {
		t.Errorf("in doubt: %q", where)
	}
	where, _, _ = runner.WhereStopped(def, runner.Fold(append(answered, ev(runner.EventFailed, "export-ca", "", ""))))
	if !strings.Contains(where, "(it failed)") {
		t.Errorf("failed: %q", where)
	}
	where, done, total = runner.WhereStopped(def, runner.Fold(append(answered, ev(runner.EventSucceeded, "export-ca", "", ""))))
	if where != "Every step is finished." || done != 1 || total != 1 {
		t.Errorf("finished: %q %d/%d", where, done, total)
	}
}

func TestResumeInfoReadsTheStore(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	s := f.start("1.3", procedures.Values{"remove_ca_role": "false"})
	s.Close()
	where, done, total, err := runner.ResumeInfo(context.Background(), f.store, s.Run())
	if err != nil || !strings.Contains(where, "Step 1, 2, 3") || done != 0 || total != 1 {
		t.Errorf("%q %d/%d %v", where, done, total, err)
	}
}

// One recovery at a time, per place: a rehearsal, a dry run and a live run
// do not stand in each other's way; the newest run of a procedure is the
// one shown.
func TestUnfinishedHereMatchesThePlace(t *testing.T) {
	t.Parallel()
	runs := []runner.Run{
		{ID: "3", ProcedureID: "ca-backup", Mode: runner.ModeLab, LabDir: "/labs/a"},
		{ID: "2", ProcedureID: "ca-backup", Mode: runner.ModeLab, LabDir: "/labs/a"},
		{ID: "1", ProcedureID: "server-backup", Mode: runner.ModeLive},
		{ID: "0", ProcedureID: "server-backup", Mode: runner.ModeDryRun},
	}
	if got := runner.UnfinishedHere(runs, "/labs/a", false); len(got) != 1 || got["ca-backup"].ID != "3" {
		t.Errorf("in lab a: %+v", got)
	}
	if got := runner.UnfinishedHere(runs, "/labs/b", false); len(got) != 0 {
		t.Errorf("in lab b: %+v", got)
	}
	if got := runner.UnfinishedHere(runs, "", false); len(got) != 1 || got["server-backup"].ID != "1" {
		t.Errorf("live: %+v", got)
	}
	if got := runner.UnfinishedHere(runs, "", true); len(got) != 1 || got["server-backup"].ID != "0" {
		t.Errorf("dry run: %+v", got)
	}
}

// A fact an answer ruled out is never asked: a run that answered the rest
// and stopped at a step says that step, not "questions are still open"
// (2.1 with only_primary yes never asks for the other servers' system).
func TestWhereStoppedIgnoresAFactNoLongerNeeded(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	def := f.lib.Get("3.1")
	var evs []runner.Event
	for k, v := range map[string]string{"cn_has_address": "false", "platform": "linux", "only_primary": "true", "db_here": "false",
		"has_satellites": "false", "reporting_here": "false", "multizone_publisher": "false", "internal_ca_here": "true", "embedded_db_here": "true"} {
		evs = append(evs, runner.Event{Kind: runner.EventAnswered, Key: k, Value: v})
	}
	if def.FactByID("other_primaries_platform") == nil {
		t.Fatal("3.1 has no fact other_primaries_platform")
	}
	where, _, total := runner.WhereStopped(def, runner.Fold(evs))
	if strings.Contains(where, "questions are still open") || total == 0 {
		t.Errorf("with only the ruled-out fact unanswered: %q (%d steps)", where, total)
	}
}

// A fan-out step is where a run stopped by its first target not finished:
// failed there, it says so and names the target; every target done, it is
// finished.
func TestWhereStoppedNamesTheTargetOfAFanOut(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	def := f.lib.Get("3.1")
	var evs []runner.Event
	vals := procedures.Values{"cn_has_address": "false", "platform": "linux", "only_primary": "false", "db_here": "false",
		"has_satellites": "false", "reporting_here": "false", "multizone_publisher": "false", "internal_ca_here": "true",
		"embedded_db_here": "true", "other_primaries_platform": "linux", "other_primaries": "zen-primary-2, zen-primary-3"}
	for k, v := range vals {
		evs = append(evs, runner.Event{Kind: runner.EventAnswered, Key: k, Value: v})
	}
	for _, p := range def.Plan(vals) {
		if p.Step.ID == "backup/others" {
			break
		}
		if p.Applies != procedures.No && p.Step.Actionable() {
			evs = append(evs, runner.Event{Kind: runner.EventSucceeded, Step: p.Step.ID})
		}
	}
	evs = append(evs, runner.Event{Kind: runner.EventSucceeded, Step: "backup/others", Target: "zen-primary-2"},
		runner.Event{Kind: runner.EventFailed, Step: "backup/others", Target: "zen-primary-3"})
	where, _, _ := runner.WhereStopped(def, runner.Fold(evs))
	if !strings.Contains(where, "on zen-primary-3 (it failed)") {
		t.Errorf("a fan-out failed on its second target: %q", where)
	}
}
