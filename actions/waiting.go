package actions

import (
	"strings"
	"time"
)

// DefaultSettle is how long a command must stay silent after printing an
// unfinished line that no rule answers before Run tells the engine that it
// waits for the operator (IO.OnWaiting). Long enough that a prompt printed
// in pieces (a Java tool flushing "Log" and, a moment later, "in as: ") is
// not announced half-way; short enough that the operator is told well
// before they start wondering. Command.Settle overrides it.
const DefaultSettle = 700 * time.Millisecond

// Waiting says that a command waits for the operator. The zero value says
// that it no longer does.
type Waiting struct {
	// Line is the unfinished line the command printed, masked, sanitized
	// and trimmed: what it asked.
	Line string
	// Hidden says that the terminal does not echo and reads whole lines,
	// as password prompts do: what is typed will not be shown.
	Hidden bool
	// Suggestions are the step's answer rules that could still answer (not
	// used yet, or repeatable), in the step's order; the operator may
	// accept one with Reply.Suggestion. They are never typed unasked.
	Suggestions []Suggestion
}

// Suggestion is a known answer the operator may accept: one of the step's
// rules whose pattern did not match the prompt.
type Suggestion struct {
	Label  string // the rule's label, masked and sanitized; never its value
	Secret bool   // the value is a secret: typed once echo is off, masked everywhere
}

// Reply is what the operator sends to a command that waits for them.
type Reply struct {
	// Text is typed as it is, followed by Enter (control characters are
	// dropped: the terminal would act on them). A line typed while the
	// terminal neither echoes nor is in raw mode becomes a secret of the run.
	Text string
	// Suggestion, when not 0, accepts the Suggestion with that 1-based
	// index in the last Waiting that had any, and Text is ignored: that
	// rule's value is typed as the rule would have typed it (a secret once
	// echo is off) and IO.OnAnswer gets its label. An index that was not on
	// offer types nothing.
	Suggestion int
}

// startWaiting announces that the child waits for the operator, if its
// output ends in an unfinished line.
func (s *ptySession) startWaiting() {
	line := strings.TrimSpace(Sanitize(s.secrets.String(s.pending)))
	if line == "" || s.waiting {
		return
	}
	echo, canon, err := s.term.Modes()
	// If the modes cannot be read, say hidden: better a name typed blind
	// than a password shown on the screen.
	hidden := err != nil || (!echo && canon)
	w := Waiting{Line: line, Hidden: hidden}
	s.offered = s.offered[:0]
	for i, a := range s.answers {
		if s.used[i] && !a.Repeat {
			continue
		}
		s.offered = append(s.offered, i)
		w.Suggestions = append(w.Suggestions, Suggestion{Label: Sanitize(s.secrets.String(a.Label)), Secret: a.Secret})
	}
	s.waiting = true
	if s.rio.OnWaiting != nil {
		s.rio.OnWaiting(w)
	}
}

// endWaiting says, once, that the child no longer waits.
func (s *ptySession) endWaiting() {
	if !s.waiting {
		return
	}
	s.waiting = false
	if s.rio.OnWaiting != nil {
		s.rio.OnWaiting(Waiting{})
	}
}

// reply queues what the operator sent; the prompt counts as answered.
func (s *ptySession) reply(r Reply) {
	if r.Suggestion != 0 {
		if r.Suggestion < 0 || r.Suggestion > len(s.offered) {
			return
		}
		i := s.offered[r.Suggestion-1]
		a := s.answers[i]
		s.used[i] = true
		s.queue = append(s.queue, ptyWrite{text: a.Value, secret: a.Secret})
		if s.rio.OnAnswer != nil {
			s.rio.OnAnswer(a.Label)
		}
	} else {
		line := strings.Map(func(r rune) rune {
			if isControl(r) {
				return -1
			}
			return r
		}, strings.TrimRight(r.Text, "\r\n"))
		s.queue = append(s.queue, ptyWrite{text: line, operator: true})
	}
	s.endWaiting()
	s.pending, s.lastPrompt = "", ""
}
