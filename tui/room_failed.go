package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"zenrecover/runner"
)

// failedRoom is a step whose last attempt failed: retry (with the same
// secrets, or typing them again), skip with a reason, or stop.
//
// After a failure that looks like a refused credential, Enter retries with
// new secrets: sending the same wrong password again is never the easy
// path.
type failedRoom struct {
	ctx  *uictx
	need *runner.NeedFailed
	out  pending
}

func newFailedRoom(ctx *uictx, n *runner.NeedFailed) failedRoom {
	return failedRoom{ctx: ctx, need: n}
}

func (r *failedRoom) SetSize(w, h int) {}

func (r failedRoom) secrets() bool { return len(r.need.Secrets) > 0 }

func (r failedRoom) Update(msg tea.Msg) (failedRoom, tea.Cmd) {
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return r, nil
	}
	k := r.ctx.keys.Failed
	n := r.need
	switch {
	case key.Matches(km, k.Retry):
		r.out.set(intent{kind: intentRetry, key: n.Key})
	case r.secrets() && (key.Matches(km, k.NewSecrets) || n.AuthFailure && km.String() == "enter"):
		r.out.set(intent{kind: intentRetryNewSecrets, key: n.Key})
	case key.Matches(km, k.Skip):
		r.out.set(intent{kind: intentSkip, key: n.Key})
	case key.Matches(km, k.Answers):
		r.out.set(intent{kind: intentAnswers})
	case key.Matches(km, k.Abandon):
		r.out.set(intent{kind: intentAbandon})
	case key.Matches(km, k.Stop):
		r.out.set(intent{kind: intentStop})
	}
	return r, nil
}

func (r failedRoom) details(w int) []string {
	s := r.ctx.styles
	n := r.need
	p := para{w: w}
	p.add(s.Error.Render, fmt.Sprintf("Step %s failed", n.Step.Ref)+attemptWords(n.Attempts))
	p.add(s.Title.Render, n.Step.Title)
	p.blank()
	msg, exit, verify := parseOutcome(n.Error)
	p.add(s.Text.Render, msg)
	if exit != nil {
		p.add(s.Faint.Render, fmt.Sprintf("Exit status %d.", *exit))
	}
	if verify != "" && !strings.Contains(msg, verify) {
		p.add(s.Faint.Render, "Checks: "+verify)
	}
	if n.AuthFailure && r.secrets() {
		p.blank()
		p.add(s.Important.Render, "It looks like a password or passphrase was refused. Retrying with the same one would fail again: press Enter (or n) to type it again.")
	}
	p.blank()
	return p.out
}

func (r failedRoom) form(w int) []string {
	s := r.ctx.styles
	p := para{w: w}
	if r.secrets() {
		names := make([]string, len(r.need.Secrets))
		for i, in := range r.need.Secrets {
			names[i] = in.Prompt
		}
		label := "retry, typing again: " + strings.Join(names, ", ")
		if r.need.AuthFailure {
			p.choice(s, "enter/n", label)
		} else {
			p.choice(s, "n", label)
		}
		p.choice(s, "r", "retry with the same values")
	} else {
		p.choice(s, "r", "retry the step")
	}
	p.choice(s, "s", "skip it (you say why)")
	p.choice(s, "c", "check or correct the answers")
	p.choice(s, "a", "abandon the run for good (you say why)")
	p.choice(s, "q", "stop here; the run can be resumed")
	return p.out
}

func (r failedRoom) ShortHelp() []key.Binding {
	k := r.ctx.keys.Failed
	if r.secrets() {
		return []key.Binding{k.NewSecrets, k.Retry, k.Skip, k.Stop}
	}
	return []key.Binding{k.Retry, k.Skip, k.Stop}
}

func (r failedRoom) FullHelp() [][]key.Binding {
	return [][]key.Binding{r.ShortHelp(), {r.ctx.keys.Failed.Answers, r.ctx.keys.Failed.Abandon}}
}
