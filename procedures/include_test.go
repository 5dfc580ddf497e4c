package procedures_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"zenrecover/procedures"
)

const replaceDemo = `id: replace-demo
title: Replace a server (demo)
section: "9.2"
summary: Includes the CA backup, deciding its -d.
facts:
  - id: db_on_server
    type: bool
    question: Is the database here?
steps:
  - id: backup-ca
    ref: "6a"
    title: Take a reliable backup of the certificate authority
    include: ca-backup
    with:
      remove_ca_role: "yes"
  - id: after
    ref: "7"
    title: Then this
    manual: Carry on.
`

func withDir(t *testing.T, files map[string]string) (*procedures.Library, error) {
	t.Helper()
	lib := library(t)
	dir := t.TempDir()
	for name, text := range files {
		os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644)
	}
	return lib, lib.AddDir(dir)
}

func TestIncludeBringsInStepsFactsAndInputs(t *testing.T) {
	lib, err := withDir(t, map[string]string{"demo.yaml": replaceDemo})
	if err != nil {
		t.Fatal(err)
	}
	d := lib.Get("9.2")
	if d.InputByID("ca_passphrase") == nil || d.FactByID("remove_ca_role") == nil {
		t.Fatal("the included procedure's inputs and facts were not merged")
	}
	if d.Fixed["remove_ca_role"] != "true" {
		t.Fatalf("with: did not decide the fact: %v", d.Fixed)
	}
	// -d is decided, so only the exporting step that removes the role applies.
	got := applying(d.Plan(procedures.Values{"db_on_server": "true"}))
	if got != "backup-ca backup-ca/export-ca-remove-role after" {
		t.Fatalf("plan %q", got)
	}
	if s := d.Step("backup-ca/export-ca-remove-role"); s == nil || s.Origin != "1.3" || s.Parent.ID != "backup-ca" {
		t.Fatalf("included step: %+v", s)
	}
	// A run records the bundle; loading it back gives the same definition.
	again, err := procedures.ParseBundle("recorded", d.Bundle())
	if err != nil {
		t.Fatal(err)
	}
	if again.Hash != d.Hash {
		t.Error("the recorded bundle does not reproduce the definition")
	}
	if !strings.Contains(string(d.Bundle()), "id: ca-backup") {
		t.Error("the bundle lacks the included definition")
	}
}

func TestIncludeMistakesAreLoadErrors(t *testing.T) {
	cases := map[string]string{
		"unknown procedure": strings.Replace(replaceDemo, "include: ca-backup", "include: ca-bakup", 1),
		"unknown fact":      strings.Replace(replaceDemo, "remove_ca_role: \"yes\"", "remove_role: \"yes\"", 1),
		"bad value":         strings.Replace(replaceDemo, "remove_ca_role: \"yes\"", "remove_ca_role: \"maybe\"", 1),
	}
	wants := map[string]string{
		"unknown procedure": `demo.yaml:13:14: include names "ca-bakup", which is not a procedure id`,
		"unknown fact":      `demo.yaml:15:20: ca-backup has no fact "remove_role"`,
		"bad value":         `demo.yaml:15:23: remove_ca_role: "maybe" is not yes or no`,
	}
	for name, src := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := withDir(t, map[string]string{"demo.yaml": src})
			if err == nil || !strings.Contains(err.Error(), wants[name]) {
				t.Fatalf("got %v\nwant %s", err, wants[name])
			}
		})
	}
	loop := map[string]string{
		"a.yaml": strings.Replace(strings.Replace(replaceDemo, "include: ca-backup", "include: loop-b", 1), "    with:\n      remove_ca_role: \"yes\"\n", "", 1),
		"b.yaml": strings.NewReplacer("id: replace-demo", "id: loop-b", `section: "9.2"`, `section: "9.3"`, "include: ca-backup", "include: replace-demo", "    with:\n      remove_ca_role: \"yes\"\n", "").Replace(replaceDemo),
	}
	if _, err := withDir(t, loop); err == nil || !strings.Contains(err.Error(), "include each other") {
		t.Fatalf("a loop of includes: %v", err)
	}
}
