package tui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"zenrecover/runner"
)

// async drives the model as tea.Program does while a command runs: every
// Cmd in its own goroutine, their messages handled one at a time. Tests
// wait for a state of the model, never for a time; the deadline only
// turns a hang into a failure.
type async struct {
	h       *harness
	msgs    chan tea.Msg
	pending int
}

func newAsync(h *harness) *async { return &async{h: h, msgs: make(chan tea.Msg, 64)} }

func (a *async) spawn(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	a.pending++
	go func() { a.msgs <- cmd() }()
}

func (a *async) send(msg tea.Msg) {
	next, cmd := a.h.m.Update(msg)
	a.h.m = next.(model)
	a.h.check()
	a.spawn(cmd)
}

func (a *async) press(keys ...string) {
	for _, k := range keys {
		a.h.tick()
		a.send(keyMsg(k))
	}
}

func (a *async) typeText(s string) {
	for _, r := range s {
		a.h.tick()
		a.send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

// until handles messages until cond holds.
func (a *async) until(what string, cond func() bool) {
	a.h.t.Helper()
	deadline := time.After(60 * time.Second)
	for !cond() {
		if a.pending == 0 {
			a.h.t.Fatalf("nothing more will happen, and still not %s:\n%s", what, a.h.view())
		}
		select {
		case msg := <-a.msgs:
			a.pending--
			switch msg := msg.(type) {
			case nil:
			case tea.BatchMsg:
				for _, c := range msg {
					a.spawn(c)
				}
			case tea.QuitMsg:
				a.h.quit = true
			default:
				a.send(msg)
			}
		case <-deadline:
			a.h.t.Fatalf("still not %s:\n%s", what, a.h.view())
		}
	}
}

func (a *async) outputHas(s string) func() bool {
	return func() bool { return strings.Contains(strings.Join(a.h.m.run.output.lines, "\n"), s) }
}

const promptingDef = `id: tui-prompting
title: Prompting test
section: "9.4"
summary: A command that asks something no rule answers.
steps:
  - id: ask
    ref: "1"
    title: Answer the command
    run: [sh, -c, 'echo ready; read x; echo "got <$x>"']
`

func TestTypedLineReachesTheRunningCommand(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.addDef(promptingDef)
	h := newHarness(t, f.config(), nil, "tui-prompting", 80, 24)
	a := newAsync(h)
	a.press("enter")
	if h.m.run.phase != phaseRunning {
		t.Fatalf("not running:\n%s", h.view())
	}
	a.until("ready", a.outputHas("ready"))
	h.mustSee("── output", "ready", "ctrl+c interrupts")
	a.typeText("the reply")
	h.mustNotSee("the reply") // typed hidden: an unknown prompt may be a password
	a.press("enter")
	a.until("done", func() bool { return h.m.run.phase == phaseDone })
	if !strings.Contains(strings.Join(h.m.run.output.lines, "\n"), "got <the reply>") {
		t.Fatalf("the command did not get the line:\n%s", strings.Join(h.m.run.output.lines, "\n"))
	}
}

const slowDef = `id: tui-slow
title: Slow test
section: "9.5"
summary: A command that takes its time.
steps:
  - id: slow
    ref: "1"
    title: Wait a long time
    run: [sh, -c, 'echo started; sleep 600']
`

func TestCtrlCInterruptsTheStepAndStopsTheRun(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.addDef(slowDef)
	h := newHarness(t, f.config(), nil, "tui-slow", 80, 24)
	a := newAsync(h)
	a.press("enter")
	a.until("started", a.outputHas("started"))
	a.press("q") // typed to the command's line, not a stop
	if h.m.run.phase != phaseRunning {
		t.Fatal("q stopped a running step")
	}
	a.press("ctrl+c")
	// A running step asks first: ctrl+c is easy to press by mistake.
	h.mustSee("Interrupt the command and stop the run?", "y interrupt and stop")
	if h.m.run.phase != phaseRunning {
		t.Fatal("ctrl+c stopped a running step without asking")
	}
	a.press("y")
	a.until("stopped", func() bool { return h.m.run.phase == phaseStopped })
	h.mustSee("Stopped. Nothing is lost.", "zenrecover resume "+h.m.run.runID)
	evs, rs := f.journal(h.m.run.runID)
	if st := rs.Steps["slow"]; st == nil || st.Status != runner.StepInDoubt {
		t.Fatalf("the interrupted step should be in doubt for the resume to check: %+v", st)
	}
	if hasEvent(evs, runner.EventStopped, "") == nil {
		t.Fatal("no stop in the journal")
	}
	a.press("enter")
	a.until("quit", func() bool { return h.quit })
	if h.m.exitCode != runner.ExitStopped {
		t.Fatalf("exit code %d, want %d", h.m.exitCode, runner.ExitStopped)
	}
}

// While a step runs, ? opens the help like anywhere else; once a reply is
// being typed, ? is part of it and F1 opens the help.
func TestQuestionMarkOpensHelpWhileAStepRuns(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.addDef(slowDef)
	h := newHarness(t, f.config(), nil, "tui-slow", 80, 24)
	a := newAsync(h)
	a.press("enter")
	a.until("started", a.outputHas("started"))
	a.press("?")
	if !h.m.help.ShowAll {
		t.Fatalf("? did not open the help while the step runs:\n%s", h.view())
	}
	h.checkFrame(80, 24)
	a.press("?")
	if h.m.help.ShowAll {
		t.Fatal("? did not close the help")
	}
	a.typeText("a?")
	if h.m.help.ShowAll || h.m.run.running.line.Value() != "a?" {
		t.Fatalf("? typed in a reply opened the help (line %q)", h.m.run.running.line.Value())
	}
	a.press("f1")
	if !h.m.help.ShowAll {
		t.Fatal("F1 did not open the help while a reply is typed")
	}
	a.press("ctrl+c", "y")
	a.until("stopped", func() bool { return h.m.run.phase == phaseStopped })
}
