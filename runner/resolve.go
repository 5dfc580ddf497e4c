package runner

import (
	"context"

	"zenrecover/actions"
	"zenrecover/procedures"
	"zenrecover/remote"
	"zenrecover/state"
)

// resolved is one step, for one target, as this run does it: every
// template expanded once (procedures.Resolve), the machine it is done on
// decided, and, for a step with an action, where that action runs. Next
// renders the screen's NeedStep from it, ExecuteWith journals its command
// and builds the executor from it; neither expands anything again.
type resolved struct {
	*procedures.Resolved
	target, key string
	// host is the other machine the step is done on; "" for this one.
	host string
	// elsewhere: a live run cannot reach host, so the operator does the
	// step there. In a lab every host is simulated: never elsewhere.
	elsewhere bool
	// fetch is the scp command that brings a copy's files from a machine a
	// live run cannot reach; nil otherwise.
	fetch []string
	// env is where the action runs (a lab's copy of host, the copy's
	// source host's tree); zero for a manual step, which runs nothing.
	env actions.Env
	// conn: the step's host is reached over SSH (remote.go), and the
	// action runs there. why: the sentence saying why a step on another
	// host is shown and confirmed instead (unreachable, key refused, not
	// a command). hostKey: the key of keyHost waits for the operator
	// (NeedHostKey); nothing runs there until it is accepted.
	conn    *remote.Client
	why     string
	hostKey *remote.UnknownHostKeyError
	keyHost string
	// fetchOver copies a copy step's files from the other host over SFTP,
	// in place of the scp shown when that host is not reached.
	fetchOver *remote.Fetch
}

// resolve resolves step st for target ("" unless it fans out) with the
// run's values and its journaled decisions: a command that replaces its
// destination writes under the temporary name chosen then (buildVals). A
// template that cannot be expanded is the error, naming the step, where in
// it, and the value (procedures.ResolveError).
//
// It is computed afresh from the values, the journal and the host each
// time it is needed, so what Next showed and what ExecuteWith runs agree
// without a cache that a changed answer could leave stale.
func (s *Session) resolve(st *procedures.Step, target string) (*resolved, error) {
	pr, err := s.def.Resolve(st, s.buildVals(st, target))
	if err != nil {
		return nil, err
	}
	r := &resolved{Resolved: pr, target: target, key: state.StepKey(st.ID, target), host: s.otherHost(pr.On)}
	r.elsewhere = r.host != "" && s.opts.Lab == nil || s.opts.Guide
	if r.host != "" && s.sshTo(r.host) {
		switch why := sshCarries(pr); {
		case why != "" && s.opts.Lab == nil:
			r.why = why + ": do this step on " + r.host + " and confirm it here."
		case why == "":
			// A host reached over SSH is done there, or, when it cannot
			// be reached, by hand, in a rehearsal too: it rehearses what
			// the operator will meet.
			s.dialAhead(st, target)
			r.conn, r.why, r.hostKey = s.ssh.reach(context.Background(), r.host)
			if r.hostKey != nil {
				r.keyHost = r.host
			}
			r.elsewhere = r.conn == nil
		}
	}
	if c := pr.Copy; c != nil && c.FromHost != "" && s.opts.Lab == nil && !sameHost(c.FromHost, s.host) {
		r.fetch = []string{"scp", "-rp", c.FromHost + ":" + c.From, c.To}
		if r.host == "" && s.sshTo(c.FromHost) {
			cl, why, key := s.ssh.reach(context.Background(), c.FromHost)
			switch {
			case cl != nil:
				r.fetch, r.fetchOver = nil, &remote.Fetch{Client: cl, From: c.From, To: c.To}
			case key != nil:
				r.hostKey, r.keyHost = key, c.FromHost
			default:
				r.why = why
			}
		}
	}
	switch st.Kind() {
	case "manual", "group", "include":
		// Nothing runs, so no host of a lab need exist for it.
		return r, nil
	}
	// A host the lab cannot simulate is an error of the same kind, named
	// the same way.
	if r.env, err = s.envOn(r.host); err != nil {
		return nil, &procedures.ResolveError{Step: st, Field: "on", Err: err}
	}
	if c := pr.Copy; c != nil && c.ToHost != "" && r.host != "" {
		// The step is done on the host the file goes to (its env); the
		// file comes from here, this machine's tree in a lab.
		here, err := s.envOn("")
		if err != nil {
			return nil, &procedures.ResolveError{Step: st, Field: "copy.to-host", Err: err}
		}
		r.env.RebaseFrom = here.Rebase
	}
	if c := pr.Copy; c != nil && c.FromHost != "" && s.opts.Lab != nil {
		src, err := s.opts.Lab.Host(c.FromHost)
		if err != nil {
			return nil, &procedures.ResolveError{Step: st, Field: "copy.from-host", Err: err}
		}
		r.env.RebaseFrom = src.Rebase
	}
	// On a Windows server, %ZENWORKS_HOME% and the like are the server's
	// own folders: expanded once here, so the screen, the journal and the
	// action name the same path.
	if err := s.expandWindowsPaths(r); err != nil {
		return nil, err
	}
	return r, nil
}

// placeOf is where step st would be done with vals, before it can be
// resolved whole (its inputs are still being asked, or a destination is
// being decided): the other host ("" for this one) and the environment
// there. A value on: names that is not known yet leaves a placeholder,
// which no host of a lab matches.
func (s *Session) placeOf(st *procedures.Step, vals procedures.Values) (string, actions.Env, error) {
	host := s.otherHost(s.def.ResolveOn(st, vals))
	env, err := s.envOn(host)
	return host, env, err
}

// build makes a resolved step ready to run. describeOnly builds it to be
// shown, not run: it needs neither the secrets nor the tools.
func (s *Session) build(r *resolved, describeOnly bool) (*actions.Built, error) {
	env := r.env
	secrets := s.secrets
	if s.opts.DryRun || describeOnly {
		// A dry run executes nothing, so it needs neither the secrets nor
		// the tools to be installed.
		secrets = s.maskedSecrets()
		env.Resolve = false
	}
	b, err := actions.Build(r.Resolved, secrets, env)
	s.replacing(r.Step, r.target, b) // destination.go
	return b, err
}

// maskedSecrets stands a mask in for every secret not typed yet.
func (s *Session) maskedSecrets() map[string]string {
	out := map[string]string{}
	for _, in := range s.def.Inputs {
		if in.Secret() {
			out[in.ID] = actions.Mask
		}
	}
	for k, v := range s.secrets {
		out[k] = v
	}
	return out
}

// describe says what a built step does, as the screen shows it and the
// started event journals it: secrets masked, with the machine it is done
// on when that is not this one.
func (s *Session) describe(r *resolved, b *actions.Built) string {
	d := s.masker.String(b.Action.Describe())
	if r.host != "" {
		d = "on " + r.host + ": " + d
	}
	return d
}

// commandOf is the command a built step runs, as the server names it
// (before a lab rebases it) and with every secret masked: what NeedStep
// shows and the started event journals. nil for a step that runs none.
func (s *Session) commandOf(b *actions.Built) []string {
	var argv []string
	switch a := b.Action.(type) {
	case *actions.Command:
		argv = a.Display
	case *actions.SQL:
		argv = a.Cmd.Display
	default:
		return nil
	}
	out := make([]string, len(argv))
	for i, x := range argv {
		out[i] = s.masker.String(x)
	}
	return out
}
