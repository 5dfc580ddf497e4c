package procedures

import (
	"fmt"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
)

// ParseAnswers reads an answers file: a YAML map from fact or input id to
// its value. Secrets are refused: they come from standard input or the
// environment, never from a file that might be kept.
//
// The file is read within the limits of every YAML file (guard.go), and
// nothing of a file that does not look like an answers file is quoted: a
// key is named only if it looks like an id (lower-case letters, digits,
// underscores), so `--answers /etc/shadow` prints no line of it.
func ParseAnswers(name string, src []byte, d *Definition) (Values, error) {
	f, err := parseGuarded(name, src)
	if err != nil {
		return nil, err
	}
	if e := oneDocument(name, f, "an answers file"); e != nil {
		return nil, Errors{e}
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
	anyID := len(m.Values) == 0
	for _, kv := range m.Values {
		anyID = anyID || namePattern.MatchString(kv.Key.GetToken().Value)
	}
	if !anyID {
		return nil, Errors{{File: name, Line: 1, Column: 1,
			Msg: "is not an answers file: none of its keys is an id of a fact or input (nothing of it is shown)"}}
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
		if !namePattern.MatchString(key) {
			at(kv.Key, "this key is not an id of a fact or input (lower-case letters, digits and underscores; the key is not shown, in case the file is not an answers file)")
			continue
		}
		var raw any
		if err := yaml.NodeToValue(kv.Value, &raw); err != nil {
			at(kv.Value, "%s: %s", key, yamlError(name, err).Msg)
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
		case []any:
			// A list input (host names) may be a YAML list as well as
			// one string separated by commas: it is joined as typed.
			in := d.InputByID(key)
			if in == nil || in.Type != "list" {
				at(kv.Value, "%s: the value must be a single word, number or yes/no, not a list (only a list input, such as a list of host names, takes one)", key)
				continue
			}
			items, ok := listItems(x)
			if !ok {
				at(kv.Value, "%s: each item of the list must be one name or number (no comma, not empty, not a list or map), and the list must have one at least", key)
				continue
			}
			val = strings.Join(items, ", ")
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

// listItems renders the items of a YAML list as a list input's values.
// An item may not hold a comma: it would read as two.
func listItems(xs []any) ([]string, bool) {
	out := make([]string, 0, len(xs))
	for _, x := range xs {
		switch v := x.(type) {
		case string:
			if strings.TrimSpace(v) == "" || strings.Contains(v, ",") {
				return nil, false
			}
			out = append(out, strings.TrimSpace(v))
		case int, int64, uint64, float64:
			out = append(out, fmt.Sprint(v))
		default:
			return nil, false
		}
	}
	return out, len(out) > 0
}
