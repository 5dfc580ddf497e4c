package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"zenrecover/runner"
)

// doubtRoom is a step that was started and never finished: why, what its
// checks said, and the operator's choices (re-run, mark done, stop). Enter
// re-runs only a step declared safe to repeat.
type doubtRoom struct {
	ctx  *uictx
	need *runner.NeedInDoubt
	out  pending
}

func newDoubtRoom(ctx *uictx, n *runner.NeedInDoubt) doubtRoom { return doubtRoom{ctx: ctx, need: n} }

func (r *doubtRoom) SetSize(w, h int) {}

func (r doubtRoom) Update(msg tea.Msg) (doubtRoom, tea.Cmd) {
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return r, nil
	}
	k := r.ctx.keys.Doubt
	n := r.need
	switch {
	case key.Matches(km, k.Stop):
		r.out.set(intent{kind: intentStop})
	case n.StillRunning:
	case key.Matches(km, k.Rerun):
		r.out.set(intent{kind: intentRerun, key: n.Key})
	case key.Matches(km, k.RerunSafe) && n.Idempotent && !n.NeedsOverride:
		r.out.set(intent{kind: intentRerun, key: n.Key})
	case key.Matches(km, k.MarkDone):
		r.out.set(intent{kind: intentMarkDone, key: n.Key})
	case key.Matches(km, k.Abandon):
		r.out.set(intent{kind: intentAbandon})
	}
	return r, nil
}

func (r doubtRoom) details(w int) []string {
	s := r.ctx.styles
	n := r.need
	p := para{w: w}
	p.add(s.Warning.Render, "Step "+n.Step.Ref+" did not finish")
	p.add(s.Title.Render, n.Step.Title)
	p.blank()
	p.add(s.Text.Render, n.Why)
	if !n.Started.IsZero() {
		p.add(s.Faint.Render, "Started "+n.Started.Local().Format("2006-01-02 15:04:05")+" ("+ago(n.Started)+").")
	}
	if n.StillRunning {
		t := "Its command is still running"
		if n.PID > 0 && n.Host != "" {
			t += fmt.Sprintf(" on %s (pid %d there)", n.Host, n.PID)
		} else if n.PID > 0 {
			t += fmt.Sprintf(" (pid %d)", n.PID)
		}
		p.add(s.Important.Render, t+". Let it finish, or end it yourself, then resume: zenrecover checks the step first.")
	}
	if n.Describe != "" {
		p.add(s.Faint.Render, "Command:")
		p.add(s.Command.Render, n.Describe)
	}
	switch {
	case n.Verify != "" && n.VerifyFailed:
		p.add(s.Text.Render, "The checks say it did not take effect: "+n.Verify)
	case n.Verify != "":
		p.add(s.Text.Render, "Checks: "+n.Verify)
	case !n.StillRunning:
		p.add(s.Faint.Render, "This step has no checks that could tell whether it took effect.")
	}
	if n.Count > 1 {
		p.add(s.Faint.Render, fmt.Sprintf("Found unfinished %d times.", n.Count))
	}
	if n.LastOutput != "" {
		p.blank()
		p.add(s.Faint.Render, "Its last output:")
		for _, l := range strings.Split(n.LastOutput, "\n") {
			p.lines(s.Faint.Render(clip("  │ "+l, w)))
		}
	}
	p.blank()
	return p.out
}

func (r doubtRoom) form(w int) []string {
	s := r.ctx.styles
	n := r.need
	p := para{w: w}
	if n.StillRunning {
		p.choice(s, "q", "stop here and resume once it has finished")
		return p.out
	}
	switch {
	case n.NeedsOverride:
		p.choice(s, "r", "re-run it (you must type override)")
	case n.Idempotent:
		p.choice(s, "r", "re-run it (Enter; it is safe to repeat)")
	default:
		p.choice(s, "r", "re-run it (you say why; it is not declared safe to repeat)")
	}
	p.choice(s, "d", "mark it done (you checked it took effect; you say how)")
	p.choice(s, "a", "abandon the run for good (you say why)")
	p.choice(s, "q", "stop here; the run can be resumed")
	return p.out
}

func (r doubtRoom) ShortHelp() []key.Binding {
	k := r.ctx.keys.Doubt
	if r.need.StillRunning {
		return []key.Binding{k.Stop}
	}
	return []key.Binding{k.Rerun, k.MarkDone, k.Stop}
}
