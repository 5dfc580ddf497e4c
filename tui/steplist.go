package tui

import (
	"fmt"
	"regexp"
	"strings"

	"zenrecover/procedures"
	"zenrecover/runner"
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
	if e.step.ID == current && status != runner.StepFailed && status != runner.StepInDoubt {
		return s.MarkCurrent.Render(markCurrent)
	}
	switch status {
	case runner.StepSucceeded, runner.StepConfirmed:
		return s.MarkDone.Render(markDone)
	case runner.StepFailed:
		return s.MarkFailed.Render(markFailed)
	case runner.StepInDoubt:
		return s.MarkDoubt.Render(markDoubt)
	case runner.StepSkipped:
		return s.MarkSkipped.Render(markSkipped)
	}
	return s.MarkPending.Render(markPending)
}

// stepListLines renders the sidebar: a window of h lines that keeps the
// current step in view. A title too long for the column wraps under
// itself (two lines, three for the current step) rather than being cut to
// its first word: at 80 columns the reference's numbers alone ("1, 2, 3")
// would leave it nothing.
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
		isCur := e.step.ID == current
		if isCur {
			cur = len(out)
		}
		render := func(t ...string) string { return strings.Join(t, " ") }
		switch {
		case isCur:
			render = s.StepCurrent.Render
		case e.undecided:
			render = s.Faint.Render
		}
		most := 2
		if isCur {
			most = 3
		}
		ls := wrap(listLabel(e.step), max(w-len(indent)-2, 4))
		if len(ls) > most {
			ls = append(ls[:most-1:most-1], strings.Join(ls[most-1:], " "))
		}
		for i, l := range ls {
			lead := indent + c.mark(e, snap, current) + " "
			if i > 0 {
				lead = indent + "  "
			}
			out = append(out, clip(lead+render(l), w))
		}
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
			case runner.StepSucceeded, runner.StepConfirmed, runner.StepSkipped:
				done++
			}
		}
		marks = append(marks, c.mark(e, snap, current))
	}
	return clip(fmt.Sprintf("Steps %s %d/%d done", strings.Join(marks, ""), done, total), w)
}

// stepStatus is a step's status; a fan-out step's is its targets' together:
// failed or in doubt when one is, done when all are, pending otherwise.
func stepStatus(st *procedures.Step, snap snapshot) runner.StepStatus {
	if st.Each == "" {
		if ss := snap.steps[st.ID]; ss != nil {
			return ss.Status
		}
		return runner.StepPending
	}
	targets := snap.targets[st.ID]
	if len(targets) == 0 {
		return runner.StepPending
	}
	done := 0
	for _, t := range targets {
		ss := snap.steps[runner.StepKey(st.ID, t)]
		if ss == nil {
			continue
		}
		switch ss.Status {
		case runner.StepFailed, runner.StepInDoubt:
			return ss.Status
		case runner.StepSucceeded, runner.StepConfirmed, runner.StepSkipped:
			done++
		}
	}
	if done == len(targets) {
		return runner.StepSucceeded
	}
	return runner.StepPending
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
