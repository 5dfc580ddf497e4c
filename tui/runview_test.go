package tui

import (
	"context"
	"os"
	"strings"
	"testing"

	"zenrecover/runner"
)

const (
	adminPW    = "novell-lab-pw" // the lab's administrator password
	passphrase = "Zebra-Quartz-1234"
)

// journal folds the run's journal as the store has it.
func (f *fixture) journal(runID string) ([]runner.Event, runner.RunState) {
	f.t.Helper()
	evs, err := f.store.Journal(context.Background(), runID)
	if err != nil {
		f.t.Fatal(err)
	}
	return evs, runner.Fold(evs)
}

func hasEvent(evs []runner.Event, kind runner.EventKind, step string) *runner.Event {
	for i := range evs {
		if evs[i].Kind == kind && evs[i].Step == step {
			return &evs[i]
		}
	}
	return nil
}

func TestFactQuestionsAnsweredWithTheKeyboard(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	h := newHarness(t, f.config(), nil, "1.1", 80, 24)
	// The lab has a database: the detector suggests yes, and says so.
	h.mustSee("Question 1 of 2", "suggests: yes", "(•) Yes    ( ) No")
	h.press("n")
	h.mustSee("( ) Yes    (•) No")
	h.press("enter")
	h.mustSee("Question 2 of 2", "Is this the only Primary Server")
	// No default: Enter alone must not answer for the operator.
	h.press("enter")
	h.mustSee("Choose yes or no first")
	h.press("y", "enter")
	_, rs := f.journal(h.m.run.runID)
	if rs.Answers["db_on_server"] != "false" || rs.Answers["only_content_server"] != "true" {
		t.Fatalf("answers journaled: %v", rs.Answers)
	}
	// The database step no longer applies, so it left the step list.
	h.mustNotSee("Back up the ZENwork")
	h.mustSee("Back up the content")
}

func TestChoiceQuestionTakesNumbersAndArrows(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	// Section 5's scenario (the platform of 1.2, the choice this test used
	// before, is settled now, never asked).
	h := newHarness(t, f.config(), nil, "5", 80, 24)
	h.mustSee("How is the zone certificate", "1. internal-to-external", "2. new-internal", "› (•) 1. internal-to-external")
	h.press("2")
	h.mustSee("› (•) 2. new-internal")
	h.press("up")
	h.mustSee("› (•) 1. internal-to-external")
	h.press("down", "enter")
	_, rs := f.journal(h.m.run.runID)
	if rs.Answers["scenario"] != "new-internal" {
		t.Fatalf("scenario answered %q", rs.Answers["scenario"])
	}
}

// TestSecretsNeverReachTheScreen runs 1.1 in the lab to its zman backup:
// the manual step confirmed, the administrator password and a new
// passphrase typed (once wrongly), zman answered by the engine. No screen
// drawn on the way may hold either secret.
func TestSecretsNeverReachTheScreen(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	h := newHarness(t, f.config(), nil, "1.1", 80, 24)
	h.each = func(raw string) {
		for _, secret := range []string{adminPW, passphrase, "short-pw", "Zebra-Quartz-9999"} {
			if strings.Contains(raw, secret) || strings.Contains(stripANSI(raw), secret) {
				t.Fatalf("a secret is on the screen:\n%s", stripANSI(raw))
			}
		}
	}
	h.press("y", "enter", "y", "enter")

	// The manual step: Enter, then an explicit yes.
	h.mustSee("Back up the database file to a safe place", "press Enter to confirm it is done")
	h.press("enter")
	h.mustSee("Have you done step 1?")
	h.press("n")
	if h.phase() != phaseStep {
		t.Fatal("n confirmed the manual step")
	}
	h.press("enter", "y")
	evs, _ := f.journal(h.m.run.runID)
	if hasEvent(evs, runner.EventConfirmed, "backup-database") == nil {
		t.Fatal("the manual step's confirmation is not in the journal")
	}

	// The inputs come in the order the step uses them: its command first.
	h.mustSee("Backup file to create", "zone_backup-")
	h.press("enter")
	h.mustSee("ZENworks administrator name", "> Administrator")
	h.press("enter")
	h.mustSee("ZENworks administrator password", "Nothing is shown while you type")
	h.mustNotSee("Asked again") // a fresh run asks for the first time
	h.typeText(adminPW)
	h.press("enter")

	h.mustSee("Passphrase to encrypt the backup file", "› New:")
	h.typeText("short-pw")
	h.press("enter")
	h.mustSee("must be at least 10 characters", "› New:")
	h.typeText(passphrase)
	h.press("enter")
	h.mustSee("› Again:")
	h.typeText("Zebra-Quartz-9999")
	h.press("enter")
	h.mustSee("The two entries are not the same", "› New:")
	if h.m.run.ask.prompt.first.Value() != "" || h.m.run.ask.prompt.second.Value() != "" {
		t.Fatal("a refused secret stayed in its field")
	}
	h.typeText(passphrase)
	h.press("enter")
	h.typeText(passphrase)
	h.press("enter")

	h.mustSee("Back up the server configuration with zman", "Command:", "zman", "Press Enter to run it.")
	h.press("enter")
	evs, _ = f.journal(h.m.run.runID)
	if hasEvent(evs, runner.EventSucceeded, "zman-backup") == nil {
		t.Fatalf("zman did not succeed:\n%s", h.view())
	}
	// The next step archives the content repository: its inputs first.
	h.mustSee("Back up the content repository", "Archive set to write the content repository to")
	if h.seen < 20 {
		t.Fatalf("only %d screens were checked", h.seen)
	}
}

