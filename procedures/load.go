package procedures

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
)

// source is a parsed YAML file that can tell where a path points.
type source struct {
	name string
	ast  *ast.File
}

// at returns the position of the node at a YAML path ("$.steps[2].when"),
// falling back to the nearest ancestor that exists.
func (s *source) at(path string) (int, int) {
	for p := path; p != ""; p = parentPath(p) {
		yp, err := yaml.PathString(p)
		if err != nil {
			continue
		}
		n, err := yp.FilterFile(s.ast)
		if err != nil || n == nil || n.GetToken() == nil {
			continue
		}
		tk := n.GetToken()
		return tk.Position.Line, tk.Position.Column
	}
	return 1, 1
}

func parentPath(p string) string {
	if p == "$" {
		return ""
	}
	i := strings.LastIndexAny(p, ".[")
	if i <= 0 {
		return "$"
	}
	return p[:i]
}

func (s *source) errAt(path, format string, args ...any) *Error {
	line, col := s.at(path)
	return &Error{File: s.name, Line: line, Column: col, Msg: fmt.Sprintf(format, args...)}
}

// yamlError turns a go-yaml error into a positioned one.
func yamlError(name string, err error) *Error {
	var pe *positioned
	if errors.As(err, &pe) && pe.tk != nil {
		return &Error{File: name, Line: pe.tk.Position.Line, Column: pe.tk.Position.Column, Msg: pe.msg}
	}
	var ye yaml.Error
	if errors.As(err, &ye) && ye.GetToken() != nil {
		tk := ye.GetToken()
		return &Error{File: name, Line: tk.Position.Line, Column: tk.Position.Column, Msg: ye.GetMessage()}
	}
	// Some decoder errors carry no position; the document's start is the
	// best place to point at, and every error must point somewhere. The
	// library may add an excerpt of the file on the lines after the
	// message: it is not shown, since the file may not be a definition.
	msg, _, _ := strings.Cut(err.Error(), "\n")
	return &Error{File: name, Line: 1, Column: 1, Msg: msg}
}

func parseSource(name string, src []byte) (*source, error) {
	f, err := parseGuarded(name, src)
	if err != nil {
		return nil, err
	}
	return &source{name: name, ast: f}, nil
}

// parseYAML parses src and decodes it into v, rejecting unknown fields.
func parseYAML(name string, src []byte, v any) (*source, error) {
	f, err := parseGuarded(name, src)
	if err != nil {
		return nil, err
	}
	if e := oneDocument(name, f, "a definition"); e != nil {
		return nil, Errors{e}
	}
	if len(f.Docs) == 0 || f.Docs[0].Body == nil {
		return nil, Errors{{File: name, Line: 1, Column: 1, Msg: "the file is empty: a definition is a YAML map of id, title, section, summary and steps"}}
	}
	if e := definitionShaped(name, f.Docs[0].Body); e != nil {
		return nil, Errors{e}
	}
	if e := rejectTags(name, f.Docs[0].Body); e != nil {
		return nil, Errors{e}
	}
	if err := decodeNode(f.Docs[0].Body, v); err != nil {
		return nil, Errors{yamlError(name, err)}
	}
	return &source{name: name, ast: f}, nil
}

// oneDocument refuses a second YAML document ("---" and more after the
// first): only the first would be read, silently.
func oneDocument(name string, f *ast.File, what string) *Error {
	for _, d := range f.Docs[min(1, len(f.Docs)):] {
		if d.Body == nil {
			continue // an empty document ("---" or "..." at the end) holds nothing to lose
		}
		tk := d.Body.GetToken()
		if d.Start != nil {
			tk = d.Start
		}
		return &Error{File: name, Line: tk.Position.Line, Column: tk.Position.Column,
			Msg: fmt.Sprintf("a second YAML document starts here; %s is one document, and zenrecover would read only the first", what)}
	}
	return nil
}

// definitionKeys are the top-level keys of a definition.
var definitionKeys = func() map[string]bool {
	keys := map[string]bool{}
	t := reflect.TypeFor[Definition]()
	for i := range t.NumField() {
		if k, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ","); k != "" && k != "-" {
			keys[k] = true
		}
	}
	return keys
}()

