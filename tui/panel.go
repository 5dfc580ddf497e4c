package tui

import (
	"fmt"
	"strings"

	"zenrecover/procedures"
	"zenrecover/runner"
)

// The run view's drawing: how the main column is shared, and what it says.

// layout divides the main column between the step's details, its output
// and the form at the bottom. The form always gets its lines: it is what
// the operator must act on.
func (v *runView) layout() {
	w, h := v.width, v.height
	if w >= sidebarMin {
		sw := min(max(w*3/10, 22), 36)
		v.mainW = w - sw - 3
		v.mainH = h
	} else {
		v.mainW = w
		v.mainH = h - 1
	}
	v.mainW = max(v.mainW, 1)
	v.mainH = max(v.mainH, 1)
	v.prompt.SetSize(v.mainW, 0)
	if v.text != nil {
		v.text.SetSize(v.mainW, 0)
	}
	if v.confirm != nil {
		v.confirm.SetSize(v.mainW, 0)
	}
	v.line.SetWidth(max(v.mainW-3, 1))

	inter := len(v.interactionLines())
	rest := max(v.mainH-inter, 1)
	details := len(v.detailLines())
	v.showOut, v.rule = false, false
	v.detailH, v.outH = min(details, rest), 0
	ownOutput := !v.output.Empty() && v.output.stepID == v.current
	switch {
	case v.phase == phaseRunning || ownOutput && (v.phase == phaseStep || v.phase == phaseFailed ||
		v.phase == phaseError || v.phase == phaseBusy):
		// This step's output: it shares the column with the details.
		v.showOut = true
		switch {
		case rest >= 4:
			v.detailH = min(details, max(2, rest*2/5))
			v.outH = rest - v.detailH - 1
			v.rule = true
		case rest >= 2:
			v.detailH = 1
			v.outH = rest - 1
		default:
			v.showOut = false
		}
	case !v.output.Empty() && (v.phase == phaseStep || v.phase == phaseDone || v.phase == phaseBusy):
		// The previous step's output: only in the room the current step's
		// text leaves, which comes first.
		if room := rest - v.detailH; room >= 4 {
			v.showOut, v.rule = true, true
			v.outH = room - 1
		}
	}
	v.output.SetSize(v.mainW, max(v.outH, 1))
	v.scroll = min(v.scroll, max(0, details-v.detailH))
}

func (v runView) View() string {
	main := v.mainView()
	if v.width >= sidebarMin {
		sw := v.width - v.mainW - 3
		list := v.ctx.stepListLines(v.snap, v.current, sw, v.height)
		sep := " " + v.ctx.styles.Rule.Render("│") + " "
		return joinColumns(list, lines(main), sw, sep, v.height)
	}
	return v.ctx.progressLine(v.snap, v.current, v.width) + "\n" + main
}

func (v runView) mainView() string {
	s := v.ctx.styles
	w := v.mainW
	det := v.detailLines()
	start := min(v.scroll, max(0, len(det)-v.detailH))
	end := min(len(det), start+v.detailH)
	shown := append([]string(nil), det[start:end]...)
	// pgup/pgdn scroll the output when it is shown, so the hints name
	// them only when they scroll this text.
	more, above := "… more (pgdn)", "… (pgup)"
	if v.showOut {
		more, above = "…", "…"
	}
	if end < len(det) && len(shown) > 0 {
		shown[len(shown)-1] = s.Faint.Render(clip(more, w))
	}
	if start > 0 && len(shown) > 1 {
		shown[0] = s.Faint.Render(clip(above, w))
	}
	var out []string
	out = append(out, padLines(shown, v.detailH)...)
	if v.showOut {
		if v.rule {
			label := "── output "
			if v.output.stepID != v.current {
				label = "── output of step " + v.stepRef(v.output.stepID) + " "
			}
			if v.output.Scrolled() {
				label += "(scrolled; pgdn to follow) "
			}
			out = append(out, s.Rule.Render(clip(label+strings.Repeat("─", max(0, w-len([]rune(label)))), w)))
		}
		out = append(out, lines(v.output.View())...)
	}
	out = append(out, v.interactionLines()...)
	return fit(strings.Join(out, "\n"), w, v.mainH)
}