func stripANSI(s string) string { return ansiStrip(s) }

const destructiveDef = `id: tui-destructive
title: Destructive test
section: "9.1"
summary: One step that changes the server.
steps:
  - id: change
    ref: "1"
    title: Change the server
    destructive: true
    run: [echo, hello from the step]
`

func TestDestructiveStepNeedsTheHostNameTyped(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.addDef(destructiveDef)
	h := newHarness(t, f.config(), nil, "tui-destructive", 80, 24)
	h.mustSee("This step changes the server.", "type the host name zen-primary-1")
	h.press("enter")
	h.mustRead("Step 1 changes this server", "type the host name of this server: zen-primary-1")
	h.typeText("y")
	h.press("enter")
	h.mustRead("A plain yes is not enough here. Type zen-primary-1 exactly.")
	h.typeText("zen-primary")
	h.press("enter")
	h.mustSee("That is not zen-primary-1")
	evs, _ := f.journal(h.m.run.runID)
	if hasEvent(evs, runner.EventStarted, "change") != nil {
		t.Fatal("the step started without the host name")
	}
	h.typeText("zen-primary-1")
	h.press("enter")
	evs, _ = f.journal(h.m.run.runID)
	if hasEvent(evs, runner.EventSucceeded, "change") == nil {
		t.Fatalf("the step did not run:\n%s", h.view())
	}
	h.mustSee("The procedure is complete.", "hello from the step", "zenrecover report")
	h.press("enter")
	if !h.quit || h.m.exitCode != runner.ExitCompleted {
		t.Fatalf("Enter on the last screen: quit=%v code=%d", h.quit, h.m.exitCode)
	}
}

const failingDef = `id: tui-failing
title: Failing test
section: "9.2"
summary: A step that fails, then one by hand.
steps:
  - id: fails
    ref: "1"
    title: A step that fails
    run: ["false"]
  - id: after
    ref: "2"
    title: Afterwards
    manual: Nothing to do here.
`

func TestFailedStepOffersRetrySkipAndStop(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.addDef(failingDef)
	h := newHarness(t, f.config(), nil, "tui-failing", 80, 24)
	h.press("enter")
	if h.phase() != phaseFailed {
		t.Fatalf("not failed:\n%s", h.view())
	}
	h.mustSee("Step 1 failed", "exited with status 1", "r  retry the step", "s  skip it", "q  stop here", "✗ 1 A step that fails")

	h.press("r")
	h.mustSee("Press Enter to run it.")
	h.press("enter")
	h.mustSee("Step 1 failed (attempt 2)")

	// A skip needs a reason.
	h.press("s")
	h.mustSee("Skip step 1?")
	h.press("enter")
	h.mustSee("A reason is needed")
	h.press("esc")
	if h.phase() != phaseFailed || h.m.run.text != nil {
		t.Fatal("Esc did not go back to the failure")
	}
	h.press("s")
	h.typeText("not needed in this rehearsal")
	h.press("enter")
	// Issue 10: the reason is shown back and a y is asked for.
	h.mustRead("Skip step 1?", "Your reason: not needed in this rehearsal")
	h.press("y")
	evs, _ := f.journal(h.m.run.runID)
	skip := hasEvent(evs, runner.EventSkipped, "fails")
	if skip == nil || skip.Reason != "not needed in this rehearsal" {
		t.Fatalf("the skip and its reason are not journaled: %+v", skip)
	}
	h.mustSee("– 1 A step that fails", "Afterwards")

	// q asks before stopping; n keeps going.
	h.press("q")
	h.mustSee("Stop the run here?", "zenrecover resume "+h.m.run.runID)
	h.press("n")
	if h.phase() != phaseStep {
		t.Fatal("n stopped the run")
	}
	h.press("q", "y")
	h.mustSee("Stopped. Nothing is lost.", "zenrecover resume "+h.m.run.runID)
	run, err := f.store.Run(context.Background(), h.m.run.runID)
	if err != nil || run.Status != runner.RunStopped {
		t.Fatalf("run status %q (%v), want stopped", run.Status, err)
	}
	h.press("enter")
	if !h.quit || h.m.exitCode != runner.ExitStopped {
		t.Fatalf("quit=%v code=%d, want the stopped code", h.quit, h.m.exitCode)
	}
}

