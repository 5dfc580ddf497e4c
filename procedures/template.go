package procedures

import (
	"fmt"
	"regexp"
	"strings"
)

var templateRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// templateRefs lists the names a text refers to with ${name}.
func templateRefs(s string) []string {
	var out []string
	for _, m := range templateRef.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	return out
}

// Expand substitutes ${name} in s. Every name must have a value; the
// loader has already checked that every name exists.
func Expand(s string, vals Values) (string, error) {
	var missing []string
	out := templateRef.ReplaceAllStringFunc(s, func(m string) string {
		name := m[2 : len(m)-1]
		v, ok := vals[name]
		if !ok {
			missing = append(missing, name)
			return m
		}
		return v
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("no value yet for %s", strings.Join(missing, ", "))
	}
	return out, nil
}

// ExpandOrPlaceholder substitutes known values and leaves a readable
// placeholder ("<backup_file>") for the rest: for checklists and dry runs.
func ExpandOrPlaceholder(s string, vals Values) string {
	return templateRef.ReplaceAllStringFunc(s, func(m string) string {
		name := m[2 : len(m)-1]
		if v, ok := vals[name]; ok {
			return v
		}
		return "<" + name + ">"
	})
}
