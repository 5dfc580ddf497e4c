package state

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"sync"
	"testing"
)

func foldRun(t *testing.T, s *Store, runID string) RunState {
	t.Helper()
	evs, err := s.Journal(context.Background(), runID)
	if err != nil {
		t.Fatalf("Journal: %v", err)
	}
	return Fold(evs)
}

func TestCreateRunAndList(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, newStorePath(t))
	a := mustCreateRun(t, s, Run{ProcedureID: "1.1", Mode: ModeLive, DefHash: "h1", Version: "v1.0"})
	b := mustCreateRun(t, s, Run{ProcedureID: "2.3", Mode: ModeDryRun})
	c := mustCreateRun(t, s, Run{ProcedureID: "4", Mode: ModeLab, LabDir: "/tmp/lab"})

	idRE := regexp.MustCompile(`^\d{8}-\d{6}-[0-9a-f]{4}$`)
	for _, r := range []Run{a, b, c} {
		if !idRE.MatchString(r.ID) {
			t.Errorf("run id %q is not like 20261124-153012-4f2a", r.ID)
		}
		if r.OwnerToken == "" || r.Status != RunActive || r.StartedAt.IsZero() || !r.EndedAt.IsZero() {
			t.Errorf("new run %+v", r)
		}
		if r.Host == "" || r.User == "" {
			t.Errorf("host/user not filled in: %q %q", r.Host, r.User)
		}
	}
	if a.OwnerToken == b.OwnerToken {
		t.Error("two runs got the same owner token")
	}

	got, err := s.Run(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ProcedureID != "1.1" || got.Mode != ModeLive || got.DefHash != "h1" || got.Version != "v1.0" || !got.StartedAt.Equal(a.StartedAt) {
		t.Errorf("Run(%s) = %+v, want %+v", a.ID, got, a)
	}

	if err := s.SetStatus(ctx, b.ID, b.OwnerToken, RunCompleted); err != nil {
		t.Fatal(err)
	}
	if err := s.SetStatus(ctx, c.ID, c.OwnerToken, RunStopped); err != nil {
		t.Fatal(err)
	}
	runs, err := s.Runs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ids := runIDs(runs); ids != c.ID+" "+b.ID+" "+a.ID {
		t.Errorf("Runs = %s, want newest first", ids)
	}
	if runs[1].EndedAt.IsZero() || runs[1].Status != RunCompleted {
		t.Errorf("completed run: %+v", runs[1])
	}
	if !runs[0].EndedAt.IsZero() {
		t.Error("a stopped run has an end time")
	}
	unf, err := s.Unfinished(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ids := runIDs(unf); ids != c.ID+" "+a.ID {
		t.Errorf("Unfinished = %s, want the stopped and the active run", ids)
	}

	// A completed run stays completed.
	if err := s.SetStatus(ctx, b.ID, b.OwnerToken, RunActive); !errors.Is(err, ErrRunFinished) {
		t.Errorf("reviving a completed run: %v", err)
	}
	if _, err := s.Append(ctx, b.OwnerToken, Event{RunID: b.ID, Step: "1", Kind: EventStarted}); !errors.Is(err, ErrRunFinished) {
		t.Errorf("appending to a completed run: %v", err)
	}

	_, err = s.Run(ctx, "20990101-000000-dead")
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "20990101-000000-dead") {
		t.Errorf("missing run: %v", err)
	}
	if _, err := s.CreateRun(ctx, Run{ProcedureID: "1.1", Mode: "production"}); err == nil {
		t.Error("CreateRun accepted an unknown mode")
	}
}

func runIDs(rs []Run) string {
	var ids []string
	for _, r := range rs {
		ids = append(ids, r.ID)
	}
	return strings.Join(ids, " ")
}

func TestStartedThenSucceeded(t *testing.T) {
	s := mustOpen(t, newStorePath(t))
	r := mustCreateRun(t, s, Run{})
	mustAppend(t, s, r.OwnerToken, Event{RunID: r.ID, Step: "1", Kind: EventPlanned})
	mustAppend(t, s, r.OwnerToken, Event{RunID: r.ID, Step: "2", Kind: EventPlanned})
	started := mustAppend(t, s, r.OwnerToken, Event{RunID: r.ID, Step: "1", Kind: EventStarted})
	done := mustAppend(t, s, r.OwnerToken, Event{RunID: r.ID, Step: "1", Kind: EventSucceeded, Detail: `{"exit":0}`})
	if started.Attempt != 1 || done.Attempt != 1 || done.Seq <= started.Seq || done.At.IsZero() {
		t.Errorf("started %+v, succeeded %+v", started, done)
	}

	st := foldRun(t, s, r.ID)
	one := st.Steps["1"]
	if one == nil || one.Status != StepSucceeded || one.Attempts != 1 || one.InDoubtCount != 0 {
		t.Fatalf("step 1 = %+v", one)
	}
	if one.Started == nil || one.Started.Seq != started.Seq || one.Outcome == nil || one.Outcome.Detail != `{"exit":0}` {
		t.Errorf("step 1 events: started %+v outcome %+v", one.Started, one.Outcome)
	}
	if two := st.Steps["2"]; two == nil || two.Status != StepPending {
		t.Errorf("planned step 2 = %+v, want pending", two)
	}
}

