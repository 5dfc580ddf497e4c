package procedures

import (
	"fmt"
	"strings"
)

// Resolved is one step of a run (for one target of a fan-out) with every
// template in it expanded for the run's values: argv, host, paths, texts
// and checks, as the server names them. The runner resolves a step once
// and renders from the result what the screen shows, what the journal
// records and what the executor runs, so the three cannot drift.
//
// It holds no secret. A secret is kept by reference: an answer rule names
// its input (ResolvedAnswer.Secret), an archive or extract its passphrase
// input, and the value is filled in only when the step is executed.
//
// Where the step runs (a lab's copy of a host, a rebased path) is not in
// it: that is the executor's environment, not the step's text.
type Resolved struct {
	Step         *Step
	On           string   // the host on: names, trimmed ("" when it names none)
	Argv         []string // run:, its conditional arguments decided
	Answers      []ResolvedAnswer
	Command      []string // what the operator runs by hand elsewhere
	Script       string
	Manual       string
	Instructions string
	Check        []CheckSpec
	Verify       []CheckSpec
	Copy         *CopySpec
	EditXML      *EditXMLSpec
	Archive      *ArchiveSpec // Passphrase stays the input's id
	Extract      *ExtractSpec // Passphrase stays the input's id
	SQL          *SQLSpec
	Chown        *ChownSpec
}

// ResolvedAnswer is an answer rule of a resolved step: a fixed answer or a
// non-secret input's value, or, for a secret, the input's id only.
type ResolvedAnswer struct {
	Label  string // what it answers, for people: the input's prompt, or what the fixed answer means
	Prompt string // the regular expression, as written
	Value  string // the text typed; "" for a secret
	Secret string // the secret input whose value is typed, filled in when the step runs
	Repeat bool
}

// ResolveError is a step whose templates cannot all be expanded: a value
// one names has none yet, or a value would lead out of its folder. It
// names the step and where in it.
type ResolveError struct {
	Step  *Step
	Field string // "run", "verify", "copy.to", ...
	Err   error
}

func (e *ResolveError) Error() string {
	return fmt.Sprintf("step %s (%s), %s: %v", e.Step.Ref, e.Step.ID, e.Field, e.Err)
}

func (e *ResolveError) Unwrap() error { return e.Err }

// Resolve expands every template of step s for vals (the run's values,
// with "target" for one target of a fan-out). The first template that
// cannot be expanded is the error; nothing is half resolved.
//
// A fixed answer's value is typed as written, as it always was: the
// loader lets it name values, but no definition does, and Needs does not
// ask for them.
func (d *Definition) Resolve(s *Step, vals Values) (*Resolved, error) {
	x := &expander{step: s, vals: vals}
	r := &Resolved{Step: s}
	r.On = strings.TrimSpace(x.text("on", s.On))
	if s.Copy != nil && s.Copy.ToHost != "" {
		r.On = strings.TrimSpace(x.text("copy.to-host", s.Copy.ToHost))
	}
	if len(s.Run) > 0 {
		argv, err := d.argv(s, vals)
		if err != nil {
			return nil, &ResolveError{Step: s, Field: "run", Err: err}
		}
		r.Argv = argv
	}
	for i, a := range s.Answers {
		ra := ResolvedAnswer{Label: a.Means, Prompt: a.Prompt, Value: a.Value, Repeat: a.Repeat}
		if a.Value != "" {
			if ra.Label == "" {
				ra.Label = a.Value
			}
			r.Answers = append(r.Answers, ra)
			continue
		}
		in := d.InputByID(a.Input)
		if in == nil {
			return nil, &ResolveError{Step: s, Field: fmt.Sprintf("answers[%d]", i), Err: fmt.Errorf("%q is not an input of this procedure", a.Input)}
		}
		ra.Label = in.Prompt
		if in.Secret() {
			ra.Secret = in.ID
		} else if v, ok := vals[in.ID]; ok {
			ra.Value = v
		} else {
			return nil, &ResolveError{Step: s, Field: fmt.Sprintf("answers[%d]", i), Err: fmt.Errorf("no value yet for %s", in.ID)}
		}
		r.Answers = append(r.Answers, ra)
	}
	for i, c := range s.Command {
		r.Command = append(r.Command, x.text(fmt.Sprintf("command[%d]", i), c))
	}
	r.Script = x.text("script", s.Script)
	r.Manual = x.text("manual", s.Manual)
	r.Instructions = x.text("instructions", s.Instructions)
	if c := s.Copy; c != nil {
		r.Copy = &CopySpec{FromHost: x.text("copy.from-host", c.FromHost), ToHost: x.text("copy.to-host", c.ToHost),
			From: x.text("copy.from", c.From), To: x.text("copy.to", c.To),
			Overwrite: c.Overwrite, CreateFolder: c.CreateFolder}
	}
	if e := s.EditXML; e != nil {
		r.EditXML = &EditXMLSpec{File: x.text("edit-xml.file", e.File), Element: e.Element, Value: x.text("edit-xml.value", e.Value)}
	}
	if a := s.Archive; a != nil {
		r.Archive = &ArchiveSpec{From: x.text("archive.from", a.From), To: x.text("archive.to", a.To),
			Require: a.Require, Passphrase: a.Passphrase}
	}
	if e := s.Extract; e != nil {
		r.Extract = &ExtractSpec{From: x.text("extract.from", e.From), To: x.text("extract.to", e.To),
			Passphrase: e.Passphrase, Merge: e.Merge}
	}
	if q := s.SQL; q != nil {
		r.SQL = &SQLSpec{Script: x.text("sql.script", q.Script), Expect: x.text("sql.expect", q.Expect), OnlyIn: q.OnlyIn}
	}
	if c := s.Chown; c != nil {
		r.Chown = &ChownSpec{Owner: c.Owner}
		for i, p := range c.Paths {
			r.Chown.Paths = append(r.Chown.Paths, x.text(fmt.Sprintf("chown.paths[%d]", i), p))
		}
	}
	r.Check = x.checks("check", s.Check)
	r.Verify = x.checks("verify", s.Verify)
	if x.err != nil {
		return nil, x.err
	}
	return r, nil
}

