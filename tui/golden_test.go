package tui

import (
	"fmt"
	"testing"

	"github.com/charmbracelet/x/exp/golden"
)

// The goldens are the screens without escape codes, at the two sizes the
// wizard is designed for: 80x24 (an SSH session's default) and 120x40.
// `go test ./tui -update` rewrites them.
var goldenSizes = [][2]int{{80, 24}, {120, 40}}

func eachSize(t *testing.T, fn func(t *testing.T, w, h int)) {
	for _, sz := range goldenSizes {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) { fn(t, sz[0], sz[1]) })
	}
}

func TestGoldenPicker(t *testing.T) {
	t.Parallel()
	eachSize(t, func(t *testing.T, w, hh int) {
		f := newFixture(t)
		cfg := f.config()
		cfg.Options.Lab = nil
		cfg.ZENworksInstalled = false
		cfg.NewLab = func() (string, error) { return "", nil }
		h := newHarness(t, cfg, nil, "", w, hh)
		h.checkFrame(w, hh)
		golden.RequireEqual(t, stable(h.view()))
	})
}

func TestGoldenQuestion(t *testing.T) {
	t.Parallel()
	eachSize(t, func(t *testing.T, w, hh int) {
		f := newFixture(t)
		h := newHarness(t, f.config(), nil, "1.1", w, hh)
		h.checkFrame(w, hh)
		golden.RequireEqual(t, stable(h.view(), f.lab.Dir()))
	})
}

func TestGoldenManualStep(t *testing.T) {
	t.Parallel()
	eachSize(t, func(t *testing.T, w, hh int) {
		f := newFixture(t)
		h := newHarness(t, f.config(), nil, "1.1", w, hh)
		h.press("y", "enter", "y", "enter") // the database is here; the only content server
		if h.phase() != phaseStep {
			t.Fatalf("not at a step:\n%s", h.view())
		}
		h.checkFrame(w, hh)
		golden.RequireEqual(t, stable(h.view(), f.lab.Dir()))
	})
}

func TestGoldenSecretInput(t *testing.T) {
	t.Parallel()
	eachSize(t, func(t *testing.T, w, hh int) {
		f := newFixture(t)
		h := newHarness(t, f.config(), nil, "1.1", w, hh)
		h.press("y", "enter", "y", "enter", "enter", "y") // facts; the manual step done
		h.press("enter")                                  // administrator name: the default
		h.press("enter")                                  // password: empty, refused
		h.typeText("novell-lab-pw")
		h.press("enter")
		if h.phase() != phaseInput {
			t.Fatalf("not at an input:\n%s", h.view())
		}
		h.checkFrame(w, hh)
		golden.RequireEqual(t, stable(h.view(), f.lab.Dir()))
	})
}

func TestGoldenFailedStep(t *testing.T) {
	t.Parallel()
	eachSize(t, func(t *testing.T, w, hh int) {
		f := newFixture(t)
		f.addDef(failingDef)
		h := newHarness(t, f.config(), nil, "tui-failing", w, hh)
		h.press("enter")
		h.checkFrame(w, hh)
		golden.RequireEqual(t, stable(h.view(), f.lab.Dir()))
	})
}

func TestGoldenInDoubt(t *testing.T) {
	t.Parallel()
	eachSize(t, func(t *testing.T, w, hh int) {
		f := newFixture(t)
		run := f.leaveInDoubt(doubtDef, "risky", 1)
		h := newHarness(t, f.config(), &run, "", w, hh)
		h.press("enter")
		h.checkFrame(w, hh)
		golden.RequireEqual(t, stableTimes(stable(h.view(), f.lab.Dir())))
	})
}
