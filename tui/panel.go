package tui

import (
	"strings"

	"charm.land/lipgloss/v2"
)

// The frame's drawing: how the main column is shared between the room's
// details, the output pane and the room's form, and the step list beside.

// layout divides the main column between the step's details, its output
// and the form at the bottom. The form always gets its lines: it is what
// the operator must act on.
func (v *runView) layout() {
	w, h := v.width, v.height
	if w >= sidebarMin {
		v.mainW = w - v.sidebarW() - 3
		v.mainH = h
	} else {
		v.mainW = w
		v.mainH = h - 1
	}
	v.mainW = max(v.mainW, 1)
	v.mainH = max(v.mainH, 1)
	v.ask.SetSize(v.mainW, 0)
	v.running.SetSize(v.mainW, 0)
	if v.text != nil {
		v.text.SetSize(v.mainW, 0)
	}
	if v.confirm != nil {
		v.confirm.SetSize(v.mainW, 0)
	}

	inter := len(v.interactionLines())
	rest := max(v.mainH-inter, 1)
	details := len(v.detailLines())
	v.showOut, v.rule = false, false
	v.detailH, v.outH = min(details, rest), 0
	ownOutput := !v.output.Empty() && v.output.stepID == v.current
	switch {
	case v.phase == phaseRunning || ownOutput && (v.phase == phaseFailed ||
		v.phase == phaseError || v.phase == phaseBusy):
		// This step's output: it shares the column with the details.
		v.showOut = true
		switch {
		case rest >= 4:
			v.detailH = min(details, max(2, rest*2/5))
			v.outH = rest - v.detailH - 1
			v.rule = true
		case rest >= 2:
			v.detailH = min(details, 1)
			v.outH = rest - v.detailH
		default:
			v.showOut = false
		}
	case !v.output.Empty() && (v.phase == phaseStep || v.phase == phaseDone || v.phase == phaseBusy):
		// The previous step's output, or this step's from an attempt before
		// a retry or a redo: only in the room the step's text leaves, since
		// what is about to run comes first.
		if room := rest - v.detailH; room >= 4 {
			v.showOut, v.rule = true, true
			v.outH = room - 1
		}
	}
	v.output.SetSize(v.mainW, max(v.outH, 1))
	v.scroll = min(v.scroll, max(0, details-v.detailH))
}

func (v *runView) SetSize(w, h int) {
	v.width, v.height = w, h
	v.layout()
}

// sidebarW is the step list's width beside the main column.
func (v runView) sidebarW() int { return min(max(v.width*3/10, 22), 36) }

func (v runView) View() string {
	main := v.mainView()
	if v.width >= sidebarMin {
		sw := v.sidebarW()
		list := lipgloss.Place(sw, v.height, lipgloss.Left, lipgloss.Top,
			strings.Join(v.ctx.stepListLines(v.snap, v.current, sw, v.height), "\n"))
		sep := strings.TrimSuffix(strings.Repeat(" "+v.ctx.styles.Rule.Render("│")+" \n", v.height), "\n")
		return lipgloss.JoinHorizontal(lipgloss.Top, list, sep, main)
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
			switch {
			case v.output.stepID != v.current:
				label = "── output of step " + v.stepRef(v.output.stepID) + " "
			case v.phase == phaseStep:
				label = "── output of the last attempt "
			}
			if v.output.Scrolled() {
				label += "(scrolled; pgdn to follow) "
			}
			out = append(out, s.Rule.Render(clip(label+strings.Repeat("─", max(0, w-len([]rune(label)))), w)))
		}
		out = append(out, lines(v.output.View())...)
	}
	out = append(out, v.interactionLines()...)
	return lipgloss.Place(w, v.mainH, lipgloss.Left, lipgloss.Top, fit(strings.Join(out, "\n"), w, v.mainH))
}

func padLines(ls []string, h int) []string {
	for len(ls) < h {
		ls = append(ls, "")
	}
	return ls
}

// detailLines is what the run is about right now, wrapped to the main
// column: what just happened, then the room's text.
func (v runView) detailLines() []string {
	w := max(v.mainW, 10)
	s := v.ctx.styles
	var out []string
	switch v.phase {
	case phaseStep:
		if v.flash != "" {
			out = append(out, styled(wrap(v.flash, w), s.Success.Render)...)
		}
		out = append(out, v.escrowLines(w)...)
	case phaseInput, phaseDone:
		out = append(out, v.escrowLines(w)...)
	case phaseAnswers:
		if v.flash != "" {
			out = append(out, styled(wrap(v.flash, w), s.Success.Render)...)
		}
	}
	if d := v.room(); d != nil {
		out = append(out, d.details(w)...)
	}
	return out
}

// interactionLines is the bottom of the main column: what the operator can
// do now.
func (v runView) interactionLines() []string {
	s := v.ctx.styles
	w := max(v.mainW, 10)
	var out []string
	if v.errText != "" {
		out = append(out, styled(wrap(v.errText, w), s.Error.Render)...)
	}
	switch {
	case v.confirm != nil:
		return append(out, lines(v.confirm.View())...)
	case v.text != nil:
		return append(out, lines(v.text.View())...)
	case v.phase == phaseBusy:
		return append(out, styled(wrap(v.busyText, w), s.Faint.Render)...)
	}
	if d := v.room(); d != nil {
		out = append(out, d.form(w)...)
	}
	return out
}