const doubtDef = `id: tui-doubt
title: In-doubt test
section: "9.3"
summary: A step left in doubt.
steps:
  - id: risky
    ref: "1"
    title: A step that was interrupted
    run: [echo, risky business]
`

// leaveInDoubt starts a run of def, journals started for step times times
// (as a wizard that died mid-step would), and returns the run's record.
func (f *fixture) leaveInDoubt(src, step string, times int) runner.Run {
	f.t.Helper()
	def := f.addDef(src)
	ctx := context.Background()
	s, err := runner.Start(ctx, f.config().Options, def, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	run := s.Run()
	for i := 0; i < times; i++ {
		if _, err := f.store.Append(ctx, run.OwnerToken, runner.Event{RunID: run.ID, Kind: runner.EventStarted,
			Step: step, PID: os.Getpid(), BootID: runner.BootID()}); err != nil {
			f.t.Fatal(err)
		}
	}
	s.Close() // as a crash would: no stop recorded
	r, err := f.store.Run(ctx, run.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	return r
}

func TestInDoubtStepShowsWhyAndItsChoices(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	run := f.leaveInDoubt(doubtDef, "risky", 1)
	h := newHarness(t, f.config(), &run, "", 80, 24)
	h.mustSee("An unfinished run is waiting", "9.3 In-doubt test", run.ID, "rehearsal in the lab",
		"Step 1: A step that was interrupted", "(it was started")
	h.press("enter")
	if h.phase() != phaseInDoubt {
		t.Fatalf("not in doubt:\n%s", h.view())
	}
	h.mustSee("Step 1 did not finish", "zenrecover stopped during step", "Started ", "Command:", "risky business",
		"no checks", "r  re-run it (you say why", "d  mark it done", "q  stop here", "? 1 A step that was")
	// Not declared safe to repeat: Enter is no default.
	h.press("enter")
	if h.phase() != phaseInDoubt || h.m.run.text != nil {
		t.Fatal("Enter chose for the operator on a step that is not safe to repeat")
	}
	h.press("r")
	h.mustSee("Re-run step 1?", "not declared safe to repeat")
	h.press("esc", "d")
	h.mustSee("Mark step 1 as done?")
	h.typeText("the output shows it finished")
	h.press("enter")
	evs, _ := f.journal(run.ID)
	r := hasEvent(evs, runner.EventResolved, "risky")
	if r == nil || r.Value != runner.ResolvedDone || r.Reason != "the output shows it finished" {
		t.Fatalf("resolution journaled: %+v", r)
	}
	h.mustSee("The procedure is complete.")
}

func TestInDoubtRerunNeedsOverrideAfterRepeatedLosses(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	run := f.leaveInDoubt(strings.Replace(doubtDef, "    run:", "    idempotent: true\n    run:", 1), "risky", runner.MaxInDoubt)
	h := newHarness(t, f.config(), &run, "", 80, 24)
	h.press("enter")
	h.mustSee(`Found unfinished 3 times`, "re-run it (you must type override)")
	h.press("enter") // no default once an override is needed
	if h.m.run.text != nil || h.phase() != phaseInDoubt {
		t.Fatal("Enter acted although an override is needed")
	}
	h.press("r")
	h.typeText("y")
	h.press("enter")
	h.mustRead("A plain yes is not enough here. Type override exactly.")
	h.typeText("override")
	h.press("enter")
	if h.phase() != phaseStep {
		t.Fatalf("the step is not back to run:\n%s", h.view())
	}
	h.mustSee("Press Enter to run it.")
}

func TestInDoubtIdempotentStepReRunsOnEnter(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	run := f.leaveInDoubt(strings.Replace(doubtDef, "    run:", "    idempotent: true\n    run:", 1), "risky", 1)
	h := newHarness(t, f.config(), &run, "", 80, 24)
	h.press("enter")
	h.mustSee("re-run it (Enter; it is safe to repeat)")
	h.press("enter")
	if h.phase() != phaseStep {
		t.Fatalf("Enter did not put the step back:\n%s", h.view())
	}
	evs, _ := f.journal(run.ID)
	if r := hasEvent(evs, runner.EventResolved, "risky"); r == nil || r.Value != runner.ResolvedNotDone {
		t.Fatalf("no not-done resolution: %+v", r)
	}
}

func TestResumeScreenKeys(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	run := f.leaveInDoubt(doubtDef, "risky", 1)
	h := newHarness(t, f.config(), &run, "", 80, 24)
	h.press("n")
	if h.m.screen != screenPicker {
		t.Fatal("n did not open the picker")
	}
	// The lab came with the resumed run; a new pick is live unless the
	// operator asks to rehearse.
	h.mustNotSee("REHEARSAL")
	// Its unfinished run is a rehearsal's, so it is not marked on the
	// live list.
	h.mustNotSee("unfinished run")
	h2 := newHarness(t, f.config(), &run, "", 80, 24)
	h2.press("q")
	if !h2.quit || h2.m.exitCode != runner.ExitStopped {
		t.Fatalf("q on the resume screen: quit=%v code=%d", h2.quit, h2.m.exitCode)
	}
}

func TestBannerOnEveryScreenOfARehearsal(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.addDef(failingDef)
	h := newHarness(t, f.config(), nil, "", 80, 24)
	h.each = func(raw string) {
		first := strings.SplitN(stripANSI(raw), "\n", 2)[0]
		if !strings.Contains(first, "REHEARSAL") {
			t.Fatalf("a screen without the REHEARSAL banner:\n%s", stripANSI(raw))
		}
	}
	h.each(h.raw())
	for h.m.picker.defs[h.m.picker.cursor].ID != "tui-failing" {
		h.press("down")
	}
	h.press("enter") // run view
	h.press("?")     // full help
	h.press("?")
	h.press("enter") // fails
	h.press("s")     // reason dialog
	h.press("esc")
	h.press("r", "enter") // fails again
	h.press("q")          // stop dialog
	h.press("y")          // stopped
	if h.phase() != phaseStopped {
		t.Fatalf("not stopped:\n%s", h.view())
	}
	h.resize(40, 12)
	if h.seen < 12 {
		t.Fatalf("only %d screens were checked", h.seen)
	}
}

func TestDryRunBanner(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.addDef(destructiveDef)
	cfg := f.config()
	cfg.Options.Lab = nil
	cfg.Options.DryRun = true
	h := newHarness(t, cfg, nil, "tui-destructive", 80, 24)
	h.each = func(raw string) {
		if first := strings.SplitN(stripANSI(raw), "\n", 2)[0]; !strings.Contains(first, "DRY RUN") {
			t.Fatalf("a screen without the DRY RUN banner:\n%s", stripANSI(raw))
		}
	}
	h.mustSee("Dry run: Enter shows what would run")
	h.press("enter") // no host name in a dry run: nothing happens to the server
	h.mustSee("The procedure is complete.", "dry run: would")
}

func TestHelpToggles(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	h := newHarness(t, f.config(), nil, "", 80, 24)
	short := h.view()
	h.press("?")
	if !h.m.help.ShowAll {
		t.Fatal("? did not open the full help")
	}
	h.checkFrame(80, 24)
	h.press("?")
	if h.m.help.ShowAll || h.view() != short {
		t.Fatal("? did not close the full help")
	}
}

func TestQuestionMarkIsTextInAField(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	h := newHarness(t, f.config(), nil, "1.3", 80, 24)
	h.press("n", "enter") // not moving the CA role
	h.press("enter")      // the backup file: the default
	h.mustSee("ZENworks administrator name")
	h.press("ctrl+u")
	h.typeText("who?")
	if h.m.help.ShowAll {
		t.Fatal("? in a text field opened the help")
	}
	h.mustSee("> who?")
	h.press("f1")
	if !h.m.help.ShowAll {
		t.Fatal("F1 did not open the help while typing")
	}
}