func padLines(ls []string, h int) []string {
	for len(ls) < h {
		ls = append(ls, "")
	}
	return ls
}

// detailLines is what the run is about right now, wrapped to the main
// column: the question, the step and its notes, or the diagnosis.
func (v runView) detailLines() (out []string) {
	s := v.ctx.styles
	w := max(v.mainW, 10)
	add := func(render func(...string) string, text string) {
		out = append(out, styled(wrap(text, w), render)...)
	}
	blank := func() {
		if len(out) > 0 && out[len(out)-1] != "" {
			out = append(out, "")
		}
	}

	switch n := v.need.(type) {
	case *runner.NeedFact:
		i, total := factIndex(v.def, n.Fact.ID)
		add(s.Heading.Render, fmt.Sprintf("Question %d of %d", i, total))
		blank()
		add(s.Title.Render, n.Fact.Question)
		if n.Fact.Help != "" {
			add(s.Faint.Render, n.Fact.Help)
		}
		switch {
		case n.Detected && n.Suggested != "":
			add(s.Note.Render, "zenrecover looked at this machine and suggests: "+answerWords(n.Fact, n.Suggested)+". Check it before you press Enter.")
		case n.Suggested != "":
			add(s.Faint.Render, "Suggested: "+answerWords(n.Fact, n.Suggested))
		}
		blank()
	case *runner.NeedInput:
		out = append(out, v.escrowLines(w)...)
		add(s.Heading.Render, "Needed for step "+n.Step.Ref+": "+n.Step.Title)
		blank()
		add(s.Title.Render, n.Input.Prompt)
		if n.Input.Help != "" {
			add(s.Faint.Render, n.Input.Help)
		}
		if n.Again && v.resumed {
			add(s.Important.Render, "Asked again: secrets are never stored, so a resumed run asks for them again.")
		}
		if n.Input.Secret() {
			t := "Nothing is shown while you type, not even dots."
			if n.Input.New {
				t += " Type it twice; both must match."
			}
			if n.Input.MinLength > 0 {
				t += fmt.Sprintf(" At least %d characters.", n.Input.MinLength)
			}
			add(s.Faint.Render, t)
		} else if n.Input.Default != "" {
			add(s.Faint.Render, "Enter accepts the value shown. Typing replaces it; ← or → first to edit it.")
		}
		blank()
	case *runner.NeedStep:
		if v.flash != "" {
			add(s.Success.Render, v.flash)
		}
		out = append(out, v.escrowLines(w)...)
		head := fmt.Sprintf("Step %d of %d · %s", n.Number, n.Total, v.def.FullRef(n.Step))
		if n.Manual {
			head += " · by hand"
		}
		if n.Target != "" {
			head += " · on " + n.Target
		}
		add(s.Heading.Render, head)
		add(s.Title.Render, n.Step.Title)
		if n.Target != "" {
			if len(n.Targets) > 1 {
				add(s.Faint.Render, targetProgress(n.Targets, n.TargetsDone, n.Target))
			}
		}
		if n.Condition != "" {
			add(s.Faint.Render, n.Condition)
		}
		if n.Destructive {
			add(s.Warning.Render, "This step changes the server.")
		}
		blank()
		if n.Manual {
			add(s.Text.Render, n.Describe)
			if len(n.Command) > 0 {
				blank()
				add(s.Faint.Render, "Run there:")
				add(s.Command.Render, strings.Join(n.Command, " "))
			}
			if n.Script != "" {
				blank()
				add(s.Faint.Render, "Type exactly:")
				for _, l := range strings.Split(strings.TrimRight(n.Script, "\n"), "\n") {
					add(s.Command.Render, l)
				}
			}
		} else if n.Step.Instructions != "" {
			add(s.Text.Render, n.Step.Instructions)
		}
		out = append(out, v.noteLines(n.Step.Notes, w)...)
		if !n.Manual {
			blank()
			add(s.Faint.Render, "Command:")
			add(s.Command.Render, n.Describe)
		}
	case *runner.NeedFailed:
		add(s.Error.Render, fmt.Sprintf("Step %s failed", n.Step.Ref)+attemptWords(n.Attempts))
		add(s.Title.Render, n.Step.Title)
		blank()
		msg, exit, verify := parseOutcome(n.Error)
		add(s.Text.Render, msg)
		if exit != nil {
			add(s.Faint.Render, fmt.Sprintf("Exit status %d.", *exit))
		}
		if verify != "" && !strings.Contains(msg, verify) {
			add(s.Faint.Render, "Checks: "+verify)
		}
	case *runner.NeedInDoubt:
		add(s.Warning.Render, "Step "+n.Step.Ref+" did not finish")
		add(s.Title.Render, n.Step.Title)
		blank()
		add(s.Text.Render, n.Why)
		if !n.Started.IsZero() {
			add(s.Faint.Render, "Started "+n.Started.Local().Format("2006-01-02 15:04:05")+" ("+ago(n.Started)+").")
		}
		if n.StillRunning {
			t := "Its command is still running"
			if n.PID > 0 {
				t += fmt.Sprintf(" (pid %d)", n.PID)
			}
			add(s.Important.Render, t+". Let it finish, or end it yourself, then resume: zenrecover checks the step first.")
		}
		if n.Describe != "" {
			add(s.Faint.Render, "Command:")
			add(s.Command.Render, n.Describe)
		}
		switch {
		case n.Verify != "" && n.VerifyFailed:
			add(s.Text.Render, "The checks say it did not take effect: "+n.Verify)
		case n.Verify != "":
			add(s.Text.Render, "Checks: "+n.Verify)
		case !n.StillRunning:
			add(s.Faint.Render, "This step has no checks that could tell whether it took effect.")
		}
		if n.Count > 1 {
			add(s.Faint.Render, fmt.Sprintf("Found unfinished %d times.", n.Count))
		}
		if n.LastOutput != "" {
			blank()
			add(s.Faint.Render, "Its last output:")
			for _, l := range strings.Split(n.LastOutput, "\n") {
				out = append(out, s.Faint.Render(clip("  │ "+l, w)))
			}
		}
	case *runner.Done:
		out = append(out, v.escrowLines(w)...)
		add(s.Success.Render, "The procedure is complete.")
		blank()
		add(s.Text.Render, fmt.Sprintf("%s %s: every step that applies is finished.", v.def.Section, v.def.Title))
		add(s.Text.Render, "Run "+v.runID+".")
		add(s.Faint.Render, "To see what was done, with its output:")
		add(s.Command.Render, "  "+v.cmdReport)
	}
	defer func() {
		// One blank line between the text and the form under it.
		if len(out) > 0 && out[len(out)-1] != "" {
			out = append(out, "")
		}
	}()
	switch v.phase {
	case phaseStopped:
		out = nil
		if v.stopErr != "" {
			add(s.Error.Render, "The stop could not be recorded: "+v.stopErr)
			add(s.Text.Render, "The run's journal still has every step that finished.")
		} else {
			add(s.Heading.Render, "Stopped. Nothing is lost.")
		}
		blank()
		add(s.Text.Render, "Everything done so far is saved. To carry on later, run:")
		add(s.Command.Render, "  "+v.cmdResume)
	case phaseError:
		out = nil
		add(s.Error.Render, "zenrecover cannot go on:")
		add(s.Text.Render, v.errText)
		blank()
		add(s.Faint.Render, "Everything done so far is saved.")
	}
	return out
}

