package tui

import (
	"context"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"zenrecover/runner"
)

// act carries out a room's intent: it opens the dialog the choice needs
// first (a reason, a host name, a y), or starts the session operation.
func (v *runView) act(it intent) tea.Cmd {
	sess := v.sess // the Cmds must not read the model
	switch it.kind {
	case intentAnswer:
		id, val := it.key, it.value
		return v.startOp("Recording the answer…", func(ctx context.Context) error { return sess.Answer(ctx, id, val) })
	case intentRun:
		n := v.step.need
		v.errText = ""
		if n.Destructive && !v.dryRun {
			v.askHostName(n)
			return nil
		}
		return v.execute(n.Key, "")
	case intentDoneByHand:
		n := v.step.need
		v.errText = ""
		if n.Destructive && !v.dryRun {
			v.askHostName(n)
			return nil
		}
		v.openConfirm(newConfirmDialog(v.ctx, purposeManualDone, n.Key,
			"Have you done step "+n.Step.Ref+targetWords(n.Target)+"?",
			[]string{"Confirm only once it is really done: it is recorded, and the run moves on."},
			"yes, it is done", "not yet"))
		return nil
	case intentSkip:
		hint := "Say why (it goes in the run's report). Esc goes back."
		if v.phase == phaseFailed {
			hint = "Say why it is safe to go on without it (it goes in the run's report). Esc goes back."
		}
		v.askReason(purposeSkip, it.key, "Skip step "+v.stepRef(it.key)+targetWords(targetOf(it.key))+"?", hint)
		return nil
	case intentRetry:
		id := it.key
		return v.startOp("Putting the step back…", func(ctx context.Context) error { return sess.Retry(ctx, id) })
	case intentRetryNewSecrets:
		id := it.key
		return v.startOp("Putting the step back…", func(ctx context.Context) error { return sess.RetryWithNewSecrets(ctx, id) })
	case intentRerun:
		return v.rerun(v.doubt.need)
	case intentMarkDone:
		n := v.doubt.need
		v.askReason(purposeMarkDone, n.Key, "Mark step "+n.Step.Ref+targetWords(n.Target)+" as done?",
			"Say how you know it took effect (it goes in the run's report). Esc goes back.")
		return nil
	case intentStop:
		v.askStop()
		return nil
	case intentInterrupt:
		v.askInterrupt()
		return nil
	case intentSend:
		return v.send(actionsReply{text: it.value})
	case intentSuggest:
		return v.send(actionsReply{suggestion: it.n})
	case intentTryAgain:
		return v.startOp("Looking at the run…", nil)
	case intentExit:
		switch {
		case v.phase == phaseDone:
			return quitWith(runner.ExitCompleted)
		case v.phase == phaseStopped && v.end.err != "":
			return quitWith(runner.ExitFailed)
		case v.phase == phaseAbandoned:
			return quitWith(runner.ExitCompleted)
		}
		return quitWith(runner.ExitStopped)
	case intentAnswers:
		v.before = v.phase
		v.gen++
		v.phase = phaseBusy
		v.busyText = "Reading the answers…"
		return answersCmd(v.sess, v.lock, v.gen)
	case intentBack:
		return v.startOp("Looking at the run…", nil)
	case intentChange:
		d := newTextDialog(v.ctx, purposeChangeValue, it.key, "Change: "+v.answers.labelOf(it.key),
			[]string{"Type the right value; Enter keeps going, Esc leaves it as it is."}, "").withValue(it.value)
		v.openText(d)
		return nil
	case intentAbandon:
		v.askReason(purposeAbandonWhy, "", "Abandon run "+v.runID+" for good?",
			"It cannot be resumed afterwards; what it did stays in its report. Say why (it goes in the report). Esc goes back.")
		return nil
	case intentKeepBoth, intentReplace, intentCreateParent:
		return v.actDest(it)
	case intentAcceptKey, intentRefuseKey:
		return v.actHostKey(it)
	case intentFleet:
		if n := v.step.need; n != nil && n.Fleet {
			return v.handToAnsible(n)
		}
	}
	return nil
}

