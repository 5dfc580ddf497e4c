package procedures

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"
)

// The platforms a Primary Server runs on, as the platform facts name them.
const (
	Linux   = "linux"
	Windows = "windows"
)

// PlatformFact is the id of the fact that says which operating system the
// server a procedure acts on runs. A definition whose steps differ by
// platform has it, detected (detect: platform: true), never asked where
// zenrecover can tell.
const PlatformFact = "platform"

// IsPlatformFact reports a fact that names the operating system of a
// server of the zone: platform (this server), a per-host one
// (source_platform, destination_platform) or the one of a group of servers
// (other_primaries_platform). A checklist printed for a platform decides
// them all (ChecklistOptions.Platform).
func (f *Fact) IsPlatformFact() bool {
	return f.Type == "choice" && (f.ID == PlatformFact || strings.HasSuffix(f.ID, "_"+PlatformFact)) &&
		slices.Contains(f.Choices, Linux) && slices.Contains(f.Choices, Windows)
}

// PlatformValue is a value of a definition that may differ by platform: a
// plain string, the same everywhere, or a map with a value per platform
// ({linux: /root/zcm_backups/..., windows: 'c:\zcm_backups\...'}). A
// platform the map leaves out has no value: nothing is offered there.
type PlatformValue struct {
	Value      string            // the value on every platform, when it is one string
	ByPlatform map[string]string // the value on each platform, when it is a map
}

// Split reports a value given per platform.
func (p PlatformValue) Split() bool { return p.ByPlatform != nil }

// IsZero reports that no value was given.
func (p PlatformValue) IsZero() bool { return p.Value == "" && p.ByPlatform == nil }

// For is the value on platform; ok is false when there is none there
// (a map without that platform, or an unknown platform for a map).
func (p PlatformValue) For(platform string) (string, bool) {
	if !p.Split() {
		return p.Value, p.Value != ""
	}
	v, ok := p.ByPlatform[platform]
	return v, ok && v != ""
}

// All lists every value given, in platform order (for validation).
func (p PlatformValue) All() []string {
	if !p.Split() {
		if p.Value == "" {
			return nil
		}
		return []string{p.Value}
	}
	var out []string
	for _, k := range []string{Linux, Windows} {
		if v, ok := p.ByPlatform[k]; ok {
			out = append(out, v)
		}
	}
	return out
}

// MarshalJSON writes a plain value as a string and a split one as a map,
// so a definition's hash is what it was before values could be split.
func (p PlatformValue) MarshalJSON() ([]byte, error) {
	if p.Split() {
		return json.Marshal(p.ByPlatform)
	}
	return json.Marshal(p.Value)
}

// UnmarshalJSON reads what MarshalJSON writes.
func (p *PlatformValue) UnmarshalJSON(b []byte) error {
	*p = PlatformValue{}
	if len(b) > 0 && b[0] == '{' {
		return json.Unmarshal(b, &p.ByPlatform)
	}
	return json.Unmarshal(b, &p.Value)
}

// positioned is an error at a token of the YAML, from a type that decodes
// itself (PlatformValue): yamlError places it.
type positioned struct {
	tk  *token.Token
	msg string
}

func (e *positioned) Error() string { return e.msg }

// UnmarshalYAML takes a string, or a map whose keys are platforms and whose
// values are strings. Anything else is refused where it is.
func (p *PlatformValue) UnmarshalYAML(n ast.Node) error {
	*p = PlatformValue{}
	var pairs []*ast.MappingValueNode
	switch m := n.(type) {
	case *ast.MappingNode:
		pairs = m.Values
	case *ast.MappingValueNode:
		pairs = []*ast.MappingValueNode{m}
	case *ast.NullNode:
		return nil
	case *ast.SequenceNode, *ast.AnchorNode, *ast.AliasNode, *ast.TagNode:
		return &positioned{n.GetToken(), "must be a text, or a map of a text per platform (linux:, windows:)"}
	default:
		var s string
		if err := yaml.NodeToValue(n, &s); err != nil {
			return err
		}
		p.Value = s
		return nil
	}
	p.ByPlatform = map[string]string{}
	for _, kv := range pairs {
		k, ok := kv.Key.(*ast.StringNode)
		if !ok || (k.Value != Linux && k.Value != Windows) {
			return &positioned{kv.Key.GetToken(), fmt.Sprintf("unknown platform %q: the keys of a value per platform are linux and windows", kv.Key.String())}
		}
		if _, dup := p.ByPlatform[k.Value]; dup {
			return &positioned{kv.Key.GetToken(), fmt.Sprintf("%s is given twice", k.Value)}
		}
		switch kv.Value.(type) {
		case *ast.MappingNode, *ast.MappingValueNode, *ast.SequenceNode, *ast.NullNode:
			return &positioned{kv.Value.GetToken(), fmt.Sprintf("the value for %s must be a text", k.Value)}
		}
		var s string
		if err := yaml.NodeToValue(kv.Value, &s); err != nil {
			return err
		}
		if strings.TrimSpace(s) == "" {
			return &positioned{kv.Value.GetToken(), fmt.Sprintf("the value for %s is empty; leave the platform out instead", k.Value)}
		}
		p.ByPlatform[k.Value] = s
	}
	if len(p.ByPlatform) == 0 {
		return &positioned{n.GetToken(), "a value per platform needs linux:, windows: or both"}
	}
	return nil
}