func (v runView) noteLines(notes []procedures.Note, w int) []string {
	s := v.ctx.styles
	var out []string
	for _, n := range notes {
		label, render := "Note: ", s.Note.Render
		switch strings.ToLower(n.Kind) {
		case "important":
			label, render = "IMPORTANT: ", s.Important.Render
		case "warning":
			label, render = "WARNING: ", s.Warning.Render
		}
		ls := wrap(label+n.Text, w)
		if len(ls) > 0 {
			// Only the label is coloured; the text stays plain to read.
			first := ls[0]
			if strings.HasPrefix(first, label) {
				ls[0] = render(label) + first[len(label):]
			}
		}
		out = append(out, "")
		out = append(out, ls...)
	}
	return out
}

// interactionLines is the bottom of the main column: what the operator can
// do now.
func (v runView) interactionLines() []string {
	s := v.ctx.styles
	w := max(v.mainW, 10)
	var out []string
	add := func(render func(...string) string, text string) {
		out = append(out, styled(wrap(text, w), render)...)
	}
	choice := func(k, text string) {
		indent := strings.Repeat(" ", len(k)+2)
		for i, l := range wrap(text, max(w-len(indent), 5)) {
			if i == 0 {
				out = append(out, s.Key.Render(k)+"  "+l)
			} else {
				out = append(out, indent+l)
			}
		}
	}
	if v.errText != "" && v.phase != phaseError {
		add(s.Error.Render, v.errText)
	}
	if v.confirm != nil {
		return append(out, lines(v.confirm.View())...)
	}
	if v.text != nil {
		return append(out, lines(v.text.View())...)
	}
	switch v.phase {
	case phaseBusy:
		add(s.Faint.Render, v.busyText)
	case phaseFact, phaseInput:
		out = append(out, lines(v.prompt.View())...)
	case phaseStep:
		n := v.need.(*runner.NeedStep)
		switch {
		case v.dryRun && !n.Manual:
			add(s.Text.Render, "Dry run: Enter shows what would run; nothing is executed.")
		case n.Manual && n.Destructive:
			add(s.Text.Render, "Do it, then press Enter and type the host name "+n.ConfirmWord+" to confirm.")
		case n.Manual:
			add(s.Text.Render, "Do it, then press Enter to confirm it is done.")
		case n.Destructive:
			add(s.Text.Render, "Press Enter, then type the host name "+n.ConfirmWord+" to run it.")
		default:
			add(s.Text.Render, "Press Enter to run it.")
		}
		add(s.Faint.Render, "s skip, with a reason · q stop, resumable")
	case phaseRunning:
		out = append(out, lines(v.bar.View())...)
		if v.exec != nil && v.exec.interrupted {
			add(s.Warning.Render, "Interrupting…")
		} else {
			add(s.Faint.Render, "Running. If the command asks something, type the reply and press Enter. ctrl+c interrupts.")
		}
		out = append(out, v.line.View())
	case phaseFailed:
		choice("r", "retry the step")
		choice("s", "skip it (you say why)")
		choice("q", "stop here; the run can be resumed")
	case phaseInDoubt:
		n := v.need.(*runner.NeedInDoubt)
		if n.StillRunning {
			choice("q", "stop here and resume once it has finished")
			break
		}
		switch {
		case n.NeedsOverride:
			choice("r", "re-run it (you must type override)")
		case n.Idempotent:
			choice("r", "re-run it (Enter; it is safe to repeat)")
		default:
			choice("r", "re-run it (you say why; it is not declared safe to repeat)")
		}
		choice("d", "mark it done (you checked it took effect; you say how)")
		choice("q", "stop here; the run can be resumed")
	case phaseError:
		choice("enter", "try again")
		choice("q", "stop here; the run can be resumed")
	case phaseDone, phaseStopped:
		add(s.Faint.Render, "Press Enter to leave.")
	}
	return out
}

// targetProgress shows where a fan-out step stands: "✓ a  ▶ b  · c".
func targetProgress(targets []string, done map[string]bool, current string) string {
	parts := make([]string, len(targets))
	for i, t := range targets {
		mark := "·"
		switch {
		case done[t]:
			mark = "✓"
		case t == current:
			mark = "▶"
		}
		parts[i] = mark + " " + t
	}
	return "Targets: " + strings.Join(parts, "  ")
}