func TestStartedWithoutOutcomeIsInDoubt(t *testing.T) {
	s := mustOpen(t, newStorePath(t))
	r := mustCreateRun(t, s, Run{})
	mustAppend(t, s, r.OwnerToken, Event{RunID: r.ID, Step: "3", Kind: EventStarted, PID: 1234, BootID: "b"})
	mustAppend(t, s, r.OwnerToken, Event{RunID: r.ID, Step: "3", Kind: EventRunning, PID: 4321, PIDStart: 99})
	mustAppend(t, s, r.OwnerToken, Event{RunID: r.ID, Kind: EventOutput, Step: "3", Detail: "offset 120"})

	st := foldRun(t, s, r.ID).Steps["3"]
	if st.Status != StepInDoubt || st.InDoubtCount != 1 || st.Outcome != nil {
		t.Errorf("step 3 = %+v, want in doubt once with no outcome", st)
	}
	if st.Running == nil || st.Running.PID != 4321 || st.Running.PIDStart != 99 || st.Started.PID != 1234 {
		t.Errorf("step 3 started %+v running %+v", st.Started, st.Running)
	}
}

func TestResolved(t *testing.T) {
	s := mustOpen(t, newStorePath(t))
	r := mustCreateRun(t, s, Run{})
	tok := r.OwnerToken
	ev := func(step string, k EventKind, value, reason string) {
		mustAppend(t, s, tok, Event{RunID: r.ID, Step: step, Kind: k, Value: value, Reason: reason})
	}
	ev("a", EventStarted, "", "")
	ev("a", EventResolved, ResolvedDone, "the backup file is there, dated 15:02")
	ev("b", EventStarted, "", "")
	ev("b", EventResolved, ResolvedNotDone, "zman was killed before it wrote anything")
	ev("b", EventStarted, "", "") // the re-run, itself lost
	ev("b", EventResolved, ResolvedNotDone, "again")
	ev("b", EventStarted, "", "")
	ev("b", EventSucceeded, "", "")

	st := foldRun(t, s, r.ID)
	a, b := st.Steps["a"], st.Steps["b"]
	if a.Status != StepSucceeded || a.InDoubtCount != 1 || a.Outcome.Kind != EventResolved || a.Outcome.Reason == "" {
		t.Errorf("resolved done: %+v", a)
	}
	if b.Status != StepSucceeded || b.Attempts != 3 || b.InDoubtCount != 2 {
		t.Errorf("resolved not-done twice then succeeded: %+v", b)
	}

	// Not-done alone leaves the step pending again.
	ev("c", EventStarted, "", "")
	ev("c", EventResolved, ResolvedNotDone, "nothing changed")
	if c := foldRun(t, s, r.ID).Steps["c"]; c.Status != StepPending || c.InDoubtCount != 1 {
		t.Errorf("resolved not-done: %+v", c)
	}

	if _, err := s.Append(context.Background(), tok, Event{RunID: r.ID, Step: "c", Kind: EventResolved, Value: "maybe"}); err == nil {
		t.Error("Append accepted a resolved event that is neither done nor not-done")
	}
}

func TestReRunOfInDoubtStepCountsTheLostAttempt(t *testing.T) {
	evs := []Event{
		{Seq: 1, Step: "5", Kind: EventStarted},
		{Seq: 2, Step: "5", Kind: EventStarted}, // re-run after a crash
		{Seq: 3, Step: "5", Kind: EventFailed},
		{Seq: 4, Step: "5", Kind: EventStarted}, // retry after a failure: not a loss
		{Seq: 5, Step: "5", Kind: EventSucceeded},
	}
	st := Fold(evs).Steps["5"]
	if st.Status != StepSucceeded || st.Attempts != 3 || st.InDoubtCount != 1 {
		t.Errorf("step 5 = %+v", st)
	}
}

