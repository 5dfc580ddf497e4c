package tui

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"zenrecover/procedures"
	"zenrecover/runner"
)

type phase int

const (
	phaseBusy      phase = iota // waiting for the session
	phaseFact                   // a question
	phaseInput                  // a value
	phaseStep                   // a step ready to run or to be done by hand
	phaseRunning                // a step's command is running
	phaseFailed                 // the step's last attempt failed
	phaseInDoubt                // a step started and never finished
	phaseDone                   // the run is complete
	phaseStopped                // the run was stopped, resumable
	phaseError                  // the session could not go on
	phaseAnswers                // the answers under review
	phaseDest                   // a step's destination needs a decision
	phaseAbandoned              // the run was ended for good
	phaseHostKey                // a host's SSH key waits to be trusted
	phaseFleet                  // a fan-out step is in Ansible's hands
)

// quitMsg asks the root to end the program with an exit code.
type quitMsg struct{ code int }

func quitWith(code int) tea.Cmd { return func() tea.Msg { return quitMsg{code: code} } }

// sidebarMin is the narrowest terminal that gets the step list as a
// sidebar; below it the list folds into one line of marks.
const sidebarMin = 72

// runView is the frame of one run (rooms.go): the step list, the room of
// the phase the run is in, the output of the last command, and the
// session, which only its Cmds touch.
type runView struct {
	ctx    *uictx
	base   context.Context
	sess   *runner.Session
	lock   *sync.Mutex
	def    *procedures.Definition
	runID  string
	mode   runner.Mode
	host   string
	dryRun bool
	// resumed: this process took the run up after an interruption, so a
	// secret asked now is asked again.
	resumed bool
	// The commands the screens suggest, with the --state this run uses.
	cmdResume, cmdReport string

	width, height int
	mainW, mainH  int
	detailH       int
	outH          int
	showOut       bool
	rule          bool // a rule line above the output

	gen      int
	phase    phase
	before   phase // the phase to go back to when an operation is refused
	busyText string
	snap     snapshot
	need     runner.Need
	current  string // id of the step the current need is about

	// The rooms; the one of the current phase is on show.
	ask     askRoom
	step    stepRoom
	running runningRoom
	failed  failedRoom
	doubt   doubtRoom
	answers answersRoom
	dest    destRoom
	hostKey hostKeyRoom
	fleet   fleetRoom
	end     endRoom

	text    *textDialog
	confirm *confirmDialog

	output   outputPane
	exec     *execution
	fleetRun *fleetRun // a step's targets in Ansible's hands

	flash     string // what just happened, one line
	flashLeft int    // how many more needs the flash stays for

	// escrow says what became of the passphrases the last step used that
	// the team must keep (sealed where, or not), for one need like flash.
	escrow     []string
	escrowLeft int

	errText   string
	stopAfter bool // stop was asked for while the session was busy
	scroll    int  // of the details

	// changing is the answer being changed: its new value, kept while
	// the reason is asked.
	changing struct{ id, value string }
}

// newRunView builds the screen for a session that no Cmd is using yet, so
// reading the session's fixed facts here is safe.
func newRunView(ctx *uictx, base context.Context, sess *runner.Session, lock *sync.Mutex, resumed bool) (runView, tea.Cmd) {
	run := sess.Run()
	host := run.Host
	if l := sess.Lab(); l != nil {
		host = l.Hostname()
	}
	v := runView{ctx: ctx, base: base, sess: sess, lock: lock, def: sess.Definition(), runID: run.ID,
		mode: run.Mode, host: host, dryRun: sess.DryRun(), resumed: resumed,
		cmdResume: sess.Command("resume"), cmdReport: sess.Command("report"),
		output: newOutputPane(ctx), running: newRunningRoom(ctx), snap: takeSnapshot(sess)}
	if changes, adopted := sess.DefinitionChanges(); len(changes) > 0 {
		// Said once, on the first screen: the operator should know the
		// procedure on disk is not the one this run follows.
		if adopted {
			v.flash = fmt.Sprintf("The procedure changed since this run started (%s); as asked, the run goes on with the new definition.", stepsWord(len(changes)))
		} else {
			v.flash = fmt.Sprintf("The procedure changed since this run started (%s differ, e.g. %s); the run finishes on the definition it started with. zenrecover resume --adopt-definition takes the new one.", stepsWord(len(changes)), changes[0])
		}
		v.flashLeft = 2
	}
	return v, v.startOp("Looking at the run…", nil)
}

