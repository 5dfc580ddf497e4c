package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"

	"zenrecover/actions"
	"zenrecover/procedures"
	"zenrecover/state"
)

// Next says what the run needs now. It has no side effects but two: a run
// whose steps are all finished is marked completed, and an in-doubt step
// whose verify checks all pass is marked done.
func (s *Session) Next(ctx context.Context) (Need, error) {
	// The platform facts zenrecover can tell are settled before anything
	// is asked: they are facts of the machine, not questions.
	// (A host asked first must not come before a refusal already known.)
	if n, err := s.settlePlatforms(ctx); err != nil || n != nil && s.def.Refused(s.vals) == "" {
		return n, err
	}
	// A refusal is checked before each question, so an unsupported
	// combination stops the run as soon as its answers are known.
	// Only the facts the answers so far leave needed (procedures.FactsToAsk):
	// section 5 asks the facts of the scenario chosen, not of all four.
	why := s.def.Refused(s.vals)
	if why == "" {
		if fs := s.def.FactsToAsk(s.vals); len(fs) > 0 {
			// A platform fact waiting for its host comes after the
			// others (settlePlatforms asks the host when they are done).
			ask := fs[0]
			for _, f := range fs {
				if d := f.Detect; d == nil || d.PlatformOf == "" || known(s.vals, d.PlatformOf) {
					ask = f
					break
				}
			}
			n := s.needFact(ask)
			for _, f := range s.def.Facts {
				// A platform zenrecover settled was never a question.
				if _, ok := s.vals[f.ID]; ok {
					if p, _ := s.settledPlatform(f); p == "" {
						n.Number++
					}
				}
			}
			n.Number++
			n.Total = n.Number + len(fs) - 1
			return n, nil
		}
	}
	if why != "" {
		// Final: nothing ran, and a resume would refuse again; the run
		// must not stand in the way of a new one with other answers.
		if err := s.store.SetStatus(ctx, s.run.ID, s.token, state.RunFailed); err != nil {
			return nil, err
		}
		s.run.Status = state.RunFailed
		return nil, &RefusedError{Reason: why}
	}
	folded := state.Fold(s.events)
	applying := s.applying()
	for i, p := range applying {
		st := p.Step
		if st.Each != "" {
			n, err := s.nextTarget(ctx, st, folded, i+1, len(applying))
			if n != nil || err != nil {
				return n, err
			}
			continue
		}
		n, finished, err := s.begun(ctx, st, "", folded.Steps[st.ID])
		if err != nil || n != nil {
			return n, err
		}
		if finished {
			continue
		}
		if p.Applies == procedures.Undecided {
			return nil, fmt.Errorf("step %s: its condition %q reads a value no step has provided", st.ID, st.When)
		}
		if n := s.missingInput(st); n != nil {
			return n, nil
		}
		if n, err := s.destinationNeed(ctx, st, ""); n != nil || err != nil {
			return n, err
		}
		if n := s.hostKeyNeed(st, ""); n != nil {
			return n, nil
		}
		return s.needStep(st, "", i+1, len(applying))
	}
	if s.run.Status != state.RunCompleted {
		if err := s.store.SetStatus(ctx, s.run.ID, s.token, state.RunCompleted); err != nil {
			return nil, err
		}
		s.run.Status = state.RunCompleted
	}
	return &Done{}, nil
}

// missingInput is the first input step st needs that has no value yet
// (a secret not typed in this process, outside a dry run), or nil.
func (s *Session) missingInput(st *procedures.Step) *NeedInput {
	for _, in := range s.def.Needs(st) {
		if in.Secret() {
			if _, ok := s.secrets[in.ID]; !ok && !s.opts.DryRun && !s.opts.Guide {
				return &NeedInput{Input: in, Step: st, Again: s.resumed && s.usedBefore(in.ID), Refused: s.refused[in.ID]}
			}
		} else if _, ok := s.vals[in.ID]; !ok {
			return &NeedInput{Input: s.offered(in, st), Step: st}
		}
	}
	return nil
}