func TestAnswersLastWins(t *testing.T) {
	s := mustOpen(t, newStorePath(t))
	r := mustCreateRun(t, s, Run{})
	for _, kv := range [][2]string{{"db_local", "yes"}, {"ca", "internal"}, {"db_local", "no"}} {
		mustAppend(t, s, r.OwnerToken, Event{RunID: r.ID, Kind: EventAnswered, Key: kv[0], Value: kv[1]})
	}
	got := foldRun(t, s, r.ID).Answers
	if len(got) != 2 || got["db_local"] != "no" || got["ca"] != "internal" {
		t.Errorf("answers = %v", got)
	}
}

func TestTargetsTrackedSeparately(t *testing.T) {
	s := mustOpen(t, newStorePath(t))
	r := mustCreateRun(t, s, Run{})
	tok := r.OwnerToken
	for _, e := range []Event{
		{Step: "4", Target: "zen1", Kind: EventStarted},
		{Step: "4", Target: "zen1", Kind: EventSucceeded},
		{Step: "4", Target: "zen2", Kind: EventStarted},
		{Step: "4", Target: "zen2", Kind: EventFailed},
		{Step: "4", Target: "zen3", Kind: EventStarted},
	} {
		e.RunID = r.ID
		mustAppend(t, s, tok, e)
	}
	st := foldRun(t, s, r.ID).Steps
	for key, want := range map[string]StepStatus{"4@zen1": StepSucceeded, "4@zen2": StepFailed, "4@zen3": StepInDoubt} {
		if st[key] == nil || st[key].Status != want {
			t.Errorf("%s = %+v, want %s", key, st[key], want)
		}
	}
	if st["4"] != nil {
		t.Errorf("a fan-out step also has an untargeted state: %+v", st["4"])
	}
	if st["4@zen2"].Target != "zen2" || st["4@zen2"].Step != "4" {
		t.Errorf("state does not name its step and target: %+v", st["4@zen2"])
	}
}

func TestStoppedAndResumed(t *testing.T) {
	evs := []Event{
		{Seq: 1, Step: "1", Kind: EventStarted},
		{Seq: 2, Step: "1", Kind: EventSucceeded},
		{Seq: 3, Kind: EventStopped, Reason: "waiting for the DBA"},
		{Seq: 4, Kind: EventOutput},
	}
	if !Fold(evs).Stopped {
		t.Error("a run stopped by the operator is not Stopped")
	}
	evs = append(evs, Event{Seq: 5, Step: "2", Kind: EventStarted})
	if Fold(evs).Stopped {
		t.Error("a resumed run is still Stopped")
	}
}

func TestOutcomeIsRecordedOnce(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, newStorePath(t))
	r := mustCreateRun(t, s, Run{})
	tok := r.OwnerToken
	ev := func(step string, k EventKind) Event { return Event{RunID: r.ID, Step: step, Kind: k} }

	// A manual step is confirmed in one row, and only once.
	mustAppend(t, s, tok, Event{RunID: r.ID, Step: "6", Kind: EventConfirmed, Reason: "done in ZCC"})
	if _, err := s.Append(ctx, tok, ev("6", EventConfirmed)); !errors.Is(err, ErrAlreadyDone) {
		t.Errorf("second confirmation: err = %v, want ErrAlreadyDone", err)
	}
	// A step resolved as done cannot then succeed or fail without a re-run.
	mustAppend(t, s, tok, ev("7", EventStarted))
	mustAppend(t, s, tok, Event{RunID: r.ID, Step: "7", Kind: EventResolved, Value: ResolvedDone, Reason: "verified"})
	if _, err := s.Append(ctx, tok, ev("7", EventFailed)); !errors.Is(err, ErrAlreadyDone) {
		t.Errorf("failed after resolved done: err = %v, want ErrAlreadyDone", err)
	}
	// A deliberate re-run reopens it.
	mustAppend(t, s, tok, ev("7", EventStarted))
	if e := mustAppend(t, s, tok, ev("7", EventSucceeded)); e.Attempt != 2 {
		t.Errorf("outcome of the re-run has attempt %d, want 2", e.Attempt)
	}
	// A step whose action could not be built fails without starting.
	mustAppend(t, s, tok, ev("8", EventFailed))
	// A child pid must belong to an attempt in flight.
	if _, err := s.Append(ctx, tok, Event{RunID: r.ID, Step: "8", Kind: EventRunning, PID: 42}); !errors.Is(err, ErrNoOpenAttempt) {
		t.Errorf("running outside an attempt: err = %v, want ErrNoOpenAttempt", err)
	}
	evs, _ := s.Journal(ctx, r.ID)
	if len(evs) != 6 {
		t.Errorf("journal has %d rows, want 6 (refused events must write nothing)", len(evs))
	}
	st := Fold(evs).Steps
	if st["6"].Status != StepConfirmed || st["7"].Status != StepSucceeded || st["8"].Status != StepFailed {
		t.Errorf("states: 6 %s, 7 %s, 8 %s", st["6"].Status, st["7"].Status, st["8"].Status)
	}
}

