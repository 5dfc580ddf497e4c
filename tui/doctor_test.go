package tui

import (
	"context"
	"strings"
	"testing"

	"zenrecover/readiness"
)

// On start the picker says how ready the lab is once doctor's checks are
// back; d opens them, the first that needs something done selected with
// what to do; Enter goes back to the picker on the procedure it names.
func TestThePickerSaysHowReadyTheServerIsAndDOpensTheChecks(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	cfg := f.config()
	cfg.Readiness = func(ctx context.Context) (*readiness.Result, error) {
		return readiness.Assess(ctx, readiness.Options{Store: f.store, Library: f.lib, Lab: f.lab})
	}
	h := newHarness(t, cfg, nil, "", 80, 24)
	h.mustSee("Readiness: ", " · d shows the checks")
	if !strings.Contains(h.view(), "RED") && !strings.Contains(h.view(), "AMBER") {
		t.Fatalf("a fresh lab with no backup and no rehearsal reads as ready:\n%s", h.view())
	}
	h.press("d")
	h.mustSee("How ready is", "Certificates", "Backups")
	h.mustRead("zenrecover run")
	sel := h.m.doctor.selected()
	if sel == nil || sel.Level == readiness.Green || sel.Procedure == "" {
		t.Fatalf("the selected check is %+v, want the first that needs a procedure", sel)
	}
	h.press("enter")
	if h.m.screen != screenPicker {
		t.Fatalf("Enter on a check did not go back to the picker:\n%s", h.view())
	}
	if d := h.m.picker.defs[h.m.picker.cursor]; d.ID != sel.Procedure && d.Section != sel.Section {
		t.Errorf("the picker is on %s, want the check's procedure %s", d.ID, sel.Procedure)
	}
	h.press("d", "esc")
	if h.m.screen != screenPicker {
		t.Fatal("Esc did not leave the readiness screen")
	}
	h.checkFrame(80, 24)
}
