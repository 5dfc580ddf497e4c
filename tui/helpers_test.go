package tui

import (
	"context"
	"image/color"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"zenrecover/assets"
	"zenrecover/lab"
	"zenrecover/lab/labtest"
	"zenrecover/lab/labtest/tmpfs"
	"zenrecover/procedures"
	"zenrecover/runner"
)

func TestMain(m *testing.M) {
	labtest.ServeShim()
	os.Exit(tmpfs.Main(m))
}

type fixture struct {
	t     *testing.T
	store *runner.Store
	lab   *lab.Lab
	lib   *procedures.Library
	dir   string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	dir := t.TempDir()
	st, err := runner.OpenStore(filepath.Join(dir, "state", "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	l := labtest.New(t)
	lib, err := procedures.LoadFS(assets.FS, "procedures")
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, store: st, lab: l, lib: lib, dir: dir}
}

// config is a rehearsal: the lab is the server.
func (f *fixture) config() Config {
	return Config{Library: f.lib, Options: runner.Options{Store: f.store, Lab: f.lab, Version: "test"},
		NoColor: true, Version: "test", ZENworksInstalled: true}
}

// addDef adds a definition of the test's own to the library.
func (f *fixture) addDef(src string) *procedures.Definition {
	f.t.Helper()
	dir := f.t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "test.yaml"), []byte(src), 0o644); err != nil {
		f.t.Fatal(err)
	}
	if err := f.lib.AddDir(dir); err != nil {
		f.t.Fatal(err)
	}
	var id string
	for _, l := range strings.Split(src, "\n") {
		if strings.HasPrefix(l, "id: ") {
			id = strings.TrimSpace(strings.TrimPrefix(l, "id: "))
			break
		}
	}
	return f.lib.Get(id)
}

// harness drives the root model the way tea.Program does, but in the test's
// goroutine, one message at a time, running every Cmd to completion: no
// test waits on a clock.
type harness struct {
	t    *testing.T
	m    model
	quit bool
	// each, when set, is called with every screen drawn after a message,
	// so a test can hold a property of all of them (the banner is there,
	// a secret is not).
	each func(raw string)
	seen int // screens drawn

	// clock is the model's clock. press, typeText and paste advance it by a
	// second first, as a person reads the screen before typing; burst
	// does not, as keys typed ahead arrive all at once.
	clock time.Time
}

func newHarness(t *testing.T, cfg Config, resume *runner.Run, procID string, w, h int) *harness {
	t.Helper()
	hs := &harness{t: t, m: newModel(context.Background(), cfg, resume, procID), clock: time.Unix(1_700_000_000, 0)}
	hs.m.ctx.now = func() time.Time { return hs.clock }
	t.Cleanup(func() {
		if hs.m.hasRun && hs.m.sess != nil {
			if x := hs.m.run.exec; x != nil {
				x.cancel()
				<-x.done
			}
			hs.m.sess.Close()
		}
	})
	hs.send(tea.WindowSizeMsg{Width: w, Height: h})
	hs.drive(hs.m.Init())
	return hs
}

func (h *harness) send(msg tea.Msg) {
	h.t.Helper()
	next, cmd := h.m.Update(msg)
	h.m = next.(model)
	h.check()
	h.drive(cmd)
}

func (h *harness) check() {
	h.t.Helper()
	h.seen++
	if h.each != nil {
		h.each(h.raw())
	}
}

func (h *harness) drive(cmd tea.Cmd) {
	h.t.Helper()
	queue := []tea.Cmd{cmd}
	for steps := 0; len(queue) > 0; steps++ {
		if steps > 10000 {
			h.t.Fatal("the model keeps producing commands")
		}
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		msg := c()
		switch msg := msg.(type) {
		case nil:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		case tea.QuitMsg:
			h.quit = true
		default:
			next, cmd := h.m.Update(msg)
			h.m = next.(model)
			h.check()
			queue = append(queue, cmd)
		}
	}
}

// press sends named keys: "enter", "esc", "tab", "up", "down", "ctrl+c",
// "pgup", "pgdown", or a single character.
func (h *harness) press(keys ...string) {
	h.t.Helper()
	for _, k := range keys {
		h.tick()
		h.send(keyMsg(k))
	}
}

