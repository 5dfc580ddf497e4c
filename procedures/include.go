package procedures

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
)

// Including another procedure ("take a reliable backup of the certificate
// authority: see section 1.3") copies its steps in as substeps of the
// include step, with ids prefixed by the include step's id, so one
// definition serves every procedure that needs it and each copy is tracked
// on its own in the journal. Facts and inputs are shared by id: the
// administrator's name is asked once for the whole run. `with:` decides an
// included fact for this use (2.1 exports the CA with -d).

// link expands every include step of d, once, from the library.
func (l *Library) link(d *Definition, stack []string) error {
	if d.linked {
		return nil
	}
	if slices.Contains(stack, d.ID) {
		return &Error{File: d.File, Line: 1, Column: 1, Msg: "procedures include each other: " + strings.Join(append(stack, d.ID), " → ")}
	}
	var errs Errors
	d.Walk(func(s *Step) {
		if s.Include == "" || len(s.Steps) > 0 {
			return
		}
		inc := l.byID(s.Include)
		if inc == nil {
			errs = append(errs, d.errAt(s, "include", "include names %q, which is not a procedure id", s.Include))
			return
		}
		if err := l.link(inc, append(stack, d.ID)); err != nil {
			errs = append(errs, AsErrors(err)...)
			return
		}
		errs = append(errs, d.merge(s, inc)...)
	})
	d.parsed = nil // only errors need it, and only while linking
	if len(errs) > 0 {
		return errs
	}
	d.linked = true
	d.Hash = hashOf(d)
	return nil
}

// errAt positions an error at a step's field, parsing the file's text
// again (this only happens for a definition with a mistake), once for
// all its errors: a file with thousands of broken includes would
// otherwise be parsed thousands of times (minutes, issue 11).
func (d *Definition) errAt(s *Step, field, format string, args ...any) *Error {
	if d.parsed == nil {
		if src, err := parseSource(d.File, d.Source); err == nil {
			d.parsed = src
		}
	}
	if d.parsed != nil && s.path != "" {
		return d.parsed.errAt(s.path+"."+field, format, args...)
	}
	return &Error{File: d.File, Msg: fmt.Sprintf(format, args...)}
}

// merge brings inc's facts, inputs and steps into d under the include step s.
func (d *Definition) merge(s *Step, inc *Definition) Errors {
	var errs Errors
	for _, f := range inc.Facts {
		if _, decided := s.With[f.ID]; decided {
			continue // decided for this copy: not asked
		}
		if mine := d.FactByID(f.ID); mine != nil {
			if mine.Type != f.Type || !slices.Equal(mine.Choices, f.Choices) {
				errs = append(errs, d.errAt(s, "include", "fact %q is a %s here but a %s in %s", f.ID, mine.Type, f.Type, inc.ID))
			}
			continue
		}
		c := *f
		d.Facts = append(d.Facts, &c)
	}
	for _, in := range inc.Inputs {
		if mine := d.InputByID(in.ID); mine != nil {
			if mine.Type != in.Type {
				errs = append(errs, d.errAt(s, "include", "input %q is a %s here but a %s in %s", in.ID, mine.Type, in.Type, inc.ID))
			}
			continue
		}
		c := *in
		d.Inputs = append(d.Inputs, &c)
	}
	for k, v := range inc.Fixed {
		d.fix(k, v)
	}
	scope := map[string]any{}
	for k, v := range s.scope {
		scope[k] = v
	}
	for _, k := range sortedKeys(s.With) {
		f := inc.FactByID(k)
		if f == nil {
			errs = append(errs, d.errAt(s, "with."+k, "%s has no fact %q to decide", inc.ID, k))
			continue
		}
		v, err := f.CheckFact(s.With[k])
		if err != nil {
			errs = append(errs, d.errAt(s, "with."+k, "%s: %v", k, err))
			continue
		}
		d.fix(k, v)
		if f.Type == "bool" {
			scope[k] = v == "true"
		} else {
			scope[k] = v
		}
	}
	s.Steps = copySteps(inc.Steps, s, s.ID+"/", inc.Section, inc.Fragment, scope)
	d.included = append(d.included, inc)
	d.included = append(d.included, inc.included...)
	return errs
}

