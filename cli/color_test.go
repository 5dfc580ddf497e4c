package cli

import (
	"testing"

	"zenrecover/runner"
)

// NO_COLOR (no-color.org) is read here, in one place, and handed to the
// wizard as Config.NoColor with --no-color; tui's tests check that
// NoColor leaves no colour on any screen.
func TestNoColorFromTheEnvironmentOrTheFlag(t *testing.T) {
	t.Setenv("NO_COLOR", "")
	g := &globals{}
	if g.colorOff() {
		t.Fatal("colour is off with neither NO_COLOR nor --no-color")
	}
	g.noColor = true
	if !g.colorOff() {
		t.Fatal("--no-color does not turn colour off")
	}
	g.noColor = false
	t.Setenv("NO_COLOR", "1")
	if !g.colorOff() {
		t.Fatal("NO_COLOR=1 does not turn colour off")
	}
	if cfg := g.tuiConfig(nil, runner.Options{}, nil); !cfg.NoColor {
		t.Fatal("the wizard is not told NO_COLOR")
	}
}
