package procedures

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

var (
	procIDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
	namePattern   = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)
	stepIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
	sectionRE     = regexp.MustCompile(`^[1-9](\.[0-9]+)*$`)
)

// validator collects every problem of one definition, so the author fixes
// them in one pass rather than one per run of lint.
type validator struct {
	d    *Definition
	src  *source
	errs Errors
	// names whose values exist before any step runs
	facts, inputs map[string]bool
	// provides declared anywhere, and those declared by steps already walked
	provides, provided map[string]bool
	env                map[string]any
	target             bool // ${target} may be used: inside a fan-out step
}

func (v *validator) inEach(s *Step) bool {
	for p := s.Parent; p != nil; p = p.Parent {
		if p.Each != "" {
			return true
		}
	}
	return false
}

func (v *validator) errf(path, format string, args ...any) {
	v.errs = append(v.errs, v.src.errAt(path, format, args...))
}

func validate(d *Definition, src *source) Errors {
	v := &validator{d: d, src: src, facts: map[string]bool{}, inputs: map[string]bool{},
		provides: map[string]bool{}, provided: map[string]bool{}}
	v.dropEmpty()
	d.normalizePlatformValues()
	assignPaths(d.Steps, "$.steps", nil)
	v.header()
	v.declarations()
	v.env = d.typeEnv()
	for i, r := range d.Refuse {
		p := fmt.Sprintf("$.refuse[%d]", i)
		if strings.TrimSpace(r.Reason) == "" {
			v.errf(p, "a refusal needs a reason the operator can act on")
		}
		if r.When == "" {
			v.errf(p, "a refusal needs when:")
			continue
		}
		if r.cond = v.condition(r.When, p+".when"); r.cond != nil {
			for _, n := range r.cond.Names {
				if v.provides[n] {
					v.errf(p+".when", "a refusal is decided before any step runs; %q is provided by a step", n)
				}
			}
		}
	}
	seen := map[string]string{}
	v.steps(d.Steps, "$.steps", nil, seen)
	if len(d.Steps) == 0 {
		v.errf("$", "a procedure needs at least one step")
	}
	slices.SortStableFunc(v.errs, func(a, b *Error) int {
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return a.Column - b.Column
	})
	return v.errs
}

// dropEmpty reports list entries that are empty ("-" with nothing after
// it) and removes them, so the checks after it see only real entries.
func (v *validator) dropEmpty() {
	d := v.d
	d.Facts = dropNil(d.Facts, func(i int) { v.errf(fmt.Sprintf("$.facts[%d]", i), "an empty fact") })
	d.Inputs = dropNil(d.Inputs, func(i int) { v.errf(fmt.Sprintf("$.inputs[%d]", i), "an empty input") })
	d.Refuse = dropNil(d.Refuse, func(i int) { v.errf(fmt.Sprintf("$.refuse[%d]", i), "an empty refusal") })
	var steps func([]*Step, string) []*Step
	steps = func(ss []*Step, path string) []*Step {
		ss = dropNil(ss, func(i int) { v.errf(fmt.Sprintf("%s[%d]", path, i), "an empty step") })
		for i, s := range ss {
			s.Steps = steps(s.Steps, fmt.Sprintf("%s[%d].steps", path, i))
		}
		return ss
	}
	d.Steps = steps(d.Steps, "$.steps")
}

func dropNil[T any](xs []*T, report func(int)) []*T {
	out := xs[:0]
	for i, x := range xs {
		if x == nil {
			report(i)
			continue
		}
		out = append(out, x)
	}
	return out
}

func (v *validator) header() {
	d := v.d
	if !procIDPattern.MatchString(d.ID) {
		v.errf("$.id", "id %q must be lower-case letters, digits and dashes", d.ID)
	}
	if strings.TrimSpace(d.Title) == "" {
		v.errf("$.title", "title is missing")
	}
	if d.Fragment {
		if d.Section != "" {
			v.errf("$.section", "a fragment is only included, so it has no section of its own")
		}
	} else if !sectionRE.MatchString(d.Section) {
		v.errf("$.section", "section %q must be the reference's section number, like \"1.1\" or \"3.2.1\"", d.Section)
	}
	if strings.TrimSpace(d.Summary) == "" {
		v.errf("$.summary", "summary is missing")
	}
	for i, p := range d.Platforms {
		if p != "linux" && p != "windows" {
			v.errf(fmt.Sprintf("$.platforms[%d]", i), "platform %q is not linux or windows", p)
		}
	}
	v.notes(d.Notes, "$.notes")
}

