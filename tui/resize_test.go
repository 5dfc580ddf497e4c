package tui

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// lastLine is the footer.
func (h *harness) lastLine() string {
	ls := strings.Split(h.view(), "\n")
	return ls[len(ls)-1]
}

// smallSizes must keep every screen whole: no panic, exactly the
// terminal's lines, the footer on the last one.
var smallSizes = [][2]int{{80, 24}, {60, 20}, {40, 12}, {30, 8}, {120, 40}, {40, 12}}

func (h *harness) survivesResizes() {
	h.t.Helper()
	for _, sz := range smallSizes {
		h.resize(sz[0], sz[1])
		h.checkFrame(sz[0], sz[1])
		if strings.TrimSpace(h.lastLine()) == "" {
			h.t.Fatalf("no footer at %dx%d:\n%s", sz[0], sz[1], h.view())
		}
	}
	// The footer's first key survives at the common small sizes.
	for _, sz := range [][2]int{{60, 20}, {40, 12}} {
		h.resize(sz[0], sz[1])
		if !strings.ContainsAny(h.lastLine(), "•…") && !strings.Contains(h.lastLine(), "help") {
			h.t.Fatalf("the footer at %dx%d is not the key help: %q", sz[0], sz[1], h.lastLine())
		}
	}
	h.resize(80, 24)
}

func TestResizeKeepsEveryScreenWhole(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.addDef(failingDef)
	run := f.leaveInDoubt(doubtDef, "risky", 1)

	// The resume screen, then the in-doubt dialog.
	h := newHarness(t, f.config(), &run, "", 80, 24)
	h.survivesResizes()
	h.press("enter")
	h.survivesResizes()
	h.press("d")
	h.survivesResizes()
	h.press("?")
	h.survivesResizes()

	// The picker, a question, a secret, a failure with output, a dialog.
	h = newHarness(t, f.config(), nil, "", 80, 24)
	h.survivesResizes()
	h = newHarness(t, f.config(), nil, "1.1", 80, 24)
	h.survivesResizes()
	h.press("y", "enter", "y", "enter", "enter", "y", "enter", "enter")
	h.survivesResizes()
	h = newHarness(t, f.config(), nil, "tui-failing", 80, 24)
	h.press("enter")
	h.survivesResizes()
	h.press("s")
	h.survivesResizes()
	h.press("esc", "q")
	h.survivesResizes()
	h.press("y")
	h.survivesResizes()
}

func TestTinyTerminalDoesNotPanic(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	h := newHarness(t, f.config(), nil, "1.1", 80, 24)
	for _, sz := range [][2]int{{1, 1}, {2, 2}, {10, 3}, {0, 0}, {5, 40}, {200, 2}} {
		h.resize(sz[0], sz[1])
		_ = h.view()
		h.press("y")
	}
}

// colourSGR finds SGR sequences that set or reset a colour.
var sgr = regexp.MustCompile("\x1b\\[([0-9;:]*)m")

func colourCodes(s string) []string {
	var found []string
	for _, m := range sgr.FindAllStringSubmatch(s, -1) {
		params := strings.FieldsFunc(m[1], func(r rune) bool { return r == ';' || r == ':' })
		for i := 0; i < len(params); i++ {
			n, err := strconv.Atoi(params[i])
			if err != nil {
				continue
			}
			switch {
			case n >= 30 && n <= 39, n >= 40 && n <= 49, n >= 90 && n <= 97, n >= 100 && n <= 107:
				found = append(found, m[0])
			}
			if n == 38 || n == 48 || n == 58 {
				break // the rest are the colour's own numbers
			}
		}
	}
	return found
}

func screensOfARun(t *testing.T, cfg Config, f *fixture) []string {
	var raws []string
	h := newHarness(t, cfg, nil, "", 80, 24)
	h.each = func(raw string) { raws = append(raws, raw) }
	raws = append(raws, h.raw())
	for h.m.picker.defs[h.m.picker.cursor].ID != "tui-failing" {
		h.press("down")
	}
	h.press("enter", "enter", "s")
	h.typeText("why")
	h.press("esc", "q", "n", "?")
	return raws
}

func TestNoColorMeansNoColourCodes(t *testing.T) {
	f := newFixture(t)
	f.addDef(failingDef)

	cfg := f.config()
	cfg.NoColor = false
	coloured := screensOfARun(t, cfg, f)
	if len(colourCodes(strings.Join(coloured, ""))) == 0 {
		t.Fatal("the coloured screens have no colour: the check below would prove nothing")
	}

	cfg.NoColor = true
	for _, raw := range screensOfARun(t, cfg, f) {
		if c := colourCodes(raw); len(c) > 0 {
			t.Fatalf("--no-color screen has colour codes %q:\n%q", c, raw)
		}
	}
	// NO_COLOR is read by cli, in one place, into Config.NoColor
	// (cli/color_test.go).
}

func TestLightBackgroundRestyles(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	cfg := f.config()
	cfg.NoColor = false
	h := newHarness(t, cfg, nil, "1.3", 80, 24)
	dark := h.raw()
	h.send(lightBackground())
	if h.m.ctx.dark {
		t.Fatal("a light background was not taken")
	}
	if h.raw() == dark {
		t.Fatal("the styles did not change with the background")
	}
}