// typeText types each character of s.
func (h *harness) typeText(s string) {
	h.t.Helper()
	for _, r := range s {
		h.tick()
		h.send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

// tick lets a person's moment pass.
func (h *harness) tick() { h.clock = h.clock.Add(time.Second) }

// burst sends keys typed ahead: all at once, a millisecond apart, each
// handled (with whatever it starts) before the next, as tea.Program does
// when the screen changes in the middle of a burst. Names as for press;
// any other string is typed character by character.
func (h *harness) burst(keys ...string) {
	h.t.Helper()
	for _, k := range keys {
		msgs := []tea.KeyPressMsg{keyMsg(k)}
		if _, named := namedKeys[k]; !named && utf8.RuneCountInString(k) > 1 {
			msgs = msgs[:0]
			for _, r := range k {
				msgs = append(msgs, tea.KeyPressMsg{Code: r, Text: string(r)})
			}
		}
		for _, m := range msgs {
			h.clock = h.clock.Add(time.Millisecond)
			h.send(m)
		}
	}
}

var namedKeys = map[string]bool{"enter": true, "esc": true, "tab": true, "up": true, "down": true, "left": true,
	"right": true, "pgup": true, "pgdown": true, "backspace": true, "ctrl+c": true, "ctrl+u": true, "f1": true}

func keyMsg(k string) tea.KeyPressMsg {
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "left":
		return tea.KeyPressMsg{Code: tea.KeyLeft}
	case "right":
		return tea.KeyPressMsg{Code: tea.KeyRight}
	case "pgup":
		return tea.KeyPressMsg{Code: tea.KeyPgUp}
	case "pgdown":
		return tea.KeyPressMsg{Code: tea.KeyPgDown}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	case "ctrl+u":
		return tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl}
	case "f1":
		return tea.KeyPressMsg{Code: tea.KeyF1}
	}
	r, _ := utf8.DecodeRuneInString(k)
	return tea.KeyPressMsg{Code: r, Text: k}
}

// raw is the screen as the program would draw it.
func (h *harness) raw() string { return h.m.View().Content }

// view is the screen without escape codes.
func (h *harness) view() string { return ansi.Strip(h.raw()) }

func (h *harness) resize(w, hgt int) { h.send(tea.WindowSizeMsg{Width: w, Height: hgt}) }

// mustSee fails unless the screen shows every string.
func (h *harness) mustSee(want ...string) {
	h.t.Helper()
	v := h.view()
	for _, w := range want {
		if !strings.Contains(v, w) {
			h.t.Fatalf("the screen does not show %q:\n%s", w, v)
		}
	}
}

// mustRead fails unless the main column says text, however it was
// wrapped: lines are joined with spaces, the step list cut off.
func (h *harness) mustRead(text ...string) {
	h.t.Helper()
	var parts []string
	for _, l := range strings.Split(h.view(), "\n") {
		if i := strings.Index(l, " │ "); i >= 0 {
			l = l[i+len(" │ "):]
		}
		parts = append(parts, strings.TrimSpace(l))
	}
	flow := strings.Join(strings.Fields(strings.Join(parts, " ")), " ")
	for _, t := range text {
		if !strings.Contains(flow, t) {
			h.t.Fatalf("the screen does not say %q:\n%s", t, h.view())
		}
	}
}

func (h *harness) mustNotSee(unwanted ...string) {
	h.t.Helper()
	v := h.view()
	for _, w := range unwanted {
		if strings.Contains(v, w) {
			h.t.Fatalf("the screen shows %q:\n%s", w, v)
		}
	}
}

// checkFrame asserts the screen is exactly the terminal's size.
func (h *harness) checkFrame(w, hgt int) {
	h.t.Helper()
	ls := strings.Split(h.view(), "\n")
	if len(ls) != hgt {
		h.t.Fatalf("the screen has %d lines, want %d:\n%s", len(ls), hgt, h.view())
	}
	for i, l := range ls {
		if ansi.StringWidth(l) > w {
			h.t.Fatalf("line %d is %d cells wide, more than %d: %q", i+1, ansi.StringWidth(l), w, l)
		}
	}
}

func (h *harness) phase() phase { return h.m.run.phase }

// runIDs matches run ids, which hold the time they were started.
var runIDs = regexp.MustCompile(`\d{8}-\d{6}-[0-9a-f]{4}`)

// fileDates are ${run.date} in default file names (ca-2026-12-02.bak).
var fileDates = regexp.MustCompile(`-\d{4}-\d{2}-\d{2}\.`)

// datedCABackup is 1.3's default CA backup file.
var datedCABackup = regexp.MustCompile(`^/root/zcm_backups/ca-\d{4}-\d{2}-\d{2}\.bak$`)

var (
	dates  = regexp.MustCompile(`\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?`)
	clocks = regexp.MustCompile(`\b\d{2}:\d{2}\b`)
)

// stableTimes replaces dates and clock times with fixed ones of the same
// width.
func stableTimes(s string) string {
	s = dates.ReplaceAllStringFunc(s, func(d string) string {
		if len(d) == len("2006-01-02 15:04:05") {
			return "2025-01-01 00:00:00"
		}
		return "2025-01-01 00:00"
	})
	return clocks.ReplaceAllString(s, "00:00")
}

// stable replaces what differs from run to run (run ids, temporary
// directories) with fixed text of the same width, so goldens stay stable
// and the layout they check does not move.
func stable(s string, dirs ...string) string {
	s = runIDs.ReplaceAllString(s, "20250101-000000-0000")
	s = fileDates.ReplaceAllString(s, "-2025-01-01.")
	for _, d := range dirs {
		if d != "" {
			s = strings.ReplaceAll(s, d, "/LAB")
		}
	}
	return s
}

func ansiStrip(s string) string { return ansi.Strip(s) }

func lightBackground() tea.BackgroundColorMsg {
	return tea.BackgroundColorMsg{Color: color.White}
}
