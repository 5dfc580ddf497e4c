package tui

import (
	"time"

	tea "charm.land/bubbletea/v2"
)

// The input rule, written once, here, for every screen: a key (or a paste)
// acts only on the screen that was in front of the operator when they
// typed it.
//
// Bubble Tea hands keys over in the order they were read but says nothing
// of when; a burst typed ahead (a whole set of answers sent at once, a
// passphrase typed while the previous step was still recording) is read
// in one go and then delivered to whatever screen is on show by the time
// each key is processed. So the root keeps, for the element that has the
// focus (a field, a dialog, a step's choices: its focusID), the time it
// appeared, and:
//
//   - a key that arrives within settle of it appearing was typed before
//     anyone could have read it, and is dropped;
//   - a key that arrives within burstGap of a dropped key belongs to the
//     same typed-ahead burst, and is dropped too, however long the burst;
//   - ctrl+c always passes: it only ever asks, and a stuck operator must
//     always be able to reach the stop.
//
// Dropped keys go nowhere, not even into a log: a fragment of a secret
// typed too early is forgotten. The operator is told, in a line that
// names no key, that what they typed early was ignored.
//
// A person reacts to a new screen in no less than a quarter of a second,
// and then reads it; settle is shorter than that, so keys typed at a
// person's pace are never lost. Fields of one form (a new passphrase and
// its "again") are one focus: moving between them is not a new screen.
const (
	settle   = 350 * time.Millisecond
	burstGap = 150 * time.Millisecond
)

type inputGate struct {
	focus    string
	shownAt  time.Time
	lastDrop time.Time
	dropped  bool // a key was dropped since the focus last changed
}

// shown records the element with the focus after a message was handled.
func (g *inputGate) shown(focus string, now time.Time) {
	if focus == g.focus {
		return
	}
	g.focus, g.shownAt = focus, now
}

// admit says whether a key or paste read now may act on the focused
// element; a refused one is remembered as part of a burst.
func (g *inputGate) admit(msg tea.Msg, now time.Time, forceQuit func(tea.KeyPressMsg) bool) bool {
	if km, ok := msg.(tea.KeyPressMsg); ok && forceQuit(km) {
		return true
	}
	early := now.Sub(g.shownAt) < settle
	inBurst := !g.lastDrop.IsZero() && now.Sub(g.lastDrop) < burstGap
	if early || inBurst {
		g.lastDrop, g.dropped = now, true
		return false
	}
	g.dropped = false
	return true
}

// droppedNote tells the operator that keys typed before the screen
// appeared did nothing; it names none of them (they may be a secret).
const droppedNote = "Keys typed before this screen appeared were ignored. Read it, then type."
