package procedures

import (
	"fmt"
	"strings"
)

// Applies says whether a step is part of the plan.
type Applies int

const (
	Yes       Applies = iota
	No                // its condition (or an enclosing step's) is false
	Undecided         // it reads a value that is not known yet
)

// PlanStep is one step of a plan, in reference order.
type PlanStep struct {
	Step    *Step
	Depth   int
	Applies Applies
}

// Plan decides which steps apply for the values known so far. A value that
// a step provides counts as "no" once that step is known not to apply, so
// the steps after it can be decided.
func (d *Definition) Plan(vals Values) []PlanStep {
	env := d.env(vals)
	var out []PlanStep
	var walk func(steps []*Step, depth int, parent Applies)
	walk = func(steps []*Step, depth int, parent Applies) {
		for _, s := range steps {
			a := parent
			if a == Yes && s.cond != nil {
				switch ok, decided, err := s.cond.Eval(env); {
				case err != nil || !decided:
					a = Undecided
				case !ok:
					a = No
				}
			}
			if a == No && s.Provides != "" {
				env[s.Provides] = false
			}
			out = append(out, PlanStep{Step: s, Depth: depth, Applies: a})
			walk(s.Steps, depth+1, a)
		}
	}
	walk(d.Steps, 0, Yes)
	return out
}

// Needs lists the inputs a step's action uses, in first-use order: the
// engine asks for them just before the step runs.
func (d *Definition) Needs(s *Step) []*Input {
	var names []string
	add := func(texts ...string) {
		for _, t := range texts {
			names = append(names, templateRefs(t)...)
		}
	}
	for _, a := range s.Run {
		add(a.Value)
	}
	for _, a := range s.Answers {
		names = append(names, a.Input)
	}
	add(s.Manual, s.Instructions)
	if s.Copy != nil {
		add(s.Copy.From, s.Copy.To)
	}
	if s.EditXML != nil {
		add(s.EditXML.File, s.EditXML.Value)
	}
	for _, c := range append(append([]CheckSpec{}, s.Check...), s.Verify...) {
		add(c.FileExists, c.NewerThanStart, c.Writable)
		if c.XMLPathExists != nil {
			add(c.XMLPathExists.File)
		}
	}
	var out []*Input
	seen := map[string]bool{}
	for _, n := range names {
		if in := d.InputByID(n); in != nil && !seen[n] {
			seen[n] = true
			out = append(out, in)
		}
	}
	return out
}

// Argv expands a run step's command for the values given. Conditional
// elements are dropped when their condition is false.
func (d *Definition) Argv(s *Step, vals Values) ([]string, error) {
	env := d.env(vals)
	var argv []string
	for _, a := range s.Run {
		if a.cond != nil {
			ok, decided, err := a.cond.Eval(env)
			if err != nil {
				return nil, err
			}
			if !decided {
				return nil, fmt.Errorf("step %s: the argument %q depends on %s, which has no value yet", s.ID, a.Value, strings.Join(a.cond.Names, ", "))
			}
			if !ok {
				continue
			}
		}
		v, err := Expand(a.Value, vals)
		if err != nil {
			return nil, fmt.Errorf("step %s: %w", s.ID, err)
		}
		argv = append(argv, v)
	}
	return argv, nil
}

// ConditionWords renders a step's condition for people: the fact's question
// and the answer that selects the step, where the condition is that simple.
func (d *Definition) ConditionWords(s *Step) string {
	if s.When == "" {
		return ""
	}
	w := strings.TrimSpace(s.When)
	neg := false
	if strings.HasPrefix(w, "!") {
		neg, w = true, strings.TrimSpace(w[1:])
	} else if strings.HasPrefix(w, "not ") {
		neg, w = true, strings.TrimSpace(w[4:])
	}
	if f := d.FactByID(w); f != nil && f.Type == "bool" {
		ans := "yes"
		if neg {
			ans = "no"
		}
		return fmt.Sprintf("Only if the answer to “%s” is %s", strings.TrimSuffix(f.Question, "?")+"?", ans)
	}
	if parts := strings.SplitN(w, "==", 2); len(parts) == 2 && !neg {
		name := strings.TrimSpace(parts[0])
		val := strings.Trim(strings.TrimSpace(parts[1]), `"'`)
		if f := d.FactByID(name); f != nil {
			return fmt.Sprintf("Only if the answer to “%s” is %s", strings.TrimSuffix(f.Question, "?")+"?", val)
		}
	}
	if s.cond != nil && len(s.cond.Names) == 1 {
		if p := d.provider(s.cond.Names[0]); p != nil {
			if neg {
				return fmt.Sprintf("Only if step %s changed nothing", p.Ref)
			}
			return fmt.Sprintf("Only if step %s changed the file", p.Ref)
		}
	}
	return "Only if: " + s.When
}

func (d *Definition) provider(name string) *Step {
	var p *Step
	d.Walk(func(s *Step) {
		if s.Provides == name {
			p = s
		}
	})
	return p
}
