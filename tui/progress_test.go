package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"zenrecover/actions"
)

const mib = 1 << 20

// A snapshot a third of the way through 1.1's content repository.
var midway = actions.Progress{Phase: actions.PhaseArchive, Bytes: 264 * mib, BytesTotal: 798*mib + 102*1024,
	Files: 4, FilesTotal: 411, Rate: 430.6 * mib, Left: 62 * time.Second, Elapsed: 600 * time.Millisecond}

func barLines(t *testing.T, b progressPane) []string {
	t.Helper()
	return strings.Split(ansi.Strip(b.View()), "\n")
}

func TestTheBarShowsBytesFilesRateAndTimeLeft(t *testing.T) {
	t.Parallel()
	b := newProgressPane(newUICtx(true))
	b.SetSize(53, 0)
	if b.View() != "" {
		t.Fatalf("a bar before any progress: %q", b.View())
	}
	b, _ = b.Update(progressMsg{gen: 1, p: midway})
	ls := barLines(t, b)
	want := []string{
		strings.Repeat("█", 16) + strings.Repeat("░", 32) + "  33%",
		"Archiving: 264 MiB of 798 MiB · 4 of 411 files",
		"431 MiB/s · about 1m02s left",
	}
	if strings.Join(ls, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(ls, "\n"), strings.Join(want, "\n"))
	}
	if w := ansi.StringWidth(ls[0]); w != 53 {
		t.Errorf("the bar is %d cells wide, want the column's 53", w)
	}
}

func TestWhileCountingTheBarPromisesNothing(t *testing.T) {
	t.Parallel()
	b := newProgressPane(newUICtx(true))
	b.SetSize(72, 0)
	p := midway
	p.Counting, p.Rate, p.Left = true, 0, 0
	b, _ = b.Update(progressMsg{p: p})
	ls := barLines(t, b)
	if strings.Contains(ls[0], "%") || strings.Contains(ls[0], "█") {
		t.Errorf("a percentage or a fill while still counting: %q", ls[0])
	}
	if ls[1] != "Archiving: 264 MiB of at least 798 MiB · 4 of at least 411 files" {
		t.Errorf("line 2: %q", ls[1])
	}
	if ls[2] != "still counting the files, so no estimate yet" {
		t.Errorf("line 3: %q", ls[2])
	}
}

func TestTheBarSaysEachPhase(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		p     actions.Progress
		lines []string
	}{
		{actions.Progress{Phase: actions.PhaseArchive, BytesTotal: 10 * mib, FilesTotal: 3},
			[]string{"Archiving: 0 B of 10 MiB · 0 of 3 files", "measuring the speed"}},
		{actions.Progress{Phase: actions.PhaseFinish, Bytes: 10 * mib, BytesTotal: 10 * mib, Files: 3, FilesTotal: 3},
			[]string{"Finishing: 10 MiB of 10 MiB · 3 of 3 files", "writing the manifest and putting the set in place"}},
		{actions.Progress{Phase: actions.PhaseExtract, Bytes: 5 * mib, BytesTotal: 10 * mib, Files: 1_234, FilesTotal: 12_345, Rate: mib, Left: 2*time.Hour + 5*time.Minute},
			[]string{"Extracting: 5.0 MiB of 10 MiB · 1,234 of 12,345 files", "1.0 MiB/s · about 2h05m left"}},
		{actions.Progress{Phase: actions.PhaseDone, Bytes: 10 * mib, BytesTotal: 10 * mib, Files: 3, FilesTotal: 3, Elapsed: 4200 * time.Millisecond},
			[]string{"Done: 10 MiB, 3 files", "in 4.2s"}},
	} {
		b := newProgressPane(newUICtx(true))
		b.SetSize(60, 0)
		b, _ = b.Update(progressMsg{p: c.p})
		if got := barLines(t, b)[1:]; strings.Join(got, "\n") != strings.Join(c.lines, "\n") {
			t.Errorf("%s: got %q, want %q", c.p.Phase, got, c.lines)
		}
	}
}

// On a narrow terminal the words wrap and no line is wider than the column.
func TestTheBarFitsANarrowColumn(t *testing.T) {
	t.Parallel()
	b := newProgressPane(newUICtx(false))
	b.SetSize(24, 0)
	b, _ = b.Update(progressMsg{p: midway})
	for i, l := range barLines(t, b) {
		if w := ansi.StringWidth(l); w > 24 {
			t.Errorf("line %d is %d cells wide: %q", i+1, w, l)
		}
	}
}