func (v *validator) notes(ns []Note, path string) {
	for i, n := range ns {
		p := fmt.Sprintf("%s[%d]", path, i)
		switch n.Kind {
		case "important", "warning", "note":
		default:
			v.errf(p+".kind", "note kind %q is not important, warning or note", n.Kind)
		}
		if strings.TrimSpace(n.Text) == "" {
			v.errf(p, "note has no text")
		}
		v.shown(n.Text, p+".text")
	}
}

func (v *validator) declarations() {
	d := v.d
	for i, f := range d.Facts {
		p := fmt.Sprintf("$.facts[%d]", i)
		if !namePattern.MatchString(f.ID) {
			v.errf(p+".id", "fact id %q must be lower-case letters, digits and underscores", f.ID)
		} else if v.facts[f.ID] {
			v.errf(p+".id", "fact %q is declared twice", f.ID)
		}
		v.facts[f.ID] = true
		if strings.TrimSpace(f.Question) == "" {
			v.errf(p, "fact %q has no question", f.ID)
		}
		switch f.Type {
		case "bool", "string":
		case "choice":
			if len(f.Choices) < 2 {
				v.errf(p, "choice fact %q needs at least two choices", f.ID)
			}
		default:
			v.errf(p+".type", "fact type %q is not bool, choice or string", f.Type)
		}
		if f.Default != "" {
			if _, err := f.CheckFact(f.Default); err != nil {
				v.errf(p+".default", "default of %q: %v", f.ID, err)
			}
		}
		if f.Detect != nil {
			if f.Detect.Platform && !(f.Type == "choice" && slices.Contains(f.Choices, "linux")) {
				v.errf(p+".detect", "detect: platform needs a choice fact with the choice linux")
			}
			if (f.Detect.FileExists != "" || f.Detect.FileExistsBy.Split()) && f.Type != "bool" {
				v.errf(p+".detect", "detect: file-exists needs a bool fact")
			}
			if f.Detect.PlatformOf != "" && !f.IsPlatformFact() {
				v.errf(p+".detect.platform-of", "detect: platform-of needs a choice fact of linux and windows whose id ends in _platform")
			}
		}
	}
	// A value given per platform is picked by a platform fact of this same
	// file, so that the file reads, lints and runs on its own.
	platformFact := func(id, path, what string) {
		f := d.FactByID(id)
		switch {
		case f == nil:
			v.errf(path, "%s is given per platform, so the procedure needs the fact %q (a choice of linux and windows) to pick it", what, id)
		case !f.IsPlatformFact():
			v.errf(path, "%s is given per platform, picked by %q, which is not a choice fact of linux and windows", what, id)
		}
	}
	for i, f := range d.Facts {
		if f.Detect != nil && f.Detect.FileExistsBy.Split() {
			platformFact(PlatformFact, fmt.Sprintf("$.facts[%d].detect.file-exists", i), "the file "+f.ID+" looks for")
		}
	}
	for i, in := range d.Inputs {
		p := fmt.Sprintf("$.inputs[%d]", i)
		if !namePattern.MatchString(in.ID) {
			v.errf(p+".id", "input id %q must be lower-case letters, digits and underscores", in.ID)
		} else if v.facts[in.ID] || v.inputs[in.ID] {
			v.errf(p+".id", "%q is declared twice (facts and inputs share one namespace)", in.ID)
		}
		v.inputs[in.ID] = true
		if strings.TrimSpace(in.Prompt) == "" {
			v.errf(p, "input %q has no prompt", in.ID)
		}
		switch in.Type {
		case "string", "path", "list":
			if in.New || in.Escrow {
				v.errf(p, "new and escrow are for secret inputs only")
			}
		case "secret":
			if in.Default != "" || in.Defaults.Split() {
				v.errf(p+".default", "a secret input cannot have a default")
			}
		default:
			v.errf(p+".type", "input type %q is not string, path, list or secret", in.Type)
		}
		if !in.Secret() {
			for _, def := range append([]string{in.Default}, in.Defaults.All()...) {
				if def == "" {
					continue
				}
				if err := in.CheckInput(def); err != nil {
					v.errf(p+".default", "default of %q: %v", in.ID, err)
				}
				v.defaultRefs(in, def, p+".default")
			}
		}
		switch {
		case in.Defaults.Split():
			platformFact(in.DefaultPlatformFact(), p+".default", "the default of "+in.ID)
		case in.PlatformFact != "":
			v.errf(p+".platform-fact", "platform-fact picks a default given per platform, and the default of %q is one text", in.ID)
		}
	}
	for i, f := range d.Facts {
		if f.Detect == nil || f.Detect.PlatformOf == "" {
			continue
		}
		of := f.Detect.PlatformOf
		in, other := d.InputByID(of), d.FactByID(of)
		switch {
		case in != nil && (in.Type == "string" || in.Type == "list"), other != nil && other.Type == "string":
		default:
			v.errf(fmt.Sprintf("$.facts[%d].detect.platform-of", i), "platform-of names %q, which is not a string input or fact holding a host name, nor a list input of hosts", of)
		}
	}
	d.Walk(func(s *Step) {
		if s.Provides == "" {
			return
		}
		if !namePattern.MatchString(s.Provides) || v.facts[s.Provides] || v.inputs[s.Provides] || v.provides[s.Provides] {
			v.errf(s.path+".provides", "provides %q must be a new name of lower-case letters, digits and underscores", s.Provides)
		}
		v.provides[s.Provides] = true
	})
}