func (v *runView) startOp(busy string, fn func(context.Context) error) tea.Cmd {
	v.gen++
	if v.phase != phaseBusy {
		v.before = v.phase
	}
	v.phase = phaseBusy
	v.busyText = busy
	return opThenNext(v.base, v.sess, v.lock, v.gen, fn)
}

func (v *runView) restyle() {
	v.ask.prompt.restyle()
	if v.text != nil {
		v.text.restyle()
	}
	v.running.restyle()
}

// Typing reports whether keys go into a text field (so ? and q are text).
func (v runView) Typing() bool {
	switch {
	case v.text != nil:
		return true
	case v.confirm != nil:
		return false
	case v.phase == phaseRunning:
		return v.running.Typing()
	case v.phase == phaseFact || v.phase == phaseInput:
		return v.ask.prompt.Typing()
	}
	return false
}

// FocusID names what has the focus: the phase, the step or question it is
// about, and any dialog open over it. The root's input rule (input_gate.go)
// gives a new focus a moment before keys act on it.
func (v runView) FocusID() string {
	id := fmt.Sprintf("%d|%s|%s|%d", v.phase, needKey(v.need), v.ask.prompt.id, v.ask.prompt.attempt)
	if v.phase == phaseRunning && v.running.waiting != nil {
		id += "|waiting:" + v.running.waiting.line
	}
	if v.confirm != nil {
		id += fmt.Sprintf("|confirm%d", v.confirm.purpose)
	}
	if v.text != nil {
		id += fmt.Sprintf("|text%d", v.text.purpose)
	}
	return id
}

// needKey is the step (with its target) or question a need is about.
func needKey(n runner.Need) string {
	switch n := n.(type) {
	case *runner.NeedFact:
		return "fact:" + n.Fact.ID
	case *runner.NeedInput:
		return "input:" + n.Input.ID
	case *runner.NeedStep:
		return n.Key
	case *runner.NeedFailed:
		return n.Key
	case *runner.NeedInDoubt:
		return n.Key
	case *runner.NeedDestination:
		return "dest:" + n.Key
	case *runner.NeedHostKey:
		return "hostkey:" + n.Host + ":" + n.Key
	}
	return ""
}

// Closed reports whether the run needs nothing more from this process.
func (v runView) Closed() bool {
	return v.phase == phaseDone || v.phase == phaseStopped || v.phase == phaseAbandoned
}

func (v runView) Update(msg tea.Msg) (runView, tea.Cmd) {
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case needMsg:
		if msg.gen == v.gen {
			cmd = v.onNeed(msg)
		}
	case answersMsg:
		if msg.gen == v.gen {
			cmd = v.onAnswers(msg)
		}
	case changedMsg:
		if msg.gen == v.gen {
			cmd = v.onChanged(msg)
		}
	case outputMsg:
		if v.exec != nil && msg.gen == v.exec.gen {
			v.output.Append(msg.text)
			cmd = v.exec.stream.next(msg.gen)
		}
	case progressMsg:
		// Progress travels in the step's output stream (ops.go).
		if v.exec != nil && msg.gen == v.exec.gen {
			v.running, _ = v.running.Update(msg)
			cmd = v.exec.stream.next(msg.gen)
		}
	case waitingMsg:
		if v.exec != nil && msg.gen == v.exec.gen {
			v.onWaiting(msg)
			cmd = v.exec.stream.next(msg.gen)
		}
	case execDoneMsg:
		if v.exec != nil && msg.gen == v.exec.gen {
			cmd = v.onExecDone(msg)
		}
	case fleetOutMsg:
		if v.fleetRun != nil && msg.gen == v.fleetRun.gen {
			cmd = v.onFleetOut(msg)
		}
	case fleetDoneMsg:
		if v.fleetRun != nil && msg.gen == v.fleetRun.gen {
			cmd = v.onFleetDone(msg)
		}
	case fleetPlanMsg:
		if msg.gen == v.gen && v.phase == phaseFleet {
			cmd = v.onFleetPlan(msg)
		}
	case stoppedMsg:
		v.text, v.confirm = nil, nil
		v.end = endRoom{ctx: v.ctx, kind: endStopped, def: v.def, runID: v.runID, cmdResume: v.cmdResume, cmdReport: v.cmdReport}
		v.phase = phaseStopped
		if msg.err != nil {
			v.end.err = msg.err.Error()
		}
		if msg.abandoned && msg.err == nil {
			v.end.kind, v.phase = endAbandoned, phaseAbandoned
		} else if msg.abandoned {
			// Not abandoned: it stays resumable, and says why.
			v.phase, v.end.kind = phaseError, endError
			v.end.err = "the run could not be abandoned: " + msg.err.Error()
		}
	case tea.KeyPressMsg:
		cmd = v.onKey(msg)
	case tea.PasteMsg:
		cmd = v.onPaste(msg)
	}
	v.layout()
	return v, cmd
}

