package tui

import (
	"image/color"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// Styles is every style the wizard draws with. It is built once per
// background (and again when the terminal reports a different one), never
// inside a View.
type Styles struct {
	Rehearsal lipgloss.Style // the REHEARSAL banner
	DryRun    lipgloss.Style // the DRY RUN banner
	Header    lipgloss.Style
	HeaderDim lipgloss.Style
	Title     lipgloss.Style
	Heading   lipgloss.Style // "Step 2 of 4" and section rules
	Text      lipgloss.Style
	Faint     lipgloss.Style
	Command   lipgloss.Style
	Error     lipgloss.Style
	Warning   lipgloss.Style
	Important lipgloss.Style
	Note      lipgloss.Style
	Success   lipgloss.Style
	Selected  lipgloss.Style // the chosen item of a list or a yes/no
	Cursor    lipgloss.Style // the "›" in front of the chosen item
	Key       lipgloss.Style // a key named in running text: "press Enter"
	Rule      lipgloss.Style

	// Step marks in the step list.
	MarkDone    lipgloss.Style
	MarkFailed  lipgloss.Style
	MarkDoubt   lipgloss.Style
	MarkSkipped lipgloss.Style
	MarkCurrent lipgloss.Style
	MarkPending lipgloss.Style
	StepCurrent lipgloss.Style // the current step's title in the list

	Help  help.Styles
	Input textinput.Styles
	Bar   BarStyle
}

// BarStyle is how a progress bar is drawn: bubbles' progress takes
// characters and colours rather than a lipgloss.Style. The filled and the
// empty part differ by character too, so the bar reads without colour.
type BarStyle struct {
	Full, Empty           rune
	FullColor, EmptyColor color.Color
	Percent               lipgloss.Style
}

// palette is the handful of colours; everything else is bold, faint or
// plain, so the screen stays quiet and reads the same without colour.
type palette struct {
	accent, ok, bad, warn, doubt, dim, cmd, bannerFg, bannerBg, dryBg color.Color
}

func newPalette(dark bool) palette {
	ld := lipgloss.LightDark(dark)
	return palette{
		accent:   ld(lipgloss.Color("#1F5FAF"), lipgloss.Color("#7FB4F0")),
		ok:       ld(lipgloss.Color("#2E7D32"), lipgloss.Color("#81C784")),
		bad:      ld(lipgloss.Color("#B71C1C"), lipgloss.Color("#EF7B7B")),
		warn:     ld(lipgloss.Color("#8A5A00"), lipgloss.Color("#E8C06A")),
		doubt:    ld(lipgloss.Color("#6A3F9E"), lipgloss.Color("#C3A3EC")),
		dim:      ld(lipgloss.Color("#6B6B6B"), lipgloss.Color("#8C8C8C")),
		cmd:      ld(lipgloss.Color("#00565E"), lipgloss.Color("#86D0D8")),
		bannerFg: lipgloss.Color("#1A1A1A"),
		bannerBg: lipgloss.Color("#E8C06A"),
		dryBg:    lipgloss.Color("#86D0D8"),
	}
}

// NewStyles builds the styles for a dark or light background. With noColor
// no style sets a colour: emphasis is bold, faint and reverse only, which
// NO_COLOR allows and which stays legible on any terminal.
func NewStyles(dark, noColor bool) Styles {
	if noColor {
		return plainStyles()
	}
	p := newPalette(dark)
	s := Styles{
		Rehearsal: lipgloss.NewStyle().Bold(true).Foreground(p.bannerFg).Background(p.bannerBg),
		DryRun:    lipgloss.NewStyle().Bold(true).Foreground(p.bannerFg).Background(p.dryBg),
		Header:    lipgloss.NewStyle().Bold(true),
		HeaderDim: lipgloss.NewStyle().Foreground(p.dim),
		Title:     lipgloss.NewStyle().Bold(true),
		Heading:   lipgloss.NewStyle().Foreground(p.accent).Bold(true),
		Text:      lipgloss.NewStyle(),
		Faint:     lipgloss.NewStyle().Foreground(p.dim),
		Command:   lipgloss.NewStyle().Foreground(p.cmd),
		Error:     lipgloss.NewStyle().Foreground(p.bad).Bold(true),
		Warning:   lipgloss.NewStyle().Foreground(p.warn).Bold(true),
		Important: lipgloss.NewStyle().Foreground(p.warn).Bold(true),
		Note:      lipgloss.NewStyle().Foreground(p.accent).Bold(true),
		Success:   lipgloss.NewStyle().Foreground(p.ok).Bold(true),
		Selected:  lipgloss.NewStyle().Foreground(p.accent).Bold(true),
		Cursor:    lipgloss.NewStyle().Foreground(p.accent).Bold(true),
		Key:       lipgloss.NewStyle().Bold(true),
		Rule:      lipgloss.NewStyle().Foreground(p.dim),

		MarkDone:    lipgloss.NewStyle().Foreground(p.ok),
		MarkFailed:  lipgloss.NewStyle().Foreground(p.bad).Bold(true),
		MarkDoubt:   lipgloss.NewStyle().Foreground(p.doubt).Bold(true),
		MarkSkipped: lipgloss.NewStyle().Foreground(p.dim),
		MarkCurrent: lipgloss.NewStyle().Foreground(p.accent).Bold(true),
		MarkPending: lipgloss.NewStyle().Foreground(p.dim),
		StepCurrent: lipgloss.NewStyle().Bold(true),
	}
	s.Help = help.DefaultStyles(dark)
	s.Bar = BarStyle{Full: '█', Empty: '░', FullColor: p.accent, EmptyColor: p.dim, Percent: lipgloss.NewStyle().Bold(true)}
	s.Input = textinput.DefaultStyles(dark)
	s.Input.Focused.Prompt = lipgloss.NewStyle().Foreground(p.accent).Bold(true)
	s.Input.Cursor.Blink = false
	s.Input.Cursor.Color = p.accent
	return s
}

func plainStyles() Styles {
	plain := lipgloss.NewStyle()
	bold := plain.Bold(true)
	faint := plain.Faint(true)
	s := Styles{
		Rehearsal: bold.Reverse(true),
		DryRun:    bold.Reverse(true),
		Header:    bold,
		HeaderDim: plain,
		Title:     bold,
		Heading:   bold,
		Text:      plain,
		Faint:     faint,
		Command:   plain,
		Error:     bold,
		Warning:   bold,
		Important: bold,
		Note:      bold,
		Success:   bold,
		Selected:  bold,
		Cursor:    bold,
		Key:       bold,
		Rule:      plain,

		MarkDone:    plain,
		MarkFailed:  bold,
		MarkDoubt:   bold,
		MarkSkipped: plain,
		MarkCurrent: bold,
		MarkPending: plain,
		StepCurrent: bold,
	}
	s.Bar = BarStyle{Full: '█', Empty: '░', FullColor: lipgloss.NoColor{}, EmptyColor: lipgloss.NoColor{}, Percent: bold}
	s.Help = help.Styles{
		Ellipsis: plain, ShortKey: bold, ShortDesc: plain, ShortSeparator: plain,
		FullKey: bold, FullDesc: plain, FullSeparator: plain,
	}
	s.Input = textinput.Styles{
		Focused: textinput.StyleState{Text: plain, Placeholder: faint, Suggestion: faint, Prompt: bold},
		Blurred: textinput.StyleState{Text: plain, Placeholder: faint, Suggestion: faint, Prompt: plain},
		Cursor:  textinput.CursorStyle{Shape: tea.CursorBlock},
	}
	return s
}
