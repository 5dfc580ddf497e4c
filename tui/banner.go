package tui

import (
	"strings"
	"zenrecover/runner"

	"github.com/charmbracelet/x/ansi"
)

// bannerLine is the REHEARSAL or DRY RUN line at the top of every screen,
// or "" for a live run. It is one full-width line, so it cannot scroll
// away and cannot be mistaken for text of the procedure.
func (c *uictx) bannerLine(w int) string {
	var text string
	render := c.styles.Rehearsal.Render
	switch c.mode {
	case runner.ModeLab:
		text = " REHEARSAL · simulated server"
		if c.labHost != "" {
			text += " " + c.labHost
		}
		text += " · nothing here touches a real server"
	case runner.ModeDryRun:
		text = " DRY RUN · nothing is executed"
		render = c.styles.DryRun.Render
	case runner.ModeGuide:
		text = " GUIDE for " + c.labHost + " · nothing runs here: do each step there, confirm it here"
		render = c.styles.DryRun.Render
	default:
		return ""
	}
	return render(pad(text, w))
}

// headerLine names what is on screen: the procedure and run, or the tool.
func (c *uictx) headerLine(left, right string, w int) string {
	s := c.styles
	lw, rw := ansi.StringWidth(left), ansi.StringWidth(right)
	if right == "" || w-rw-2 < 20 {
		return s.Header.Render(clip(left, w))
	}
	// The run id stays whole (the operator may need it to resume); a long
	// title gives way.
	if lw+rw+2 > w {
		left = clip(left, w-rw-2)
		lw = ansi.StringWidth(left)
	}
	return s.Header.Render(left) + strings.Repeat(" ", w-lw-rw) + s.HeaderDim.Render(right)
}