func (v *runView) onNeed(m needMsg) tea.Cmd {
	v.snap = m.snap
	if m.opErr != nil {
		v.phase = v.before
		if v.phase == phaseFact || v.phase == phaseInput {
			v.ask.prompt.SetError(m.opErr)
		} else {
			v.errText = m.opErr.Error()
		}
		return v.afterBusy()
	}
	if m.err != nil {
		v.fail(m.err.Error())
		return v.afterBusy()
	}
	if st, ok := m.need.(*runner.Settled); ok {
		// Already journaled as done: say so, and move on.
		v.flash, v.flashLeft = fmt.Sprintf("Step %s was in doubt; its checks show it took effect, so it is marked done.", st.Step.Ref), 1
		return v.startOp("Looking at the run…", nil)
	}
	v.setNeed(m.need)
	return v.afterBusy()
}

func (v *runView) fail(why string) {
	v.phase = phaseError
	v.end = endRoom{ctx: v.ctx, kind: endError, def: v.def, runID: v.runID, cmdResume: v.cmdResume, cmdReport: v.cmdReport, err: why}
}

// afterBusy honours a stop asked for while the session was busy.
func (v *runView) afterBusy() tea.Cmd {
	if v.stopAfter {
		v.stopAfter = false
		if !v.Closed() {
			v.askStop()
		}
	}
	return nil
}

func (v *runView) setNeed(n runner.Need) {
	v.need = n
	if v.flashLeft > 0 {
		v.flashLeft--
	} else {
		v.flash = ""
	}
	if v.escrowLeft > 0 {
		v.escrowLeft--
	} else {
		v.escrow = nil
	}
	v.errText = ""
	v.text, v.confirm = nil, nil
	v.scroll = 0
	switch n := n.(type) {
	case *runner.NeedFact:
		v.phase, v.current = phaseFact, ""
		v.ask = newAskRoom(v.ctx, v.def, n, v.resumed)
	case *runner.NeedInput:
		v.phase, v.current = phaseInput, n.Step.ID
		v.ask = newAskRoom(v.ctx, v.def, n, v.resumed)
	case *runner.NeedStep:
		v.phase, v.current = phaseStep, n.Step.ID
		v.step = newStepRoom(v.ctx, v.def, n, v.dryRun)
	case *runner.NeedFailed:
		v.phase, v.current = phaseFailed, n.Step.ID
		v.failed = newFailedRoom(v.ctx, n)
	case *runner.NeedInDoubt:
		v.phase, v.current = phaseInDoubt, n.Step.ID
		v.doubt = newDoubtRoom(v.ctx, n)
	case *runner.NeedDestination:
		v.phase, v.current = phaseDest, n.Step.ID
		v.dest = newDestRoom(v.ctx, n, v.dryRun)
	case *runner.NeedHostKey:
		v.phase, v.current = phaseHostKey, n.Step.ID
		v.hostKey = newHostKeyRoom(v.ctx, n)
	case *runner.Done:
		v.phase, v.current = phaseDone, ""
		v.end = endRoom{ctx: v.ctx, kind: endDone, def: v.def, runID: v.runID, cmdResume: v.cmdResume, cmdReport: v.cmdReport}
	}
	// The output pane keeps the last command's output until the next
	// command starts: what zman just said is often what the next manual
	// step is about.
}

func (v *runView) onExecDone(m execDoneMsg) tea.Cmd {
	x := v.exec
	v.exec = nil
	v.running.stop()
	v.snap = m.snap
	ref := v.stepRef(x.stepID)
	if m.err != nil {
		if x.interrupted {
			v.output.Note("— interrupted —")
			v.phase = phaseBusy
			v.busyText = "Stopping the run…"
			return stopCmd(v.base, v.sess, v.lock, "interrupted by the operator during step "+ref)
		}
		v.fail(m.err.Error())
		return nil
	}
	// The command ended on its own before the interrupt took: what it did
	// is recorded, and the stop the operator asked for is offered next.
	v.stopAfter = v.stopAfter || x.interrupted
	v.flash = ""
	if m.outcome != nil && m.outcome.OK {
		v.flash, v.flashLeft = "✓ Step "+ref+" finished.", 1
		if len(m.outcome.Escrow) > 0 {
			v.escrow, v.escrowLeft = m.outcome.Escrow, 1
		}
		if m.outcome.Verify != "" {
			v.flash = "✓ Step " + ref + " finished; its checks passed."
		}
	}
	return v.startOp("Recording…", nil)
}

