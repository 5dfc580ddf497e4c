package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"zenrecover/procedures"
	"zenrecover/readiness"
	"zenrecover/runner"
)

// pickerScreen lists the procedures in the reference's order. It is a
// plain list, not bubbles/list: eight procedures need no filter, and the
// rows must stay exactly two lines so the list can be read at 80x24.
type pickerScreen struct {
	ctx    *uictx
	defs   []*procedures.Definition
	cursor int

	unfinished map[string]runner.Run // procedure id → its unfinished run in this place

	zenInstalled bool
	canRehearse  bool // a fresh lab can be built
	rehearsing   bool // this process already runs in a lab or as a dry run

	// readiness is doctor's result once it is back (doctor.go);
	// readyErr says why it could not be had; checking: it is on its way.
	readiness *readiness.Result
	readyErr  error
	checking  bool

	err    string
	busy   string
	done   string // what the last export wrote
	width  int
	height int
}

func newPicker(ctx *uictx, lib *procedures.Library, zenInstalled, canRehearse, rehearsing bool) pickerScreen {
	p := pickerScreen{ctx: ctx, zenInstalled: zenInstalled, canRehearse: canRehearse, rehearsing: rehearsing}
	if lib != nil {
		p.defs = lib.All()
	}
	return p
}

// Select puts the cursor on a procedure (by id or section).
func (p *pickerScreen) Select(id string) {
	for i, d := range p.defs {
		if d.ID == id || d.Section == id {
			p.cursor = i
		}
	}
}

// SetReadiness takes doctor's result (or why there is none) for the
// readiness line.
func (p *pickerScreen) SetReadiness(r *readiness.Result, err error) {
	p.readiness, p.readyErr, p.checking = r, err, false
}

func (p *pickerScreen) SetSize(w, h int) { p.width, p.height = w, h }

func (p *pickerScreen) SetError(err error) {
	p.busy = ""
	p.err = err.Error()
}

// SetUnfinished marks the procedures that have an unfinished run in the
// same place as this process would start one (the same lab, or live; dry
// run or not): starting another would be a second recovery at once.
func (p *pickerScreen) SetUnfinished(runs []runner.Run, labDir string, dryRun bool) {
	p.unfinished = runner.UnfinishedHere(runs, labDir, dryRun)
}

func (p *pickerScreen) SetRehearsing(v bool) {
	p.rehearsing = v
	p.busy = ""
}

func (p pickerScreen) offerLab() bool { return !p.zenInstalled && !p.rehearsing }

func (p pickerScreen) Update(msg tea.Msg) (pickerScreen, tea.Cmd) {
	if m, ok := msg.(exportedMsg); ok {
		p.busy = ""
		if m.err != nil {
			p.err, p.done = exportedWords(m), ""
		} else {
			p.err, p.done = "", exportedWords(m)
		}
		return p, nil
	}
	km, ok := msg.(tea.KeyPressMsg)
	if !ok || p.busy != "" {
		return p, nil
	}
	k := p.ctx.keys.Picker
	switch {
	case key.Matches(km, k.Up):
		p.cursor = max(0, p.cursor-1)
	case key.Matches(km, k.Down):
		p.cursor = min(len(p.defs)-1, p.cursor+1)
	case key.Matches(km, k.Start):
		if len(p.defs) == 0 {
			return p, nil
		}
		d := p.defs[p.cursor]
		p.err = ""
		if r, ok := p.unfinished[d.ID]; ok {
			p.busy = "Opening the unfinished run " + r.ID + "…"
			return p, func() tea.Msg { return resumeChosenMsg{runID: r.ID} }
		}
		p.busy = "Starting " + d.Section + "…"
		return p, func() tea.Msg { return startChosenMsg{def: d} }
	case key.Matches(km, k.Rehearse) && p.offerLab() && p.canRehearse:
		if len(p.defs) == 0 {
			return p, nil
		}
		d := p.defs[p.cursor]
		p.err = ""
		p.busy = "Building a fresh lab for the rehearsal…"
		return p, func() tea.Msg { return rehearseMsg{def: d} }
	case key.Matches(km, k.Export):
		if len(p.defs) == 0 {
			return p, nil
		}
		d := p.defs[p.cursor]
		p.err, p.done = "", ""
		p.busy = "Writing the checklist of " + d.Section + "…"
		return p, exportCmd(d)
	case key.Matches(km, k.Doctor) && p.readiness != nil:
		return p, func() tea.Msg { return doctorChosenMsg{} }
	case key.Matches(km, k.Quit):
		return p, quitWith(runner.ExitCompleted)
	}
	return p, nil
}