// actionsReply is a line for the running command, or the number of a
// known answer the operator picked.
type actionsReply struct {
	text       string
	suggestion int
}

func (v *runView) send(r actionsReply) tea.Cmd {
	x := v.exec
	if x == nil {
		return nil
	}
	select {
	case x.input <- x.reply(r):
		if r.suggestion > 0 && v.running.waiting != nil && r.suggestion <= len(v.running.waiting.suggestions) {
			v.output.Note("» sent: " + v.running.waiting.suggestions[r.suggestion-1].label)
		} else {
			v.output.Note("» (a line was sent to the command)")
		}
		v.running.waiting = nil
	default:
		v.output.Note("» the command is not reading what you type; the line was not sent")
	}
	return nil
}

// askHostName guards a step that changes the server: its host name typed
// out, so a key pressed without reading never starts it.
func (v *runView) askHostName(n *runner.NeedStep) {
	v.openText(newTextDialog(v.ctx, purposeConfirmWord, n.Key,
		"Step "+n.Step.Ref+" changes this server",
		[]string{"To go ahead, type the host name of this server: " + n.ConfirmWord}, n.ConfirmWord))
}

func (v *runView) openText(d textDialog) {
	v.text = &d
	v.layout()
}

func (v *runView) openConfirm(d confirmDialog) {
	v.confirm = &d
	v.layout()
}

func (v *runView) askReason(p purpose, key, title, hint string) {
	v.openText(newTextDialog(v.ctx, p, key, title, []string{hint}, ""))
}

func (v *runView) askStop() {
	body := []string{"Everything done so far is saved, and nothing is running. To carry on later:", "  " + v.cmdResume}
	v.openConfirm(newConfirmDialog(v.ctx, purposeStop, "", "Stop the run here?", body, "stop here", "keep going"))
}

// askInterrupt asks before a running command is stopped, and says what
// that leaves behind: the step in doubt, checked on resume.
func (v *runView) askInterrupt() {
	ref := ""
	if v.exec != nil {
		ref = v.stepRef(v.exec.stepID)
	}
	running := "The command of step " + ref + " is still running."
	if v.fleetRun != nil {
		ref = v.stepRef(stepOf(v.fleetRun.stepID))
		running = "Ansible is still running step " + ref + "; the hosts it has not reported are left in doubt."
	}
	body := []string{
		running + " Stopping it now may leave its work half done.",
		"The step is then left in doubt: when you resume, its checks (or you) decide whether it took effect. To carry on later:",
		"  " + v.cmdResume,
		"ctrl+c again also stops it.",
	}
	v.openConfirm(newConfirmDialog(v.ctx, purposeInterrupt, "", "Interrupt the command and stop the run?", body, "interrupt and stop", "let it run"))
}

// askStopOrInterrupt is ctrl+c in a dialog: the question that fits.
func (v *runView) askStopOrInterrupt() tea.Cmd {
	if v.phase == phaseRunning {
		v.askInterrupt()
	} else {
		v.askStop()
	}
	return nil
}