// begun looks at a step (or one target of it) that has a journal: finished,
// or in doubt or failed (a need), or neither (pending again).
func (s *Session) begun(ctx context.Context, st *procedures.Step, target string, ss *state.StepState) (n Need, finished bool, err error) {
	if ss == nil {
		return nil, false, nil
	}
	key := state.StepKey(st.ID, target)
	switch ss.Status {
	case state.StepSucceeded, state.StepConfirmed, state.StepSkipped:
		return nil, true, nil
	case state.StepInDoubt:
		n, resolved, err := s.inDoubt(ctx, st, target, ss)
		if err != nil {
			return nil, false, err
		}
		if resolved {
			return &Settled{Step: st, Key: key, Target: target, Why: n.Why, Verify: n.Verify, Started: n.Started}, false, nil
		}
		return n, false, nil
	case state.StepFailed:
		return s.needFailed(st, key, target, ss), false, nil
	}
	return nil, false, nil
}

// applying lists the actionable steps that apply, in order.
func (s *Session) applying() []procedures.PlanStep {
	var out []procedures.PlanStep
	for _, p := range s.def.Plan(s.vals) {
		if p.Applies != procedures.No && p.Step.Actionable() {
			out = append(out, p)
		}
	}
	return out
}

func outcomeError(ss *state.StepState) string {
	if ss.Outcome != nil {
		var d detail
		if json.Unmarshal([]byte(ss.Outcome.Detail), &d) == nil && d.Error != "" {
			return d.Error
		}
	}
	return "the step failed"
}

// needFact is the question for a fact, with what the machine suggests. A
// file-exists detector looks for the file of the platform the server runs
// (its per-platform path); where the machine cannot tell (guide mode: the
// server is another machine; no file named for that platform) nothing is
// suggested, so no fact that protects data (the database here, the CA
// here) is offered "no" because a file of another platform is missing.
func (s *Session) needFact(f *procedures.Fact) *NeedFact {
	n := &NeedFact{Fact: f, Suggested: f.Default}
	d := f.Detect
	if d == nil || s.opts.Guide {
		return n
	}
	if d.FileExists != "" || d.FileExistsBy.Split() {
		pl, ok := s.vals[procedures.PlatformFact]
		if !ok {
			pl, _ = s.thisPlatform()
		}
		p := d.PathFor(pl)
		if p == "" {
			n.Suggested = ""
			return n
		}
		if pl == procedures.Windows && s.opts.Lab == nil {
			x, err := procedures.ExpandEnv(p, procedures.EnvLookup(childEnviron(nil)))
			if err != nil {
				n.Suggested = "" // the installation's folder is not known: no guess
				return n
			}
			p = x
		}
		if s.opts.Lab != nil {
			p = s.opts.Lab.Rebase(p)
		}
		_, err := os.Stat(p)
		n.Suggested, n.Detected = fmt.Sprint(err == nil), true
	}
	return n
}

// settlePlatforms records, without asking, every platform fact zenrecover
// can tell (detect: platform, or platform-of a host that is the server
// the run acts on or a lab's copy of one), journaled as an answer with how
// it was known. A platform-of fact whose host is not named yet has its
// host input asked first, when the fact is needed at all; one naming a
// machine zenrecover cannot see stays a question, with nothing suggested.
func (s *Session) settlePlatforms(ctx context.Context) (Need, error) {
	for _, f := range s.def.Facts {
		d := f.Detect
		if !platformFact(f) {
			continue
		}
		if v, ok := s.vals[f.ID]; ok {
			// Given before its host was known (an answers file gives the
			// facts first): it must be what zenrecover now tells.
			if want, how := s.settledPlatform(f); want != "" && want != v {
				return nil, fmt.Errorf("%s: the answer %q cannot be right: it is %s (%s); the platform is settled, not asked", f.Question, v, want, how)
			}
			continue
		}
		p, how, ok := "", "", false
		if d.Platform {
			p, how = s.thisPlatform()
			ok = true
		} else {
			host, known := s.vals[d.PlatformOf]
			if !known {
				if in := s.def.InputByID(d.PlatformOf); in != nil && s.hostAskedNow(f) {
					return &NeedInput{Input: in, Step: s.firstReader(in.ID)}, nil
				}
				continue
			}
			p, how, ok = s.hostsPlatform(host)
		}
		if !ok {
			continue
		}
		v, err := f.CheckFact(p)
		if err != nil {
			return nil, fmt.Errorf("%s: %s runs %s (%s), which this procedure does not know: %w", f.Question, s.host, p, how, err)
		}
		if err := s.append(ctx, state.Event{Kind: state.EventAnswered, Key: f.ID, Value: v, Reason: how}); err != nil {
			return nil, err
		}
		s.vals[f.ID] = v
	}
	return nil, nil
}

