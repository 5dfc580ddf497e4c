package runner

import (
	"strings"

	"zenrecover/actions"
	"zenrecover/procedures"
)

// where names the host a step (for one target) is done on, or "" when it
// is done here.
func (s *Session) where(st *procedures.Step, vals procedures.Values) string {
	if st.On == "" {
		return ""
	}
	h := strings.TrimSpace(procedures.ExpandOrPlaceholder(st.On, vals))
	if sameHost(h, s.host) {
		return ""
	}
	return h
}

// elsewhere names the other machine a live step must be done on by hand:
// the wizard reaches no machine but its own. In a lab every host is
// simulated, so nothing is elsewhere.
func (s *Session) elsewhere(st *procedures.Step, vals procedures.Values) string {
	if s.opts.Lab != nil {
		return ""
	}
	return s.where(st, vals)
}

// sameHost compares host names as an administrator would: letter case
// aside, and a short name matches its fully qualified form.
func sameHost(a, b string) bool {
	a, b = strings.ToLower(strings.TrimSuffix(a, ".")), strings.ToLower(strings.TrimSuffix(b, "."))
	if a == b {
		return true
	}
	short := func(x string) string { h, _, _ := strings.Cut(x, "."); return h }
	return (!strings.Contains(a, ".") || !strings.Contains(b, ".")) && short(a) == short(b)
}

// envFor is where a step for one target runs: in a lab, the lab's copy of
// the step's host.
func (s *Session) envFor(st *procedures.Step, vals procedures.Values) (actions.Env, error) {
	l := s.opts.Lab
	if h := s.where(st, vals); h != "" && l != nil {
		var err error
		if l, err = l.Host(h); err != nil {
			return actions.Env{}, err
		}
	}
	env := actionEnv(l)
	if c := st.Copy; c != nil && c.FromHost != "" && s.opts.Lab != nil {
		src, err := s.opts.Lab.Host(procedures.ExpandOrPlaceholder(c.FromHost, vals))
		if err != nil {
			return actions.Env{}, err
		}
		env.RebaseFrom = src.Rebase
	}
	return env, nil
}

// copyFromElsewhere is the scp command that brings a copy's files from the
// other machine, when a live run cannot reach it; nil otherwise.
func (s *Session) copyFromElsewhere(st *procedures.Step, vals procedures.Values) []string {
	c := st.Copy
	if c == nil || c.FromHost == "" || s.opts.Lab != nil {
		return nil
	}
	h := procedures.ExpandOrPlaceholder(c.FromHost, vals)
	if sameHost(h, s.host) {
		return nil
	}
	return []string{"scp", "-rp", h + ":" + procedures.ExpandOrPlaceholder(c.From, vals), procedures.ExpandOrPlaceholder(c.To, vals)}
}
