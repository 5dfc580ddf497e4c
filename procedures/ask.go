package procedures

import "slices"

// Which facts a run asks. Facts are asked first, so the operator sees the
// whole plan; but a fact whose every reader lies on a branch the answers
// so far have left (another scenario of section 5, whose included
// procedure brings its own questions) changes nothing, and asking it
// would make the operator, or an answers file, decide what does not
// apply. A front end walks FactsToAsk instead of Facts.

// maxUnknown bounds the unanswered names a condition is tried with (every
// combination of their values): beyond it, the condition counts as
// possibly true.
const maxUnknown = 6

// FactsToAsk lists, in definition order, the facts without an answer in
// vals that the run still needs: every one unless Asks says otherwise.
func (d *Definition) FactsToAsk(vals Values) []*Fact {
	var out []*Fact
	for _, f := range d.Facts {
		if _, ok := vals[f.ID]; !ok && d.Asks(f, vals) {
			out = append(out, f)
		}
	}
	return out
}

// Asks reports whether fact f must be answered, given the answers so far.
// It need not when it has readers (steps whose condition, a conditional
// argument's, or a text names it) and each of them is ruled out: its
// condition, or an enclosing step's, is false whatever the facts not yet
// answered turn out to be. A fact a refusal reads is always asked, and so
// is a fact nothing reads (it may matter to the operator).
func (d *Definition) Asks(f *Fact, vals Values) bool {
	for _, r := range d.Refuse {
		if r.cond != nil && slices.Contains(r.cond.Names, f.ID) {
			return true
		}
	}
	env := d.env(vals)
	read, needed := false, false
	d.Walk(func(s *Step) {
		if needed || !s.reads(f.ID) {
			return
		}
		read = true
		if !d.ruledOut(s, env) {
			needed = true
		}
	})
	return needed || !read
}

// reads reports whether s itself reads the fact id (its enclosing steps
// are ruledOut's business); a name an include's with: decides is not the
// run's fact.
func (s *Step) reads(id string) bool {
	if _, decided := s.scope[id]; decided {
		return false
	}
	if s.cond != nil && slices.Contains(s.cond.Names, id) {
		return true
	}
	for _, a := range s.Run {
		if a.cond != nil && slices.Contains(a.cond.Names, id) {
			return true
		}
	}
	for _, t := range s.texts() {
		if slices.Contains(templateRefs(t), id) {
			return true
		}
	}
	return false
}

// texts are the step's own texts that may name a value.
func (s *Step) texts() []string {
	out := []string{s.Title, s.Instructions, s.Manual, s.Script, s.OnHost(), s.Creates}
	for _, n := range s.Notes {
		out = append(out, n.Text)
	}
	for _, a := range s.Run {
		out = append(out, a.Value)
	}
	out = append(out, s.Command...)
	return out
}

// ruledOut reports whether s cannot apply: its condition or an enclosing
// step's is false for every value the names it reads may still take.
func (d *Definition) ruledOut(s *Step, env map[string]any) bool {
	for p := s; p != nil; p = p.Parent {
		if p.cond != nil && d.alwaysFalse(p.cond, envAt(p, env)) {
			return true
		}
	}
	return false
}

// alwaysFalse reports whether c is false for every value of the names it
// reads that env has no value for: yes and no for a yes/no fact or a
// provided value, each choice of a choice fact. A name of another kind,
// or too many unknown names, and c may be true.
func (d *Definition) alwaysFalse(c *Condition, env map[string]any) bool {
	type unknown struct {
		name   string
		values []any
	}
	var unknowns []unknown
	for _, n := range c.Names {
		if _, ok := env[n]; ok {
			continue
		}
		switch f := d.FactByID(n); {
		case f != nil && f.Type == "bool", f == nil && d.provider(n) != nil:
			unknowns = append(unknowns, unknown{n, []any{true, false}})
		case f != nil && f.Type == "choice":
			vs := make([]any, len(f.Choices))
			for i, ch := range f.Choices {
				vs[i] = ch
			}
			unknowns = append(unknowns, unknown{n, vs})
		default:
			return false
		}
	}
	if len(unknowns) > maxUnknown {
		return false
	}
	try := make(map[string]any, len(env)+len(unknowns))
	for k, v := range env {
		try[k] = v
	}
	var walk func(i int) bool // true when some combination makes c true
	walk = func(i int) bool {
		if i == len(unknowns) {
			ok, decided, err := c.Eval(try)
			return err != nil || !decided || ok
		}
		for _, v := range unknowns[i].values {
			try[unknowns[i].name] = v
			if walk(i + 1) {
				return true
			}
		}
		return false
	}
	return !walk(0)
}