func (v *runView) onWaiting(m waitingMsg) {
	if m.cue == nil {
		v.running.waiting = nil
		return
	}
	v.running.waiting = m.cue
	v.output.Note(m.cue.cueWords())
}

func (v runView) stepRef(id string) string {
	if st := v.def.Step(stepOf(id)); st != nil {
		return st.Ref
	}
	return id
}

func (v *runView) onPaste(m tea.PasteMsg) tea.Cmd {
	var cmd tea.Cmd
	switch {
	case v.text != nil:
		var d textDialog
		d, cmd = v.text.Update(m)
		v.text = &d
	case v.confirm != nil:
	case v.phase == phaseRunning:
		v.running, cmd = v.running.Update(m)
	case v.phase == phaseFact || v.phase == phaseInput:
		v.ask, cmd = v.ask.Update(m)
		cmd = tea.Batch(cmd, v.takeIntent())
	}
	return cmd
}

func (v *runView) onKey(km tea.KeyPressMsg) tea.Cmd {
	g := v.ctx.keys.Global
	if v.confirm != nil {
		if v.confirm.purpose == purposeInterrupt && key.Matches(km, g.ForceQuit) {
			// ctrl+c twice: the operator means it.
			v.confirm = nil
			return v.interrupt()
		}
		d, cmd := v.confirm.Update(km)
		v.confirm = &d
		if r, ok := v.confirm.take(); ok {
			v.confirm = nil
			return tea.Batch(cmd, v.onDialog(r))
		}
		return cmd
	}
	if v.text != nil {
		if key.Matches(km, g.ForceQuit) {
			v.text = nil
			return v.askStopOrInterrupt()
		}
		d, cmd := v.text.Update(km)
		v.text = &d
		if r, ok := v.text.take(); ok {
			v.text = nil
			return tea.Batch(cmd, v.onDialog(r))
		}
		return cmd
	}
	if v.phase == phaseBusy {
		if (key.Matches(km, g.ForceQuit) || km.String() == "q") && !v.stopAfter {
			v.stopAfter = true
			v.busyText += " (will ask to stop after this)"
		}
		return nil
	}
	if v.phase == phaseFleet && v.fleetRun != nil {
		// Ansible is at work: ctrl+c asks before interrupting it.
		if key.Matches(km, v.ctx.keys.Fleet.Interrupt) {
			v.askInterrupt()
		}
		return nil
	}
	// ctrl+c asks, wherever the run is (issue 10): what stopping leaves
	// behind is said in the question.
	if key.Matches(km, g.ForceQuit) && v.phase != phaseRunning && !v.Closed() {
		v.askStop()
		return nil
	}
	if v.phase != phaseRunning || !v.running.Typing() {
		switch {
		case key.Matches(km, g.ScrollUp):
			v.scrollUp()
			return nil
		case key.Matches(km, g.ScrollDown):
			v.scrollDown()
			return nil
		}
	}
	var cmd tea.Cmd
	switch v.phase {
	case phaseFact, phaseInput:
		v.ask, cmd = v.ask.Update(km)
	case phaseStep:
		v.step, cmd = v.step.Update(km)
	case phaseRunning:
		if v.exec == nil {
			return nil
		}
		v.running, cmd = v.running.Update(km)
	case phaseFailed:
		v.failed, cmd = v.failed.Update(km)
	case phaseInDoubt:
		v.doubt, cmd = v.doubt.Update(km)
	case phaseAnswers:
		v.answers, cmd = v.answers.Update(km)
	case phaseDest:
		v.dest, cmd = v.dest.Update(km)
	case phaseHostKey:
		v.hostKey, cmd = v.hostKey.Update(km)
	case phaseFleet:
		v.fleet, cmd = v.fleet.Update(km)
	case phaseDone, phaseStopped, phaseAbandoned, phaseError:
		v.end, cmd = v.end.Update(km)
	}
	return tea.Batch(cmd, v.takeIntent())
}