func TestRunLevelPlanned(t *testing.T) {
	s := mustOpen(t, newStorePath(t))
	r := mustCreateRun(t, s, Run{})
	mustAppend(t, s, r.OwnerToken, Event{RunID: r.ID, Kind: EventPlanned, Detail: "[1 2 3]"})
	if st := foldRun(t, s, r.ID); len(st.Steps) != 0 {
		t.Errorf("a run-level planned event made step states: %v", st.Steps)
	}
}

func TestTakeOverRejectsOldToken(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, newStorePath(t))
	r := mustCreateRun(t, s, Run{})
	mustAppend(t, s, r.OwnerToken, Event{RunID: r.ID, Step: "1", Kind: EventStarted})

	tok, err := s.TakeOver(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if tok == "" || tok == r.OwnerToken {
		t.Fatalf("TakeOver returned %q", tok)
	}
	_, err = s.Append(ctx, r.OwnerToken, Event{RunID: r.ID, Step: "1", Kind: EventSucceeded})
	if !errors.Is(err, ErrNotOwner) {
		t.Errorf("Append with the old token: err = %v, want ErrNotOwner", err)
	}
	if err := s.SetStatus(ctx, r.ID, r.OwnerToken, RunFailed); !errors.Is(err, ErrNotOwner) {
		t.Errorf("SetStatus with the old token: err = %v, want ErrNotOwner", err)
	}
	evs, _ := s.Journal(ctx, r.ID)
	if len(evs) != 1 {
		t.Errorf("journal has %d rows after the rejected append, want 1", len(evs))
	}
	if got, _ := s.Run(ctx, r.ID); got.Status != RunActive {
		t.Errorf("status changed by the old owner: %s", got.Status)
	}
	mustAppend(t, s, tok, Event{RunID: r.ID, Step: "1", Kind: EventSucceeded})

	if _, err := s.TakeOver(ctx, "20990101-000000-beef"); !errors.Is(err, ErrNotFound) {
		t.Errorf("TakeOver of a missing run: %v", err)
	}
	if _, err := s.Append(ctx, "", Event{RunID: r.ID, Step: "2", Kind: EventStarted}); !errors.Is(err, ErrNotOwner) {
		t.Errorf("Append with no token: %v", err)
	}
}

func TestJournalIsAppendOnly(t *testing.T) {
	s := mustOpen(t, newStorePath(t))
	r := mustCreateRun(t, s, Run{})
	mustAppend(t, s, r.OwnerToken, Event{RunID: r.ID, Step: "1", Kind: EventStarted})
	if _, err := s.db.Exec(`UPDATE journal SET kind = 'succeeded'`); err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Errorf("UPDATE of the journal: %v", err)
	}
	if _, err := s.db.Exec(`DELETE FROM journal`); err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Errorf("DELETE from the journal: %v", err)
	}
	if _, err := s.Append(context.Background(), r.OwnerToken, Event{RunID: r.ID, Step: "1", Kind: "exploded"}); err == nil {
		t.Error("Append accepted an unknown kind")
	}
}

func TestConcurrentWritersFromTwoStores(t *testing.T) {
	// Two handles on one file stand for two processes; busy_timeout and
	// BEGIN IMMEDIATE must serialise them without errors.
	path := newStorePath(t)
	s1, s2 := mustOpen(t, path), mustOpen(t, path)
	r := mustCreateRun(t, s1, Run{})
	const n = 40
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	for i, s := range []*Store{s1, s2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < n; j++ {
				_, err := s.Append(context.Background(), r.OwnerToken, Event{RunID: r.ID, Kind: EventAnswered,
					Key: "k", Value: string(rune('a' + i))})
				if err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	evs, err := s2.Journal(context.Background(), r.ID)
	if err != nil || len(evs) != 2*n {
		t.Fatalf("journal: %d rows, %v; want %d", len(evs), err, 2*n)
	}
	for i := 1; i < len(evs); i++ {
		if evs[i].Seq <= evs[i-1].Seq {
			t.Fatalf("journal out of order at %d", i)
		}
	}
}

func TestAGuideRunIsRecordedWithItsTargetHost(t *testing.T) {
	t.Parallel()
	s := mustOpen(t, newStorePath(t))
	r := mustCreateRun(t, s, Run{ProcedureID: "server-backup", Mode: ModeGuide, Host: "zen-win01"})
	got, err := s.Run(context.Background(), r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Mode != ModeGuide || got.Host != "zen-win01" {
		t.Errorf("run = mode %q host %q, want guide on zen-win01", got.Mode, got.Host)
	}
}
