package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
)

// The run view is a frame (runview.go: the step list, the output pane,
// the session) around one small model per phase of the run, its "room":
// a question or a value (askRoom), a step to run or do (stepRoom), a
// running command (runningRoom), a failure (failedRoom), a step in doubt
// (doubtRoom), the answers under review (answersRoom), a destination to
// decide (destRoom), a host key to trust (hostKeyRoom), a fan-out step in
// Ansible's hands (fleetRoom), and the end (endRoom: done, stopped, or
// cannot go on).
//
// Each room is a concrete type with its own keys (KeyMap's part for it),
// Update, SetSize, and what it draws: its details (the text above, which
// scrolls) and its form (what the operator can do, at the bottom). A room
// never calls the session: it says what the operator chose as an intent,
// which the frame takes and carries out in a tea.Cmd. Dialogs (a typed
// reason, a y/n) open over any room.

// drawing is what the frame reads of the room on show.
type drawing interface {
	details(w int) []string
	form(w int) []string
	ShortHelp() []key.Binding
}

// intentKind is what the operator chose in a room.
type intentKind int

const (
	intentNone intentKind = iota
	intentAnswer
	intentRun
	intentDoneByHand
	intentSkip
	intentRetry
	intentRetryNewSecrets
	intentRerun
	intentMarkDone
	intentStop
	intentInterrupt
	intentSend
	intentSuggest
	intentTryAgain
	intentExit
	intentAnswers // open the answers for review
	intentChange  // change one answer
	intentBack    // leave the answers
	intentAbandon
	intentKeepBoth
	intentReplace
	intentCreateParent
	intentAcceptKey // trust a host's SSH key (room_hostkey.go)
	intentRefuseKey
	intentFleet // hand a fan-out step to Ansible (room_fleet.go)
)

// intent is a room's request to the frame.
type intent struct {
	kind  intentKind
	key   string // the step key or answer id it is about
	value string // an answer, a reply line
	n     int    // a suggestion's number
}

// pending holds at most one intent until the frame takes it.
type pending struct{ it *intent }

func (p *pending) set(it intent) { p.it = &it }

func (p *pending) take() (intent, bool) {
	if p.it == nil {
		return intent{}, false
	}
	it := *p.it
	p.it = nil
	return it, true
}

// para builds wrapped, styled lines for a room.
type para struct {
	out []string
	w   int
}

func (p *para) add(render func(...string) string, text string) {
	p.out = append(p.out, styled(wrap(text, max(p.w, 10)), render)...)
}

func (p *para) lines(ls ...string) { p.out = append(p.out, ls...) }

// blank adds one empty line, never two in a row.
func (p *para) blank() {
	if len(p.out) > 0 && p.out[len(p.out)-1] != "" {
		p.out = append(p.out, "")
	}
}

// choice is a key and what it does, the text wrapped under itself.
func (p *para) choice(s Styles, k, text string) {
	indent := strings.Repeat(" ", len(k)+2)
	for i, l := range wrap(text, max(p.w-len(indent), 5)) {
		if i == 0 {
			p.out = append(p.out, s.Key.Render(k)+"  "+l)
		} else {
			p.out = append(p.out, indent+l)
		}
	}
}
