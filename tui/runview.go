package tui

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"zenrecover/procedures"
	"zenrecover/runner"
	"zenrecover/state"
)

type phase int

const (
	phaseBusy    phase = iota // waiting for the session
	phaseFact                 // a question
	phaseInput                // a value
	phaseStep                 // a step ready to run or to be done by hand
	phaseRunning              // a step's command is running
	phaseFailed               // the step's last attempt failed
	phaseInDoubt              // a step started and never finished
	phaseDone                 // the run is complete
	phaseStopped              // the run was stopped, resumable
	phaseError                // the session could not go on
)

// quitMsg asks the root to end the program with an exit code.
type quitMsg struct{ code int }

func quitWith(code int) tea.Cmd { return func() tea.Msg { return quitMsg{code: code} } }

// RunWizard returns the exit statuses plain.go defines (runner.ExitCompleted,
// runner.ExitFailed, runner.ExitStopped), so both front ends mean the same by them.

// sidebarMin is the narrowest terminal that gets the step list as a
// sidebar; below it the list folds into one line of marks.
const sidebarMin = 72

// runView is the screen of one run: the step list, the current step, its
// output and whatever the run needs from the operator.
type runView struct {
	ctx    *uictx
	base   context.Context
	sess   *runner.Session
	lock   *sync.Mutex
	def    *procedures.Definition
	runID  string
	mode   state.Mode
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

	prompt  prompt
	text    *textDialog
	confirm *confirmDialog

	output outputPane
	exec   *execution
	line   textinput.Model
	// bar shows a running step's progress (archive, extract; progress.go).
	bar progressPane

	flash     string // what just happened, one line
	flashLeft int    // how many more needs the flash stays for

	// escrow says what became of the passphrases the last step used that
	// the team must keep (sealed where, or not), for one need like flash.
	escrow     []string
	escrowLeft int

	errText   string
	stopErr   string
	stopAfter bool // stop was asked for while the session was busy
	scroll    int  // of the details
}

// newRunView builds the screen for a session that no Cmd is using yet, so
// reading the session's fixed facts here is safe.
func newRunView(ctx *uictx, base context.Context, sess *runner.Session, lock *sync.Mutex, resumed bool) (runView, tea.Cmd) {
	run := sess.Run()
	host := run.Host
	if l := sess.Lab(); l != nil {
		host = l.Hostname()
	}
	line := newSecretField(ctx, "» ")
	line.Placeholder = "reply to the command (hidden)"
	v := runView{ctx: ctx, base: base, sess: sess, lock: lock, def: sess.Definition(), runID: run.ID,
		mode: run.Mode, host: host, dryRun: sess.DryRun(), resumed: resumed,
		cmdResume: sess.Command("resume"), cmdReport: sess.Command("report"), output: newOutputPane(ctx), line: line,
		bar: newProgressPane(ctx), snap: takeSnapshot(sess)}
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

func (v *runView) SetSize(w, h int) {
	v.width, v.height = w, h
	v.layout()
	v.bar.SetSize(v.mainW, 0)
	v.layout()
}

func (v *runView) restyle() {
	v.prompt.restyle()
	if v.text != nil {
		v.text.restyle()
	}
	v.line.SetStyles(v.ctx.styles.Input)
	v.bar.restyle()
}

// Typing reports whether keys go into a text field.
func (v runView) Typing() bool {
	switch {
	case v.text != nil:
		return true
	case v.confirm != nil:
		return false
	case v.phase == phaseRunning:
		return true
	case v.phase == phaseFact || v.phase == phaseInput:
		return v.prompt.Typing()
	}
	return false
}

// FocusID names what has the focus: the phase, the step or question it is
// about, and any dialog open over it. The root's input rule (input_gate.go)
// gives a new focus a moment before keys act on it.
func (v runView) FocusID() string {
	id := fmt.Sprintf("%d|%s|%s|%d", v.phase, needKey(v.need), v.prompt.id, v.prompt.attempt)
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
	}
	return ""
}

