package tui

import (
	"context"
	"path/filepath"
	"strings"
	"sync"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"zenrecover/procedures"
	"zenrecover/runner"
)

type screen int

const (
	screenPicker screen = iota
	screenResume
	screenRun
	screenDoctor
)

// Before the terminal reports its size, draw for the smallest size the
// wizard is designed for.
const (
	defaultWidth  = 80
	defaultHeight = 24
)

// model is the one root model: it alone returns a tea.View, owns the
// session and the options, routes messages, and draws the banner, the
// header and the footer around the screen on show.
type model struct {
	ctx  *uictx
	cfg  Config
	base context.Context

	// opts start new runs; the resume screen's run may live elsewhere (a
	// lab), so it has its own.
	opts       runner.Options
	resumeOpts runner.Options
	resumeRun  *runner.Run
	procID     string

	screen screen
	resume resumeScreen
	picker pickerScreen
	run    runView
	doctor doctorScreen
	hasRun bool
	sess   *runner.Session
	lock   *sync.Mutex // held by every Cmd that uses the session

	help          help.Model
	width, height int
	bodyH         int
	footer        []string // the footer as layout drew it (help, and the dropped-keys note)

	pendingDef *procedures.Definition // to start once the fresh lab is built
	autoStart  *procedures.Definition
	unfinished []runner.Run

	exitCode int
	quitting bool
	warning  []string // shown until the first key press

	gate inputGate // which keys may act on the screen on show
}

func newModel(ctx context.Context, cfg Config, resume *runner.Run, procID string) model {
	// cli reads NO_COLOR (no-color.org) with --no-color, in one place.
	ui := newUICtx(cfg.NoColor)
	m := model{ctx: ui, cfg: cfg, base: ctx, opts: cfg.Options, resumeOpts: cfg.Options,
		resumeRun: resume, procID: procID, help: help.New(), lock: &sync.Mutex{},
		width: defaultWidth, height: defaultHeight, exitCode: runner.ExitStopped}
	m.help.Styles = ui.styles.Help
	if cfg.AtRisk {
		m.warning = sessionWarning()
	}

	// The options may carry the resumed run's lab; a new procedure picked
	// instead starts where the operator asked for, which is live unless
	// they choose to rehearse.
	if resume != nil && resume.LabDir != "" && cfg.Options.Lab != nil && sameDir(cfg.Options.Lab.Dir(), resume.LabDir) {
		m.opts.Lab = nil
	}
	// A guide is for another server: whether ZENworks is installed on this
	// machine does not matter to it.
	m.picker = newPicker(ui, cfg.Library, cfg.ZENworksInstalled || cfg.Options.Guide, cfg.NewLab != nil, m.rehearsing())
	m.picker.checking = cfg.Readiness != nil && resume == nil && procID == ""
	if resume != nil {
		m.screen = screenResume
		m.resume = newResumeScreen(ui, *resume, cfg.Library)
		m.resume.cmdAbandon = runner.Command(cfg.Options.Store, "abandon", resume.ID)
		m.setModeFromRun(*resume)
	} else {
		m.screen = screenPicker
		m.setModeFromOpts()
		if procID != "" {
			if def := cfg.Library.Get(procID); def != nil {
				m.picker.Select(def.ID)
				// Without ZENworks, show the picker's warning and its
				// offer to rehearse rather than start a live run blind.
				if cfg.ZENworksInstalled || m.rehearsing() || cfg.Options.Guide {
					m.autoStart = def
					m.picker.busy = "Starting " + def.Section + "…"
				}
			}
		}
	}
	m.layout()
	return m
}

func sameDir(a, b string) bool {
	a, _ = filepath.Abs(a)
	b, _ = filepath.Abs(b)
	return filepath.Clean(a) == filepath.Clean(b)
}

func (m model) rehearsing() bool { return m.opts.Lab != nil || m.opts.DryRun }

func (m *model) setModeFromOpts() {
	switch {
	case m.opts.Guide:
		m.ctx.mode, m.ctx.labHost = runner.ModeGuide, m.opts.Target
	case m.opts.DryRun:
		m.ctx.mode = runner.ModeDryRun
	case m.opts.Lab != nil:
		m.ctx.mode, m.ctx.labHost = runner.ModeLab, m.opts.Lab.Hostname()
	default:
		m.ctx.mode, m.ctx.labHost = runner.ModeLive, ""
	}
}

func (m *model) setModeFromRun(r runner.Run) {
	m.ctx.mode, m.ctx.labHost = r.Mode, ""
	if r.Mode == runner.ModeGuide {
		m.ctx.labHost = r.Host
	}
	if r.Mode == runner.ModeLab {
		m.ctx.labHost = r.Host
		if m.resumeOpts.Lab != nil {
			m.ctx.labHost = m.resumeOpts.Lab.Hostname()
		}
	}
}