// With colour the bar is coloured; with NO_COLOR it is characters only.
func TestTheBarUsesTheStyles(t *testing.T) {
	colour := newProgressPane(newUICtx(false))
	colour.SetSize(40, 0)
	colour, _ = colour.Update(progressMsg{p: midway})
	if !strings.Contains(colour.View(), "\x1b[") {
		t.Error("no colour in the coloured bar")
	}
	plain := newProgressPane(newUICtx(true))
	plain.SetSize(40, 0)
	plain, _ = plain.Update(progressMsg{p: midway})
	first := strings.Split(plain.View(), "\n")[0]
	if strings.Contains(first, "38;") || strings.Contains(first, "48;") {
		t.Errorf("a colour in the NO_COLOR bar: %q", first)
	}
}

// Snapshots that pile up are not queued: the newest waits, and those that
// come sooner than progressGap after the last one kept are dropped unless
// the phase changed.
func TestTheStreamKeepsOnlyTheLatestProgress(t *testing.T) {
	var s progressSlot
	t0 := time.Unix(1000, 0)
	p := func(ph actions.Phase, b int64) actions.Progress { return actions.Progress{Phase: ph, Bytes: b} }
	if !s.put(p(actions.PhaseArchive, 1), t0) {
		t.Fatal("the first snapshot does not wake the reader")
	}
	if s.put(p(actions.PhaseArchive, 2), t0.Add(10*time.Millisecond)) {
		t.Error("a snapshot replacing a waiting one woke the reader again")
	}
	if got, ok := s.take(); !ok || got.Bytes != 2 {
		t.Errorf("take: %+v %v, want the newest", got, ok)
	}
	if _, ok := s.take(); ok {
		t.Error("a snapshot delivered twice")
	}
	if s.put(p(actions.PhaseArchive, 3), t0.Add(100*time.Millisecond)) {
		t.Error("a snapshot within the gap was kept")
	}
	if !s.put(p(actions.PhaseFinish, 4), t0.Add(110*time.Millisecond)) {
		t.Error("a change of phase within the gap was dropped")
	}
	s.take()
	if !s.put(p(actions.PhaseFinish, 5), t0.Add(110*time.Millisecond+progressGap)) {
		t.Error("a snapshot after the gap was dropped")
	}
}

// runningView is the run view of a step whose command is running, with
// the execution of generation gen; its Cmds are not run.
func runningView(t *testing.T, w, h, gen int) *harness {
	t.Helper()
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	f := newFixture(t)
	f.addDef(barDef)
	hs := newHarness(t, f.config(), nil, "tui-bar", w, h)
	hs.typeText("Bar-Pass-12345")
	hs.press("enter")
	hs.typeText("Bar-Pass-12345")
	hs.press("enter")
	if hs.phase() != phaseStep {
		t.Fatalf("not at the step:\n%s", hs.view())
	}
	hs.m.run.exec = &execution{gen: gen, stepID: "arch", stream: newOutStream(), done: make(chan struct{})}
	hs.m.run.phase = phaseRunning
	hs.m.layout()
	return hs
}

const barDef = `id: tui-bar
title: Bar test
section: "9.8"
summary: An archive step, for the progress bar.
inputs:
  - id: pass
    type: secret
    prompt: Archive passphrase
    new: true
    min-length: 10
steps:
  - id: arch
    ref: "1"
    title: Archive the content repository
    archive:
      from: /var/opt/novell/zenworks/content-repo
      to: /root/zcm_backups/bar.archive
      passphrase: pass
`

// update hands msg to the root model as tea.Program would, without running
// the Cmd it returns.
func (h *harness) update(msg tea.Msg) tea.Cmd {
	next, cmd := h.m.Update(msg)
	h.m = next.(model)
	return cmd
}