// steps checks a list of steps in order. conds holds the ancestors'
// conditions, which also gate these steps.
func assignPaths(steps []*Step, path string, parent *Step) {
	for i, s := range steps {
		s.path = fmt.Sprintf("%s[%d]", path, i)
		s.Parent = parent
		assignPaths(s.Steps, s.path+".steps", s)
	}
}

func (v *validator) steps(steps []*Step, path string, parent *Step, seen map[string]string) {
	for _, s := range steps {
		p := s.path
		v.step(s, p, seen)
		if s.Provides != "" {
			v.provided[s.Provides] = true
		}
	}
}

func (v *validator) step(s *Step, p string, seen map[string]string) {
	v.target = s.Each != "" || v.inEach(s)
	if !stepIDPattern.MatchString(s.ID) {
		v.errf(p+".id", "step id %q must be letters, digits, dots, dashes or underscores", s.ID)
	} else if prev, dup := seen[s.ID]; dup {
		line, _ := v.src.at(prev)
		v.errf(p+".id", "step id %q is already used at line %d", s.ID, line)
	}
	seen[s.ID] = p + ".id"
	if strings.TrimSpace(s.Ref) == "" {
		v.errf(p, "step %q has no ref to the reference's step number", s.ID)
	}
	if strings.TrimSpace(s.Title) == "" {
		v.errf(p, "step %q has no title", s.ID)
	}
	v.notes(s.Notes, p+".notes")
	v.shown(s.Instructions, p+".instructions")
	v.shown(s.Title, p+".title")

	kinds := 0
	for _, has := range []bool{len(s.Run) > 0, s.Manual != "", len(s.Check) > 0, s.Copy != nil, s.EditXML != nil, s.Include != "", s.Archive != nil, s.Extract != nil, s.SQL != nil, s.Chown != nil} {
		if has {
			kinds++
		}
	}
	switch {
	case kinds > 1:
		v.errf(p, "step %q does more than one thing: choose one of run, manual, check, copy, edit-xml, archive, extract, sql, chown, include", s.ID)
	case kinds == 1 && len(s.Steps) > 0:
		v.errf(p+".steps", "step %q has an action and substeps: make the action a substep", s.ID)
	case kinds == 0 && len(s.Steps) == 0:
		v.errf(p, "step %q does nothing: give it run, manual, check, copy, edit-xml, archive, extract, sql, chown, include or substeps", s.ID)
	}
	if len(s.With) > 0 && s.Include == "" {
		v.errf(p+".with", "with: goes with include:")
	}
	if s.Include != "" && (s.Destructive || s.Idempotent || len(s.Verify) > 0) {
		v.errf(p, "an include step takes its behaviour from the included procedure's steps")
	}
	if (s.Destructive || s.Idempotent) && (kinds == 0 || s.Include != "") {
		v.errf(p, "destructive and idempotent describe an action; step %q has none", s.ID)
	}
	if s.Provides != "" && s.EditXML == nil {
		v.errf(p+".provides", "only an edit-xml step can provide a value (whether it changed the file)")
	}

	if s.When != "" {
		s.cond = v.condition(s.When, p+".when")
	}
	v.never(s, p)

	for i, a := range s.Run {
		ap := fmt.Sprintf("%s.run[%d]", p, i)
		v.argText(a.Value, ap)
		if a.When != "" {
			s.Run[i].cond = v.condition(a.When, ap+".when")
		}
	}
	argv := make([]string, len(s.Run))
	for i, a := range s.Run {
		argv[i] = a.Value
	}
	v.shellSubstitution(argv, func(i int) string { return fmt.Sprintf("%s.run[%d]", p, i) })
	v.shellSubstitution(s.Command, func(i int) string { return fmt.Sprintf("%s.command[%d]", p, i) })
	if len(s.Run) > 0 && s.Run[0].When != "" {
		v.errf(p+".run[0]", "the command name cannot be conditional")
	}
	if len(s.Answers) > 0 && len(s.Run) == 0 {
		v.errf(p+".answers", "answers are for run steps")
	}
	for i, a := range s.Answers {
		ap := fmt.Sprintf("%s.answers[%d]", p, i)
		if _, err := regexp.Compile(a.Prompt); err != nil || a.Prompt == "" {
			v.errf(ap+".prompt", "prompt %q is not a regular expression: %v", a.Prompt, err)
		}
		switch {
		case a.Value != "" && a.Input != "":
			v.errf(ap, "an answer is an input or a fixed value, not both")
		case a.Value != "":
			v.shown(a.Value, ap+".value")
		case !v.inputs[a.Input]:
			v.errf(ap+".input", "answer names %q, which is not an input of this procedure", a.Input)
		}
	}
	if s.Each != "" {
		if in := v.d.InputByID(s.Each); in == nil || in.Type != "list" {
			v.errf(p+".each", "each names %q, which is not a list input of this procedure", s.Each)
		}
		if s.Manual == "" && !strings.Contains(s.OnHost(), "${target}") {
			v.errf(p+".each", "a fanned-out step is done on each target: give it manual: (and command: to show what to run there), or an action with on: ${target}")
		}
	}
	if s.On != "" {
		v.argText(s.On, p+".on")
		if kinds == 0 || s.Include != "" {
			v.errf(p+".on", "on: says where an action is done; step %q has none", s.ID)
		}
	}
	if len(s.Command) > 0 && s.Manual == "" {
		v.errf(p+".command", "command: shows what the operator runs by hand; it goes with manual:")
	}
	if s.Script != "" && s.Manual == "" {
		v.errf(p+".script", "script: shows what the operator types by hand; it goes with manual:")
	}
	v.shown(s.Script, p+".script")
	for i, c := range s.Command {
		v.argText(c, fmt.Sprintf("%s.command[%d]", p, i))
	}
	v.shown(s.Manual, p+".manual")
	if s.Copy != nil {
		if s.Copy.FromHost != "" {
			v.argText(s.Copy.FromHost, p+".copy.from-host")
		}
		if s.Copy.ToHost != "" {
			v.argText(s.Copy.ToHost, p+".copy.to-host")
			switch {
			case s.On != "":
				v.errf(p+".copy.to-host", "a copy sent to another host is done there: give to-host or on:, not both")
			case s.Copy.FromHost != "":
				v.errf(p+".copy.to-host", "a copy goes from another host (from-host) or to another host (to-host), not both")
			}
		}
		v.path(s.Copy.From, p+".copy.from")
		v.path(s.Copy.To, p+".copy.to")
	}
	if s.EditXML != nil {
		v.path(s.EditXML.File, p+".edit-xml.file")
		v.shown(s.EditXML.Value, p+".edit-xml.value")
		if s.EditXML.Element == "" || s.EditXML.Value == "" {
			v.errf(p+".edit-xml", "edit-xml needs file, element and value")
		}
	}
	if a := s.Archive; a != nil {
		v.path(a.From, p+".archive.from")
		v.path(a.To, p+".archive.to")
		v.secretRef(a.Passphrase, p+".archive.passphrase")
	}
	if x := s.Extract; x != nil {
		v.path(x.From, p+".extract.from")
		v.path(x.To, p+".extract.to")
		v.secretRef(x.Passphrase, p+".extract.passphrase")
	}
	if q := s.SQL; q != nil {
		if strings.TrimSpace(q.Script) == "" {
			v.errf(p+".sql", "sql needs a script: the statements, exactly as the reference gives them")
		}
		v.shown(q.Script, p+".sql.script")
		v.shown(q.Expect, p+".sql.expect")
		if q.OnlyIn != "" && q.Expect == "" {
			v.errf(p+".sql.only-in-rows-with", "only-in-rows-with makes expect exclusive: give expect too")
		}
	}
	if c := s.Chown; c != nil {
		u, g, ok := strings.Cut(c.Owner, ":")
		if !ok || u == "" || g == "" {
			v.errf(p+".chown.owner", "owner %q must be user:group, as chown takes it", c.Owner)
		}
		if len(c.Paths) == 0 {
			v.errf(p+".chown", "chown needs paths")
		}
		for i, x := range c.Paths {
			v.path(x, fmt.Sprintf("%s.chown.paths[%d]", p, i))
		}
	}
	v.checks(s.Check, p+".check")
	for i, c := range s.Check {
		if c.NewerThanStart != "" {
			v.errf(fmt.Sprintf("%s.check[%d]", p, i), "newer-than-start belongs in verify: a check step changes nothing, so no file can be newer than it")
		}
	}
	v.checks(s.Verify, p+".verify")
	v.creates(s, p)
	if len(s.Verify) > 0 && (kinds == 0 || s.Include != "") {
		v.errf(p+".verify", "verify checks belong to a step with an action")
	}

	v.steps(s.Steps, p+".steps", s, seen)
}

