package procedures_test

import (
	"strings"
	"testing"

	"zenrecover/assets"
	"zenrecover/procedures"
)

func library(t *testing.T) *procedures.Library {
	t.Helper()
	lib, err := procedures.LoadFS(assets.FS, "procedures")
	if err != nil {
		t.Fatalf("embedded definitions do not load:\n%v", err)
	}
	return lib
}

func TestEmbeddedDefinitionsLoadInReferenceOrder(t *testing.T) {
	lib := library(t)
	var got []string
	for _, d := range lib.All() {
		got = append(got, d.Section)
	}
	want := "1.1 1.2 1.3 1.4"
	if !strings.HasPrefix(strings.Join(got, " "), want) {
		t.Fatalf("sections = %v, want them to start %s", got, want)
	}
	if lib.Get("1.3") == nil || lib.Get("ca-backup") != lib.Get("1.3") {
		t.Fatal("a procedure is found by id and by section number")
	}
}

const minimal = `id: demo
title: Demo
section: "9.1"
summary: A demo.
facts:
  - id: db_local
    type: bool
    question: Is the database here?
inputs:
  - id: pw
    type: secret
    prompt: Password
  - id: file
    type: path
    prompt: File
    default: /root/x.bak
steps:
  - id: one
    ref: "1"
    title: First
    when: db_local
    manual: Do it.
`

func TestMinimalDefinitionLoads(t *testing.T) {
	d, err := procedures.Parse("demo.yaml", []byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	if d.Hash == "" || len(d.StepHashes()) != 1 {
		t.Fatalf("hashes missing: %q %v", d.Hash, d.StepHashes())
	}
}

// Each broken definition must be refused with the file, line and column of
// the mistake and words that say what is wrong.
func TestBrokenDefinitionsSayWhereAndWhat(t *testing.T) {
	cases := []struct {
		name, replace, with, want string
	}{
		{"unknown fact in condition", "when: db_local", "when: db_locl", `demo.yaml:21:11: condition: unknown name db_locl`},
		{"condition type error", "when: db_local", "when: db_local == 3", `demo.yaml:21:`},
		{"syntax error in condition", "when: db_local", "when: db_local &&", `demo.yaml:21:`},
		{"unknown field", "    manual: Do it.", "    manul: Do it.", `demo.yaml:22:5:`},
		{"secret in argv", "    manual: Do it.", "    run: [zman, \"${pw}\"]", `secret input "pw" used in an argument`},
		{"secret in text", "    manual: Do it.", "    manual: type ${pw}", `secret input "pw" used in text`},
		{"unknown template name", "    manual: Do it.", "    manual: copy ${fle}", `demo.yaml:22:13: ${fle} is not a fact or input`},
		{"never true", "when: db_local", "when: db_local && !db_local", `demo.yaml:21:11: this condition can never be true`},
		{"no ref", "    ref: \"1\"\n", "", `step "one" has no ref`},
		{"two kinds", "    manual: Do it.", "    manual: Do it.\n    run: [ls]", `does more than one thing`},
		{"answer unknown input", "    manual: Do it.", "    run: [zman]\n    answers:\n      - prompt: Password\n        input: nope", `demo.yaml:25:16: answer names "nope"`},
		{"bad regexp", "    manual: Do it.", "    run: [zman]\n    answers:\n      - prompt: '(('\n        input: pw", `is not a regular expression`},
		{"yaml syntax", "title: Demo", "title: [Demo", `demo.yaml:3:1:`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := strings.Replace(minimal, c.replace, c.with, 1)
			if src == minimal {
				t.Fatalf("replacement %q did not apply", c.replace)
			}
			_, err := procedures.Parse("demo.yaml", []byte(src))
			if err == nil {
				t.Fatal("a broken definition was accepted")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error\n%v\ndoes not contain\n%s", err, c.want)
			}
		})
	}
}

func TestProvidedValueUsedBeforeItsStep(t *testing.T) {
	src := minimal + `  - id: two
    ref: "2"
    title: Second
    when: edited
    manual: Restart.
  - id: three
    ref: "3"
    title: Third
    edit-xml: {file: /etc/x.xml, element: K, value: v}
    provides: edited
`
	_, err := procedures.Parse("demo.yaml", []byte(src))
	if err == nil || !strings.Contains(err.Error(), `demo.yaml:26:11: condition reads "edited" before the step that provides it`) {
		t.Fatalf("got %v", err)
	}
}