// firstReader is the first step that reads the value id, for a front end
// to say what an input asked early is for; the first step when none does.
func (s *Session) firstReader(id string) *procedures.Step {
	var first, reader *procedures.Step
	s.def.Walk(func(st *procedures.Step) {
		if first == nil {
			first = st
		}
		if reader == nil && st.Actionable() && s.reads(st, id) {
			reader = st
		}
	})
	if reader != nil {
		return reader
	}
	return first
}

// settledPlatform is the value a platform fact must have when zenrecover
// can tell it: what it recorded, else what it detects now; "" when it
// cannot tell (a fact the operator answers).
func (s *Session) settledPlatform(f *procedures.Fact) (p, how string) {
	if !platformFact(f) {
		return "", ""
	}
	d := f.Detect
	for i := len(s.events) - 1; i >= 0; i-- {
		if e := s.events[i]; e.Kind == state.EventAnswered && e.Key == f.ID && e.Reason != "" {
			return e.Value, e.Reason
		}
	}
	if d.Platform {
		return s.thisPlatform()
	}
	if host, ok := s.vals[d.PlatformOf]; ok {
		if p, how, ok := s.hostsPlatform(host); ok {
			return p, how
		}
	}
	return "", ""
}

// hostsPlatform is the platform of the host a platform-of fact names, or
// of every host of a list it names when zenrecover can tell each and they
// agree (a lab's hosts); otherwise the fact is asked.
func (s *Session) hostsPlatform(value string) (p, how string, ok bool) {
	hosts := procedures.Targets(value)
	if len(hosts) <= 1 {
		return s.hostPlatform(strings.TrimSpace(value))
	}
	for _, h := range hosts {
		hp, hhow, hok := s.hostPlatform(h)
		if !hok || (p != "" && hp != p) {
			return "", "", false
		}
		p, how = hp, hhow
	}
	return p, fmt.Sprintf("%d hosts, each known: %s", len(hosts), how), true
}

// nextTarget is the first target of a fan-out step not yet done, or nil
// when every target is.
func (s *Session) nextTarget(ctx context.Context, st *procedures.Step, folded state.RunState, num, total int) (Need, error) {
	list, ok := s.vals[st.Each]
	if !ok {
		return &NeedInput{Input: s.def.InputByID(st.Each), Step: st}, nil
	}
	for _, t := range procedures.Targets(list) {
		n, finished, err := s.begun(ctx, st, t, folded.Steps[state.StepKey(st.ID, t)])
		if err != nil || n != nil {
			return n, err
		}
		if finished {
			continue
		}
		if n := s.missingInput(st); n != nil {
			return n, nil
		}
		if n := s.hostKeyNeed(st, t); n != nil {
			return n, nil
		}
		ns, err := s.needStep(st, t, num, total)
		if err == nil {
			ns.Targets, ns.TargetsDone = targetsDone(st, s.vals, folded)
		}
		return ns, err
	}
	return nil, nil
}

// targetsDone lists, for a fan-out step, which targets are finished.
func targetsDone(st *procedures.Step, vals procedures.Values, folded state.RunState) (targets []string, done map[string]bool) {
	done = map[string]bool{}
	for _, t := range procedures.Targets(vals[st.Each]) {
		targets = append(targets, t)
		if ss := folded.Steps[state.StepKey(st.ID, t)]; ss != nil && ss.Status != state.StepPending && ss.Status != state.StepFailed && ss.Status != state.StepInDoubt {
			done[t] = true
		}
	}
	return targets, done
}