func (v *runView) rerun(n *runner.NeedInDoubt) tea.Cmd {
	sess := v.sess
	switch {
	case n.NeedsOverride:
		v.openText(newTextDialog(v.ctx, purposeOverride, n.Key,
			fmt.Sprintf("Step %s has been found unfinished %d times", n.Step.Ref, n.Count),
			[]string{"Running it again may do its work twice. To re-run it anyway, type override."}, "override"))
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
	if r.purpose == purposeCheckSeen {
		return v.onCheckSeen(r) // guide.go: n is an answer too
	}
	if !r.accepted {
		return nil
	}
	id, val := r.stepID, r.value
	switch r.purpose {
	case purposeStop:
		v.phase = phaseBusy
		v.busyText = "Stopping the run…"
		return stopCmd(v.base, v.sess, v.lock, "stopped by the operator")
	case purposeInterrupt:
		return v.interrupt()
	case purposeManualDone:
		if n := v.step.need; n != nil && len(n.Checks) > 0 {
			v.askCheck(id, 0) // guide.go
			return nil
		}
		return v.startOp("Recording…", func(ctx context.Context) error { return sess.Confirm(ctx, id, "") })
	case purposeConfirmWord:
		if v.step.need != nil && v.step.need.Manual {
			return v.startOp("Recording…", func(ctx context.Context) error { return sess.Confirm(ctx, id, val) })
		}
		return v.execute(id, val)
	case purposeSkip:
		// A skip cannot be undone: the reason is shown back, and a y is
		// asked for, so a reason typed in a hurry (or keys typed ahead)
		// never skips a step alone.
		d := newConfirmDialog(v.ctx, purposeSkipSure, id, "Skip step "+v.stepRef(id)+targetWords(targetOf(id))+"?",
			[]string{"Your reason: " + val, "The step will not run; the report says it was skipped, and why."},
			"skip it", "go back")
		d.value = val
		v.openConfirm(d)
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
	case purposeAbandonWhy:
		d := newConfirmDialog(v.ctx, purposeAbandonSure, "", "Abandon run "+v.runID+" for good?",
			[]string{"Your reason: " + val, "It cannot be resumed afterwards. What it did stays in its report, and a new run of this procedure can start."},
			"abandon it", "go back")
		d.value = val
		v.openConfirm(d)
		return nil
	case purposeAbandonSure:
		v.phase = phaseBusy
		v.busyText = "Abandoning the run…"
		return abandonCmd(v.base, v.sess, v.lock, val)
	case purposeChangeValue:
		v.changing.id, v.changing.value = id, val
		v.askReason(purposeChangeWhy, id, "Why does "+v.answers.labelOf(id)+" change?",
			"A few words for the run's report (who changed it is recorded too). Esc goes back.")
		return nil
	case purposeChangeWhy:
		c := v.changing
		v.gen++
		v.phase = phaseBusy
		v.busyText = "Recording the change…"
		return changeCmd(v.base, v.sess, v.lock, v.gen, c.id, c.value, val)
	case purposeRedo:
		keys := strings.Split(id, "\n")
		return v.startOp("Putting the steps back…", func(ctx context.Context) error {
			return sess.Redo(ctx, keys, "an answer they used was changed: "+val)
		})
	}
	return nil
}

// onAnswers opens the review of the answers.
func (v *runView) onAnswers(m answersMsg) tea.Cmd {
	v.answers = newAnswersRoom(v.ctx, m.answers, v.keyWords)
	v.phase = phaseAnswers
	v.scroll = 0
	return nil
}

// onChanged shows what a changed answer affected and offers to run those
// steps again.
func (v *runView) onChanged(m changedMsg) tea.Cmd {
	if m.err != nil {
		v.phase = phaseAnswers
		v.errText = m.err.Error()
		return nil
	}
	v.answers = newAnswersRoom(v.ctx, m.answers, v.keyWords)
	v.answers.focus(m.id)
	v.phase = phaseAnswers
	v.errText = ""
	v.flash, v.flashLeft = "Changed: "+v.answers.labelOf(m.id)+".", 1
	if len(m.affected) == 0 {
		return nil
	}
	refs := make([]string, len(m.affected))
	for i, k := range m.affected {
		refs[i] = v.keyWords(k)
	}
	d := newConfirmDialog(v.ctx, purposeRedo, strings.Join(m.affected, "\n"),
		"Run again what used the old value?",
		[]string{"Finished step " + strings.Join(refs, ", ") + " used the old value. Run it again with the new one?",
			"n keeps it as done (the report shows the change)."},
		"run it again", "keep it done")
	d.value = m.reason
	v.openConfirm(d)
	return nil
}

// keyWords names a step key for the operator: its number in the
// reference, and the target of a fan-out step.
func (v runView) keyWords(k string) string { return v.stepRef(k) + targetWords(targetOf(k)) }
