package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"zenrecover/procedures"
	"zenrecover/runner"
)

type promptKind int

const (
	promptYesNo promptKind = iota
	promptChoice
	promptText
	promptSecret
)

// prompt is the form for one question (a fact) or one value (an input).
// It never sends anything itself: the run view takes the submitted value
// with take, so a secret goes from the text field straight to the Cmd that
// answers the session, and the fields are emptied at once.
type prompt struct {
	ctx  *uictx
	kind promptKind
	id   string

	// yes/no and choice
	labels []string
	values []string
	cursor int

	// text and secret
	first    textinput.Model
	second   textinput.Model // the "again" field of a new secret
	isNew    bool
	onSecond bool
	check    func(string) error // local check before sending (never echoes a secret)

	err       string
	submitted *string
	width     int
	// attempt counts refusals: a question asked again is a new screen for
	// the input rule, so keys typed before the refusal showed do not count.
	attempt int
	// pristine: the field still holds its default, untouched. The first
	// character typed replaces the whole default, as over a selection;
	// a cursor key keeps it, to edit.
	pristine bool
}

func newFactPrompt(ctx *uictx, n *runner.NeedFact) prompt {
	p := prompt{ctx: ctx, id: n.Fact.ID}
	switch n.Fact.Type {
	case "bool":
		p.kind = promptYesNo
		p.labels = []string{"Yes", "No"}
		p.values = []string{"true", "false"}
		p.cursor = -1
		if n.Suggested != "" {
			if b, err := procedures.ParseBool(n.Suggested); err == nil {
				p.cursor = 1
				if b {
					p.cursor = 0
				}
			}
		}
	case "choice":
		p.kind = promptChoice
		p.labels = append([]string(nil), n.Fact.Choices...)
		p.values = append([]string(nil), n.Fact.Choices...)
		p.cursor = 0
		for i, c := range n.Fact.Choices {
			if strings.EqualFold(c, n.Suggested) {
				p.cursor = i
			}
		}
	default:
		p.kind = promptText
		p.first = newField(ctx, "> ")
		p.second = newField(ctx, "> ")
		p.first.SetValue(n.Suggested)
		p.first.CursorEnd()
		p.first.Focus()
		p.pristine = n.Suggested != ""
		f := n.Fact
		p.check = func(v string) error { _, err := f.CheckFact(v); return err }
	}
	return p
}

func newInputPrompt(ctx *uictx, n *runner.NeedInput) prompt {
	in := n.Input
	p := prompt{ctx: ctx, id: in.ID, check: in.CheckInput}
	if in.Secret() {
		p.kind = promptSecret
		p.first = newSecretField(ctx, "> ")
		p.isNew = in.New
		p.second = newSecretField(ctx, "> ")
	} else {
		p.kind = promptText
		p.first = newField(ctx, "> ")
		p.second = newField(ctx, "> ")
		p.first.SetValue(in.Default)
		p.first.CursorEnd()
		p.pristine = in.Default != ""
	}
	p.first.Focus()
	return p
}

func newField(ctx *uictx, promptText string) textinput.Model {
	t := textinput.New()
	t.Prompt = promptText
	t.SetStyles(ctx.styles.Input)
	return t
}

// newSecretField shows nothing at all as the operator types: not even one
// dot a character, because the length of a passphrase is part of it.
func newSecretField(ctx *uictx, promptText string) textinput.Model {
	t := newField(ctx, promptText)
	t.EchoMode = textinput.EchoNone
	return t
}

func (p *prompt) restyle() {
	if p.Typing() {
		p.first.SetStyles(p.ctx.styles.Input)
		p.second.SetStyles(p.ctx.styles.Input)
	}
}

// Typing reports whether keys are text for a field (so q and ? are not
// commands).
func (p prompt) Typing() bool { return p.kind == promptText || p.kind == promptSecret }

func (p *prompt) SetSize(w, h int) {
	p.width = w
	fw := max(w-3, 1)
	p.first.SetWidth(fw)
	p.second.SetWidth(fw)
}

// SetError shows why the last value was refused and asks again. A refused
// secret is cleared, both entries of a new one included.
func (p *prompt) SetError(err error) {
	p.err = err.Error()
	p.attempt++
	if p.kind == promptSecret {
		p.clearSecret()
	}
}

func (p *prompt) clearSecret() {
	p.first.Reset()
	p.second.Reset()
	p.onSecond = false
	p.second.Blur()
	p.first.Focus()
}

// take returns the submitted value once.
func (p *prompt) take() (string, bool) {
	if p.submitted == nil {
		return "", false
	}
	v := *p.submitted
	p.submitted = nil
	return v, true
}

