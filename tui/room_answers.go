package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"zenrecover/runner"
)

// answersRoom lists the answers given so far (secrets are not among them:
// they are never stored) so the operator can check them before the next
// step and change one that is wrong. Enter opens the chosen answer for
// editing; the frame asks why, records the change and, where a finished
// step used the old value, offers to run it again.
type answersRoom struct {
	ctx     *uictx
	answers []runner.AnswerInfo
	cursor  int
	height  int
	refOf   func(key string) string // a step key in the reference's numbers
	out     pending
}

func newAnswersRoom(ctx *uictx, answers []runner.AnswerInfo, refOf func(string) string) answersRoom {
	return answersRoom{ctx: ctx, answers: answers, refOf: refOf}
}

func (r *answersRoom) SetSize(w, h int) { r.height = h }

func (r answersRoom) Update(msg tea.Msg) (answersRoom, tea.Cmd) {
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return r, nil
	}
	k := r.ctx.keys.Answers
	switch {
	case key.Matches(km, k.Up):
		r.cursor = max(0, r.cursor-1)
	case key.Matches(km, k.Down):
		r.cursor = min(len(r.answers)-1, r.cursor+1)
	case key.Matches(km, k.Change) && len(r.answers) > 0:
		a := r.answers[r.cursor]
		r.out.set(intent{kind: intentChange, key: a.ID, value: shownValue(a)})
	case key.Matches(km, k.Back):
		r.out.set(intent{kind: intentBack})
	}
	return r, nil
}

func (r answersRoom) details(w int) []string {
	s := r.ctx.styles
	p := para{w: w}
	p.add(s.Heading.Render, "Your answers so far")
	p.add(s.Faint.Render, "Secrets are not listed: they are never stored, and are asked again when needed.")
	p.blank()
	if len(r.answers) == 0 {
		p.add(s.Text.Render, "No answer has been given yet.")
		return p.out
	}
	for i, a := range r.answers {
		label := a.Label
		if i == r.cursor {
			p.lines(clip(s.Cursor.Render("› ")+s.Selected.Render(label), w))
		} else {
			p.lines(clip("  "+s.Text.Render(label), w))
		}
		for _, l := range wrap(shownValue(a), max(w-4, 10)) {
			p.lines(s.Command.Render("    " + l))
		}
		if len(a.UsedBy) > 0 {
			refs := make([]string, len(a.UsedBy))
			for i, k := range a.UsedBy {
				refs[i] = r.refOf(k)
			}
			p.lines(styled(wrap("    used by finished step "+strings.Join(refs, "; "), w), s.Faint.Render)...)
		}
	}
	return p.out
}

func (r answersRoom) form(w int) []string {
	s := r.ctx.styles
	p := para{w: w}
	p.add(s.Faint.Render, "Enter changes the answer marked ›; Esc goes back to the step.")
	return p.out
}

func (r answersRoom) ShortHelp() []key.Binding {
	k := r.ctx.keys.Answers
	return []key.Binding{k.Up, k.Down, k.Change, k.Back}
}

// shownValue is an answer as the operator gave it: a fact as yes or no.
func shownValue(a runner.AnswerInfo) string {
	if a.Fact {
		switch a.Value {
		case "true":
			return "yes"
		case "false":
			return "no"
		}
	}
	return a.Value
}

// focus puts the cursor on answer id, if it is listed.
func (r *answersRoom) focus(id string) {
	for i, a := range r.answers {
		if a.ID == id {
			r.cursor = i
		}
	}
}

// labelOf is the label of answer id, or the id.
func (r answersRoom) labelOf(id string) string {
	for _, a := range r.answers {
		if a.ID == id {
			return a.Label
		}
	}
	return id
}