func (v *validator) checks(cs []CheckSpec, path string) {
	for i, c := range cs {
		p := fmt.Sprintf("%s[%d]", path, i)
		n := 0
		for _, x := range []string{c.FileExists, c.NewerThanStart, c.Writable, c.ArchiveComplete} {
			if x != "" {
				n++
				v.path(x, p)
			}
		}
		if c.XMLPathExists != nil {
			n++
			v.path(c.XMLPathExists.File, p+".xml-path-exists.file")
			if c.XMLPathExists.Element == "" {
				v.errf(p+".xml-path-exists", "xml-path-exists needs an element")
			}
		}
		if r := c.ResolvesTo; r != nil {
			n++
			if r.Name == "" || r.Address == "" {
				v.errf(p+".resolves-to", "resolves-to needs a name and an address")
			}
			v.argText(r.Name, p+".resolves-to.name")
			v.argText(r.Address, p+".resolves-to.address")
		}
		if c.AddressLocal != "" {
			n++
			v.argText(c.AddressLocal, p+".address-local")
		}
		if n != 1 {
			v.errf(p, "a check is exactly one of file-exists, newer-than-start, writable, xml-path-exists, archive-complete, resolves-to, address-local")
		}
	}
}

// condition compiles a `when:` and maps a compile error's place inside the
// expression onto the file.
func (v *validator) condition(src, path string) *Condition {
	c, err := compileCondition(src, v.env)
	if err != nil {
		ce := err.(*condError)
		line, col := v.src.at(path)
		if ce.line > 1 {
			line += ce.line - 1
			col = ce.col
		} else {
			col += ce.col - 1
		}
		msg := ce.msg
		if strings.HasPrefix(msg, "unknown name") {
			msg += " (not a fact of this procedure, nor a value a step provides)"
		}
		v.errs = append(v.errs, &Error{File: v.src.name, Line: line, Column: col, Msg: "condition: " + msg})
		return nil
	}
	for _, n := range c.Names {
		if v.provides[n] && !v.provided[n] {
			v.errf(path, "condition reads %q before the step that provides it has run", n)
		}
	}
	return c
}

