package procedures_test

import (
	"fmt"
	"regexp"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"zenrecover/assets"
	"zenrecover/procedures"
)

// Fuzz targets for what zenrecover reads from files an operator writes
// (issue 6): a procedure definition on its own (Parse), definitions loaded
// as a library with includes (LoadFS, as --procedures DIR adds them), and
// an answers file (ParseAnswers). Their seed corpora are in
// testdata/fuzz/<target>; `go test` runs those seeds, and
// `go test -run '^$' -fuzz '^FuzzParse$' -fuzztime 10s ./procedures/`
// (.ci/fuzz.sh) looks for more.
//
// Invariants: nothing panics; a definition that is refused is refused with
// positioned errors, every one "file:line:column: ..." in a file that was
// loaded; one that loads records a bundle that loads again to the same
// definition (what a resume reads back); an answers file that is refused
// says which key is wrong, at a line and column; and a secret is never
// taken from an answers file.

// wholeFile matches the errors about an answers file as a whole (its
// shape, its encoding, the limits every YAML file is read within), which
// name no key.
var wholeFile = regexp.MustCompile(`^an answers file is a map of id: value$|^is not an answers file|is not UTF-8|^a second YAML document|zenrecover reads no further`)

// notAnID is the error at a key that is not an id of a fact or input.
const notAnID = "this key is not an id of a fact or input (lower-case letters, digits and underscores; the key is not shown, in case the file is not an answers file)"

// missingID is how an error may name an empty key.
var missingID = regexp.MustCompile(`\b(no|needs an|without an|empty) (id|key)\b`)

var positioned = regexp.MustCompile(`^(.+):([1-9][0-9]*):([1-9][0-9]*): .`)

// checkPositioned fails unless err is a list of errors, each at a line and
// column of one of files.
func checkPositioned(t *testing.T, err error, files ...string) procedures.Errors {
	t.Helper()
	es := procedures.AsErrors(err)
	if len(es) == 0 {
		t.Fatalf("an error without a position: %T %v", err, err)
	}
	for _, e := range es {
		m := positioned.FindStringSubmatch(e.Error())
		if e.Line < 1 || e.Column < 1 || m == nil {
			t.Fatalf("an error without file:line:column: %q (%+v)", e.Error(), *e)
		}
		known := false
		for _, f := range files {
			known = known || e.File == f
		}
		if !known {
			t.Fatalf("an error in %q, which is not one of the files loaded %q: %v", e.File, files, e)
		}
	}
	return es
}

// noPanic turns a panic into this input's failure, so that every failing
// seed is reported, not only the first.
func noPanic(t *testing.T, what string, src ...[]byte) {
	if r := recover(); r != nil {
		var in []string
		for _, b := range src {
			in = append(in, fmt.Sprintf("%q", b))
		}
		t.Fatalf("%s panicked on %s: %v\n%s", what, strings.Join(in, " and "), r, debug.Stack())
	}
}

// checkBundle loads what a run would record for d, and expects d again.
func checkBundle(t *testing.T, d *procedures.Definition) {
	t.Helper()
	again, err := procedures.ParseBundle("recorded", d.Bundle())
	if err != nil {
		t.Fatalf("%s loads, but its recorded bundle does not (a run of it could never resume): %v\n%s", d.ID, err, d.Bundle())
	}
	if again.Hash != d.Hash {
		t.Fatalf("%s: its recorded bundle loads to another definition (hash %s, was %s)", d.ID, again.Hash, d.Hash)
	}
}

func hasInclude(d *procedures.Definition) bool {
	inc := false
	d.Walk(func(s *procedures.Step) { inc = inc || s.Include != "" })
	return inc
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(minimal))
	f.Add([]byte(fanDemo))
	f.Fuzz(func(t *testing.T, src []byte) {
		defer noPanic(t, "loading a definition", src)
		d, err := procedures.Parse("fuzz.yaml", src)
		if err != nil {
			if d != nil {
				t.Fatal("Parse returned a definition and an error")
			}
			checkPositioned(t, err, "fuzz.yaml")
			return
		}
		if d.ID == "" || d.Hash == "" {
			t.Fatalf("a definition without an id or a hash loaded: %+v", d)
		}
		d.Plan(procedures.Values{})
		if !hasInclude(d) {
			checkBundle(t, d)
		}
	})
}

// The embedded library, loaded once: what an operator's definitions may
// include.
var embedded = sync.OnceValues(func() (*procedures.Library, error) {
	return procedures.LoadFS(assets.FS, "procedures")
})

