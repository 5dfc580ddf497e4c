package tui

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"zenrecover/lab"
	"zenrecover/runner"
)

// answer11 answers 1.1's questions up to its zman step, with admin as the
// administrator's name typed over the default and pw as the password.
func answer11(h *harness, admin, pw string) {
	h.t.Helper()
	h.press("n", "enter", "n", "enter")
	answer11Inputs(h, admin, pw)
}

// answer11Inputs answers the inputs of 1.1's zman step.
func answer11Inputs(h *harness, admin, pw string) {
	h.t.Helper()
	h.mustSee("Backup file to create")
	h.press("enter")
	h.mustSee("ZENworks administrator name", "> Administrator")
	if admin != "Administrator" {
		h.typeText(admin)
	}
	h.press("enter")
	h.mustSee("ZENworks administrator password")
	h.lines(pw)
	h.mustSee("Passphrase to encrypt the backup file")
	h.lines(passphrase, passphrase)
	h.mustSee("Back up the server configuration with zman", "Press Enter to run it.")
}

// A wrong name is found when zman refuses it: the operator opens the
// answers from the failed step, corrects the name (the reason is asked),
// and the retry uses the new name with the password already given.
func TestAWrongAnswerIsCorrectedFromTheFailedStep(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	h := newHarness(t, f.config(), nil, "1.1", 80, 24)
	answer11(h, "Admn", adminPW)
	h.press("enter")
	if h.phase() != phaseFailed {
		t.Fatalf("zman accepted a wrong name:\n%s", h.view())
	}
	h.mustSee("c  check or correct the answers")
	h.press("c")
	h.mustSee("Your answers so far", "Secrets are not listed", "Admn")
	h.mustNotSee("false") // facts read as the operator answered them: yes or no
	h.mustNotSee(adminPW, passphrase)
	// Down to the name, whatever comes before it.
	for i := 0; i < 10 && h.m.run.answers.answers[h.m.run.answers.cursor].ID != "admin_user"; i++ {
		h.press("down")
	}
	h.press("enter")
	h.mustSee("Change: ZENworks administrator name", "Admn")
	h.typeText("Administrator") // typing replaces the value shown
	h.press("enter")
	h.mustSee("Why does ZENworks administrator name change?")
	h.typeText("typo")
	h.press("enter")
	h.mustSee("Changed: ZENworks administrator name.", "› ZENworks administrator name", "Administrator")
	h.mustNotSee("AdmnAdministrator")
	h.press("esc")
	if h.phase() != phaseFailed {
		t.Fatalf("esc did not go back to the failed step:\n%s", h.view())
	}
	h.press("r")
	h.mustSee("Press Enter to run it.")
	h.press("enter")
	evs, rs := f.journal(h.m.run.runID)
	if hasEvent(evs, runner.EventSucceeded, "zman-backup") == nil {
		t.Fatalf("the retry after the correction failed:\n%s", h.view())
	}
	if rs.Answers["admin_user"] != "Administrator" {
		t.Fatalf("admin_user = %q after the change", rs.Answers["admin_user"])
	}
	ch := hasEvent(evs, runner.EventChanged, "")
	if ch == nil || !strings.Contains(ch.Reason, "typo") {
		t.Fatalf("the change and its reason are not in the journal: %+v", ch)
	}
	noSecretIn(t, evs, adminPW, passphrase)
}

