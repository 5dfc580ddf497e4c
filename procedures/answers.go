package procedures

import (
	"fmt"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// ParseAnswers reads an answers file: a YAML map from fact or input id to
// its value. Secrets are refused: they come from standard input or the
// environment, never from a file that might be kept.
func ParseAnswers(name string, src []byte, d *Definition) (Values, error) {
	f, err := parser.ParseBytes(src, 0)
	if err != nil {
		return nil, Errors{yamlError(name, err)}
	}
	vals := Values{}
	if len(f.Docs) == 0 || f.Docs[0].Body == nil {
		return vals, nil
	}
	m, ok := f.Docs[0].Body.(*ast.MappingNode)
	if !ok {
		tk := f.Docs[0].Body.GetToken()
		return nil, Errors{{File: name, Line: tk.Position.Line, Column: tk.Position.Column,
			Msg: "an answers file is a map of id: value"}}
	}
	var errs Errors
	at := func(n ast.Node, format string, args ...any) {
		tk := n.GetToken()
		errs = append(errs, &Error{File: name, Line: tk.Position.Line, Column: tk.Position.Column, Msg: fmt.Sprintf(format, args...)})
	}
	for _, kv := range m.Values {
		key := kv.Key.GetToken().Value
		if key == "" {
			at(kv.Key, "an answer needs an id before its colon")
			continue
		}
		var raw any
		if err := yaml.NodeToValue(kv.Value, &raw); err != nil {
			at(kv.Value, "%s: %v", key, err)
			continue
		}
		var val string
		switch x := raw.(type) {
		case string:
			val = x
		case bool, int, int64, uint64, float64:
			val = fmt.Sprint(x)
		case nil:
			at(kv.Value, "%s has no value", key)
			continue
		default:
			at(kv.Value, "%s: the value must be a single word, number or yes/no, not a list or map", key)
			continue
		}
		if _, dup := vals[key]; dup {
			at(kv.Key, "%s is answered twice", key)
			continue
		}
		if fact := d.FactByID(key); fact != nil {
			v, err := fact.CheckFact(val)
			if err != nil {
				at(kv.Value, "%s: %v", key, err)
				continue
			}
			vals[key] = v
			continue
		}
		in := d.InputByID(key)
		switch {
		case in == nil:
			at(kv.Key, "%q is not a fact or input of procedure %s", key, d.ID)
		case in.Secret():
			at(kv.Key, "%s is a secret: give it on standard input or in ZENRECOVER_SECRET_%s, never in a file", key, upper(key))
		default:
			if err := in.CheckInput(val); err != nil {
				at(kv.Value, "%s: %v", key, err)
				continue
			}
			vals[key] = val
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return vals, nil
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}