// valsFor adds the target of a fan-out step to the values its texts use.
func (s *Session) valsFor(target string) procedures.Values {
	if target == "" {
		return s.vals
	}
	v := s.vals.Clone()
	v["target"] = target
	return v
}

// needStep is what the screen shows of a step (for one target): rendered
// from the step resolved once (resolve.go), never from its templates.
func (s *Session) needStep(st *procedures.Step, target string, num, total int) (*NeedStep, error) {
	r, err := s.resolve(st, target)
	if err != nil {
		return nil, err
	}
	n := &NeedStep{Step: st, Target: target, Key: r.key, Number: num, Total: total,
		Manual: st.Kind() == "manual", Destructive: st.Destructive, Condition: s.def.ConditionWords(st)}
	if st.Destructive {
		n.ConfirmWord = s.confirmWord(r)
	}
	n.Command = append([]string(nil), r.Command...)
	n.Script = r.Script
	n.Instructions = r.Instructions
	if n.Manual {
		n.Describe = r.Manual
		return n, nil
	}
	n.Host = r.host
	b, err := s.build(r, r.elsewhere)
	if err != nil {
		return nil, err
	}
	if s.opts.Guide {
		s.guideStep(n, r, b) // guide.go
		return n, nil
	}
	if r.fetch != nil && !r.elsewhere {
		n.Manual = true
		n.Command = r.fetch
		n.Describe = "The files are on " + r.Copy.FromHost + ", which this wizard cannot reach: copy them here, for example with this command."
		if r.why != "" {
			n.Describe = r.why + " " + n.Describe
		}
		return n, nil
	}
	if r.fetchOver != nil {
		n.Describe = s.masker.String(r.fetchOver.Describe())
		n.OverSSH = true
		return n, nil
	}
	if b.ByHand {
		n.Manual = true
		n.Script = r.SQL.Script
		n.Describe = "No database client (" + actions.SQLClient + ") on this machine: log into the zone database, run these statements, and check the result."
		if r.SQL.Expect != "" {
			n.Describe += " It must show " + r.SQL.Expect + "."
		}
		return n, nil
	}
	n.Describe = s.describe(r, b)
	if r.elsewhere {
		// The wizard cannot reach that machine: the operator does it there.
		n.Manual = true
		if c, ok := b.Action.(*actions.Command); ok && len(n.Command) == 0 {
			n.Command = c.Display
		}
		if c := r.Copy; c != nil && c.ToHost != "" && len(n.Command) == 0 {
			n.Command = []string{"scp", "-p", c.From, r.host + ":" + c.To}
		}
		if r.why != "" {
			n.Describe = r.why + " " + n.Describe
		}
	} else {
		n.Argv = s.commandOf(b)
		n.OverSSH = r.conn != nil
		if n.OverSSH {
			n.Describe = "over SSH " + n.Describe // "over SSH on HOST: zac ref"
		}
	}
	if n.Fleet = target != "" && s.fleetable(r); n.Fleet {
		n.AnsibleInstalled = s.AnsibleInstalled()
	}
	return n, nil
}

// hostKeyNeed is the unknown host key that stands before step st (for
// target) when it is on a host reached over SSH, or nil.
func (s *Session) hostKeyNeed(st *procedures.Step, target string) *NeedHostKey {
	if s.ssh == nil {
		return nil
	}
	r, err := s.resolve(st, target)
	if err != nil || r.hostKey == nil {
		return nil
	}
	n := &NeedHostKey{Host: r.keyHost, KeyType: r.hostKey.KeyType, Fingerprint: r.hostKey.Fingerprint,
		KnownHosts: r.hostKey.KnownHosts, Step: st, Key: r.key, Target: target, err: r.hostKey}
	if a := s.ssh.addr(r.keyHost); a != r.keyHost {
		n.Addr = a
	}
	return n
}