// Closed reports whether the run needs nothing more from this process.
func (v runView) Closed() bool { return v.phase == phaseDone || v.phase == phaseStopped }

func (v runView) Update(msg tea.Msg) (runView, tea.Cmd) {
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case needMsg:
		if msg.gen == v.gen {
			cmd = v.onNeed(msg)
		}
	case outputMsg:
		if v.exec != nil && msg.gen == v.exec.gen {
			v.output.Append(msg.text)
			cmd = v.exec.stream.next(msg.gen)
		}
	case progressMsg:
		// Progress travels in the step's output stream (ops.go).
		if v.exec != nil && msg.gen == v.exec.gen {
			v.bar, _ = v.bar.Update(msg)
			cmd = v.exec.stream.next(msg.gen)
		}
	case execDoneMsg:
		if v.exec != nil && msg.gen == v.exec.gen {
			cmd = v.onExecDone(msg)
		}
	case stoppedMsg:
		v.phase = phaseStopped
		v.text, v.confirm = nil, nil
		if msg.err != nil {
			v.stopErr = msg.err.Error()
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
			v.prompt.SetError(m.opErr)
		} else {
			v.errText = m.opErr.Error()
		}
		return v.afterBusy()
	}
	if m.err != nil {
		v.phase = phaseError
		v.errText = m.err.Error()
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
		v.prompt = newFactPrompt(v.ctx, n)
	case *runner.NeedInput:
		v.phase, v.current = phaseInput, n.Step.ID
		v.prompt = newInputPrompt(v.ctx, n)
	case *runner.NeedStep:
		v.phase, v.current = phaseStep, n.Step.ID
	case *runner.NeedFailed:
		v.phase, v.current = phaseFailed, n.Step.ID
	case *runner.NeedInDoubt:
		v.phase, v.current = phaseInDoubt, n.Step.ID
	case *runner.Done:
		v.phase, v.current = phaseDone, ""
	}
	// The output pane keeps the last command's output until the next
	// command starts: what zman just said is often what the next manual
	// step is about.
}

