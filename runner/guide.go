package runner

import (
	"context"
	"fmt"
	"strings"

	"zenrecover/actions"
	"zenrecover/procedures"
	"zenrecover/state"
)

// Guide mode walks a procedure for a server zenrecover does not run on
// (ZENworks 11 SP3's own Windows servers, 2008 R2 to 2012 R2, cannot run a
// current Go binary): `run ID --target HOST --platform P` on a jump host or
// a laptop. Nothing is executed and nothing on this machine is looked at:
// every step is shown as it is done on HOST (its exact command, or what to
// do there), the operator does it there and confirms it here, and each of
// the step's checks, which zenrecover cannot make on another machine, is
// put to the operator as a question. The run is journaled, resumable and
// reported like any other; its mode is guide and its host is HOST.

// Guide reports whether the run is walked for another server.
func (s *Session) Guide() bool { return s.opts.Guide }

// guideStep turns a step the wizard would run into one the operator does on
// the target: the command to type there, or the action in words, and the
// step's checks as questions.
func (s *Session) guideStep(n *NeedStep, r *resolved, b *actions.Built) {
	n.Manual = true
	where := s.host
	if r.host != "" {
		where = r.host
	}
	switch a := b.Action.(type) {
	case *actions.Command:
		if len(n.Command) == 0 {
			n.Command = s.commandOf(b)
		}
		n.Describe = "On " + where + ", run this command." + s.guideAnswers(r.Step)
		if len(r.Step.Answers) > 0 {
			// The step's instructions say how zenrecover answers the
			// prompts; here the sentence above replaces them.
			n.Instructions = ""
		}
	case *actions.SQL:
		n.Script = r.SQL.Script
		n.Describe = "On " + where + ", log into the zone database and run these statements."
		if r.SQL.Expect != "" {
			n.Describe += " It must show " + r.SQL.Expect + "."
		}
		_ = a
	default:
		// The step's instructions say what zenrecover does; here the
		// operator does it, so the action's own words replace them.
		n.Instructions = ""
		n.Describe = "zenrecover is not on " + where + " to do this step; do it there yourself: " + s.describe(r, b) + "."
	}
	for _, c := range b.Verify {
		n.Checks = append(n.Checks, s.masker.String(c.Describe()))
	}
}

// guideAnswers says what the command will ask there and what to answer:
// zenrecover is not there to type it. Secrets are named, never shown.
func (s *Session) guideAnswers(st *procedures.Step) string {
	var said []string
	for _, a := range st.Answers {
		switch in := s.def.InputByID(a.Input); {
		case a.Value != "":
			w := a.Value
			if a.Means != "" {
				w += " (" + a.Means + ")"
			}
			said = append(said, w)
		case in == nil:
		case in.Secret():
			said = append(said, in.Prompt+" (you type it there)")
		default:
			said = append(said, in.Prompt+": "+s.vals[in.ID])
		}
	}
	if len(said) == 0 {
		return ""
	}
	return " zenrecover is not there to answer its questions; answer them yourself: " + strings.Join(said, "; ") + "."
}

// NotDone records that the operator, asked about a check of a guided step,
// found it does not hold on the target: the step failed there, and can be
// done again, skipped or the run abandoned as after any failure.
func (s *Session) NotDone(ctx context.Context, key, check string) error {
	st, target, err := s.stepByKey(key)
	if err != nil {
		return err
	}
	if !s.opts.Guide {
		return fmt.Errorf("step %s: only a guided run asks the operator about its checks", st.Ref)
	}
	d := detail{Error: "on " + s.host + ", the operator found this not so: " + s.masker.String(check)}
	return s.append(ctx, state.Event{Kind: state.EventFailed, Step: st.ID, Target: target, Detail: d.String()})
}

// guideConfirmDetail is what a guided step's confirmation records: what the
// operator was told to do there, and that its checks were seen to hold.
func (s *Session) guideConfirmDetail(n *NeedStep) string {
	d := detail{Command: n.Command, Action: n.Describe}
	if len(n.Checks) > 0 {
		d.Verify = "seen on " + s.host + " by the operator: " + strings.Join(n.Checks, "; ")
	}
	return d.String()
}
