package procedures

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// A name is an identifier, or a dotted one for the values the run itself
// provides (${run.date}); the loader says which names exist.
var templateRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?)\}`)

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
//
// A value that follows a "/" or a "\" in s names something inside a folder
// ("${cert_dir}/${target}.der", "${cert_dir}\${target}.der"): it must stay
// there, so it may not hold a "/" or "\" or be "..", whatever the operator
// typed.
func Expand(s string, vals Values) (string, error) {
	var missing, escapes []string
	for _, loc := range templateRef.FindAllStringSubmatchIndex(s, -1) {
		name := s[loc[2]:loc[3]]
		if v, ok := vals[name]; ok && loc[0] > 0 && (s[loc[0]-1] == '/' || s[loc[0]-1] == '\\') && leavesFolder(v) {
			escapes = append(escapes, fmt.Sprintf("%s (%q)", name, v))
		}
	}
	if len(escapes) > 0 {
		return "", fmt.Errorf("%s names a file inside a folder and may not contain / or \\ or be ..: %s", strings.Join(escapes, ", "), s)
	}
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

// LeavesFolder reports whether a value would lead out of the folder it is
// put in.
func LeavesFolder(v string) bool { return leavesFolder(v) }

// NamesFileInFolder reports whether some step puts the input's value (for a
// list input, each of its targets) right after a "/" or "\": such a value
// may hold neither and not be "..".
func (d *Definition) NamesFileInFolder(id string) bool {
	found := false
	after := func(text, ref string) bool {
		// In JSON a backslash is written twice.
		return strings.Contains(text, "/"+ref) || strings.Contains(text, `\\`+ref)
	}
	d.Walk(func(s *Step) {
		c := *s
		c.Steps = nil
		b, _ := json.Marshal(&c)
		text := string(b)
		if after(text, "${"+id+"}") || (s.Each == id && after(text, "${target}")) {
			found = true
		}
	})
	return found
}

func leavesFolder(v string) bool {
	return strings.ContainsAny(v, `/\`) || v == ".." || strings.HasPrefix(v, "..")
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