func (v *runView) onExecDone(m execDoneMsg) tea.Cmd {
	x := v.exec
	v.exec = nil
	v.bar.Reset()
	v.line.Blur()
	v.line.Reset()
	v.snap = m.snap
	ref := v.stepRef(x.stepID)
	if m.err != nil {
		if x.interrupted {
			v.output.Note("— interrupted —")
			v.phase = phaseBusy
			v.busyText = "Stopping the run…"
			return stopCmd(v.base, v.sess, v.lock, "interrupted by the operator during step "+ref)
		}
		v.phase = phaseError
		v.errText = m.err.Error()
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

func (v runView) stepRef(id string) string {
	if st := v.def.Step(id); st != nil {
		return st.Ref
	}
	return id
}

func (v *runView) askStop() {
	body := []string{"Everything done so far is saved. To carry on later:", "  " + v.cmdResume}
	d := newConfirmDialog(v.ctx, purposeStop, "", "Stop the run here?", body, "stop here", "keep going")
	v.confirm = &d
	v.layout()
}

func (v *runView) onPaste(m tea.PasteMsg) tea.Cmd {
	var cmd tea.Cmd
	switch {
	case v.text != nil:
		var d textDialog
		d, cmd = v.text.Update(m)
		v.text = &d
	case v.phase == phaseRunning:
		v.line, cmd = v.line.Update(m)
	case v.phase == phaseFact || v.phase == phaseInput:
		v.prompt, cmd = v.prompt.Update(m)
	}
	return cmd
}

func (v *runView) onKey(km tea.KeyPressMsg) tea.Cmd {
	k := v.ctx.keys
	// A running command owns ctrl+c: it interrupts the step, whatever is
	// open, so that a stuck command can always be stopped.
	if v.phase == phaseRunning {
		return v.keyRunning(km)
	}
	if v.confirm != nil {
		d, cmd := v.confirm.Update(km)
		v.confirm = &d
		if r, ok := v.confirm.take(); ok {
			v.confirm = nil
			return tea.Batch(cmd, v.onDialog(r))
		}
		return cmd
	}
	if v.text != nil {
		if key.Matches(km, k.ForceQuit) {
			v.text = nil
			v.askStop()
			return nil
		}
		d, cmd := v.text.Update(km)
		v.text = &d
		if r, ok := v.text.take(); ok {
			v.text = nil
			return tea.Batch(cmd, v.onDialog(r))
		}
		return cmd
	}
	switch v.phase {
	case phaseDone:
		if key.Matches(km, k.Exit) {
			return quitWith(runner.ExitCompleted)
		}
		return nil
	case phaseStopped:
		if key.Matches(km, k.Exit) {
			if v.stopErr != "" {
				return quitWith(runner.ExitFailed)
			}
			return quitWith(runner.ExitStopped)
		}
		return nil
	case phaseBusy:
		if key.Matches(km, k.Stop) && !v.stopAfter {
			v.stopAfter = true
			v.busyText += " (will ask to stop after this)"
		}
		return nil
	}
	stop := k.Stop
	if v.Typing() {
		stop = k.ForceQuit
	}
	if key.Matches(km, stop) {
		v.askStop()
		return nil
	}
	if key.Matches(km, k.ScrollUp) {
		v.scrollUp()
		return nil
	}
	if key.Matches(km, k.ScrollDown) {
		v.scrollDown()
		return nil
	}
	switch v.phase {
	case phaseFact, phaseInput:
		return v.keyPrompt(km)
	case phaseStep:
		return v.keyStep(km)
	case phaseFailed:
		return v.keyFailed(km)
	case phaseInDoubt:
		return v.keyInDoubt(km)
	case phaseError:
		if key.Matches(km, k.TryAgain) {
			return v.startOp("Looking at the run…", nil)
		}
	}
	return nil
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

func (v *runView) keyPrompt(km tea.KeyPressMsg) tea.Cmd {
	sess := v.sess // the Cmd must not read the model
	var cmd tea.Cmd
	v.prompt, cmd = v.prompt.Update(km)
	val, ok := v.prompt.take()
	if !ok {
		return cmd
	}
	id := v.prompt.id
	return tea.Batch(cmd, v.startOp("Recording the answer…", func(ctx context.Context) error {
		return sess.Answer(ctx, id, val)
	}))
}

func (v *runView) keyStep(km tea.KeyPressMsg) tea.Cmd {
	n, ok := v.need.(*runner.NeedStep)
	if !ok {
		return nil
	}
	k := v.ctx.keys
	switch {
	case key.Matches(km, k.Skip):
		v.askReason(purposeSkip, n.Key, "Skip step "+n.Step.Ref+targetWords(n.Target)+"?",
			"Say why (it goes in the run's report). Esc goes back.")
	case key.Matches(km, k.Run):
		v.errText = ""
		if n.Destructive && !v.dryRun {
			d := newTextDialog(v.ctx, purposeConfirmWord, n.Key,
				"Step "+n.Step.Ref+" changes this server",
				[]string{"To go ahead, type the host name of this server: " + n.ConfirmWord},
				n.ConfirmWord)
			v.text = &d
			v.layout()
			return nil
		}
		if n.Manual {
			d := newConfirmDialog(v.ctx, purposeManualDone, n.Key,
				"Have you done step "+n.Step.Ref+targetWords(n.Target)+"?",
				[]string{"Confirm only once it is really done: it is recorded, and the run moves on."},
				"yes, it is done", "not yet")
			v.confirm = &d
			v.layout()
			return nil
		}
		return v.execute(n.Key, "")
	}
	return nil
}

// stepOf and targetOf split a step key ("id@target").
func stepOf(key string) string {
	id, _, _ := strings.Cut(key, "@")
	return id
}

func targetOf(key string) string {
	_, t, _ := strings.Cut(key, "@")
	return t
}

// targetWords names the target of a fan-out step in a question.
func targetWords(target string) string {
	if target == "" {
		return ""
	}
	return " on " + target
}

func (v *runView) askReason(p purpose, key, title, hint string) {
	d := newTextDialog(v.ctx, p, key, title, []string{hint}, "")
	v.text = &d
	v.layout()
}

func (v *runView) execute(stepID, confirm string) tea.Cmd {
	v.gen++
	v.bar.Reset()
	x, cmd := startExecution(v.base, v.sess, v.lock, v.gen, stepID, confirm)
	v.exec = x
	v.phase = phaseRunning
	v.flash = ""
	v.errText = ""
	v.output.Reset(stepID)
	if st, ok := v.snap.steps[stepID]; ok && st.Attempts > 0 {
		v.output.Note(fmt.Sprintf("— attempt %d —", st.Attempts+1))
	}
	v.line.Reset()
	return tea.Batch(cmd, v.line.Focus())
}

func (v *runView) keyRunning(km tea.KeyPressMsg) tea.Cmd {
	k := v.ctx.keys
	x := v.exec
	if x == nil {
		return nil
	}
	switch {
	case key.Matches(km, k.Interrupt):
		if !x.interrupted {
			x.interrupted = true
			x.cancel()
			v.output.Note("— interrupting: the command is being stopped —")
		}
		return nil
	case key.Matches(km, k.ScrollUp):
		v.output.ScrollUp()
		return nil
	case key.Matches(km, k.ScrollDown):
		v.output.ScrollDown()
		return nil
	case key.Matches(km, k.Send):
		line := v.line.Value()
		v.line.Reset()
		select {
		case x.input <- line:
			v.output.Note("» (a line was sent to the command)")
		default:
			v.output.Note("» the command is not reading what you type; the line was not sent")
		}
		return nil
	}
	var cmd tea.Cmd
	v.line, cmd = v.line.Update(km)
	return cmd
}

func (v *runView) keyFailed(km tea.KeyPressMsg) tea.Cmd {
	sess := v.sess // the Cmd must not read the model
	n, ok := v.need.(*runner.NeedFailed)
	if !ok {
		return nil
	}
	k := v.ctx.keys
	switch {
	case key.Matches(km, k.Retry):
		id := n.Key
		return v.startOp("Putting the step back…", func(ctx context.Context) error { return sess.Retry(ctx, id) })
	case key.Matches(km, k.Skip):
		v.askReason(purposeSkip, n.Key, "Skip step "+n.Step.Ref+targetWords(n.Target)+"?",
			"Say why it is safe to go on without it (it goes in the run's report). Esc goes back.")
	}
	return nil
}

func (v *runView) keyInDoubt(km tea.KeyPressMsg) tea.Cmd {
	n, ok := v.need.(*runner.NeedInDoubt)
	if !ok || n.StillRunning {
		return nil
	}
	k := v.ctx.keys
	switch {
	case key.Matches(km, k.Rerun):
		return v.rerun(n)
	case key.Matches(km, k.Choose) && n.Idempotent && !n.NeedsOverride:
		return v.rerun(n)
	case key.Matches(km, k.MarkDone):
		v.askReason(purposeMarkDone, n.Key, "Mark step "+n.Step.Ref+targetWords(n.Target)+" as done?",
			"Say how you know it took effect (it goes in the run's report). Esc goes back.")
	}
	return nil
}

func (v *runView) rerun(n *runner.NeedInDoubt) tea.Cmd {
	sess := v.sess // the Cmd must not read the model
	switch {
	case n.NeedsOverride:
		d := newTextDialog(v.ctx, purposeOverride, n.Key,
			fmt.Sprintf("Step %s has been found unfinished %d times", n.Step.Ref, n.Count),
			[]string{"Running it again may do its work twice. To re-run it anyway, type override."},
			"override")
		v.text = &d
		v.layout()
		return nil
	case n.Idempotent:
		id := n.Key
		return v.startOp("Putting the step back…", func(ctx context.Context) error {
			return sess.Resolve(ctx, id, runner.MarkNotDone, "re-run chosen by the operator; the step is safe to repeat")
		})
	}
	v.askReason(purposeRerun, n.Key, "Re-run step "+n.Step.Ref+targetWords(n.Target)+"?",
		"It is not declared safe to repeat. Say why running it again is right (it goes in the run's report). Esc goes back.")
	return nil
}

func (v *runView) onDialog(r dialogResult) tea.Cmd {
	sess := v.sess // the Cmd must not read the model
	if !r.accepted {
		return nil
	}
	id, val := r.stepID, r.value
	switch r.purpose {
	case purposeStop:
		v.phase = phaseBusy
		v.busyText = "Stopping the run…"
		return stopCmd(v.base, v.sess, v.lock, "stopped by the operator")
	case purposeManualDone:
		return v.startOp("Recording…", func(ctx context.Context) error { return sess.Confirm(ctx, id, "") })
	case purposeConfirmWord:
		if n, ok := v.need.(*runner.NeedStep); ok && n.Manual {
			return v.startOp("Recording…", func(ctx context.Context) error { return sess.Confirm(ctx, id, val) })
		}
		return v.execute(id, val)
	case purposeSkip:
		// A skip cannot be undone: the reason is shown back, and a y is
		// asked for, so a reason typed in a hurry (or keys typed ahead)
		// never skips a step alone.
		d := newConfirmDialog(v.ctx, purposeSkipSure, id, "Skip step "+v.stepRef(stepOf(id))+targetWords(targetOf(id))+"?",
			[]string{"Your reason: " + val, "The step will not run; the report says it was skipped, and why."},
			"skip it", "go back")
		d.value = val
		v.confirm = &d
		v.layout()
		return nil
	case purposeSkipSure:
		return v.startOp("Recording…", func(ctx context.Context) error { return sess.Skip(ctx, id, val) })
	case purposeMarkDone:
		return v.startOp("Recording…", func(ctx context.Context) error {
			return sess.Resolve(ctx, id, runner.MarkDone, val)
		})
	case purposeRerun:
		return v.startOp("Putting the step back…", func(ctx context.Context) error {
			return sess.Resolve(ctx, id, runner.MarkNotDone, val)
		})
	case purposeOverride:
		return v.startOp("Putting the step back…", func(ctx context.Context) error {
			return sess.Resolve(ctx, id, runner.MarkNotDone, "override typed by the operator after repeated in-doubt findings")
		})
	}
	return nil
}

// ShortHelp is the run view's part of the footer.
func (v runView) ShortHelp() []key.Binding {
	k := v.ctx.keys
	if v.confirm != nil {
		return v.confirm.ShortHelp()
	}
	if v.text != nil {
		return v.text.ShortHelp()
	}
	switch v.phase {
	case phaseFact, phaseInput:
		return append(v.prompt.ShortHelp(), k.ForceQuit)
	case phaseStep:
		n := v.need.(*runner.NeedStep)
		do := k.Run
		if n.Manual {
			do = k.DoneByHand
		}
		return []key.Binding{do, k.Skip, k.Stop}
	case phaseRunning:
		return []key.Binding{k.Send, k.Interrupt, k.ScrollUp, k.ScrollDown}
	case phaseFailed:
		return []key.Binding{k.Retry, k.Skip, k.Stop}
	case phaseInDoubt:
		if n := v.need.(*runner.NeedInDoubt); n.StillRunning {
			return []key.Binding{k.Stop}
		}
		return []key.Binding{k.Rerun, k.MarkDone, k.Stop}
	case phaseError:
		return []key.Binding{k.TryAgain, k.Stop}
	case phaseDone, phaseStopped:
		return []key.Binding{k.Exit}
	case phaseBusy:
		return []key.Binding{k.Stop}
	}
	return nil
}

func (v runView) FullHelp() [][]key.Binding {
	k := v.ctx.keys
	return [][]key.Binding{v.ShortHelp(), {k.ScrollUp, k.ScrollDown}}
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
