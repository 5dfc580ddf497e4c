package runner

import (
	"strings"

	"zenrecover/actions"
)

// otherHost is the machine a resolved on: names when it is not this one,
// else "".
func (s *Session) otherHost(on string) string {
	if on == "" || sameHost(on, s.host) {
		return ""
	}
	return on
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

// envOn is the environment a command on host ("" for this machine) gets:
// in a lab, the lab's copy of that host.
func (s *Session) envOn(host string) (actions.Env, error) {
	l := s.opts.Lab
	if host != "" && l != nil {
		var err error
		if l, err = l.Host(host); err != nil {
			return actions.Env{}, err
		}
	}
	return actionEnv(l), nil
}
