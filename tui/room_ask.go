package tui

import (
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"zenrecover/procedures"
	"zenrecover/runner"
)

// askRoom asks a question the procedure branches on (NeedFact) or a value
// a step uses (NeedInput); its form is the prompt.
type askRoom struct {
	ctx     *uictx
	def     *procedures.Definition
	need    runner.Need
	prompt  prompt
	resumed bool // this process resumed the run: a secret asked now is asked again
	out     pending
}

func newAskRoom(ctx *uictx, def *procedures.Definition, n runner.Need, resumed bool) askRoom {
	r := askRoom{ctx: ctx, def: def, need: n, resumed: resumed}
	switch n := n.(type) {
	case *runner.NeedFact:
		r.prompt = newFactPrompt(ctx, n)
	case *runner.NeedInput:
		r.prompt = newInputPrompt(ctx, n)
	}
	return r
}

func (r *askRoom) SetSize(w, h int) { r.prompt.SetSize(w, h) }

func (r askRoom) Update(msg tea.Msg) (askRoom, tea.Cmd) {
	var cmd tea.Cmd
	r.prompt, cmd = r.prompt.Update(msg)
	if v, ok := r.prompt.take(); ok {
		r.out.set(intent{kind: intentAnswer, key: r.prompt.id, value: v})
	}
	return r, cmd
}

func (r askRoom) details(w int) []string {
	s := r.ctx.styles
	p := para{w: w}
	switch n := r.need.(type) {
	case *runner.NeedFact:
		p.add(s.Heading.Render, fmt.Sprintf("Question %d of %d", n.Number, n.Total))
		p.blank()
		p.add(s.Title.Render, n.Fact.Question)
		if n.Fact.Help != "" {
			p.add(s.Faint.Render, n.Fact.Help)
		}
		switch {
		case n.Detected && n.Suggested != "":
			p.add(s.Note.Render, "zenrecover looked at this machine and suggests: "+answerWords(n.Fact, n.Suggested)+". Check it before you press Enter.")
		case n.Suggested != "":
			p.add(s.Faint.Render, "Suggested: "+answerWords(n.Fact, n.Suggested))
		}
	case *runner.NeedInput:
		p.add(s.Heading.Render, "Needed for step "+n.Step.Ref+": "+n.Step.Title)
		p.blank()
		p.add(s.Title.Render, n.Input.Prompt)
		if n.Input.Help != "" {
			p.add(s.Faint.Render, n.Input.Help)
		}
		switch {
		case n.Refused:
			p.add(s.Important.Render, "Asked again: the step failed with the value typed before, so it is forgotten. Type the right one.")
		case n.Again && r.resumed:
			p.add(s.Important.Render, "Asked again: secrets are never stored, so a resumed run asks for them again.")
		}
		if n.Input.Secret() {
			t := "Nothing is shown while you type, not even dots."
			if n.Input.New {
				t += " Type it twice; both must match."
			}
			if n.Input.MinLength > 0 {
				t += fmt.Sprintf(" At least %d characters.", n.Input.MinLength)
			}
			p.add(s.Faint.Render, t)
		} else if n.Input.Default != "" {
			p.add(s.Faint.Render, "Enter accepts the value shown. Typing replaces it; ← or → first to edit it.")
		}
	}
	p.blank()
	return p.out
}

func (r askRoom) form(w int) []string { return lines(r.prompt.View()) }

func (r askRoom) ShortHelp() []key.Binding {
	return append(r.prompt.ShortHelp(), r.ctx.keys.Global.ForceQuit)
}