// ResolveOn is the host a step's on: names for vals, trimmed, with a
// readable placeholder for a value not known yet: where a step will run,
// asked before all its inputs are (the newest backup offered as an
// input's default is looked for there).
func (d *Definition) ResolveOn(s *Step, vals Values) string {
	return strings.TrimSpace(ExpandOrPlaceholder(s.OnHost(), vals))
}

// expander expands a step's texts and keeps the first failure.
type expander struct {
	step *Step
	vals Values
	err  error
}

func (x *expander) text(field, t string) string {
	if t == "" || x.err != nil {
		return t
	}
	v, err := Expand(t, x.vals)
	if err != nil {
		x.err = &ResolveError{Step: x.step, Field: field, Err: err}
		return ""
	}
	return v
}

func (x *expander) checks(field string, specs []CheckSpec) []CheckSpec {
	var out []CheckSpec
	for i, c := range specs {
		f := fmt.Sprintf("%s[%d]", field, i)
		r := CheckSpec{
			FileExists:      x.text(f+".file-exists", c.FileExists),
			ArchiveComplete: x.text(f+".archive-complete", c.ArchiveComplete),
			NewerThanStart:  x.text(f+".newer-than-start", c.NewerThanStart),
			Writable:        x.text(f+".writable", c.Writable),
			AddressLocal:    x.text(f+".address-local", c.AddressLocal),
		}
		if p := c.XMLPathExists; p != nil {
			r.XMLPathExists = &XMLFileValue{File: x.text(f+".xml-path-exists.file", p.File), Element: p.Element}
		}
		if n := c.ResolvesTo; n != nil {
			r.ResolvesTo = &NameAddress{Name: x.text(f+".resolves-to.name", n.Name), Address: x.text(f+".resolves-to.address", n.Address)}
		}
		out = append(out, r)
	}
	return out
}

// Argv expands a run step's command for the values given. Conditional
// elements are dropped when their condition is false.
func (d *Definition) Argv(s *Step, vals Values) ([]string, error) {
	argv, err := d.argv(s, vals)
	if err != nil {
		return nil, fmt.Errorf("step %s: %w", s.ID, err)
	}
	return argv, nil
}

func (d *Definition) argv(s *Step, vals Values) ([]string, error) {
	env := envAt(s, d.env(vals))
	var argv []string
	for _, a := range s.Run {
		if a.cond != nil {
			ok, decided, err := a.cond.Eval(env)
			if err != nil {
				return nil, err
			}
			if !decided {
				return nil, fmt.Errorf("the argument %q depends on %s, which has no value yet", a.Value, strings.Join(a.cond.Names, ", "))
			}
			if !ok {
				continue
			}
		}
		v, err := Expand(a.Value, vals)
		if err != nil {
			return nil, err
		}
		argv = append(argv, v)
	}
	return argv, nil
}
