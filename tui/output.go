package tui

import (
	"strings"

	"charm.land/bubbles/v2/viewport"
)

// maxOutputLines bounds what the pane keeps; the whole output is in the
// run's log file, which the report reads.
const maxOutputLines = 5000

// outputPane shows one step's output. It follows the tail unless the
// operator has scrolled up to read something, and follows again once they
// scroll back to the bottom.
type outputPane struct {
	ctx    *uictx
	vp     viewport.Model
	stepID string
	lines  []string
	open   bool // the last line has no newline yet
}

func newOutputPane(ctx *uictx) outputPane {
	vp := viewport.New()
	vp.SoftWrap = true
	vp.MouseWheelEnabled = false
	// The run view owns the keys; the pane only scrolls when told to.
	vp.KeyMap = viewport.KeyMap{}
	return outputPane{ctx: ctx, vp: vp}
}

// Reset empties the pane for a step.
func (o *outputPane) Reset(stepID string) {
	o.stepID = stepID
	o.lines = nil
	o.open = false
	o.vp.SetContentLines(nil)
	o.vp.GotoTop()
}

// Empty reports whether nothing was written for the step.
func (o outputPane) Empty() bool { return len(o.lines) == 0 }

// Append adds output as it arrives: chunks end anywhere, mid-line included.
func (o *outputPane) Append(text string) {
	if text == "" {
		return
	}
	follow := o.vp.AtBottom()
	parts := strings.Split(text, "\n")
	if o.open && len(o.lines) > 0 {
		o.lines[len(o.lines)-1] += parts[0]
	} else {
		o.lines = append(o.lines, parts[0])
	}
	o.lines = append(o.lines, parts[1:]...)
	// A chunk ending in a newline leaves an empty last part: the next
	// chunk starts a new line, so drop the placeholder and remember.
	o.open = !strings.HasSuffix(text, "\n")
	if !o.open {
		o.lines = o.lines[:len(o.lines)-1]
	}
	if len(o.lines) > maxOutputLines {
		o.lines = append([]string{"… (earlier output is in the run's log)"}, o.lines[len(o.lines)-maxOutputLines+1:]...)
	}
	o.vp.SetContentLines(append([]string(nil), o.lines...))
	if follow {
		o.vp.GotoBottom()
	}
}

// Note adds a line of our own (not the command's), e.g. "line sent".
func (o *outputPane) Note(s string) {
	if o.open {
		o.Append("\n")
	}
	o.Append(s + "\n")
}

func (o *outputPane) SetSize(w, h int) {
	follow := o.vp.AtBottom()
	o.vp.SetWidth(max(w, 1))
	o.vp.SetHeight(max(h, 1))
	if follow {
		o.vp.GotoBottom()
	}
}

func (o *outputPane) ScrollUp()   { o.vp.PageUp() }
func (o *outputPane) ScrollDown() { o.vp.PageDown() }

func (o outputPane) View() string {
	return o.vp.View()
}

// Scrolled reports whether the operator has scrolled away from the tail.
func (o outputPane) Scrolled() bool { return !o.vp.AtBottom() }