// secretRef checks that an action's passphrase names a secret input: the
// value reaches the action in memory, never a command line.
func (v *validator) secretRef(id, path string) {
	if id == "" {
		return
	}
	if in := v.d.InputByID(id); in == nil || !in.Secret() {
		v.errf(path, "passphrase names %q, which is not a secret input of this procedure", id)
	}
}

// argText checks an argv element: it may name facts and non-secret inputs.
func (v *validator) argText(s, path string) {
	v.refs(s, path, "an argument (every process on the machine can read argv)")
}

func (v *validator) path(s, path string) {
	if s == "" {
		v.errf(path, "a path is needed")
		return
	}
	v.refs(s, path, "a path")
}

func (v *validator) shown(s, path string) {
	v.refs(s, path, "text that is shown and printed")
}

func (v *validator) refs(s, path, where string) {
	for _, name := range templateRefs(s) {
		switch {
		case strings.Contains(name, "."):
			if err := refRunValue(name); err != nil {
				v.errf(path, "%v", err)
			}
		case name == "target":
			if !v.target {
				v.errf(path, "${target} names the target of a fan-out step (each:); this step has none")
			}
		case v.inputs[name]:
			if v.d.InputByID(name).Secret() {
				v.errf(path, "secret input %q used in %s: a secret may only answer a prompt", name, where)
			}
		case v.facts[name]:
		case v.provides[name]:
			v.errf(path, "${%s} is a yes/no a step provides; it can be tested in when:, not substituted", name)
		default:
			v.errf(path, "${%s} is not a fact or input of this procedure", name)
		}
	}
}