func (p pickerScreen) View() string {
	s := p.ctx.styles
	w := max(p.width, 10)
	var top, bottom []string
	top = append(top, s.Heading.Render(clip("Choose a procedure", w)))
	if p.offerLab() {
		top = append(top, styled(wrap("ZENworks is not installed on this machine.", w), s.Warning.Render)...)
		if p.canRehearse {
			top = append(top, styled(wrap("Press r to rehearse the selected procedure in a fresh lab. Enter runs it here for real (as when this server is being reinstalled).", w), s.Faint.Render)...)
		}
	}
	if p.checking || p.readiness != nil || p.readyErr != nil {
		line := readinessWords(p.readiness, p.readyErr)
		render := s.Faint.Render
		if r := p.readiness; r != nil && r.Level == readiness.Red {
			render = s.Error.Render
		} else if r != nil && r.Level == readiness.Amber {
			render = s.Warning.Render
		}
		top = append(top, render(clip(line, w)))
	}
	top = append(top, "")
	if p.busy != "" {
		bottom = append(bottom, "")
		bottom = append(bottom, styled(wrap(p.busy, w), s.Faint.Render)...)
	}
	if p.done != "" {
		bottom = append(bottom, "")
		bottom = append(bottom, styled(wrap(p.done, w), s.Text.Render)...)
	}
	if p.err != "" {
		bottom = append(bottom, "")
		bottom = append(bottom, styled(wrap(p.err, w), s.Error.Render)...)
	}
	var rows []string
	cur := 0
	for i, d := range p.defs {
		if i == p.cursor {
			cur = len(rows)
		}
		title := d.Section + "  " + d.Title
		summary := "      " + d.Summary
		if r, ok := p.unfinished[d.ID]; ok {
			summary = "      unfinished run " + r.ID + ": Enter resumes it (a in it abandons it)"
		}
		if i == p.cursor {
			rows = append(rows, clip(s.Cursor.Render("› ")+s.Selected.Render(title), w))
		} else {
			rows = append(rows, clip("  "+s.Text.Render(title), w))
		}
		rows = append(rows, s.Faint.Render(clip(summary, w)))
	}
	room := max(p.height-len(top)-len(bottom), 2)
	if len(rows) > room {
		start := min(max(0, cur-room/2), len(rows)-room)
		start -= start % 2 // keep a procedure's two lines together
		rows = rows[start:min(len(rows), start+room)]
	}
	return strings.Join(append(append(top, rows...), bottom...), "\n")
}

func (p pickerScreen) ShortHelp() []key.Binding {
	k := p.ctx.keys.Picker
	b := []key.Binding{k.Up, k.Down, k.Start}
	if p.offerLab() && p.canRehearse {
		b = append(b, k.Rehearse)
	} else {
		// Beside r, the footer would no longer fit 80 columns: the full
		// help (?) lists it then.
		b = append(b, k.Export)
	}
	// d is said on the readiness line: the footer has no room left.
	return append(b, k.Quit)
}

func (p pickerScreen) FullHelp() [][]key.Binding {
	b := p.ShortHelp()
	if p.offerLab() && p.canRehearse {
		b = append(b[:len(b)-1:len(b)-1], p.ctx.keys.Picker.Export, p.ctx.keys.Picker.Quit)
	}
	if p.readiness != nil {
		b = append(b[:len(b)-1:len(b)-1], p.ctx.keys.Picker.Doctor, p.ctx.keys.Picker.Quit)
	}
	return [][]key.Binding{b}
}