// DefaultFor is the input's default on platform, unexpanded: "" when it
// has none there.
func (in *Input) DefaultFor(platform string) string {
	if in.Default != "" {
		return in.Default
	}
	v, _ := in.Defaults.For(platform)
	return v
}

// DefaultPlatformFact is the fact whose answer picks a split default: the
// input's platform-fact, else platform.
func (in *Input) DefaultPlatformFact() string {
	if in.PlatformFact != "" {
		return in.PlatformFact
	}
	return PlatformFact
}

// PathFor is the file a file-exists detector looks for on platform: ""
// when it names none there, and the machine cannot tell.
func (d *Detector) PathFor(platform string) string {
	if d.FileExists != "" {
		return d.FileExists
	}
	v, _ := d.FileExistsBy.For(platform)
	return v
}

// normalize keeps a plain value where it always was (Default,
// FileExists), so a definition without split values reads, hashes and
// renders as before; only a split one stays in the PlatformValue.
func (d *Definition) normalizePlatformValues() {
	for _, in := range d.Inputs {
		if in != nil && !in.Defaults.Split() {
			in.Default, in.Defaults = in.Defaults.Value, PlatformValue{}
		}
	}
	for _, f := range d.Facts {
		if f != nil && f.Detect != nil && !f.Detect.FileExistsBy.Split() {
			f.Detect.FileExists, f.Detect.FileExistsBy = f.Detect.FileExistsBy.Value, PlatformValue{}
		}
	}
}

// envVarRef is a Windows environment variable in a path, %NAME%.
var envVarRef = regexp.MustCompile(`%([A-Za-z_][A-Za-z0-9_]*)%`)

// ExpandEnv expands %NAME% in s with lookup, as cmd.exe does on a Windows
// server, for a step done there. A name lookup does not know is an error:
// the step would otherwise write into a folder literally named
// %ZENWORKS_HOME%.
func ExpandEnv(s string, lookup func(string) (string, bool)) (string, error) {
	var missing []string
	out := envVarRef.ReplaceAllStringFunc(s, func(m string) string {
		name := m[1 : len(m)-1]
		v, ok := lookup(name)
		if !ok || v == "" {
			missing = append(missing, name)
			return m
		}
		return v
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("%%%s%% is not set on this server (%s)", missing[0], s)
	}
	return out, nil
}

// EnvLookup looks a variable up in an environment list (KEY=value), as
// Windows does: letter case aside, so %zenworks_home% is ZENWORKS_HOME.
func EnvLookup(environ []string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		for i := len(environ) - 1; i >= 0; i-- {
			k, v, ok := strings.Cut(environ[i], "=")
			if ok && strings.EqualFold(k, name) {
				return v, true
			}
		}
		return "", false
	}
}

// OSEnvLookup is EnvLookup over this process's environment.
func OSEnvLookup() func(string) (string, bool) { return EnvLookup(os.Environ()) }

// ExpandEnv expands %NAME% (ExpandEnv) in every path and argv element of
// a resolved step, for a step done on a Windows server. Texts for people
// (instructions, manual, script) stay as written, as a checklist shows
// them. The first variable that is not set is the error, naming the
// field.
func (r *Resolved) ExpandEnv(lookup func(string) (string, bool)) error {
	var first error
	x := func(field string, p *string) {
		if first != nil || *p == "" || !strings.Contains(*p, "%") {
			return
		}
		v, err := ExpandEnv(*p, lookup)
		if err != nil {
			first = &ResolveError{Step: r.Step, Field: field, Err: err}
			return
		}
		*p = v
	}
	for i := range r.Argv {
		x(fmt.Sprintf("run[%d]", i), &r.Argv[i])
	}
	if c := r.Copy; c != nil {
		x("copy.from", &c.From)
		x("copy.to", &c.To)
	}
	if e := r.EditXML; e != nil {
		x("edit-xml.file", &e.File)
		x("edit-xml.value", &e.Value)
	}
	if a := r.Archive; a != nil {
		x("archive.from", &a.From)
		x("archive.to", &a.To)
	}
	if e := r.Extract; e != nil {
		x("extract.from", &e.From)
		x("extract.to", &e.To)
	}
	if c := r.Chown; c != nil {
		for i := range c.Paths {
			x(fmt.Sprintf("chown.paths[%d]", i), &c.Paths[i])
		}
	}
	for _, cs := range []struct {
		field string
		specs []CheckSpec
	}{{"check", r.Check}, {"verify", r.Verify}} {
		for i := range cs.specs {
			c := &cs.specs[i]
			f := fmt.Sprintf("%s[%d]", cs.field, i)
			x(f+".file-exists", &c.FileExists)
			x(f+".archive-complete", &c.ArchiveComplete)
			x(f+".newer-than-start", &c.NewerThanStart)
			x(f+".writable", &c.Writable)
			if c.XMLPathExists != nil {
				x(f+".xml-path-exists.file", &c.XMLPathExists.File)
			}
		}
	}
	return first
}
