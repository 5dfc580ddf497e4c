package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"zenrecover/procedures"
	"zenrecover/state"
)

// AnswerInfo is one non-secret answer of the run, for review and
// correction.
type AnswerInfo struct {
	ID, Label, Value string // Label: the fact's question or the input's prompt
	Fact             bool
	// Settled says how zenrecover knew a fact nobody typed (a platform it
	// detected); such an answer cannot be changed.
	Settled string
	// UsedBy are the keys (StepKey: the step id, "@target" for one target of
	// a fan-out) of the finished steps that used the answer: read it in a
	// command, a path, a check or a condition (their own or an enclosing
	// step's). StepLabel words them.
	UsedBy []string
}

// DefaultChangeReason is journaled when the operator gives no reason for a
// correction.
const DefaultChangeReason = "corrected by the operator"

// DefaultRedoReason is journaled when the operator gives no reason for
// running finished steps again.
const DefaultRedoReason = "an answer it used was corrected"

// Answers lists the non-secret answers given so far, facts first, then
// inputs, each in definition order. Secrets are never among them.
func (s *Session) Answers() []AnswerInfo {
	var out []AnswerInfo
	folded := state.Fold(s.events)
	for _, f := range s.def.Facts {
		if v, ok := s.vals[f.ID]; ok {
			a := AnswerInfo{ID: f.ID, Label: f.Question, Value: v, Fact: true, UsedBy: s.usedBy(f.ID, folded)}
			if p, how := s.settledPlatform(f); p != "" {
				a.Settled = how
			}
			out = append(out, a)
		}
	}
	for _, in := range s.def.Inputs {
		if in.Secret() {
			continue
		}
		if v, ok := s.vals[in.ID]; ok {
			out = append(out, AnswerInfo{ID: in.ID, Label: in.Prompt, Value: v, UsedBy: s.usedBy(in.ID, folded)})
		}
	}
	return out
}

// StepLabel words a step key for the operator: "step 2 (Export the ...)",
// with the target of a fan-out.
func (s *Session) StepLabel(key string) string {
	id, target, _ := strings.Cut(key, "@")
	st := s.def.Step(id)
	if st == nil {
		return "step " + key
	}
	l := "step " + s.def.FullRef(st) + " (" + st.Title + ")"
	if target != "" {
		l += " for " + target
	}
	return l
}

// usedBy lists the keys of the finished steps that read the answer id.
func (s *Session) usedBy(id string, folded state.RunState) []string {
	var keys []string
	s.def.Walk(func(st *procedures.Step) {
		if !st.Actionable() || !s.reads(st, id) {
			return
		}
		for k, ss := range folded.Steps {
			if ss.Step != st.ID {
				continue
			}
			if ss.Status == state.StepSucceeded || ss.Status == state.StepConfirmed {
				keys = append(keys, k)
			}
		}
	})
	// Walk is in reference order; the targets of one step come from a map.
	slices.SortStableFunc(keys, func(a, b string) int {
		ia, ib := s.stepIndex(a), s.stepIndex(b)
		if ia != ib {
			return ia - ib
		}
		return strings.Compare(a, b)
	})
	return keys
}

func (s *Session) stepIndex(key string) int {
	id, _, _ := strings.Cut(key, "@")
	i, n := -1, 0
	s.def.Walk(func(st *procedures.Step) {
		if st.ID == id && i < 0 {
			i = n
		}
		n++
	})
	return i
}

// reads reports whether a step uses the answer id: as an input it needs
// (procedures' Needs), in any ${id} of its texts, as the list it fans out
// over, or in a condition that decides whether it runs (its own, an
// enclosing step's, or a conditional argument's).
func (s *Session) reads(st *procedures.Step, id string) bool {
	if st.Each == id {
		return true
	}
	for _, in := range s.def.Needs(st) {
		if in.ID == id {
			return true
		}
	}
	own := *st
	own.Steps, own.Parent = nil, nil
	if b, err := json.Marshal(&own); err == nil && strings.Contains(string(b), "${"+id+"}") {
		return true
	}
	word := regexp.MustCompile(`\b` + regexp.QuoteMeta(id) + `\b`)
	for _, a := range st.Run {
		if a.When != "" && word.MatchString(a.When) {
			return true
		}
	}
	for p := st; p != nil; p = p.Parent {
		if c := p.Condition(); c != nil && slices.Contains(c.Names, id) {
			return true
		}
	}
	return false
}

