package tui

import (
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"zenrecover/procedures"
)

type endKind int

const (
	endDone      endKind = iota // every step that applies is finished
	endStopped                  // stopped, resumable
	endAbandoned                // ended for good
	endError                    // the session cannot go on
)

// endRoom is where a run ends in this process: complete, stopped
// (resumable), abandoned, or unable to go on (with Enter to try again).
type endRoom struct {
	ctx       *uictx
	kind      endKind
	def       *procedures.Definition
	runID     string
	cmdResume string
	cmdReport string
	err       string // why it cannot go on, or why the stop was not recorded
	out       pending
}

func (r *endRoom) SetSize(w, h int) {}

func (r endRoom) Update(msg tea.Msg) (endRoom, tea.Cmd) {
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return r, nil
	}
	k := r.ctx.keys.End
	switch {
	case r.kind == endError && key.Matches(km, k.TryAgain):
		r.out.set(intent{kind: intentTryAgain})
	case r.kind == endError && key.Matches(km, k.Stop):
		r.out.set(intent{kind: intentStop})
	case r.kind != endError && key.Matches(km, k.Exit):
		r.out.set(intent{kind: intentExit})
	}
	return r, nil
}

func (r endRoom) details(w int) []string {
	s := r.ctx.styles
	p := para{w: w}
	switch r.kind {
	case endDone:
		p.add(s.Success.Render, "The procedure is complete.")
		p.blank()
		p.add(s.Text.Render, fmt.Sprintf("%s %s: every step that applies is finished.", r.def.Section, r.def.Title))
		p.add(s.Text.Render, "Run "+r.runID+".")
		p.add(s.Faint.Render, "To see what was done, with its output:")
		p.add(s.Command.Render, "  "+r.cmdReport)
	case endStopped:
		if r.err != "" {
			p.add(s.Error.Render, "The stop could not be recorded: "+r.err)
			p.add(s.Text.Render, "The run's journal still has every step that finished.")
		} else {
			p.add(s.Heading.Render, "Stopped. Nothing is lost.")
		}
		p.blank()
		p.add(s.Text.Render, "Everything done so far is saved. To carry on later, run:")
		p.add(s.Command.Render, "  "+r.cmdResume)
	case endAbandoned:
		p.add(s.Heading.Render, "Run "+r.runID+" is abandoned.")
		p.blank()
		p.add(s.Text.Render, "It is ended for good; its journal and report stay. A new run of this procedure can start now.")
		p.add(s.Command.Render, "  "+r.cmdReport)
	case endError:
		p.add(s.Error.Render, "zenrecover cannot go on:")
		p.add(s.Text.Render, r.err)
		p.blank()
		p.add(s.Faint.Render, "Everything done so far is saved.")
	}
	p.blank()
	return p.out
}

func (r endRoom) form(w int) []string {
	s := r.ctx.styles
	p := para{w: w}
	if r.kind == endError {
		p.choice(s, "enter", "try again")
		p.choice(s, "q", "stop here; the run can be resumed")
		return p.out
	}
	p.add(s.Faint.Render, "Press Enter to leave.")
	return p.out
}

func (r endRoom) ShortHelp() []key.Binding {
	k := r.ctx.keys.End
	if r.kind == endError {
		return []key.Binding{k.TryAgain, k.Stop}
	}
	return []key.Binding{k.Exit}
}
