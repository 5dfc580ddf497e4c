package tui

import (
	"fmt"
	"regexp"
	"strings"

	"zenrecover/procedures"
	"zenrecover/state"
)

// Marks are characters, not colours, so the list reads the same with
// NO_COLOR and in a screen reader's text.
const (
	markDone    = "✓"
	markFailed  = "✗"
	markDoubt   = "?"
	markSkipped = "–"
	markCurrent = "▶"
	markPending = "·"
)

type listEntry struct {
	step      *procedures.Step
	depth     int
	undecided bool // depends on an answer not given yet
	group     bool
}

// listEntries is the plan as the step list shows it: every step that
// applies (and those that may, once the questions are answered), with the
// groups as headings.
func listEntries(plan []procedures.PlanStep) []listEntry {
	var out []listEntry
	for _, p := range plan {
		if p.Applies == procedures.No {
			continue
		}
		out = append(out, listEntry{step: p.Step, depth: p.Depth,
			undecided: p.Applies == procedures.Undecided, group: !p.Step.Actionable()})
	}
	return out
}

func (c *uictx) mark(e listEntry, snap snapshot, current string) string {
	s := c.styles
	status := stepStatus(e.step, snap)
	// The current step shows ▶ unless it failed or is in doubt: then that
	// is what the operator must see.
	if e.step.ID == current && status != state.StepFailed && status != state.StepInDoubt {
		return s.MarkCurrent.Render(markCurrent)
	}
	switch status {
	case state.StepSucceeded, state.StepConfirmed:
		return s.MarkDone.Render(markDone)
	case state.StepFailed:
		return s.MarkFailed.Render(markFailed)
	case state.StepInDoubt:
		return s.MarkDoubt.Render(markDoubt)
	case state.StepSkipped:
		return s.MarkSkipped.Render(markSkipped)
	}
	return s.MarkPending.Render(markPending)
}

// stepListLines renders the sidebar: a window of h lines that keeps the
// current step in view.
func (c *uictx) stepListLines(snap snapshot, current string, w, h int) []string {
	s := c.styles
	entries := listEntries(snap.plan)
	var out []string
	cur := 0
	for _, e := range entries {
		indent := strings.Repeat(" ", min(e.depth, 3)*2)
		if e.group {
			out = append(out, clip(indent+s.Faint.Render(listLabel(e.step)), w))
			continue
		}
		if e.step.ID == current {
			cur = len(out)
		}
		label := listLabel(e.step)
		switch {
		case e.step.ID == current:
			label = s.StepCurrent.Render(label)
		case e.undecided:
			label = s.Faint.Render(label)
		}
		out = append(out, clip(indent+c.mark(e, snap, current)+" "+label, w))
	}
	if len(out) <= h {
		return out
	}
	if h <= 0 {
		return nil
	}
	start := max(0, min(cur-h/2, len(out)-h))
	window := append([]string(nil), out[start:start+h]...)
	if start > 0 {
		window[0] = s.Faint.Render(clip("  ↑ more", w))
	}
	if start+h < len(out) {
		window[h-1] = s.Faint.Render(clip("  ↓ more", w))
	}
	return window
}

// progressLine is the step list folded into one line, for terminals too
// narrow for a sidebar: "Steps ✓✓▶·· 3/5".
func (c *uictx) progressLine(snap snapshot, current string, w int) string {
	var marks []string
	done, total := 0, 0
	for _, e := range listEntries(snap.plan) {
		if e.group {
			continue
		}
		total++
		if ss := snap.steps[e.step.ID]; ss != nil {
			switch ss.Status {
			case state.StepSucceeded, state.StepConfirmed, state.StepSkipped:
				done++
			}
		}
		marks = append(marks, c.mark(e, snap, current))
	}
	return clip(fmt.Sprintf("Steps %s %d/%d done", strings.Join(marks, ""), done, total), w)
}

// stepStatus is a step's status; a fan-out step's is its targets' together:
// failed or in doubt when one is, done when all are, pending otherwise.
func stepStatus(st *procedures.Step, snap snapshot) state.StepStatus {
	if st.Each == "" {
		if ss := snap.steps[st.ID]; ss != nil {
			return ss.Status
		}
		return state.StepPending
	}
	targets := snap.targets[st.ID]
	if len(targets) == 0 {
		return state.StepPending
	}
	done := 0
	for _, t := range targets {
		ss := snap.steps[state.StepKey(st.ID, t)]
		if ss == nil {
			continue
		}
		switch ss.Status {
		case state.StepFailed, state.StepInDoubt:
			return ss.Status
		case state.StepSucceeded, state.StepConfirmed, state.StepSkipped:
			done++
		}
	}
	if done == len(targets) {
		return state.StepSucceeded
	}
	return state.StepPending
}

// stepNumber is a ref as the reference numbers steps ("2", "11c2", "2, 3,
// 4", "6.1"); a fragment's steps are named instead ("This server").
var stepNumber = regexp.MustCompile(`^[0-9][0-9a-z.]*(, ?[0-9][0-9a-z.]*)*$`)

// listLabel is a step as the narrow step list shows it: the reference's
// number and the title, or only the title when the ref is a name, which
// would otherwise crowd the title out of the column.
func listLabel(st *procedures.Step) string {
	if stepNumber.MatchString(st.Ref) {
		return st.Ref + " " + st.Title
	}
	return st.Title
}
