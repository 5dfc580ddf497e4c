package procedures

import (
	"fmt"
	"sort"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/vm"
)

// Condition is a compiled, type-checked `when:` expression.
type Condition struct {
	Source string
	Names  []string // the facts and provided values it reads
	prog   *vm.Program
}

// condError is a compile error with its place inside the expression.
type condError struct {
	line, col int // 1-based, within the expression text
	msg       string
}

func (e *condError) Error() string { return e.msg }

func compileCondition(src string, env map[string]any) (*Condition, error) {
	prog, err := expr.Compile(src, expr.Env(env), expr.AsBool(), expr.DisableAllBuiltins())
	if err != nil {
		if fe, ok := err.(*file.Error); ok {
			return nil, &condError{line: fe.Line, col: fe.Column + 1, msg: fe.Message}
		}
		return nil, &condError{line: 1, col: 1, msg: err.Error()}
	}
	root := prog.Node()
	if e := refuseLet(src, root); e != nil {
		return nil, e
	}
	c := &Condition{Source: src, prog: prog}
	seen := map[string]bool{}
	ast.Walk(&root, identVisitor(func(name string) {
		if !seen[name] {
			seen[name] = true
			c.Names = append(c.Names, name)
		}
	}))
	sort.Strings(c.Names)
	return c, nil
}

// refuseLet refuses `let x = ...; ...`: the variable it declares reads
// as a name the condition needs, which no fact provides, so the condition
// would stay undecided (or fail) when the step comes. A condition only
// reads facts and provided values.
func refuseLet(src string, root ast.Node) *condError {
	var found *condError
	ast.Walk(&root, nodeVisitor(func(n ast.Node) {
		if let, ok := n.(*ast.VariableDeclaratorNode); ok && found == nil {
			line, col := exprPosition(src, let.Location().From)
			found = &condError{line: line, col: col,
				msg: fmt.Sprintf("let %s = ... declares a variable; a condition reads facts and provided values only: write the value out where %s is used", let.Name, let.Name)}
		}
	}))
	return found
}

// exprPosition is the 1-based line and column of character offset off
// of an expression.
func exprPosition(src string, off int) (line, col int) {
	line, col = 1, 1
	for i, r := range []rune(src) {
		if i >= off {
			break
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

type nodeVisitor func(ast.Node)

func (v nodeVisitor) Visit(n *ast.Node) { v(*n) }

type identVisitor func(string)

func (v identVisitor) Visit(n *ast.Node) {
	if id, ok := (*n).(*ast.IdentifierNode); ok {
		v(id.Value)
	}
}

// Eval evaluates the condition. ok is false when a name it reads has no value
// yet (a fact not answered, a step that has not run): the caller decides
// what an undecided condition means.
func (c *Condition) Eval(env map[string]any) (result, ok bool, err error) {
	for _, n := range c.Names {
		if _, has := env[n]; !has {
			return false, false, nil
		}
	}
	out, err := expr.Run(c.prog, env)
	if err != nil {
		return false, false, fmt.Errorf("condition %q: %w", c.Source, err)
	}
	return out.(bool), true, nil
}
