package procedures

import (
	"fmt"
	"strings"

	exprast "github.com/expr-lang/expr/ast"
	exprparser "github.com/expr-lang/expr/parser"
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
				switch ok, decided, err := s.cond.Eval(envAt(s, env)); {
				case err == nil && !decided && d.alwaysFalse(s.cond, envAt(s, env)):
					a = No // false whatever the facts not asked (FactsToAsk) turn out to be
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
		if a.Input != "" {
			names = append(names, a.Input)
		}
	}
	if s.Each != "" {
		names = append(names, s.Each)
	}
	add(s.Command...)
	add(s.Script, s.OnHost())
	if s.SQL != nil {
		add(s.SQL.Script, s.SQL.Expect)
	}
	if s.Chown != nil {
		add(s.Chown.Paths...)
	}
	add(s.Manual, s.Instructions)
	if s.Copy != nil {
		add(s.Copy.FromHost, s.Copy.From, s.Copy.To)
	}
	if s.EditXML != nil {
		add(s.EditXML.File, s.EditXML.Value)
	}
	if a := s.Archive; a != nil {
		add(a.From, a.To)
		if a.Passphrase != "" {
			names = append(names, a.Passphrase)
		}
	}
	if x := s.Extract; x != nil {
		add(x.From, x.To)
		if x.Passphrase != "" {
			names = append(names, x.Passphrase)
		}
	}
	for _, c := range append(append([]CheckSpec{}, s.Check...), s.Verify...) {
		add(c.FileExists, c.NewerThanStart, c.Writable, c.ArchiveComplete)
		if c.XMLPathExists != nil {
			add(c.XMLPathExists.File)
		}
		if c.ResolvesTo != nil {
			add(c.ResolvesTo.Name, c.ResolvesTo.Address)
		}
		add(c.AddressLocal)
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

// ConditionWords renders a step's condition for people: the facts'
// questions and the answers that select the step ("Only if the answer to
// “…?” is yes and …"). Paper checklists print it, so it reads the
// expression's structure rather than its text; what it cannot put in words
// it shows as written.
//
// A condition that reads only facts an enclosing include's with: decides
// (1.3's !remove_ca_role inside 2.1) is settled by the definition, not by
// the operator's answers: it has no words, rather than the expression.
//
// A condition that reads such facts among others (1.1's
// only_content_server && platform == "linux" inside a reliable backup,
// which decides only_content_server) is worded for what is left to answer.
func (d *Definition) ConditionWords(s *Step) string {
	if strings.TrimSpace(s.When) == "" || settledByInclude(s) {
		return ""
	}
	if len(s.scope) > 0 {
		if tree, err := exprparser.Parse(s.When); err == nil {
			n, v, constant := foldScope(tree.Node, s.scope)
			if constant {
				if v {
					return ""
				}
				return "Never, as this procedure includes it"
			}
			if w, ok := d.words(n, false); ok {
				return "Only if " + w
			}
		}
	}
	return d.WhenWords(s.When)
}

// foldScope replaces the names a scope decides by their values and
// simplifies what they settle: "a && b" with a true is "b". constant says
// the whole condition is settled, to v.
func foldScope(n exprast.Node, scope map[string]any) (out exprast.Node, v, constant bool) {
	switch x := n.(type) {
	case *exprast.IdentifierNode:
		if b, ok := scope[x.Value].(bool); ok {
			return n, b, true
		}
	case *exprast.UnaryNode:
		if x.Operator == "!" || x.Operator == "not" {
			if _, iv, c := foldScope(x.Node, scope); c {
				return n, !iv, true
			}
		}
	case *exprast.BinaryNode:
		switch x.Operator {
		case "&&", "and", "||", "or":
			and := x.Operator == "&&" || x.Operator == "and"
			l, lv, lc := foldScope(x.Left, scope)
			r, rv, rc := foldScope(x.Right, scope)
			switch {
			case lc && rc:
				if and {
					return n, lv && rv, true
				}
				return n, lv || rv, true
			case lc:
				if lv != and { // false && r, true || r
					return n, lv, true
				}
				return r, false, false
			case rc:
				if rv != and {
					return n, rv, true
				}
				return l, false, false
			}
			if l != x.Left || r != x.Right {
				c := *x
				c.Left, c.Right = l, r
				return &c, false, false
			}
		case "==", "!=":
			id, lit := x.Left, x.Right
			if _, ok := id.(*exprast.IdentifierNode); !ok {
				id, lit = lit, id
			}
			ident, ok1 := id.(*exprast.IdentifierNode)
			str, ok2 := lit.(*exprast.StringNode)
			if ok1 && ok2 {
				if sv, ok := scope[ident.Value].(string); ok {
					return n, (sv == str.Value) == (x.Operator == "=="), true
				}
			}
		}
	}
	return n, false, false
}

// settledByInclude reports whether every name s's condition reads is
// decided by the scope of an include.
func settledByInclude(s *Step) bool {
	if len(s.scope) == 0 {
		return false
	}
	tree, err := exprparser.Parse(s.When)
	if err != nil {
		return false
	}
	settled := true
	exprast.Find(tree.Node, func(n exprast.Node) bool {
		if id, ok := n.(*exprast.IdentifierNode); ok {
			if _, in := s.scope[id.Value]; !in {
				settled = false
			}
		}
		return false
	})
	return settled
}

// WhenWords is ConditionWords for any condition of d, such as a
// conditional argument's.
func (d *Definition) WhenWords(when string) string {
	if tree, err := exprparser.Parse(when); err == nil {
		if w, ok := d.words(tree.Node, false); ok {
			return "Only if " + w
		}
	}
	return "Only if: " + strings.TrimSpace(when)
}

// words says what n (negated when neg) asks of the answers.
func (d *Definition) words(n exprast.Node, neg bool) (string, bool) {
	switch n := n.(type) {
	case *exprast.UnaryNode:
		if n.Operator == "!" || n.Operator == "not" {
			return d.words(n.Node, !neg)
		}
	case *exprast.IdentifierNode:
		if f := d.FactByID(n.Value); f != nil && f.Type == "bool" {
			return answerIs(f, yesNo(!neg)), true
		}
		if p := d.provider(n.Value); p != nil {
			if neg {
				return fmt.Sprintf("step %s changed nothing", p.Ref), true
			}
			return fmt.Sprintf("step %s changed the file", p.Ref), true
		}
	case *exprast.BinaryNode:
		switch n.Operator {
		case "&&", "and", "||", "or":
			and := n.Operator == "&&" || n.Operator == "and"
			if neg {
				and = !and // De Morgan: "not (a and b)" is "not a, or not b"
			}
			l, ok1 := d.joined(n.Left, neg, and)
			r, ok2 := d.joined(n.Right, neg, and)
			if !ok1 || !ok2 {
				return "", false
			}
			if and {
				return l + " and " + r, true
			}
			return l + " or " + r, true
		case "==", "!=":
			if n.Operator == "!=" {
				neg = !neg
			}
			id, lit := n.Left, n.Right
			if _, ok := id.(*exprast.IdentifierNode); !ok {
				id, lit = lit, id
			}
			ident, ok := id.(*exprast.IdentifierNode)
			if !ok {
				return "", false
			}
			f := d.FactByID(ident.Value)
			if f == nil {
				return "", false
			}
			switch v := lit.(type) {
			case *exprast.IdentifierNode:
				// Two facts compared: other_primaries_platform == platform.
				g := d.FactByID(v.Value)
				if g == nil {
					return "", false
				}
				if g.Detect != nil && g.Detect.Platform {
					f, g = g, f
				}
				if f.Detect != nil && f.Detect.Platform {
					// Settled, never asked: name it for what it is.
					if neg {
						return fmt.Sprintf("the answer to “%s” is not this server's operating system", g.Question), true
					}
					return fmt.Sprintf("the answer to “%s” is this server's operating system", g.Question), true
				}
				if neg {
					return fmt.Sprintf("the answers to “%s” and “%s” differ", f.Question, g.Question), true
				}
				return fmt.Sprintf("the answers to “%s” and “%s” are the same", f.Question, g.Question), true
			case *exprast.StringNode:
				if neg {
					return answerIs(f, "not "+v.Value), true
				}
				return answerIs(f, v.Value), true
			case *exprast.BoolNode:
				if f.Type == "bool" {
					return answerIs(f, yesNo(v.Value != neg)), true
				}
			}
		case "in", "not in":
			if n.Operator == "not in" {
				neg = !neg
			}
			ident, ok := n.Left.(*exprast.IdentifierNode)
			arr, ok2 := n.Right.(*exprast.ArrayNode)
			f := d.FactByID(identName(ident))
			if !ok || !ok2 || f == nil {
				return "", false
			}
			var vals []string
			for _, e := range arr.Nodes {
				sn, ok := e.(*exprast.StringNode)
				if !ok {
					return "", false
				}
				vals = append(vals, sn.Value)
			}
			if neg {
				return answerIs(f, "none of "+strings.Join(vals, ", ")), true
			}
			return answerIs(f, strings.Join(vals, " or ")), true
		}
	}
	return "", false
}

// joined words one side of an "and" or an "or", marking a nested
// connective of the other kind so that the sentence keeps its grouping.
func (d *Definition) joined(n exprast.Node, neg, and bool) (string, bool) {
	w, ok := d.words(n, neg)
	if !ok {
		return "", false
	}
	if b, isBin := n.(*exprast.BinaryNode); isBin {
		inner := b.Operator == "&&" || b.Operator == "and"
		if b.Operator == "||" || b.Operator == "or" || inner {
			if neg {
				inner = !inner
			}
			switch {
			case and && !inner:
				return "either " + w, true
			case !and && inner:
				return "both " + w, true
			}
		}
	}
	return w, true
}

func identName(n *exprast.IdentifierNode) string {
	if n == nil {
		return ""
	}
	return n.Value
}

func answerIs(f *Fact, answer string) string {
	if f.Detect != nil && f.Detect.Platform {
		// zenrecover settles this server's platform itself, so the
		// question is never asked: name the platform instead.
		if strings.HasPrefix(answer, "none of ") || strings.HasPrefix(answer, "not ") {
			return "this server does not run " + osNames(strings.TrimPrefix(strings.TrimPrefix(answer, "none of "), "not "))
		}
		return "this server runs " + osNames(answer)
	}
	q := strings.TrimSpace(f.Question)
	if !strings.HasSuffix(q, "?") && !strings.HasSuffix(q, ")") {
		q += "?"
	}
	return fmt.Sprintf("the answer to “%s” is %s", q, answer)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
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

// osNames writes platform values as their names: "windows" is Windows.
func osNames(s string) string {
	return strings.NewReplacer("windows", "Windows", "linux", "Linux").Replace(s)
}