// Answer records the answer to a fact or an input. A secret stays in memory
// only; everything else is journaled. The error names the answer and, for
// anything but a secret, the value.
func (s *Session) Answer(ctx context.Context, id, value string) error {
	v, secret, err := s.checkAnswer(id, value)
	if err != nil {
		return err
	}
	if secret {
		s.secrets[id] = value
		s.masker.Add(value)
		s.asked[id] = true
		delete(s.refused, id)
		return nil
	}
	return s.record(ctx, id, v)
}

// checkAnswer validates an answer as Answer takes it, and returns the value
// to record (a secret is returned as typed, never to be recorded).
func (s *Session) checkAnswer(id, value string) (v string, secret bool, err error) {
	if f := s.def.FactByID(id); f != nil {
		v, err := f.CheckFact(value)
		if err != nil {
			return "", false, fmt.Errorf("%s: %w", f.Question, err)
		}
		// A platform zenrecover can tell is not the operator's to type:
		// an answers file or a correction that says otherwise is wrong.
		if want, how := s.settledPlatform(f); want != "" && v != want {
			return "", false, fmt.Errorf("%s: %q cannot be right: it is %s (%s); the platform is settled, not asked", f.Question, value, want, how)
		}
		return v, false, nil
	}
	in := s.def.InputByID(id)
	if in == nil {
		return "", false, fmt.Errorf("%q is not a fact or input of %s", id, s.def.ID)
	}
	if err := in.CheckInput(value); err != nil {
		return "", false, fmt.Errorf("%s: %w", in.Prompt, err)
	}
	if !in.Secret() && s.def.NamesFileInFolder(id) {
		vs := []string{value}
		if in.Type == "list" {
			vs = procedures.Targets(value)
		}
		for _, v := range vs {
			if procedures.LeavesFolder(strings.TrimSpace(v)) {
				return "", false, fmt.Errorf("%s: %q names a file inside a folder, so it may not contain / or \\ or start with ..", in.Prompt, strings.TrimSpace(v))
			}
		}
	}
	if in.Secret() {
		return value, true, nil
	}
	return strings.TrimSpace(value), false, nil
}

func (s *Session) record(ctx context.Context, key, value string) error {
	if err := s.append(ctx, state.Event{Kind: state.EventAnswered, Key: key, Value: value}); err != nil {
		return err
	}
	s.vals[key] = value
	return nil
}

func known(vals procedures.Values, id string) bool {
	_, ok := vals[id]
	return ok
}

// usedBefore reports whether a step that needs the input id began before
// (in this run's journal): a secret asked after a resume is then asked
// again, and the front end says why; one never needed before is simply
// asked.
func (s *Session) usedBefore(id string) bool {
	begun := map[string]bool{}
	for _, e := range s.events {
		if e.Kind == state.EventStarted || e.Kind == state.EventConfirmed {
			begun[e.Step] = true
		}
	}
	used := false
	s.def.Walk(func(st *procedures.Step) {
		if used || !begun[st.ID] {
			return
		}
		for _, in := range s.def.Needs(st) {
			if in.ID == id {
				used = true
			}
		}
	})
	return used
}

// platformFact reports a fact zenrecover settles itself (detect: platform
// or platform-of) rather than asks, when it can tell.
func platformFact(f *procedures.Fact) bool {
	d := f.Detect
	return d != nil && (d.Platform || d.PlatformOf != "")
}

// hostAskedNow reports whether the host input of the platform-of fact f is
// asked now: first, when the definition lists its platform facts first
// (1.5 names its two servers before anything else); otherwise once f is
// needed and the facts left to ask are all platforms, as the others may
// rule it out (section 5's scenario, "the only Primary Server?").
func (s *Session) hostAskedNow(f *procedures.Fact) bool {
	toAsk := s.def.FactsToAsk(s.vals)
	if !slices.ContainsFunc(toAsk, func(x *procedures.Fact) bool { return x.ID == f.ID }) {
		return false
	}
	if !slices.ContainsFunc(toAsk, func(x *procedures.Fact) bool { return !platformFact(x) }) {
		return true
	}
	for _, x := range s.def.Facts {
		if !platformFact(x) {
			return false
		}
		if x.ID == f.ID {
			return true
		}
	}
	return false
}
