package plain

import (
	"fmt"
	"strconv"
	"strings"
	"sync"

	"zenrecover/actions"
	"zenrecover/runner"
)

// replies lets a command that waits for an answer no rule gives be
// answered from the same input the wizard reads its own questions from.
// A line is read only once the command is known to wait (never ahead, so a
// script's next answer is not taken by a command that never asked), and
// when the command ends while a line is being read, the wizard says so and
// waits for that line before it reads anything else, so no answer lands on
// the wrong question.
type replies struct {
	p     *Plain
	input chan actions.Reply
	wake  chan actions.Waiting
	done  chan struct{}
	ended chan struct{}

	mu      sync.Mutex
	reading bool // a line is being read for the command
}

func (p *Plain) startReplies() *replies {
	r := &replies{p: p, input: make(chan actions.Reply), wake: make(chan actions.Waiting, 1),
		done: make(chan struct{}), ended: make(chan struct{})}
	go r.loop()
	return r
}

func (r *replies) io(out *indented) runner.ExecIO {
	return runner.ExecIO{Out: out, Input: r.input, Waiting: r.waiting}
}

// waiting is called from the step's goroutine; it must not block.
func (r *replies) waiting(w actions.Waiting) {
	if w.Line == "" {
		return
	}
	r.p.say("  ⏸ The command is waiting for you. It asked: %s", w.Line)
	if w.Hidden {
		r.p.say("    What you type goes to the command and is not shown.")
	} else {
		r.p.say("    Type its answer and press Enter: it goes to the command, not to zenrecover.")
	}
	for i, s := range w.Suggestions {
		r.p.say("    %d  send the known answer: %s", i+1, s.Label)
	}
	select {
	case r.wake <- w:
	default: // a read is already pending: it answers this prompt
	}
}

func (r *replies) loop() {
	defer close(r.ended)
	for {
		var w actions.Waiting
		select {
		case w = <-r.wake:
		case <-r.done:
			return
		}
		r.mu.Lock()
		select {
		case <-r.done:
			r.mu.Unlock()
			return
		default:
		}
		r.reading = true
		r.mu.Unlock()
		var line string
		var ok bool
		if w.Hidden {
			line, ok = r.p.readSecret()
		} else {
			line, ok = r.p.readLine()
		}
		if !ok {
			return
		}
		reply := actions.Reply{Text: line}
		if n, err := strconv.Atoi(strings.TrimSpace(line)); err == nil && n >= 1 && n <= len(w.Suggestions) {
			reply = actions.Reply{Suggestion: n}
		}
		select {
		case r.input <- reply:
		case <-r.done:
			r.p.say("  (The command had already finished; that line was not sent.)")
			return
		}
	}
}

// finish is called once the step has ended. If a line is being read, the
// operator is told and the line is awaited (and not used).
func (r *replies) finish() {
	r.mu.Lock()
	close(r.done)
	reading := r.reading
	r.mu.Unlock()
	if reading {
		select {
		case <-r.ended:
		default:
			fmt.Fprintln(r.p.Out, "  The command no longer waits. Press Enter to go on.")
		}
	}
	<-r.ended
}