// never reports a step whose own and inherited conditions cannot all be true
// for any answers to the yes/no and choice facts they read.
func (v *validator) never(s *Step, p string) {
	var conds []*Condition
	for x := s; x != nil; x = x.Parent {
		if x.cond != nil {
			conds = append(conds, x.cond)
		}
	}
	if s.cond == nil || len(conds) == 0 {
		return
	}
	domains := map[string][]any{}
	for _, c := range conds {
		for _, n := range c.Names {
			f := v.d.FactByID(n)
			switch {
			case f != nil && f.Type == "bool", f == nil && v.provides[n]:
				domains[n] = []any{false, true}
			case f != nil && f.Type == "choice":
				dom := make([]any, len(f.Choices))
				for i, c := range f.Choices {
					dom[i] = c
				}
				domains[n] = dom
			default:
				return // a free-text fact: cannot enumerate
			}
		}
	}
	names := make([]string, 0, len(domains))
	total := 1
	for n, d := range domains {
		names = append(names, n)
		total *= len(d)
		if total > 1<<12 {
			return
		}
	}
	slices.Sort(names)
	for i := 0; i < total; i++ {
		env := map[string]any{}
		k := i
		for _, n := range names {
			d := domains[n]
			env[n] = d[k%len(d)]
			k /= len(d)
		}
		all := true
		for _, c := range conds {
			if ok, _, err := c.Eval(env); err != nil || !ok {
				all = false
				break
			}
		}
		if all {
			return
		}
	}
	if len(conds) > 1 {
		v.errf(p+".when", "this condition can never be true together with the conditions of the steps it is under")
	} else {
		v.errf(p+".when", "this condition can never be true, whatever the answers")
	}
}