// A changed answer that a finished step used: the operator is asked
// whether to run that step again, and y runs it with the new value.
func TestChangingAnAnswerAFinishedStepUsedOffersToRunItAgain(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	h := newHarness(t, f.config(), nil, "1.1", 80, 24)
	// The database is here: step 1 is done by hand, and step 6 (repeat the
	// backups regularly) follows zman's step, a screen to stop at.
	h.press("y", "enter", "n", "enter")
	h.press("enter", "y")
	answer11Inputs(h, "Administrator", adminPW)
	h.press("enter")
	h.mustSee("Repeat the database and content backups regularly", "press Enter to confirm it is done")
	_, rs := f.journal(h.m.run.runID)
	old := rs.Answers["backup_file"]
	h.press("c")
	h.mustSee("Your answers so far", "used by finished step 2, 3, 4")
	for i := 0; i < 10 && h.m.run.answers.answers[h.m.run.answers.cursor].ID != "backup_file"; i++ {
		h.press("down")
	}
	h.press("enter")
	h.typeText("/root/zcm_backups/zone_backup-again.bak")
	h.press("enter")
	h.typeText("second copy")
	h.press("enter")
	h.mustSee("Run again what used the old value?", "Finished step 2, 3, 4 used the old value")
	h.press("y")
	// The secrets given in this session are still in memory (never on disk).
	h.mustSee("Changed: Backup file to create.", "Back up the server configuration with zman", "Press Enter to run it.")
	h.press("pgdown")
	h.mustSee("zone_backup-again.bak")
	h.press("enter")
	for _, p := range []string{old, "/root/zcm_backups/zone_backup-again.bak"} {
		if _, err := os.Stat(f.lab.Rebase(p)); err != nil {
			t.Errorf("backup %s: %v", p, err)
		}
	}
	evs, _ := f.journal(h.m.run.runID)
	if hasEvent(evs, runner.EventRedo, "zman-backup") == nil {
		t.Errorf("the redo is not in the journal")
	}
	noSecretIn(t, evs, adminPW, passphrase)
}

// After "Authentication failed" a plain retry would send the same wrong
// password: n asks for the secrets again first.
func TestAfterAnAuthenticationFailureTheSecretIsAskedAgain(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	h := newHarness(t, f.config(), nil, "1.1", 80, 24)
	answer11(h, "Administrator", "not-the-password")
	h.press("enter")
	if h.phase() != phaseFailed {
		t.Fatalf("zman accepted a wrong password:\n%s", h.view())
	}
	h.mustSee("n  ")
	h.press("n")
	h.mustSee("ZENworks administrator password", "Asked again")
	h.typeText(adminPW)
	h.press("enter")
	for h.phase() == phaseInput { // the passphrase, if it is asked again too
		h.typeText(passphrase)
		h.press("enter")
	}
	h.mustSee("Press Enter to run it.")
	h.press("enter")
	evs, _ := f.journal(h.m.run.runID)
	if hasEvent(evs, runner.EventSucceeded, "zman-backup") == nil {
		t.Fatalf("the retry with the new password failed:\n%s", h.view())
	}
	noSecretIn(t, evs, adminPW, passphrase, "not-the-password")
}

// A run that should not go on is abandoned from its step screen, with a
// reason and a y; it is closed for good and a new run may start.
func TestARunIsAbandonedFromTheStepScreen(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	h := newHarness(t, f.config(), nil, "1.1", 80, 24)
	answer11(h, "Administrator", adminPW)
	h.mustSee("a abandon the run")
	h.press("a")
	h.mustSee("Abandon run "+h.m.run.runID+" for good?", "It cannot be resumed afterwards")
	h.typeText("wrong server")
	h.press("enter")
	h.mustSee("Your reason: wrong server", "y abandon it")
	h.press("n")
	if h.phase() == phaseAbandoned {
		t.Fatal("n abandoned the run")
	}
	h.press("a")
	h.typeText("wrong server")
	h.press("enter", "y")
	if h.phase() != phaseAbandoned {
		t.Fatalf("the run was not abandoned:\n%s", h.view())
	}
	h.mustSee("abandoned")
	evs, _ := f.journal(h.m.run.runID)
	if run, err := f.store.Run(context.Background(), h.m.run.runID); err != nil || run.Status != runner.RunAbandoned {
		t.Fatalf("run status %s (%v)", run.Status, err)
	}
	if ab := hasEvent(evs, runner.EventAbandoned, ""); ab == nil || !strings.Contains(ab.Reason, "wrong server") {
		t.Fatalf("the reason is not in the journal: %+v", ab)
	}
	if hasEvent(evs, runner.EventStarted, "zman-backup") != nil {
		t.Fatal("the abandoned run ran zman")
	}
}

