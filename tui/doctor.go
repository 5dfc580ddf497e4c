package tui

import (
	"context"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"zenrecover/readiness"
)

// The readiness screen is `zenrecover doctor` in the wizard: the picker
// says in one line how ready this server (or lab) is, as soon as the
// checks are back (they run in a Cmd: a TLS handshake may take seconds,
// and the first frame must not wait), and d opens the checks, worst
// first in each area as doctor prints them. Enter on a check that names
// a procedure goes back to the picker with that procedure selected.

// readinessMsg carries the checks, or why they could not be made.
type readinessMsg struct {
	result *readiness.Result
	err    error
}

// doctorChosenMsg opens the readiness screen; pickProcMsg closes it on a
// procedure.
type (
	doctorChosenMsg struct{}
	pickProcMsg     struct{ id string }
)

func readinessCmd(ctx context.Context, assess func(context.Context) (*readiness.Result, error)) tea.Cmd {
	return func() tea.Msg {
		r, err := assess(ctx)
		return readinessMsg{result: r, err: err}
	}
}

// readinessWords is the picker's line: the verdict and the counts.
func readinessWords(r *readiness.Result, err error) string {
	if err != nil {
		return "Readiness could not be checked: " + err.Error()
	}
	if r == nil {
		return "Checking how ready this server is…"
	}
	g, a, red := r.Counts()
	return fmt.Sprintf("Readiness: %s · %d ok, %d amber, %d red · d shows the checks", strings.ToUpper(r.Level.String()), g, a, red)
}

type doctorScreen struct {
	ctx    *uictx
	result *readiness.Result
	cursor int
	width  int
	height int
}

func newDoctorScreen(ctx *uictx, r *readiness.Result) doctorScreen {
	d := doctorScreen{ctx: ctx, result: r}
	// Start on the first check that needs something done.
	for i, c := range r.Checks {
		if c.Level != readiness.Green {
			d.cursor = i
			break
		}
	}
	return d
}

func (d *doctorScreen) SetSize(w, h int) { d.width, d.height = w, h }

func (d doctorScreen) Update(msg tea.Msg) (doctorScreen, tea.Cmd) {
	km, ok := msg.(tea.KeyPressMsg)
	if !ok || d.result == nil {
		return d, nil
	}
	k := d.ctx.keys.Doctor
	switch {
	case key.Matches(km, k.Up):
		d.cursor = max(0, d.cursor-1)
	case key.Matches(km, k.Down):
		d.cursor = min(len(d.result.Checks)-1, d.cursor+1)
	case key.Matches(km, k.Run):
		if c := d.selected(); c != nil && c.Procedure != "" {
			id := c.Procedure
			return d, func() tea.Msg { return pickProcMsg{id: id} }
		}
	case key.Matches(km, k.Back):
		return d, func() tea.Msg { return pickProcMsg{} }
	}
	return d, nil
}

func (d doctorScreen) selected() *readiness.Check {
	if d.result == nil || d.cursor >= len(d.result.Checks) {
		return nil
	}
	return &d.result.Checks[d.cursor]
}

var areaHeadings = map[string]string{readiness.AreaCertificate: "Certificates", readiness.AreaBackup: "Backups",
	readiness.AreaEscrow: "Escrow", readiness.AreaRehearsal: "Rehearsals"}

func (d doctorScreen) View() string {
	s := d.ctx.styles
	w := max(d.width, 20)
	r := d.result
	g, a, red := r.Counts()
	where := r.Host
	if r.Lab != "" {
		where += " (lab)"
	}
	top := []string{s.Heading.Render(clip(fmt.Sprintf("How ready is %s? %s", where, strings.ToUpper(r.Level.String())), w)),
		s.Faint.Render(clip(fmt.Sprintf("%d ok, %d amber, %d red · checked %s", g, a, red, r.Generated.Local().Format("2006-01-02 15:04")), w)), ""}
	var rows []string
	cur := 0
	area := ""
	for i, c := range r.Checks {
		if c.Area != area {
			area = c.Area
			rows = append(rows, s.Faint.Render(clip(areaHeadings[area], w)))
		}
		tag, render := "ok   ", s.Text.Render
		switch c.Level {
		case readiness.Amber:
			tag, render = "AMBER", s.Warning.Render
		case readiness.Red:
			tag, render = "RED  ", s.Error.Render
		}
		lead := "  "
		if i == d.cursor {
			cur = len(rows)
			lead = s.Cursor.Render("› ")
		}
		text := c.Title + ": " + c.Text
		if i != d.cursor {
			rows = append(rows, lead+render(tag)+" "+clip(text, w-8))
			continue
		}
		body := wrap(text, w-8)
		rows = append(rows, lead+render(tag)+" "+s.Selected.Render(body[0]))
		for _, l := range body[1:] {
			rows = append(rows, "        "+s.Text.Render(l))
		}
		if c.Action != "" {
			for _, l := range wrap("→ "+c.Action, w-8) {
				rows = append(rows, "        "+s.Faint.Render(l))
			}
		}
		if c.Command != "" {
			rows = append(rows, "        "+s.Command.Render(clip(c.Command, w-8)))
		}
	}
	room := max(d.height-len(top), 3)
	if len(rows) > room {
		start := min(max(0, cur-room/3), len(rows)-room)
		rows = rows[start : start+room]
	}
	return strings.Join(append(top, rows...), "\n")
}

func (d doctorScreen) ShortHelp() []key.Binding {
	k := d.ctx.keys.Doctor
	b := []key.Binding{k.Up, k.Down}
	if c := d.selected(); c != nil && c.Procedure != "" {
		b = append(b, k.Run)
	}
	return append(b, k.Back)
}

func (d doctorScreen) FullHelp() [][]key.Binding { return [][]key.Binding{d.ShortHelp()} }
