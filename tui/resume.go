package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"zenrecover/procedures"
	"zenrecover/runner"
)

// Intents a screen hands to the root, which owns the session and the
// options and so does the work.
type (
	resumeChosenMsg struct{ runID string }
	pickNewMsg      struct{}
	startChosenMsg  struct{ def *procedures.Definition }
	rehearseMsg     struct{ def *procedures.Definition }
)

// resumeScreen offers the unfinished run first: in an outage the most
// likely reason to start zenrecover again is that it was interrupted.
type resumeScreen struct {
	ctx    *uictx
	run    runner.Run
	title  string
	loaded bool
	where  string
	done   int
	total  int
	err    string
	busy   string
	// cmdAbandon ends the run for good from a shell (runner.Command).
	cmdAbandon string
	width      int
	height     int
}

func newResumeScreen(ctx *uictx, run runner.Run, lib *procedures.Library) resumeScreen {
	r := resumeScreen{ctx: ctx, run: run, title: run.ProcedureID}
	if lib != nil {
		if d := lib.Get(run.ProcedureID); d != nil {
			r.title = d.Section + " " + d.Title
		}
	}
	if def, err := procedures.ParseBundle(run.ProcedureID, run.DefText); err == nil {
		r.title = def.Section + " " + def.Title
	}
	return r
}

func (r *resumeScreen) SetSize(w, h int) { r.width, r.height = w, h }

// SetError shows why the resume was refused (another zenrecover holds the
// run, the lab is gone...).
func (r *resumeScreen) SetError(err error) {
	r.busy = ""
	r.err = err.Error()
}

func (r resumeScreen) Update(msg tea.Msg) (resumeScreen, tea.Cmd) {
	switch msg := msg.(type) {
	case resumeInfoMsg:
		if msg.runID == r.run.ID {
			r.loaded = true
			if msg.err != nil {
				r.where = "(cannot tell: " + msg.err.Error() + ")"
			} else {
				r.where, r.done, r.total = msg.where, msg.done, msg.total
			}
		}
	case tea.KeyPressMsg:
		if r.busy != "" {
			return r, nil
		}
		k := r.ctx.keys.Resume
		switch {
		case key.Matches(msg, k.Resume):
			r.busy = "Opening the run…"
			r.err = ""
			id := r.run.ID
			return r, func() tea.Msg { return resumeChosenMsg{runID: id} }
		case key.Matches(msg, k.New):
			return r, func() tea.Msg { return pickNewMsg{} }
		case key.Matches(msg, k.Quit):
			return r, quitWith(runner.ExitStopped)
		}
	}
	return r, nil
}

func (r resumeScreen) View() string {
	s := r.ctx.styles
	w := max(r.width, 10)
	var out []string
	add := func(render func(...string) string, text string) {
		out = append(out, styled(wrap(text, w), render)...)
	}
	add(s.Heading.Render, "An unfinished run is waiting")
	out = append(out, "")
	field := func(name, value string) {
		label := fmt.Sprintf("%-11s ", name)
		ls := wrap(value, max(w-len(label), 10))
		for i, l := range ls {
			if i == 0 {
				out = append(out, s.Faint.Render(label)+l)
			} else {
				out = append(out, strings.Repeat(" ", len(label))+l)
			}
		}
	}
	field("Procedure", r.title)
	field("Run", r.run.ID)
	field("Mode", modeWords(r.run))
	started := r.run.StartedAt.Local().Format("2006-01-02 15:04")
	if !r.run.StartedAt.IsZero() {
		started += " (" + ago(r.run.StartedAt) + ")"
	}
	if r.run.User != "" {
		started += " by " + r.run.User
	}
	field("Started", started)
	if r.loaded {
		field("Stopped at", r.where)
		if r.total > 0 {
			field("Progress", fmt.Sprintf("%d of %d steps finished", r.done, r.total))
		}
	}
	out = append(out, "")
	out = append(out, clip(s.Key.Render("enter")+"  resume it where it stopped", w))
	out = append(out, clip(s.Key.Render("n")+"      pick a new procedure instead", w))
	out = append(out, clip(s.Key.Render("q")+"      quit (the run stays resumable)", w))
	out = append(out, styled(wrap("To end it for good instead, resume it and press a on a step's screen, or run: "+r.cmdAbandon+" --reason TEXT", w), s.Faint.Render)...)
	if r.busy != "" {
		out = append(out, "")
		add(s.Faint.Render, r.busy)
	}
	if r.err != "" {
		out = append(out, "")
		add(s.Error.Render, r.err)
	}
	return strings.Join(out, "\n")
}

func (r resumeScreen) ShortHelp() []key.Binding {
	k := r.ctx.keys.Resume
	return []key.Binding{k.Resume, k.New, bind(k.Quit, "q", "quit")}
}

func (r resumeScreen) FullHelp() [][]key.Binding { return [][]key.Binding{r.ShortHelp()} }