// definitionShaped refuses a file whose top level is not a map with at
// least one of a definition's keys, before anything in it is quoted: the
// decoder's errors name keys and values, and a file that is not a
// definition (a symbolic link to /etc/shadow, the wrong file named) must
// not have a line of it printed.
func definitionShaped(name string, body ast.Node) *Error {
	notDef := &Error{File: name, Line: 1, Column: 1,
		Msg: "is not a zenrecover definition: its top level is not a map of id, title, section, summary and steps (nothing of it is shown)"}
	var pairs []*ast.MappingValueNode
	switch m := body.(type) {
	case *ast.MappingNode:
		pairs = m.Values
	case *ast.MappingValueNode:
		pairs = []*ast.MappingValueNode{m}
	default:
		return notDef
	}
	for _, kv := range pairs {
		if k, ok := kv.Key.(*ast.StringNode); ok && definitionKeys[k.Value] {
			return nil
		}
	}
	return notDef
}

// rejectTags refuses YAML tags (!x, !!map): a definition never needs one,
// and a tag on a list can make the decoder fail in ways it does not report.
func rejectTags(name string, n ast.Node) *Error {
	var found *Error
	anchors := map[string]bool{}
	ast.Walk(visitFunc(func(n ast.Node) bool {
		if found != nil {
			return false
		}
		switch x := n.(type) {
		case *ast.TagNode:
			tk := x.GetToken()
			found = &Error{File: name, Line: tk.Position.Line, Column: tk.Position.Column,
				Msg: fmt.Sprintf("YAML tag %s: definitions use plain values, no tags", tk.Value)}
		case *ast.AnchorNode:
			if x.Name != nil {
				anchors[x.Name.GetToken().Value] = true
			}
		case *ast.AliasNode:
			if x.Value != nil && !anchors[x.Value.GetToken().Value] {
				tk := x.GetToken()
				found = &Error{File: name, Line: tk.Position.Line, Column: tk.Position.Column,
					Msg: fmt.Sprintf("alias *%s names no anchor (&%s) above it", x.Value.GetToken().Value, x.Value.GetToken().Value)}
			}
		}
		return found == nil
	}), n)
	return found
}

type visitFunc func(ast.Node) bool

func (f visitFunc) Visit(n ast.Node) ast.Visitor {
	if f(n) {
		return f
	}
	return nil
}

// decodeNode decodes, turning a decoder panic on odd input into an error
// rather than a crash of the wizard.
func decodeNode(n ast.Node, v any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the YAML cannot be read as a definition (%v)", r)
		}
	}()
	return yaml.NodeToValue(n, v, yaml.DisallowUnknownField())
}

// Parse loads one definition from its text, validates it and compiles its
// conditions. name is used in errors.
func Parse(name string, src []byte) (*Definition, error) {
	var d Definition
	s, err := parseYAML(name, src, &d)
	if err != nil {
		return nil, err
	}
	d.File = name
	d.Source = src
	if errs := validate(&d, s); len(errs) > 0 {
		return nil, errs
	}
	d.Hash = hashOf(&d)
	return &d, nil
}