// A second backup where the first one is: the operator keeps both (or
// replaces), instead of zman failing on "already exists".
func TestAnExistingBackupFileIsKeptOrReplacedAtTheOperatorsWord(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	h := newHarness(t, f.config(), nil, "1.1", 80, 24)
	h.press("n", "enter", "n", "enter")
	h.press("enter") // the dated default
	_, rs := f.journal(h.m.run.runID)
	first := f.lab.Rebase(rs.Answers["backup_file"])
	if err := os.WriteFile(first, []byte("yesterday's backup"), 0o600); err != nil {
		t.Fatal(err)
	}
	h.press("enter")
	h.lines(adminPW, passphrase, passphrase)
	h.mustSee("A file is already there", "k keep both", "r replace")
	h.press("k")
	h.mustSee("Press Enter to run it.")
	h.press("enter")
	if b, err := os.ReadFile(first); err != nil || string(b) != "yesterday's backup" {
		t.Fatalf("the earlier backup was not kept: %q %v", b, err)
	}
	m, _ := filepath.Glob(strings.TrimSuffix(first, ".bak") + "-*.bak")
	if len(m) != 1 {
		t.Fatalf("the new backup is not beside the old one: %v\n%s", m, h.view())
	}
}

// A backup file in a folder that does not exist: the folder is offered,
// not a traceback from zman.
func TestAMissingBackupFolderIsOfferedBeforeTheStep(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	h := newHarness(t, f.config(), nil, "1.1", 80, 24)
	h.press("n", "enter", "n", "enter")
	h.typeText("/root/new-folder/zb.bak")
	h.press("enter", "enter")
	h.lines(adminPW, passphrase, passphrase)
	h.mustSee("folder does not", "/root/new-folder/zb.bak", "y  create the folder")
	h.press("y")
	h.mustSee("Press Enter to run it.")
	h.press("enter")
	if _, err := os.Stat(f.lab.Rebase("/root/new-folder/zb.bak")); err != nil {
		t.Fatalf("no backup in the new folder: %v\n%s", err, h.view())
	}
}

// A command that asks what no rule of the step answers: the screen says
// plainly that it waits, what it asked, and that the reply goes to it;
// a hidden prompt says the reply stays hidden.
func TestACommandWaitingForTheOperatorIsCuedOnItsLine(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is not installed")
	}
	f := newFixture(t)
	script, err := filepath.Abs("../actions/testdata/odd-prompts.sh")
	if err != nil {
		t.Fatal(err)
	}
	shim := "#!/bin/sh\nexec bash '" + script + "' \"$@\"\n"
	if err := os.WriteFile(f.lab.Rebase(lab.ServerBinDir+"/zman"), []byte(shim), 0o755); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, f.config(), nil, "1.3", 80, 24)
	h.press("n", "enter") // not moving the CA role
	h.press("enter", "enter")
	h.lines(adminPW, passphrase, passphrase)
	h.mustSee("Press Enter to run it.")
	a := newAsync(h)
	a.press("enter")
	waits := func(line string) func() bool {
		return func() bool {
			v := h.view()
			return strings.Contains(v, "The command is waiting for an answer. It asked:") && strings.Contains(v, line)
		}
	}
	a.until("cued for Login as:", waits("Login as:"))
	h.mustSee("What you type goes to the command", "waiting for your answer to: Login as:")
	a.typeText("alice")
	a.press("enter")
	a.until("hello", a.outputHas("Hello alice"))
	a.until("cued for the site code", waits("Site code>"))
	a.typeText("ZN-7")
	a.press("enter")
	a.until("cued for Press Enter", waits("Press Enter to go on"))
	a.press("enter")
	a.until("cued for the secret", waits("Secret word?"))
	h.mustSee("stays hidden")
	a.typeText("word")
	a.press("enter")
	a.until("the step ended", func() bool { return h.phase() != phaseRunning })
	if !strings.Contains(strings.Join(h.m.run.output.lines, "\n"), "secret length 4") {
		t.Fatalf("the hidden reply did not reach the command:\n%s", h.view())
	}
	evs, _ := f.journal(h.m.run.runID)
	noSecretIn(t, evs, adminPW, passphrase)
}

