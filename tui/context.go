package tui

import (
	"time"
	"zenrecover/runner"
)

// uictx is what every screen shares with the root: the styles, the keys and
// what the banner must say. The root owns it and hands the same pointer to
// each screen it builds, so a change of background reaches every screen at
// once without a package global.
type uictx struct {
	styles  Styles
	keys    KeyMap
	dark    bool
	noColor bool

	// mode is the mode of the run on screen (or about to be): it decides
	// the banner, so a rehearsal says so on every screen.
	mode    runner.Mode
	labHost string

	// now is the clock the input rule reads (input_gate.go); tests set
	// their own, so no test waits on a real one.
	now func() time.Time
}

func newUICtx(noColor bool) *uictx {
	c := &uictx{keys: DefaultKeyMap(), dark: true, noColor: noColor, now: time.Now}
	c.styles = NewStyles(c.dark, noColor)
	return c
}

func (c *uictx) setDark(dark bool) {
	c.dark = dark
	c.styles = NewStyles(dark, c.noColor)
}