// hashOf is the canonical hash: the decoded definition, not its bytes, so
// that comments and formatting do not count as a change.
func hashOf(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // every field is a plain value; cannot happen
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// StepHashes returns one hash per step id. A step's hash covers what it does,
// not its substeps, so editing a substep does not mark its parent changed.
func (d *Definition) StepHashes() map[string]string {
	out := map[string]string{}
	d.Walk(func(s *Step) {
		c := *s
		c.Steps = nil
		out[s.ID] = hashOf(&c)
	})
	return out
}

// Library is every loaded definition, by id.
type Library struct {
	defs []*Definition
}

// LoadFS loads every *.yaml file in dir of fsys.
func LoadFS(fsys fs.FS, dir string) (*Library, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	lib := &Library{}
	var all Errors
	for _, e := range entries {
		if e.IsDir() || !isYAML(e.Name()) {
			continue
		}
		p := dir + "/" + e.Name()
		src, err := readFS(fsys, p)
		if err != nil {
			if es := AsErrors(err); es != nil {
				all = append(all, es...)
				continue
			}
			return nil, err
		}
		if err := lib.add(p, src); err != nil {
			if es := AsErrors(err); es != nil {
				all = append(all, es...)
				continue
			}
			return nil, err
		}
	}
	if len(all) > 0 {
		return nil, all
	}
	if err := lib.linkAll(); err != nil {
		return nil, err
	}
	return lib, nil
}

// AddDir loads the operator's own procedures from a directory on disk.
// Files are read inside dir: a symbolic link is followed only if it is
// relative and stays inside dir (see ReadDefinition).
func (l *Library) AddDir(dir string) error {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return fmt.Errorf("procedures directory: %w", err)
	}
	defer root.Close()
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("procedures directory: %w", err)
	}
	var all Errors
	for _, e := range entries {
		if e.IsDir() || !isYAML(e.Name()) {
			continue
		}
		p := filepath.Join(dir, e.Name())
		src, err := readInRoot(root, dir, e.Name(), p)
		if err != nil {
			if es := AsErrors(err); es != nil {
				all = append(all, es...)
				continue
			}
			return err
		}
		if err := l.add(p, src); err != nil {
			if es := AsErrors(err); es != nil {
				all = append(all, es...)
				continue
			}
			return err
		}
	}
	if len(all) > 0 {
		return all
	}
	return l.linkAll()
}

func (l *Library) linkAll() error {
	var all Errors
	for _, d := range l.defs {
		if err := l.link(d, nil); err != nil {
			all = append(all, AsErrors(err)...)
		}
	}
	if len(all) > 0 {
		return all
	}
	return nil
}

func isYAML(name string) bool {
	return strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml")
}

func (l *Library) add(name string, src []byte) error {
	d, err := Parse(name, src)
	if err != nil {
		return err
	}
	if prev := l.Get(d.ID); prev != nil {
		return &Error{File: name, Line: 1, Column: 1, Msg: fmt.Sprintf("procedure id %q is already defined in %s", d.ID, prev.File)}
	}
	l.defs = append(l.defs, d)
	sort.SliceStable(l.defs, func(i, j int) bool { return sectionLess(l.defs[i].Section, l.defs[j].Section) })
	return nil
}

// All returns the procedures in reference order (not the fragments that
// are only included).
func (l *Library) All() []*Definition {
	var out []*Definition
	for _, d := range l.defs {
		if !d.Fragment {
			out = append(out, d)
		}
	}
	return out
}

func (l *Library) byID(id string) *Definition {
	for _, d := range l.defs {
		if d.ID == id {
			return d
		}
	}
	return nil
}

// Get returns the definition with that id or section number, or nil.
func (l *Library) Get(id string) *Definition {
	if d := l.byID(id); d != nil {
		return d
	}
	for _, d := range l.defs {
		if d.Section == id {
			return d
		}
	}
	return nil
}

// sectionLess orders "1.2" before "1.10" and "3.2" before "3.2.1".
func sectionLess(a, b string) bool {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) && i < len(bs); i++ {
		if as[i] == bs[i] {
			continue
		}
		var ai, bi int
		_, errA := fmt.Sscan(as[i], &ai)
		_, errB := fmt.Sscan(bs[i], &bi)
		if errA == nil && errB == nil {
			return ai < bi
		}
		return as[i] < bs[i]
	}
	return len(as) < len(bs)
}

// Check loads one file as if it were part of the library (replacing a
// definition with the same id), so its includes are resolved too. The
// library itself is not changed.
func (l *Library) Check(name string, src []byte) (*Definition, error) {
	d, err := Parse(name, src)
	if err != nil {
		return nil, err
	}
	trial := &Library{}
	for _, x := range l.defs {
		if x.ID != d.ID {
			trial.defs = append(trial.defs, x)
		}
	}
	trial.defs = append(trial.defs, d)
	if err := trial.link(d, nil); err != nil {
		return nil, err
	}
	return d, nil
}
