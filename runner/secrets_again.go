package runner

import (
	"context"
	"fmt"
	"strings"

	"zenrecover/procedures"
	"zenrecover/state"
)

// authFailureWords are what commands print when they refuse a credential,
// in lower case. zman says "Authentication failed"; the others are what
// database clients, archives and Windows tools say. One list, so that the
// front ends and the tests agree.
func authFailureWords() []string {
	return []string{
		"authentication failed",
		"invalid password",
		"invalid passphrase",
		"incorrect password",
		"incorrect passphrase",
		"wrong password",
		"wrong passphrase",
		"login failed",
		"access denied",
	}
}

// AuthFailure reports whether text reads like a refused credential.
func AuthFailure(text string) bool {
	t := strings.ToLower(text)
	for _, w := range authFailureWords() {
		if strings.Contains(t, w) {
			return true
		}
	}
	return false
}

// secretsOf lists the secret inputs a step reads, in first-use order.
func (s *Session) secretsOf(st *procedures.Step) []*procedures.Input {
	var out []*procedures.Input
	for _, in := range s.def.Needs(st) {
		if in.Secret() {
			out = append(out, in)
		}
	}
	return out
}

func (s *Session) needFailed(st *procedures.Step, key, target string, ss *state.StepState) *NeedFailed {
	n := &NeedFailed{Step: st, Key: key, Target: target, Error: outcomeError(ss), Attempts: ss.Attempts,
		Secrets: s.secretsOf(st)}
	if len(n.Secrets) > 0 {
		n.AuthFailure = AuthFailure(n.Error) || AuthFailure(s.lastOutput(ss))
	}
	return n
}

// RetryWithNewSecrets is Retry for a failed step that read secrets: it
// puts the step back to pending and forgets, in memory, the secrets it
// read, so the following Next asks them again (NeedInput with Refused set)
// before the step runs. The forgotten values stay in the masker: if one
// shows up in any later output, it is still masked.
func (s *Session) RetryWithNewSecrets(ctx context.Context, key string) error {
	st, target, err := s.stepByKey(key)
	if err != nil {
		return err
	}
	k := state.StepKey(st.ID, target)
	if ss := state.Fold(s.events).Steps[k]; ss == nil || ss.Status != state.StepFailed {
		return fmt.Errorf("step %s has not failed: only a failed step is retried", st.Ref)
	}
	secrets := s.secretsOf(st)
	if len(secrets) == 0 {
		return fmt.Errorf("step %s reads no secret: retry it as it is", st.Ref)
	}
	if err := s.Resolve(ctx, k, MarkNotDone, "retry after failure, with the secrets typed again"); err != nil {
		return err
	}
	for _, in := range secrets {
		delete(s.secrets, in.ID)
		delete(s.asked, in.ID)
		s.refused[in.ID] = true
	}
	return nil
}