func TestTheRunViewShowsTheBarOfTheRunningStep(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {60, 20}, {40, 16}} {
		w, hh := size[0], size[1]
		h := runningView(t, w, hh, 7)
		if cmd := h.update(progressMsg{gen: 7, p: midway}); cmd == nil {
			t.Errorf("%dx%d: the stream is not read again after a progress message", w, hh)
		}
		h.checkFrame(w, hh)
		h.mustSee("█", "░", "33%")
		h.mustRead("Archiving: 264 MiB of 798 MiB · 4 of 411 files", "431 MiB/s · about 1m02s left")
		h.mustRead("ctrl+c interrupts")

		// A snapshot of an earlier execution is dropped and ends its stream.
		older := midway
		older.Bytes = 700 * mib
		if cmd := h.update(progressMsg{gen: 6, p: older}); cmd != nil {
			t.Errorf("%dx%d: a stale stream was read again", w, hh)
		}
		h.mustRead("264 MiB of 798 MiB")

		// The step ends: the bar goes with it.
		h.update(execDoneMsg{gen: 7, outcome: nil, err: errTest})
		h.mustNotSee("█", "33%")
	}
}

var errTest = errorString("the test ended the step")

type errorString string

func (e errorString) Error() string { return string(e) }

// The whole path, through the real archive: the last snapshot reaches the
// screen through the step's output stream, and the bar is gone once the
// step is done.
func TestAnArchiveStepDrawsItsBar(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	f := newFixture(t)
	f.addDef(barDef)
	h := newHarness(t, f.config(), nil, "tui-bar", 80, 24)
	h.typeText("Bar-Pass-12345")
	h.press("enter")
	h.typeText("Bar-Pass-12345")
	h.press("enter")
	var bars []string
	h.each = func(raw string) {
		v := ansi.Strip(raw)
		if strings.Contains(v, "█") {
			bars = append(bars, v)
		}
		if strings.Contains(v, "Bar-Pass-12345") {
			t.Error("the passphrase is on the screen")
		}
	}
	h.press("enter")
	if len(bars) == 0 {
		t.Fatalf("no screen showed the bar; the last:\n%s", h.view())
	}
	if last := bars[len(bars)-1]; !strings.Contains(last, "100%") || !strings.Contains(last, "Done:") {
		t.Errorf("the last bar:\n%s", last)
	}
	h.mustSee("The procedure is complete")
	h.mustNotSee("█")
}

const escrowDef = `id: tui-escrow
title: Escrow test
section: "9.9"
summary: An archive whose passphrase the team keeps.
inputs:
  - id: pass
    type: secret
    prompt: Archive passphrase
    new: true
    min-length: 10
    escrow: true
steps:
  - id: arch
    ref: "1"
    title: Archive the content repository
    archive:
      from: /var/opt/novell/zenworks/content-repo
      to: /root/zcm_backups/escrow.archive
      passphrase: pass
  - id: after
    ref: "2"
    title: Afterwards
    manual: Nothing to do here.
`

// The screen after a step that used an escrow passphrase says what became
// of it: sealed for the team, or (standing out) not escrowed.
func TestTheNextScreenSaysWhetherThePassphraseIsEscrowed(t *testing.T) {
	for _, withTeam := range []bool{false, true} {
		config := t.TempDir()
		t.Setenv("XDG_CONFIG_HOME", config)
		if withTeam {
			os.MkdirAll(filepath.Join(config, "zenrecover"), 0o700)
			id, _ := age.GenerateX25519Identity()
			os.WriteFile(filepath.Join(config, "zenrecover", "recipients"), []byte(id.Recipient().String()+"\n"), 0o600)
		}
		f := newFixture(t)
		f.addDef(escrowDef)
		h := newHarness(t, f.config(), nil, "tui-escrow", 80, 24)
		h.typeText("Escrow-Pass-12345")
		h.press("enter")
		h.typeText("Escrow-Pass-12345")
		h.press("enter", "enter")
		h.checkFrame(80, 24)
		if withTeam {
			h.mustRead("Sealed the archive passphrase for the team (1 recipient):")
		} else {
			h.mustRead("The archive passphrase is not escrowed: no team recipients are configured.", "Keep it safe yourself")
		}
		h.mustRead("Step 2 of 2")
		h.mustNotSee("Escrow-Pass-12345")
		// It is said for the next screen only.
		h.press("enter", "y")
		h.mustSee("The procedure is complete")
		h.mustNotSee("or list the team's public keys in", "for the team (1 recipient)")
	}
}