func (m model) Init() tea.Cmd {
	cmds := []tea.Cmd{tea.RequestBackgroundColor, unfinishedCmd(m.base, m.opts.Store)}
	if m.resumeRun != nil && m.opts.Store != nil {
		cmds = append(cmds, resumeInfoCmd(m.base, m.opts.Store, *m.resumeRun))
	}
	if m.picker.checking {
		cmds = append(cmds, readinessCmd(m.base, m.cfg.Readiness))
	}
	if m.autoStart != nil {
		cmds = append(cmds, startCmd(m.base, m.opts, m.autoStart, m.presetFor(m.autoStart)))
	}
	return tea.Batch(cmds...)
}

// presetFor gives the answers file only to the procedure it was read for:
// another procedure may use the same ids for other questions.
func (m model) presetFor(def *procedures.Definition) procedures.Values {
	if m.procID != "" {
		if d := m.cfg.Library.Get(m.procID); d != nil && d.ID == def.ID {
			return m.cfg.Preset
		}
	}
	return nil
}

func (m model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmd tea.Cmd
	switch msg.(type) {
	case tea.KeyPressMsg, tea.PasteMsg:
		if !m.gate.admit(msg, m.ctx.now(), m.forceQuit) {
			m.layout()
			return m, nil
		}
	}
	cmd = m.update(msg)
	m.gate.shown(m.focusID(), m.ctx.now())
	m.layout()
	return m, cmd
}

func (m model) forceQuit(km tea.KeyPressMsg) bool {
	return key.Matches(km, m.ctx.keys.Global.ForceQuit)
}

// focusID names the element that has the focus now (input_gate.go).
func (m model) focusID() string {
	switch m.screen {
	case screenResume:
		return "resume"
	case screenDoctor:
		return "doctor"
	case screenRun:
		if m.hasRun {
			return "run|" + m.run.FocusID()
		}
	}
	return "picker"
}

func (m *model) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		return nil
	case tea.BackgroundColorMsg:
		m.ctx.setDark(msg.IsDark())
		m.restyle()
		return nil
	case tea.KeyPressMsg:
		if m.warning != nil {
			m.warning = nil // read once is enough
			m.layout()
		}
		k := m.ctx.keys.Global
		helpKey := k.Help
		if m.typing() {
			helpKey = k.HelpOnly
		}
		if key.Matches(msg, helpKey) {
			m.help.ShowAll = !m.help.ShowAll
			return nil
		}
		return m.toFocused(msg)
	case tea.PasteMsg:
		return m.toFocused(msg)
	case quitMsg:
		m.exitCode = msg.code
		m.quitting = true
		return tea.Quit

	case resumeChosenMsg:
		o := m.opts
		if m.screen == screenResume {
			o = m.resumeOpts
		}
		return resumeCmd(m.base, o, msg.runID)
	case pickNewMsg:
		m.screen = screenPicker
		m.setModeFromOpts()
		return nil
	case readinessMsg:
		m.picker.SetReadiness(msg.result, msg.err)
		return nil
	case doctorChosenMsg:
		if m.picker.readiness != nil {
			m.doctor = newDoctorScreen(m.ctx, m.picker.readiness)
			m.screen = screenDoctor
		}
		return nil
	case pickProcMsg:
		if msg.id != "" {
			m.picker.Select(msg.id)
		}
		m.screen = screenPicker
		return nil
	case startChosenMsg:
		return startCmd(m.base, m.opts, msg.def, m.presetFor(msg.def))
	case rehearseMsg:
		m.pendingDef = msg.def
		return newLabCmd(m.cfg.NewLab)
	case labMsg:
		if msg.err != nil {
			m.picker.SetError(msg.err)
			return nil
		}
		m.opts.Lab = msg.lab
		m.setModeFromOpts()
		m.picker.SetRehearsing(true)
		m.picker.SetUnfinished(m.unfinished, labDirOf(m.opts), m.opts.DryRun)
		if d := m.pendingDef; d != nil {
			m.pendingDef = nil
			m.picker.busy = "Starting " + d.Section + " in the lab…"
			return startCmd(m.base, m.opts, d, m.presetFor(d))
		}
		return nil
	case sessionMsg:
		if msg.err != nil {
			if m.screen == screenResume {
				m.resume.SetError(msg.err)
			} else {
				m.picker.SetError(msg.err)
			}
			return nil
		}
		m.sess = msg.sess
		m.setModeFromRun(msg.sess.Run())
		if l := msg.sess.Lab(); l != nil {
			m.ctx.labHost = l.Hostname()
		}
		rv, cmd := newRunView(m.ctx, m.base, msg.sess, m.lock, msg.resumed)
		m.run, m.hasRun, m.screen = rv, true, screenRun
		m.layout()
		return cmd
	case resumeInfoMsg:
		var cmd tea.Cmd
		m.resume, cmd = m.resume.Update(msg)
		return cmd
	case unfinishedMsg:
		if msg.err == nil {
			m.unfinished = msg.runs
			m.picker.SetUnfinished(msg.runs, labDirOf(m.opts), m.opts.DryRun)
		}
		return nil
	case needMsg, outputMsg, progressMsg, execDoneMsg, stoppedMsg:
		if m.hasRun {
			var cmd tea.Cmd
			m.run, cmd = m.run.Update(msg)
			return cmd
		}
		return nil
	}
	// Anything else (a cursor's own messages) belongs to the screen on show.
	return m.toFocused(msg)
}

