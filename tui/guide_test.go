package tui

import (
	"strings"
	"testing"

	"zenrecover/runner"
)

// A guided run for another server: the banner says nothing runs here, the
// step shows the command to type there and the check to make there; Esc at
// the check goes back, n records the step as failed there, y confirms it.
func TestAGuidedStepIsDoneThereAndItsChecksAreAskedHere(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	cfg := f.config()
	cfg.Options.Lab = nil
	cfg.Options.Guide, cfg.Options.Target, cfg.Options.Platform = true, "zen-old", "linux"
	cfg.ZENworksInstalled = false // a jump host: the guide starts all the same
	h := newHarness(t, cfg, nil, "1.1", 80, 24)
	h.mustSee("GUIDE for zen-old")
	h.press("n", "enter", "n", "enter")
	h.mustSee("Backup file to create")
	h.press("enter")
	h.mustSee("ZENworks administrator name")
	h.press("enter")
	h.mustRead("Run there:", "zman zenserver-backup /root/zcm_backups/zone_backup-", "Then check there",
		"answer them yourself: ZENworks administrator name: Administrator; ZENworks administrator password (you type it there)")
	h.press("enter")
	h.mustSee("Have you done step")
	h.press("y")
	h.mustRead("Check on zen-old (1 of 1)", "was written after the step started")
	h.press("esc")
	h.mustNotSee("Check on zen-old")
	evs, _ := f.journal(h.m.run.runID)
	if hasEvent(evs, runner.EventFailed, "zman-backup") != nil || hasEvent(evs, runner.EventConfirmed, "zman-backup") != nil {
		t.Fatal("Esc at a check recorded the step")
	}
	h.press("enter", "y", "n")
	h.mustSee("failed")
	evs, _ = f.journal(h.m.run.runID)
	if e := hasEvent(evs, runner.EventFailed, "zman-backup"); e == nil || !strings.Contains(e.Detail, "zen-old") {
		t.Fatalf("n at the check did not fail the step there: %+v", e)
	}
	if hasEvent(evs, runner.EventStarted, "zman-backup") != nil {
		t.Fatal("a guided run started zman here")
	}
}
