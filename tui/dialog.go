package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// purpose says what a dialog's answer is for; the run view acts on it.
type purpose int

const (
	purposeSkip        purpose = iota // a reason for skipping a step
	purposeMarkDone                   // a reason for marking an in-doubt step done
	purposeRerun                      // a reason for running an in-doubt step again
	purposeOverride                   // "override": re-run after too many in-doubt findings
	purposeConfirmWord                // the host name, before a destructive step
	purposeStop                       // y/n: stop the run here
	purposeManualDone                 // y/n: the operator did the manual step
	purposeSkipSure                   // y/n: skip with the reason shown back
	purposeInterrupt                  // y/n: interrupt the running command
	purposeAbandonWhy                 // a reason for abandoning the run
	purposeAbandonSure                // y/n: abandon, with the reason shown back
	purposeChangeValue                // the new value of an answer
	purposeChangeWhy                  // why it changes
	purposeRedo                       // y/n: run the steps that used the old value again
	purposeCheckSeen                  // y/n: a guided step's check holds on the other server
)

// dialogResult is what a dialog ended with.
type dialogResult struct {
	purpose  purpose
	stepID   string
	value    string
	accepted bool // false: Esc or n, nothing happens
	// saidNo: n itself, not Esc. Only a question whose n is an answer
	// (a guided step's check) tells them apart: Esc there goes back.
	saidNo bool
}

// textDialog asks for one typed line: a reason, or an exact word (the host
// name, "override"). A word must be typed: "y" is never enough, because a
// reflex must not be able to confirm a step that changes the server.
type textDialog struct {
	ctx     *uictx
	purpose purpose
	stepID  string
	title   string
	body    []string
	want    string // the exact word required; "" for any non-empty reason
	input   textinput.Model
	// pristine: the field holds the value it was opened with, untouched;
	// typing replaces it (the same rule as a prompt's default).
	pristine bool
	err      string
	width    int
	result   *dialogResult
}

func newTextDialog(ctx *uictx, p purpose, stepID, title string, body []string, want string) textDialog {
	in := newField(ctx, "> ")
	in.Focus()
	return textDialog{ctx: ctx, purpose: p, stepID: stepID, title: title, body: body, want: want, input: in}
}

// withValue opens the field holding v (the value being changed).
func (d textDialog) withValue(v string) textDialog {
	d.input.SetValue(v)
	d.input.CursorEnd()
	d.pristine = v != ""
	return d
}

func (d *textDialog) SetSize(w, h int) {
	d.width = w
	d.input.SetWidth(max(w-3, 1))
}

func (d *textDialog) restyle() { d.input.SetStyles(d.ctx.styles.Input) }

func (d *textDialog) take() (dialogResult, bool) {
	if d.result == nil {
		return dialogResult{}, false
	}
	r := *d.result
	d.result = nil
	return r, true
}

func (d textDialog) Update(msg tea.Msg) (textDialog, tea.Cmd) {
	k := d.ctx.keys.Dialog
	if km, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(km, k.Back):
			d.result = &dialogResult{purpose: d.purpose, stepID: d.stepID}
			return d, nil
		case key.Matches(km, k.Submit):
			v := strings.TrimSpace(d.input.Value())
			if msg := d.refuse(v); msg != "" {
				d.err = msg
				d.input.Reset()
				return d, nil
			}
			d.result = &dialogResult{purpose: d.purpose, stepID: d.stepID, value: v, accepted: true}
			return d, nil
		}
	}
	if d.pristine {
		d.pristine = overDefault(&d.input, msg)
	}
	var cmd tea.Cmd
	d.input, cmd = d.input.Update(msg)
	return d, cmd
}

// refuse says why v is not accepted, or "".
func (d textDialog) refuse(v string) string {
	if d.purpose == purposeChangeValue {
		return "" // the run checks a value as it checks any answer
	}
	if d.want == "" {
		if v == "" {
			return "A reason is needed: it goes in the run's report."
		}
		return ""
	}
	if v == d.want {
		return ""
	}
	switch strings.ToLower(v) {
	case "y", "yes", "":
		return "A plain yes is not enough here. Type " + d.want + " exactly."
	}
	return "That is not " + d.want + ". Type it exactly, or press Esc to go back."
}

func (d textDialog) View() string {
	s := d.ctx.styles
	w := max(d.width, 10)
	out := []string{s.Heading.Render(clip(d.title, w))}
	for _, b := range d.body {
		out = append(out, wrap(b, w)...)
	}
	out = append(out, d.input.View())
	if d.err != "" {
		out = append(out, styled(wrap(d.err, w), s.Error.Render)...)
	}
	return strings.Join(out, "\n")
}

func (d textDialog) ShortHelp() []key.Binding {
	k := d.ctx.keys.Dialog
	return []key.Binding{k.Submit, bind(k.Back, "esc", "cancel")}
}

// confirmDialog is a yes/no question about the run itself (stop here? did
// you do it?). No is the answer to Esc, so backing out is always safe.
type confirmDialog struct {
	ctx     *uictx
	purpose purpose
	stepID  string
	value   string // carried to the result: the reason a skip was given
	title   string
	body    []string
	yes     string // what y does, for the footer
	no      string
	width   int
	result  *dialogResult
}

func newConfirmDialog(ctx *uictx, p purpose, stepID, title string, body []string, yes, no string) confirmDialog {
	return confirmDialog{ctx: ctx, purpose: p, stepID: stepID, title: title, body: body, yes: yes, no: no}
}

func (d *confirmDialog) SetSize(w, h int) { d.width = w }

func (d *confirmDialog) take() (dialogResult, bool) {
	if d.result == nil {
		return dialogResult{}, false
	}
	r := *d.result
	d.result = nil
	return r, true
}

func (d confirmDialog) Update(msg tea.Msg) (confirmDialog, tea.Cmd) {
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return d, nil
	}
	k := d.ctx.keys.Dialog
	switch {
	case key.Matches(km, k.Yes):
		d.result = &dialogResult{purpose: d.purpose, stepID: d.stepID, value: d.value, accepted: true}
	case key.Matches(km, k.No):
		d.result = &dialogResult{purpose: d.purpose, stepID: d.stepID, saidNo: km.String() != "esc"}
	}
	return d, nil
}

func (d confirmDialog) View() string {
	s := d.ctx.styles
	w := max(d.width, 10)
	out := []string{s.Heading.Render(clip(d.title, w))}
	for _, b := range d.body {
		out = append(out, wrap(b, w)...)
	}
	out = append(out, s.Key.Render("y")+" "+d.yes+"   "+s.Key.Render("n")+" "+d.no)
	return strings.Join(out, "\n")
}

func (d confirmDialog) ShortHelp() []key.Binding {
	k := d.ctx.keys.Dialog
	return []key.Binding{bind(k.Yes, "y", d.yes), bind(k.No, "n", d.no)}
}
