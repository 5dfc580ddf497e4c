package procedures

import (
	"fmt"
	"strings"
)

// Values holds the answers given so far: facts and non-secret inputs as
// text, and the bool values steps provide ("true"/"false"). Secrets never
// enter a Values that is stored; the engine keeps them apart.
type Values map[string]string

// Clone returns a copy.
func (v Values) Clone() Values {
	out := make(Values, len(v))
	for k, x := range v {
		out[k] = x
	}
	return out
}

// ParseBool accepts the ways an administrator writes yes and no.
func ParseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "yes", "y", "1", "on":
		return true, nil
	case "false", "no", "n", "0", "off":
		return false, nil
	}
	return false, fmt.Errorf("%q is not yes or no", s)
}

// env converts values into the typed environment conditions run against.
func (d *Definition) env(vals Values) map[string]any {
	env := map[string]any{}
	for _, f := range d.Facts {
		v, ok := vals[f.ID]
		if !ok {
			continue
		}
		if f.Type == "bool" {
			b, err := ParseBool(v)
			if err != nil {
				continue
			}
			env[f.ID] = b
		} else {
			env[f.ID] = v
		}
	}
	d.Walk(func(s *Step) {
		if s.Provides == "" {
			return
		}
		if v, ok := vals[s.Provides]; ok {
			if b, err := ParseBool(v); err == nil {
				env[s.Provides] = b
			}
		}
	})
	return env
}

// envAt is env as a step sees it: with the facts its enclosing includes
// decide.
func envAt(s *Step, env map[string]any) map[string]any {
	if len(s.scope) == 0 {
		return env
	}
	out := make(map[string]any, len(env)+len(s.scope))
	for k, v := range env {
		out[k] = v
	}
	for k, v := range s.scope {
		out[k] = v
	}
	return out
}

// typeEnv is the environment conditions are type-checked against.
func (d *Definition) typeEnv() map[string]any {
	env := map[string]any{}
	for _, f := range d.Facts {
		if f.Type == "bool" {
			env[f.ID] = false
		} else {
			env[f.ID] = ""
		}
	}
	d.Walk(func(s *Step) {
		if s.Provides != "" {
			env[s.Provides] = false
		}
	})
	return env
}

// CheckFact validates an answer to a fact.
func (f *Fact) CheckFact(v string) (string, error) {
	switch f.Type {
	case "bool":
		b, err := ParseBool(v)
		if err != nil {
			return "", err
		}
		if b {
			return "true", nil
		}
		return "false", nil
	case "choice":
		for _, c := range f.Choices {
			if strings.EqualFold(c, strings.TrimSpace(v)) {
				return c, nil
			}
		}
		return "", fmt.Errorf("%q is not one of %s", v, strings.Join(f.Choices, ", "))
	}
	if strings.TrimSpace(v) == "" {
		return "", fmt.Errorf("an answer is needed")
	}
	return v, nil
}

// CheckInput validates a value for an input. The error never repeats a
// secret's value.
func (in *Input) CheckInput(v string) error {
	if in.Secret() {
		if len([]rune(v)) < in.MinLength {
			return fmt.Errorf("must be at least %d characters (it has %d)", in.MinLength, len([]rune(v)))
		}
		if v == "" {
			return fmt.Errorf("must not be empty")
		}
		return nil
	}
	if strings.TrimSpace(v) == "" {
		return fmt.Errorf("must not be empty")
	}
	if strings.ContainsAny(v, "\n\r\x00") {
		return fmt.Errorf("%q has a line break or NUL in it", v)
	}
	if in.Type == "list" {
		seen := map[string]bool{}
		for _, t := range Targets(v) {
			if seen[t] {
				return fmt.Errorf("%s is listed twice", t)
			}
			seen[t] = true
		}
	}
	if in.Type == "path" && !strings.HasPrefix(v, "/") && !isWindowsAbs(v) {
		return fmt.Errorf("%q is not an absolute path", v)
	}
	if len([]rune(v)) < in.MinLength {
		return fmt.Errorf("%q must be at least %d characters", v, in.MinLength)
	}
	return nil
}

// isWindowsAbs reports a Windows absolute path: a drive's (c:\x), or one
// that starts with a variable naming a folder (%ZENWORKS_HOME%\conf),
// which is expanded where the step is done.
func isWindowsAbs(p string) bool {
	if len(p) >= 3 && p[1] == ':' && (p[2] == '\\' || p[2] == '/') {
		return true
	}
	loc := envVarRef.FindStringIndex(p)
	return loc != nil && loc[0] == 0 && len(p) > loc[1] && (p[loc[1]] == '\\' || p[loc[1]] == '/')
}