func (p prompt) Update(msg tea.Msg) (prompt, tea.Cmd) {
	k := p.ctx.keys.Ask
	switch p.kind {
	case promptYesNo, promptChoice:
		km, ok := msg.(tea.KeyPressMsg)
		if !ok {
			return p, nil
		}
		switch {
		case key.Matches(km, k.Up, k.Left):
			if p.cursor > 0 {
				p.cursor--
			} else if p.cursor < 0 {
				p.cursor = 0
			}
		case key.Matches(km, k.Down, k.Right, k.Next):
			if p.cursor < len(p.values)-1 {
				p.cursor++
			}
		case p.kind == promptYesNo && key.Matches(km, k.Yes):
			p.cursor = 0
		case p.kind == promptYesNo && (km.String() == "n" || km.String() == "N"):
			p.cursor = 1
		case key.Matches(km, k.Choose):
			if p.cursor < 0 {
				p.err = "Choose yes or no first (y or n), then press Enter."
				return p, nil
			}
			v := p.values[p.cursor]
			p.submitted = &v
			p.err = ""
		default:
			if p.kind == promptChoice && len(km.Text) == 1 && km.Text >= "1" && km.Text <= "9" {
				if i := int(km.Text[0] - '1'); i < len(p.values) {
					p.cursor = i
				}
			}
		}
		return p, nil
	}

	if km, ok := msg.(tea.KeyPressMsg); ok && key.Matches(km, k.Submit, k.Next) {
		return p.submitText(km)
	}
	if p.pristine {
		p.pristine = overDefault(&p.first, msg)
	}
	var cmd tea.Cmd
	if p.onSecond {
		p.second, cmd = p.second.Update(msg)
	} else {
		p.first, cmd = p.first.Update(msg)
	}
	return p, cmd
}

// overDefault applies the pristine rule to a key or paste about to go
// into a field that still holds its default: text or a deletion replaces
// the default, a cursor key keeps it for editing. It reports whether the
// field is still pristine afterwards.
func overDefault(t *textinput.Model, msg tea.Msg) bool {
	switch msg := msg.(type) {
	case tea.PasteMsg:
		t.SetValue("")
	case tea.KeyPressMsg:
		switch {
		case msg.Text != "" && msg.Mod&^tea.ModShift == 0:
			t.SetValue("")
		case msg.Code == tea.KeyBackspace, msg.Code == tea.KeyDelete:
			t.SetValue("")
		}
	default:
		return true
	}
	return false
}

func (p prompt) submitText(km tea.KeyPressMsg) (prompt, tea.Cmd) {
	if p.kind == promptSecret && p.isNew && !p.onSecond {
		if p.check != nil {
			if err := p.check(p.first.Value()); err != nil {
				p.err = "Not accepted: " + err.Error() + ". Type it again."
				p.clearSecret()
				return p, nil
			}
		}
		p.err = ""
		p.onSecond = true
		p.first.Blur()
		return p, p.second.Focus()
	}
	if km.String() == "tab" {
		return p, nil // Tab only moves to the second field
	}
	v := p.first.Value()
	if p.kind == promptSecret && p.isNew {
		if p.second.Value() != v {
			p.err = "The two entries are not the same. Type it again, twice."
			p.clearSecret()
			return p, nil
		}
	}
	if p.check != nil {
		if err := p.check(v); err != nil {
			p.err = "Not accepted: " + err.Error()
			if p.kind == promptSecret {
				p.clearSecret()
			}
			return p, nil
		}
	}
	p.err = ""
	p.submitted = &v
	if p.kind == promptSecret {
		p.clearSecret()
	}
	return p, nil
}

func (p prompt) View() string {
	s := p.ctx.styles
	var out []string
	switch p.kind {
	case promptYesNo:
		var parts []string
		for i, l := range p.labels {
			if i == p.cursor {
				parts = append(parts, s.Selected.Render("(•) "+l))
			} else {
				parts = append(parts, s.Text.Render("( ) "+l))
			}
		}
		out = append(out, "  "+strings.Join(parts, "    "))
	case promptChoice:
		for i, l := range p.labels {
			label := fmt.Sprintf("%d. %s", i+1, l)
			if i == p.cursor {
				out = append(out, s.Cursor.Render("› ")+s.Selected.Render("(•) "+label))
			} else {
				out = append(out, "  "+s.Text.Render("( ) "+label))
			}
		}
	case promptText:
		out = append(out, p.first.View())
	case promptSecret:
		if p.isNew {
			label := func(text string, active bool) string {
				if active {
					return s.Cursor.Render("› ") + s.Title.Render(text)
				}
				return "  " + s.Faint.Render(text)
			}
			out = append(out, label("New:", !p.onSecond), p.first.View(), label("Again:", p.onSecond), p.second.View())
		} else {
			out = append(out, p.first.View())
		}
	}
	if p.err != "" {
		out = append(out, styled(wrap(p.err, max(p.width, 10)), s.Error.Render)...)
	}
	return strings.Join(out, "\n")
}

// Help is the prompt's part of the footer.
func (p prompt) ShortHelp() []key.Binding {
	k := p.ctx.keys.Ask
	switch p.kind {
	case promptYesNo:
		return []key.Binding{k.Yes, k.No, k.Choose}
	case promptChoice:
		return []key.Binding{k.Up, k.Down, k.Choose}
	case promptSecret:
		if p.isNew && !p.onSecond {
			return []key.Binding{bind(k.Next, "enter", "then type it again")}
		}
	}
	return []key.Binding{k.Submit}
}

// bind copies a binding with other help words, so the footer says what
// Enter does here.
func bind(b key.Binding, keyName, desc string) key.Binding {
	b.SetHelp(keyName, desc)
	return b
}