func labDirOf(o runner.Options) string {
	if o.Lab == nil {
		return ""
	}
	d, _ := filepath.Abs(o.Lab.Dir())
	return d
}

// toFocused hands a message to the screen on show, and only to it.
func (m *model) toFocused(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	switch m.screen {
	case screenResume:
		m.resume, cmd = m.resume.Update(msg)
	case screenPicker:
		m.picker, cmd = m.picker.Update(msg)
	case screenDoctor:
		m.doctor, cmd = m.doctor.Update(msg)
	case screenRun:
		m.run, cmd = m.run.Update(msg)
	}
	return cmd
}

func (m model) typing() bool { return m.screen == screenRun && m.run.Typing() }

func (m *model) restyle() {
	m.help.Styles = m.ctx.styles.Help
	if m.hasRun {
		m.run.restyle()
	}
}

// footerKeys joins the screen's keys with the global ones.
type footerKeys struct {
	screen help.KeyMap
	global []key.Binding
}

func (f footerKeys) ShortHelp() []key.Binding {
	return append(append([]key.Binding(nil), f.screen.ShortHelp()...), f.global...)
}

func (f footerKeys) FullHelp() [][]key.Binding {
	return append(append([][]key.Binding(nil), f.screen.FullHelp()...), f.global)
}

func (m model) keys() help.KeyMap {
	var scr help.KeyMap
	switch m.screen {
	case screenResume:
		scr = m.resume
	case screenRun:
		scr = m.run
	case screenDoctor:
		scr = m.doctor
	default:
		scr = m.picker
	}
	k := m.ctx.keys.Global
	h := k.Help
	if m.typing() {
		h = k.HelpOnly
	}
	if m.help.ShowAll {
		h.SetHelp(h.Help().Key, "less help")
	}
	return footerKeys{screen: scr, global: []key.Binding{h}}
}

// layout gives the screen on show what is left between the banner and
// header above and the footer below.
func (m *model) layout() {
	w, h := max(m.width, 1), max(m.height, 1)
	m.help.SetWidth(w)
	top := 1 + len(m.warning)
	if m.ctx.bannerLine(w) != "" {
		top++
	}
	// The footer is drawn here, once per update, and render uses it: its
	// height decides the body's, so the two can never disagree.
	footer := lines(m.help.View(m.keys()))
	if m.gate.dropped {
		footer = append([]string{m.ctx.styles.Faint.Render(clip(droppedNote, w))}, footer...)
	}
	foot := min(max(len(footer), 1), max(h/2, 1))
	if len(footer) > foot {
		footer = footer[:foot]
	}
	m.footer = footer
	m.bodyH = max(h-top-foot, 0)
	m.resume.SetSize(w, m.bodyH)
	m.picker.SetSize(w, m.bodyH)
	m.doctor.SetSize(w, m.bodyH)
	if m.hasRun {
		m.run.SetSize(w, m.bodyH)
	}
}

func (m model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.WindowTitle = "zenrecover"
	switch m.ctx.mode {
	case runner.ModeLab:
		v.WindowTitle += " (REHEARSAL)"
	case runner.ModeDryRun:
		v.WindowTitle += " (DRY RUN)"
	case runner.ModeGuide:
		v.WindowTitle += " (GUIDE)"
	}
	return v
}

// render draws the whole screen: exactly height lines, none wider than the
// terminal, with the footer always on the last lines.
func (m model) render() string {
	w, h := max(m.width, 1), max(m.height, 1)
	var out []string
	if b := m.ctx.bannerLine(w); b != "" {
		out = append(out, b)
	}
	left, right := "zenrecover · ZENworks disaster recovery", m.cfg.Version
	if m.screen == screenRun && m.hasRun {
		left = "zenrecover · " + m.run.def.Section + " " + m.run.def.Title
		right = "run " + m.run.runID
	}
	out = append(out, m.ctx.headerLine(left, right, w))
	for _, l := range m.warning {
		out = append(out, m.ctx.styles.Warning.Render(clip(l, w)))
	}
	var body string
	switch m.screen {
	case screenResume:
		body = m.resume.View()
	case screenRun:
		body = m.run.View()
	case screenDoctor:
		body = m.doctor.View()
	default:
		body = m.picker.View()
	}
	footH := min(max(len(m.footer), 1), max(h/2, 1))
	bodyH := max(h-len(out)-footH, 0)
	if bodyH > 0 {
		out = append(out, fit(body, w, bodyH))
	}
	out = append(out, fit(strings.Join(m.footer, "\n"), w, footH))
	return fit(strings.Join(out, "\n"), w, h)
}
