package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// runningRoom is a step whose command is running: its progress bar, the
// line the operator may type to the command, and, when the command has
// asked something no rule answers and waits, a plain cue that says so.
//
// Keys: while no reply is being typed, ? opens the help like anywhere
// else; once a character is in the line (or the command waits), keys are
// the reply's, and F1 is the help. ctrl+c asks before interrupting.
type runningRoom struct {
	ctx         *uictx
	line        textinput.Model
	bar         progressPane
	interrupted bool
	waiting     *waitCue // the command waits for the operator; nil otherwise
	out         pending
	width       int
}

// waitCue is what the screen says while a command waits for an answer no
// rule gave: the line it printed, whether the reply will be hidden, and
// the known answers the operator may send with a digit.
type waitCue struct {
	line        string
	hidden      bool
	suggestions []suggestion
}

type suggestion struct {
	label  string
	secret bool
}

func newRunningRoom(ctx *uictx) runningRoom {
	line := newSecretField(ctx, "» ")
	line.Placeholder = "reply to the command (hidden)"
	return runningRoom{ctx: ctx, line: line, bar: newProgressPane(ctx)}
}

// start readies the room for a new execution.
func (r *runningRoom) start() tea.Cmd {
	r.bar.Reset()
	r.line.Reset()
	r.interrupted = false
	r.waiting = nil
	return r.line.Focus()
}

// stop clears the room once the execution ended.
func (r *runningRoom) stop() {
	r.bar.Reset()
	r.line.Blur()
	r.line.Reset()
	r.waiting = nil
}

func (r *runningRoom) SetSize(w, h int) {
	r.width = w
	r.bar.SetSize(w, 0)
	r.line.SetWidth(max(w-3, 1))
}

func (r *runningRoom) restyle() {
	r.line.SetStyles(r.ctx.styles.Input)
	r.bar.restyle()
}

// Typing reports whether keys are the reply's text.
func (r runningRoom) Typing() bool { return r.line.Value() != "" || r.waiting != nil }

func (r runningRoom) Update(msg tea.Msg) (runningRoom, tea.Cmd) {
	switch msg := msg.(type) {
	case progressMsg:
		r.bar, _ = r.bar.Update(msg)
		return r, nil
	case tea.KeyPressMsg:
		k := r.ctx.keys.Running
		switch {
		case key.Matches(msg, k.Interrupt):
			if !r.interrupted {
				r.out.set(intent{kind: intentInterrupt})
			}
			return r, nil
		case key.Matches(msg, k.Send):
			line := r.line.Value()
			r.line.Reset()
			r.out.set(intent{kind: intentSend, value: line})
			return r, nil
		case r.waiting != nil && r.line.Value() == "" && key.Matches(msg, k.Suggest):
			if n := int(msg.Text[0] - '0'); n >= 1 && n <= len(r.waiting.suggestions) {
				r.out.set(intent{kind: intentSuggest, n: n})
			}
			return r, nil
		}
	}
	var cmd tea.Cmd
	r.line, cmd = r.line.Update(msg)
	return r, cmd
}

func (r runningRoom) details(w int) []string { return nil }

func (r runningRoom) form(w int) []string {
	s := r.ctx.styles
	p := para{w: w}
	p.lines(lines(r.bar.View())...)
	switch {
	case r.interrupted:
		p.add(s.Warning.Render, "Interrupting…")
	case r.waiting != nil:
		c := r.waiting
		p.add(s.Important.Render, "The command is waiting for an answer. It asked:")
		p.add(s.Command.Render, "  "+c.line)
		hidden := "What you type goes to the command, which will show it in its output."
		if c.hidden {
			hidden = "What you type goes to the command and stays hidden: it does not echo (a password?)."
		}
		p.add(s.Text.Render, hidden+" Enter sends it.")
		for i, sg := range c.suggestions {
			what := "send " + sg.label
			if sg.secret {
				what += " (hidden)"
			}
			p.choice(s, fmt.Sprint(i+1), what)
		}
	default:
		p.add(s.Faint.Render, "Running. If the command asks something, type the reply and press Enter. ctrl+c interrupts (it asks first).")
	}
	p.lines(r.line.View())
	return p.out
}

func (r runningRoom) ShortHelp() []key.Binding {
	k := r.ctx.keys.Running
	g := r.ctx.keys.Global
	b := []key.Binding{k.Send}
	if r.waiting != nil && len(r.waiting.suggestions) > 0 {
		b = append(b, k.Suggest)
	}
	return append(b, k.Interrupt, g.ScrollUp, g.ScrollDown)
}

// cueWords says in one line, for a note in the output pane, that the
// command waits and on which line.
func (c waitCue) cueWords() string {
	return "— waiting for your answer to: " + strings.TrimSpace(c.line) + " —"
}