// takeIntent carries out what the room on show asked for.
func (v *runView) takeIntent() tea.Cmd {
	var it intent
	var ok bool
	switch v.phase {
	case phaseFact, phaseInput:
		it, ok = v.ask.out.take()
	case phaseStep:
		it, ok = v.step.out.take()
	case phaseRunning:
		it, ok = v.running.out.take()
	case phaseFailed:
		it, ok = v.failed.out.take()
	case phaseInDoubt:
		it, ok = v.doubt.out.take()
	case phaseAnswers:
		it, ok = v.answers.out.take()
	case phaseDest:
		it, ok = v.dest.out.take()
	case phaseHostKey:
		it, ok = v.hostKey.out.take()
	case phaseFleet:
		it, ok = v.fleet.out.take()
	case phaseDone, phaseStopped, phaseAbandoned, phaseError:
		it, ok = v.end.out.take()
	}
	if !ok {
		return nil
	}
	return v.act(it)
}

func (v *runView) scrollUp() {
	if v.showOut {
		v.output.ScrollUp()
		return
	}
	v.scroll = max(0, v.scroll-max(v.detailH-1, 1))
}

func (v *runView) scrollDown() {
	if v.showOut {
		v.output.ScrollDown()
		return
	}
	v.scroll += max(v.detailH-1, 1)
}

func (v *runView) execute(stepID, confirm string) tea.Cmd {
	v.gen++
	x, cmd := startExecution(v.base, v.sess, v.lock, v.gen, stepID, confirm)
	v.exec = x
	v.phase = phaseRunning
	v.flash = ""
	v.errText = ""
	v.output.Reset(stepID)
	if st, ok := v.snap.steps[stepID]; ok && st.Attempts > 0 {
		v.output.Note(fmt.Sprintf("— attempt %d —", st.Attempts+1))
	}
	return tea.Batch(cmd, v.running.start())
}

func (v *runView) interrupt() tea.Cmd {
	if f := v.fleetRun; f != nil {
		if !f.interrupted {
			f.interrupted = true
			f.cancel()
			v.output.Note("— interrupting: ansible-playbook is being stopped —")
		}
		return nil
	}
	x := v.exec
	if x == nil || x.interrupted {
		return nil
	}
	x.interrupted = true
	v.running.interrupted = true
	x.cancel()
	v.output.Note("— interrupting: the command is being stopped —")
	return nil
}

// ShortHelp is the run view's part of the footer.
func (v runView) ShortHelp() []key.Binding {
	if v.confirm != nil {
		return v.confirm.ShortHelp()
	}
	if v.text != nil {
		return v.text.ShortHelp()
	}
	if d := v.room(); d != nil {
		return d.ShortHelp()
	}
	return []key.Binding{v.ctx.keys.Step.Stop}
}

func (v runView) FullHelp() [][]key.Binding {
	g := v.ctx.keys.Global
	var more []key.Binding
	switch v.phase {
	case phaseStep:
		return append(v.step.FullHelp(), []key.Binding{g.ScrollUp, g.ScrollDown})
	case phaseFailed:
		return append(v.failed.FullHelp(), []key.Binding{g.ScrollUp, g.ScrollDown})
	}
	return [][]key.Binding{v.ShortHelp(), append(more, g.ScrollUp, g.ScrollDown)}
}

// room is the drawing of the room on show, or nil while busy.
func (v runView) room() drawing {
	switch v.phase {
	case phaseFact, phaseInput:
		return v.ask
	case phaseStep:
		return v.step
	case phaseRunning:
		return v.running
	case phaseFailed:
		return v.failed
	case phaseInDoubt:
		return v.doubt
	case phaseAnswers:
		return v.answers
	case phaseDest:
		return v.dest
	case phaseHostKey:
		return v.hostKey
	case phaseFleet:
		return v.fleet
	case phaseDone, phaseStopped, phaseAbandoned, phaseError:
		return v.end
	}
	return nil
}

// escrowLines says what became of the passphrases the step just finished
// used that the team must keep: a passphrase not escrowed stands out, as
// the operator must then keep it safe themselves.
func (v runView) escrowLines(w int) []string {
	if len(v.escrow) == 0 {
		return nil
	}
	s := v.ctx.styles
	var out []string
	for _, e := range v.escrow {
		render := s.Note.Render
		if strings.Contains(strings.ToLower(e), "not escrowed") {
			render = s.Important.Render
		}
		out = append(out, styled(wrap(e, w), render)...)
	}
	return append(out, "")
}

func stepsWord(n int) string {
	if n == 1 {
		return "1 step"
	}
	return fmt.Sprintf("%d steps", n)
}