// fix notes a fact that a with: decides. Fixed keeps only the facts
// decided the same way everywhere (for checklists and reports to show);
// what each copy of a step sees is its own scope.
func (d *Definition) fix(k, v string) {
	if d.varies[k] {
		return
	}
	if d.Fixed == nil {
		d.Fixed = map[string]string{}
	}
	if prev, ok := d.Fixed[k]; ok && prev != v {
		delete(d.Fixed, k)
		if d.varies == nil {
			d.varies = map[string]bool{}
		}
		d.varies[k] = true
		return
	}
	d.Fixed[k] = v
}

// copySteps copies an included procedure's steps under parent. scope holds
// the facts the include decides; a nested include's own decisions, already
// in the original steps' scopes, win for their subtree.
func copySteps(steps []*Step, parent *Step, prefix, origin string, fragment bool, scope map[string]any) []*Step {
	out := make([]*Step, len(steps))
	for i, s := range steps {
		c := *s
		c.ID = prefix + s.ID
		c.Parent = parent
		if c.Origin == "" && !c.fragment {
			c.Origin = origin
			c.fragment = fragment
		}
		if len(scope) > 0 {
			merged := map[string]any{}
			for k, v := range scope {
				merged[k] = v
			}
			for k, v := range s.scope {
				merged[k] = v
			}
			c.scope = merged
		}
		c.Steps = copySteps(s.Steps, &c, prefix, origin, fragment, scope)
		out[i] = &c
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// bundleMark separates the definitions of a bundle. It is a YAML comment,
// so each part stays a valid definition on its own.
const bundleMark = "# ---- zenrecover: included definition ----\n"

// Bundle is the text a run records: the definition and every definition it
// includes, so that a resumed run follows exactly what it started with.
func (d *Definition) Bundle() []byte {
	if len(d.included) == 0 {
		return d.Source
	}
	var b bytes.Buffer
	b.Write(d.Source)
	seen := map[string]bool{d.ID: true}
	for _, inc := range d.included {
		if seen[inc.ID] {
			continue
		}
		seen[inc.ID] = true
		if !bytes.HasSuffix(b.Bytes(), []byte("\n")) {
			b.WriteByte('\n')
		}
		b.WriteString(bundleMark)
		b.Write(inc.Source)
	}
	return b.Bytes()
}

// ParseBundle loads what Bundle wrote: the first definition, linked with
// the others.
func ParseBundle(name string, text []byte) (*Definition, error) {
	parts := bytes.Split(text, []byte(bundleMark))
	lib := &Library{}
	var first *Definition
	for i, p := range parts {
		d, err := Parse(fmt.Sprintf("%s (part %d)", name, i+1), p)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			first = d
			d.File = name
		}
		lib.defs = append(lib.defs, d)
	}
	if err := lib.link(first, nil); err != nil {
		return nil, err
	}
	return first, nil
}

// FullRef names a step for people, with the path through the includes it
// came by: "2.1 step 11c2", "2.1 step 6a › 1.3 step 1, 2, 3",
// "2.1 step 1 › Content-Repo Directory" (a fragment's part).
func (d *Definition) FullRef(s *Step) string {
	var parts []string
	section := func(st *Step) string {
		if st.Origin != "" {
			return st.Origin
		}
		return d.Section
	}
	for x := s; x != nil; {
		inc := x.Parent
		for inc != nil && inc.Include == "" {
			inc = inc.Parent
		}
		sec := section(x)
		switch {
		case x.fragment:
			parts = append(parts, x.Ref)
		default:
			parts = append(parts, sec+" step "+x.Ref)
		}
		x = inc
	}
	slices.Reverse(parts)
	return strings.Join(parts, " › ")
}