// FuzzLibrary loads operator's definitions with their includes: a alone
// beside the embedded library (as `zenrecover lint` checks a file, and as
// --procedures DIR adds it), then a and b as a library of their own, where
// they may include each other.
func FuzzLibrary(f *testing.F) {
	f.Add([]byte(replaceDemo), []byte(fanDemo))
	f.Add([]byte(minimal), []byte(strings.Replace(minimal, "id: demo", "id: demo2", 1)))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		defer noPanic(t, "loading definitions", a, b)
		base, err := embedded()
		if err != nil {
			t.Fatal(err)
		}
		if d, err := base.Check("a.yaml", a); err != nil {
			if d != nil {
				t.Fatal("Check returned a definition and an error")
			}
			checkPositioned(t, err, "a.yaml")
		} else {
			d.Plan(procedures.Values{})
			checkBundle(t, d)
		}

		fsys := fstest.MapFS{"p/a.yaml": {Data: a}, "p/b.yaml": {Data: b}}
		lib, err := procedures.LoadFS(fsys, "p")
		if err != nil {
			if lib != nil {
				t.Fatal("LoadFS returned a library and an error")
			}
			checkPositioned(t, err, "p/a.yaml", "p/b.yaml")
			return
		}
		for _, d := range lib.All() {
			d.Plan(procedures.Values{})
			checkBundle(t, d)
		}
		for _, name := range []string{"p/a.yaml", "p/b.yaml"} {
			if _, err := lib.Check(name, fsys[name].Data); err != nil {
				t.Fatalf("%s loads in its library, but a check of it beside the same library fails: %v", name, err)
			}
		}
	})
}

// The definition answers are fuzzed against: 2.1, whose facts (yes/no),
// inputs (string, path, list) and secrets come from the library with their
// includes.
var answersDef = sync.OnceValues(func() (*procedures.Definition, error) {
	lib, err := embedded()
	if err != nil {
		return nil, err
	}
	d := lib.Get("2.1")
	if d == nil {
		return nil, fmt.Errorf("no procedure 2.1")
	}
	return d, nil
})

// topKeys lists the keys of an answers file's top-level map, as the YAML
// parser reads them; ok is false when it is not a map.
func topKeys(src []byte) (keys []string, ok bool) {
	f, err := parser.ParseBytes(src, 0)
	if err != nil || len(f.Docs) == 0 || f.Docs[0].Body == nil {
		return nil, false
	}
	m, isMap := f.Docs[0].Body.(*ast.MappingNode)
	if !isMap {
		return nil, false
	}
	for _, kv := range m.Values {
		keys = append(keys, kv.Key.GetToken().Value)
	}
	return keys, true
}

func FuzzParseAnswers(f *testing.F) {
	f.Add([]byte("same_platform: yes\nsecond_server: zen-primary-2\n"))
	f.Add([]byte("admin_password: novell-lab-pw\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		defer noPanic(t, "reading an answers file", src)
		d, err := answersDef()
		if err != nil {
			t.Fatal(err)
		}
		vals, err := procedures.ParseAnswers("answers.yaml", src, d)
		// The keys as the YAML parser reads them: only once ParseAnswers
		// has gone past its limits, since the parser alone would take
		// gigabytes for some inputs (issue 11).
		var keys []string
		isMap := false
		if es := procedures.AsErrors(err); err == nil || len(es) == 0 || !wholeFile.MatchString(es[0].Msg) {
			keys, isMap = topKeys(src)
		}
		if err != nil {
			if vals != nil {
				t.Fatal("ParseAnswers returned values and an error")
			}
			for _, e := range checkPositioned(t, err, "answers.yaml") {
				if wholeFile.MatchString(e.Msg) || !isMap {
					continue // the file as a whole is wrong, not one key
				}
				if e.Msg == notAnID {
					continue // a key that is not an id is not quoted: the file may not be an answers file
				}
				named := false
				for _, k := range keys {
					if k == "" {
						// An empty key is named quoted, or as a missing id.
						named = named || strings.Contains(e.Msg, `""`) || missingID.MatchString(e.Msg)
						continue
					}
					named = named || strings.Contains(e.Msg, k) || strings.Contains(e.Msg, fmt.Sprintf("%q", k))
				}
				if !named && len(keys) > 0 {
					t.Fatalf("an error that names no key of the file (keys %q): %v", keys, e)
				}
			}
			return
		}
		for _, k := range keys {
			if in := d.InputByID(k); in != nil && in.Secret() {
				t.Fatalf("a secret (%s) was accepted from an answers file", k)
			}
		}
		for k, v := range vals {
			switch fact, in := d.FactByID(k), d.InputByID(k); {
			case fact != nil:
				if c, err := fact.CheckFact(v); err != nil || c != v {
					t.Fatalf("fact %s answered %q, which is not its canonical answer (%q, %v)", k, v, c, err)
				}
			case in == nil:
				t.Fatalf("%q is neither a fact nor an input of %s, and was accepted", k, d.ID)
			case in.Secret():
				t.Fatalf("a secret (%s) was accepted from an answers file", k)
			default:
				if err := in.CheckInput(v); err != nil {
					t.Fatalf("input %s accepted with %q, which it refuses: %v", k, v, err)
				}
			}
		}
	})
}
