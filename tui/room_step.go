package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"zenrecover/procedures"
	"zenrecover/runner"
)

// stepRoom is a step ready to run, or to be done by hand and confirmed.
type stepRoom struct {
	ctx    *uictx
	def    *procedures.Definition
	need   *runner.NeedStep
	dryRun bool
	out    pending
}

func newStepRoom(ctx *uictx, def *procedures.Definition, n *runner.NeedStep, dryRun bool) stepRoom {
	return stepRoom{ctx: ctx, def: def, need: n, dryRun: dryRun}
}

func (r *stepRoom) SetSize(w, h int) {}

func (r stepRoom) Update(msg tea.Msg) (stepRoom, tea.Cmd) {
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return r, nil
	}
	k := r.ctx.keys.Step
	n := r.need
	switch {
	case key.Matches(km, k.Run):
		kind := intentRun
		if n.Manual {
			kind = intentDoneByHand
		}
		r.out.set(intent{kind: kind, key: n.Key})
	case key.Matches(km, k.Skip):
		r.out.set(intent{kind: intentSkip, key: n.Key})
	case key.Matches(km, k.Answers):
		r.out.set(intent{kind: intentAnswers})
	case key.Matches(km, k.Abandon):
		r.out.set(intent{kind: intentAbandon})
	case key.Matches(km, k.Stop):
		r.out.set(intent{kind: intentStop})
	case n.Fleet && !r.dryRun && key.Matches(km, k.Fleet):
		r.out.set(intent{kind: intentFleet, key: n.Key})
	}
	return r, nil
}

func (r stepRoom) details(w int) []string {
	s := r.ctx.styles
	n := r.need
	p := para{w: w}
	head := fmt.Sprintf("Step %d of %d · %s", n.Number, n.Total, r.def.FullRef(n.Step))
	if n.Manual {
		head += " · by hand"
	}
	if n.Target != "" {
		head += " · on " + n.Target
	}
	p.add(s.Heading.Render, head)
	p.add(s.Title.Render, n.Step.Title)
	if n.Target != "" && len(n.Targets) > 1 {
		p.add(s.Faint.Render, targetProgress(n.Targets, n.TargetsDone, n.Target))
	}
	if n.Condition != "" {
		p.add(s.Faint.Render, n.Condition)
	}
	if n.Destructive {
		p.add(s.Warning.Render, "This step changes the server.")
	}
	p.blank()
	if n.Manual {
		// What to prepare (instructions) comes before what to do, unless
		// the description already says it (a step for an unreachable host).
		if n.Instructions != "" && !strings.Contains(n.Describe, n.Instructions) {
			p.add(s.Text.Render, n.Instructions)
		}
		p.add(s.Text.Render, n.Describe)
		if len(n.Command) > 0 {
			p.blank()
			p.add(s.Faint.Render, "Run there:")
			p.add(s.Command.Render, strings.Join(n.Command, " "))
		}
		if n.Script != "" {
			p.blank()
			p.add(s.Faint.Render, "Type exactly:")
			for _, l := range strings.Split(strings.TrimRight(n.Script, "\n"), "\n") {
				p.add(s.Command.Render, l)
			}
		}
		if len(n.Checks) > 0 {
			p.blank()
			p.add(s.Faint.Render, "Then check there (you are asked about each):")
			for _, c := range n.Checks {
				p.add(s.Text.Render, "• "+c)
			}
		}
	} else if n.Instructions != "" {
		p.add(s.Text.Render, n.Instructions)
	}
	p.lines(noteLines(s, n.Step.Notes, w)...)
	if !n.Manual {
		p.blank()
		p.add(s.Faint.Render, "Command:")
		p.add(s.Command.Render, n.Describe)
	}
	p.blank()
	return p.out
}

func (r stepRoom) form(w int) []string {
	s := r.ctx.styles
	n := r.need
	p := para{w: w}
	switch {
	case r.dryRun && !n.Manual:
		p.add(s.Text.Render, "Dry run: Enter shows what would run; nothing is executed.")
	case n.Manual && n.Destructive:
		p.add(s.Text.Render, "Do it, then press Enter and type the host name "+n.ConfirmWord+" to confirm.")
	case n.Manual:
		p.add(s.Text.Render, "Do it, then press Enter to confirm it is done.")
	case n.Destructive:
		p.add(s.Text.Render, "Press Enter, then type the host name "+n.ConfirmWord+" to run it.")
	default:
		p.add(s.Text.Render, "Press Enter to run it.")
	}
	if n.Fleet && !r.dryRun {
		// Never the default: Enter does this one target, as always.
		left := 0
		for _, t := range n.Targets {
			if !n.TargetsDone[t] {
				left++
			}
		}
		if n.AnsibleInstalled {
			p.choice(s, "f", "hand "+runner.TargetsNotDone(left)+" to Ansible; each host is recorded as its result arrives")
		} else {
			p.choice(s, "f", "the Ansible command for "+runner.TargetsNotDone(left)+" (ansible-playbook is not installed here)")
		}
	}
	p.add(s.Faint.Render, "s skip, with a reason · c check or correct answers · a abandon the run · q stop, resumable")
	return p.out
}

func (r stepRoom) ShortHelp() []key.Binding {
	k := r.ctx.keys.Step
	do := k.Run
	if r.need.Manual {
		do = k.DoneByHand
	}
	if r.need.Fleet && !r.dryRun {
		return []key.Binding{do, k.Fleet, k.Skip, k.Stop}
	}
	return []key.Binding{do, k.Skip, k.Stop}
}

func (r stepRoom) FullHelp() [][]key.Binding {
	k := r.ctx.keys.Step
	return [][]key.Binding{r.ShortHelp(), {k.Answers, k.Abandon}}
}

// noteLines draws a step's notes; only the label is coloured, the text
// stays plain to read.
func noteLines(s Styles, notes []procedures.Note, w int) []string {
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
		if len(ls) > 0 && strings.HasPrefix(ls[0], label) {
			ls[0] = render(label) + ls[0][len(label):]
		}
		out = append(out, "")
		out = append(out, ls...)
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