// lines types each text and presses Enter after it, at a person's pace.
func (h *harness) lines(texts ...string) {
	for _, t := range texts {
		h.typeText(t)
		h.press("enter")
	}
}

// A resumed run that stopped in doubt can be abandoned from there, as the
// resume screen says.
func TestAnInDoubtRunIsAbandonedFromItsFirstScreen(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	run := f.leaveInDoubt(doubtDef, "risky", 1)
	h := newHarness(t, f.config(), &run, "", 80, 24)
	h.mustSee("To end it for good instead", "zenrecover abandon "+run.ID)
	h.press("enter")
	h.mustSee("Step 1 did not finish", "a  abandon the run for good")
	h.press("a")
	h.lines("rehearsal over")
	h.press("y")
	if h.phase() != phaseAbandoned {
		t.Fatalf("the run was not abandoned:\n%s", h.view())
	}
	if r, err := f.store.Run(context.Background(), run.ID); err != nil || r.Status != runner.RunAbandoned {
		t.Fatalf("run status %s (%v)", r.Status, err)
	}
}

const fanoutDef = `id: tui-fanout
title: Fan-out test
section: "9.6"
summary: One step per device.
inputs:
  - id: devices
    type: list
    prompt: Devices
  - id: cert
    type: path
    prompt: Certificate file
    default: /root/ca.cer
steps:
  - id: each
    ref: "1"
    title: On each device
    each: devices
    instructions: Copy ${cert} to ${target} first.
    manual: Import ${cert} on ${target}.
    command: [zac, cert-info, "${cert}"]
`

// A fan-out step's instructions name the target and the answers, never
// the template.
func TestAFanOutStepsInstructionsNameItsTarget(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.addDef(fanoutDef)
	h := newHarness(t, f.config(), nil, "tui-fanout", 80, 24)
	h.lines("dev-7, dev-8")
	h.press("enter")
	h.mustSee("Copy /root/ca.cer to dev-7 first.")
	h.mustNotSee("${")
}

// Section 5 asks only the chosen scenario's facts, and the count of
// questions says so as soon as the scenario is chosen.
func TestTheQuestionCountFollowsTheScenarioChosen(t *testing.T) {
	f := newFixture(t)
	h := newHarness(t, f.config(), nil, "5", 80, 24)
	var first, second int
	if _, err := fmt.Sscanf(ansiStrip(h.m.run.ask.details(60)[0]), "Question 1 of %d", &first); err != nil {
		t.Fatalf("the first question's heading: %v\n%s", err, h.view())
	}
	for p := h.m.run.ask.prompt; p.cursor < 0 || p.values[p.cursor] != "new-internal"; p = h.m.run.ask.prompt {
		h.press("down")
	}
	h.press("enter")
	if _, err := fmt.Sscanf(ansiStrip(h.m.run.ask.details(60)[0]), "Question 2 of %d", &second); err != nil {
		t.Fatalf("the second question's heading: %v\n%s", err, h.view())
	}
	t.Logf("questions: %d, then %d once the scenario is chosen", first, second)
	if second >= first {
		t.Fatalf("choosing 4.2's scenario left %d questions of %d", second, first)
	}
}

// A long procedure title gives way to the run id in the header at 80x24.
func TestTheHeaderKeepsTheRunIDBesideALongTitle(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	h := newHarness(t, f.config(), nil, "5", 80, 24)
	header := strings.Split(h.view(), "\n")[1]
	if !strings.Contains(header, "run "+h.m.run.runID) || !strings.Contains(header, "zenrecover · 5 Reconfiguring") {
		t.Fatalf("the header at 80 columns: %q", header)
	}
	h.checkFrame(80, 24)
}
