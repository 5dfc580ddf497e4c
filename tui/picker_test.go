package tui

import (
	"errors"
	"strings"
	"testing"

	"zenrecover/runner"
)

func TestPickerListsTheProceduresAndStartsOne(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	h := newHarness(t, f.config(), nil, "", 80, 24)
	h.mustSee("Choose a procedure",
		"1.1  Backing Up a ZENworks Server",
		"1.2  Restoring a ZENworks Server",
		"1.3  Backing Up the Certificate Authority",
		"1.4  Restoring the Certificate Authority")
	h.mustSee("› 1.1")
	h.press("down", "down")
	h.mustSee("› 1.3")
	h.press("enter")
	if h.m.screen != screenRun {
		t.Fatalf("Enter did not start the procedure:\n%s", h.view())
	}
	h.mustSee("1.3 Backing Up the Certificate Authority", "Question 1 of 1",
		"Are you moving the CA role off this server")
	if got := h.m.run.snap.run.ProcedureID; got != "ca-backup" {
		t.Fatalf("started %q, want ca-backup", got)
	}
}

func TestPickerOffersARehearsalWithoutZENworks(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	cfg := f.config()
	cfg.Options.Lab = nil
	cfg.ZENworksInstalled = false
	built := 0
	cfg.NewLab = func() (string, error) {
		built++
		return f.lab.Dir(), nil
	}
	h := newHarness(t, cfg, nil, "", 80, 24)
	h.mustSee("ZENworks is not installed on this machine", "Press r to rehearse")
	h.mustNotSee("REHEARSAL")
	h.press("down", "down", "r")
	if built != 1 {
		t.Fatalf("NewLab called %d times, want 1", built)
	}
	if h.m.screen != screenRun {
		t.Fatalf("the rehearsal did not start:\n%s", h.view())
	}
	if h.m.run.mode != runner.ModeLab {
		t.Fatalf("the run's mode is %q, want lab", h.m.run.mode)
	}
	if first := strings.SplitN(h.view(), "\n", 2)[0]; !strings.Contains(first, "REHEARSAL") {
		t.Fatalf("no REHEARSAL banner on top:\n%s", h.view())
	}
	h.mustSee("1.3 Backing Up the Certificate Authority")
}

func TestPickerShowsWhyALabCouldNotBeBuilt(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	cfg := f.config()
	cfg.Options.Lab = nil
	cfg.ZENworksInstalled = false
	cfg.NewLab = func() (string, error) { return "", errors.New("lab: /x is not empty") }
	h := newHarness(t, cfg, nil, "", 80, 24)
	h.press("r")
	h.mustSee("lab: /x is not empty", "Choose a procedure")
	if h.m.screen != screenPicker {
		t.Fatal("left the picker although the lab failed")
	}
}

func TestPickerWithoutZENworksWaitsBeforeAStartByName(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	cfg := f.config()
	cfg.Options.Lab = nil
	cfg.ZENworksInstalled = false
	cfg.NewLab = func() (string, error) { return f.lab.Dir(), nil }
	h := newHarness(t, cfg, nil, "1.4", 80, 24)
	if h.m.screen != screenPicker {
		t.Fatal("a live run started on a machine without ZENworks, without the operator seeing the warning")
	}
	h.mustSee("› 1.4", "ZENworks is not installed on this machine")
}

func TestPickerQuits(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	h := newHarness(t, f.config(), nil, "", 80, 24)
	h.press("q")
	if !h.quit || h.m.exitCode != runner.ExitCompleted {
		t.Fatalf("q: quit=%v code=%d", h.quit, h.m.exitCode)
	}
}
