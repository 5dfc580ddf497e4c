package tui

import (
	"strings"
	"testing"
	"zenrecover/runner"

	tea "charm.land/bubbletea/v2"
)

// noSecretIn fails if any event of the journal holds a secret or a piece
// of one (the fragments a typed-ahead burst could leave).
func noSecretIn(t *testing.T, evs []runner.Event, secrets ...string) {
	t.Helper()
	for _, e := range evs {
		all := strings.Join([]string{e.Key, e.Value, e.Reason, e.Detail}, "\x00")
		for _, s := range secrets {
			for _, frag := range []string{s, s[:len(s)/2], s[len(s)/2:]} {
				if strings.Contains(all, frag) {
					t.Fatalf("the journal holds %q of a secret: %+v", frag, e)
				}
			}
		}
	}
}

// The burst: every answer of 1.3 typed at once at the first
// screen. The first screen takes what was typed for it; everything after
// it was typed before the next screens appeared, and acts on none of
// them. Then the same keys at a person's pace complete the run.
func TestATypedAheadBurstActsOnlyOnTheScreenItWasTypedFor(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	h := newHarness(t, f.config(), nil, "1.3", 80, 24)
	h.mustSee("Are you moving the CA role off this server")
	h.tick() // the operator has read the first question
	h.burst("enter", "enter", "Administrator", "enter", adminPW, "enter",
		passphrase, "enter", passphrase, "enter", "s", "-1", "enter", "enter")

	evs, rs := f.journal(h.m.run.runID)
	if rs.Answers["remove_ca_role"] != "false" {
		t.Fatalf("the first question was not answered by the first Enter: %v", rs.Answers)
	}
	for _, id := range []string{"ca_backup_file", "admin_user"} {
		if v, ok := rs.Answers[id]; ok {
			t.Fatalf("%s was answered %q by keys typed before its screen appeared", id, v)
		}
	}
	for _, e := range evs {
		if e.Kind == runner.EventSkipped || e.Kind == runner.EventStarted {
			t.Fatalf("typed-ahead keys acted on a step: %+v", e)
		}
	}
	noSecretIn(t, evs, adminPW, passphrase)
	// The field shows its default, untouched, and the operator is told
	// why their keys did nothing.
	h.mustSee("CA backup file to create", "> /root/zcm_backups/ca-", "Keys typed before this screen appeared were ignored")
	h.mustNotSee(".bakAdministrator", "Administrator")

	// At a person's pace the same answers go where they belong.
	h.press("enter")
	h.mustSee("ZENworks administrator name", "> Administrator")
	h.mustNotSee("were ignored")
	h.press("enter")
	h.typeText(adminPW)
	h.press("enter")
	h.typeText(passphrase)
	h.press("enter")
	h.typeText(passphrase)
	h.press("enter")
	h.mustSee("Export the certificate authority with zman", "Press Enter to run it.")
	h.press("enter")
	if h.phase() != phaseDone {
		t.Fatalf("the run did not complete:\n%s", h.view())
	}
	evs, rs = f.journal(h.m.run.runID)
	if rs.Answers["admin_user"] != "Administrator" || !datedCABackup.MatchString(rs.Answers["ca_backup_file"]) {
		t.Fatalf("answers journaled: %v", rs.Answers)
	}
	noSecretIn(t, evs, adminPW, passphrase)
}

// Keys typed while the screen was busy recording an answer belong to no
// screen: the next one starts as it should.
func TestKeysTypedWhileRecordingDoNotReachTheNextField(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	h := newHarness(t, f.config(), nil, "1.3", 80, 24)
	h.press("enter")                         // the question: no
	h.press("enter")                         // the backup file: its default
	h.mustSee("ZENworks administrator name") // shown at this moment
	h.burst("x")                             // typed before it could be read
	h.press("enter")
	_, rs := f.journal(h.m.run.runID)
	if rs.Answers["admin_user"] != "Administrator" {
		t.Fatalf("admin_user = %q", rs.Answers["admin_user"])
	}
}

func TestTypingOverADefaultReplacesIt(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	h := newHarness(t, f.config(), nil, "1.3", 80, 24)
	h.press("enter", "enter")
	h.mustSee("> Administrator", "Typing replaces it")
	h.typeText("zenadmin")
	h.mustSee("> zenadmin")
	h.mustNotSee("Administratorzenadmin")
	h.press("enter")
	_, rs := f.journal(h.m.run.runID)
	if rs.Answers["admin_user"] != "zenadmin" {
		t.Fatalf("admin_user = %q, want zenadmin", rs.Answers["admin_user"])
	}
}

func TestACursorKeyKeepsTheDefaultToEdit(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	h := newHarness(t, f.config(), nil, "1.3", 80, 24)
	h.press("enter", "enter")
	h.press("right") // already at the end: only leaves the default as it is
	h.typeText("2")
	h.press("enter")
	_, rs := f.journal(h.m.run.runID)
	if rs.Answers["admin_user"] != "Administrator2" {
		t.Fatalf("admin_user = %q, want Administrator2", rs.Answers["admin_user"])
	}
}

// A paste is one message: it goes whole to the field focused when it
// arrived, and is dropped whole when it arrived before that field could
// be read.
func TestAPasteGoesToTheFieldItWasMeantFor(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	h := newHarness(t, f.config(), nil, "1.3", 80, 24)
	h.press("enter", "enter")
	h.send(tea.PasteMsg{Content: "pasted-too-early"})
	h.mustSee("> Administrator")
	h.mustNotSee("pasted-too-early")
	h.tick()
	h.send(tea.PasteMsg{Content: "pasted-admin"})
	h.mustSee("> pasted-admin")
	h.mustNotSee("Administratorpasted")
}

// A single-key choice ignores keys typed before it appeared: the s of a
// burst opens the skip dialog (the failure was on screen), the rest
// neither fills the reason nor confirms it.
func TestSingleKeyChoicesIgnoreKeysTypedBeforeTheirDialog(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.addDef(failingDef)
	h := newHarness(t, f.config(), nil, "tui-failing", 80, 24)
	h.press("enter")
	h.mustSee("Step 1 failed")
	h.tick()
	h.burst("s", "-1", "enter", "y")
	h.mustSee("Skip step 1?")
	evs, _ := f.journal(h.m.run.runID)
	if hasEvent(evs, runner.EventSkipped, "fails") != nil {
		t.Fatal("a burst skipped the step")
	}
	h.typeText("done by hand")
	h.press("enter")
	h.mustRead("Your reason: done by hand")
	h.burst("y") // typed before the confirmation could be read
	if evs, _ := f.journal(h.m.run.runID); hasEvent(evs, runner.EventSkipped, "fails") != nil {
		t.Fatal("a y typed ahead confirmed the skip")
	}
	h.press("y")
	evs, _ = f.journal(h.m.run.runID)
	if e := hasEvent(evs, runner.EventSkipped, "fails"); e == nil || e.Reason != "done by hand" {
		t.Fatalf("the skip is not journaled with its reason: %+v", e)
	}
}

// ctrl+c is never held back: it only asks.
func TestCtrlCPassesEvenInABurst(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	h := newHarness(t, f.config(), nil, "1.3", 80, 24)
	h.press("enter", "enter")
	h.burst("ctrl+c")
	h.mustSee("Stop the run here?")
}