// ChangeAnswer corrects a non-secret answer (a fact or an input). The value
// is checked as Answer checks it, with the same errors; a secret is
// refused, since secrets are never stored. The change is journaled with
// the old value, the new one, the user and the reason (DefaultChangeReason
// when empty; masked). affected are the keys of the finished steps that
// used the old value (as AnswerInfo.UsedBy): Redo runs them again if the
// operator wants. A changed fact may change the plan; the next Next follows
// the new one. A change that the procedure does not support (its refuse:
// rules) is refused and nothing is journaled. It is refused too while a
// step is in doubt: that step's fate is decided first.
func (s *Session) ChangeAnswer(ctx context.Context, id, value, reason string) (affected []string, err error) {
	v, err := s.checkChange(id, value)
	if err != nil {
		return nil, err
	}
	folded := state.Fold(s.events)
	old, had := s.vals[id]
	if had && old == v {
		return nil, nil
	}
	if !had {
		// Never answered: nothing to correct, and nothing used it.
		return nil, s.record(ctx, id, v)
	}
	affected = s.usedBy(id, folded)
	if strings.TrimSpace(reason) == "" {
		reason = DefaultChangeReason
	}
	if err := s.append(ctx, state.Event{Kind: state.EventChanged, Key: id, Value: v,
		Reason: s.masker.String(strings.TrimSpace(reason)), Detail: byWhom{User: currentUser(), Old: old}.String()}); err != nil {
		return nil, err
	}
	s.vals[id] = v
	return affected, nil
}

// CheckChange says whether ChangeAnswer would take the change, without
// making it: the same checks, the same errors.
func (s *Session) CheckChange(id, value string) error {
	_, err := s.checkChange(id, value)
	return err
}

func (s *Session) checkChange(id, value string) (string, error) {
	if in := s.def.InputByID(id); in != nil && in.Secret() {
		return "", fmt.Errorf("%s: secrets are never stored; they are asked again when needed", in.Prompt)
	}
	v, _, err := s.checkAnswer(id, value)
	if err != nil {
		return "", err
	}
	if err := s.noneInDoubt(state.Fold(s.events), "changing an answer"); err != nil {
		return "", err
	}
	next := s.vals.Clone()
	next[id] = v
	if why := s.def.Refused(next); why != "" {
		return "", fmt.Errorf("%s = %q: not supported: %s", id, v, why)
	}
	return v, nil
}

// noneInDoubt refuses what must wait until no step is in doubt.
func (s *Session) noneInDoubt(folded state.RunState, what string) error {
	for k, ss := range folded.Steps {
		if ss.Status == state.StepInDoubt {
			return fmt.Errorf("%s must wait: %s was started and never finished; resume the run and decide about it first", what, s.StepLabel(k))
		}
	}
	return nil
}

// Redo puts finished steps (keys as ChangeAnswer returns them) back to
// pending so they run again, each journaled with the reason
// (DefaultRedoReason when empty; masked). Every key is checked before any
// is journaled. A destructive step run again still needs its host name
// typed; a failed step is retried with Retry instead.
func (s *Session) Redo(ctx context.Context, keys []string, reason string) error {
	folded := state.Fold(s.events)
	if err := s.noneInDoubt(folded, "running steps again"); err != nil {
		return err
	}
	type one struct {
		st     *procedures.Step
		target string
	}
	var todo []one
	for _, key := range keys {
		st, target, err := s.stepByKey(key)
		if err != nil {
			return err
		}
		ss := folded.Steps[state.StepKey(st.ID, target)]
		if ss == nil || (ss.Status != state.StepSucceeded && ss.Status != state.StepConfirmed && ss.Status != state.StepSkipped) {
			return fmt.Errorf("%s is not finished, so there is nothing to run again", s.StepLabel(key))
		}
		todo = append(todo, one{st, target})
	}
	if strings.TrimSpace(reason) == "" {
		reason = DefaultRedoReason
	}
	for _, t := range todo {
		if err := s.append(ctx, state.Event{Kind: state.EventRedo, Step: t.st.ID, Target: t.target,
			Reason: s.masker.String(strings.TrimSpace(reason))}); err != nil {
			return err
		}
	}
	return nil
}
