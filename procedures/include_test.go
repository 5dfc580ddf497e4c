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
	if d.InputByID("ca_passphrase") == nil || d.InputByID("admin_user") == nil {
		t.Fatal("the included procedure's inputs were not merged")
	}
	if d.FactByID("remove_ca_role") != nil {
		t.Fatal("a fact that with: decides would be asked")
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

const fanDemo = `id: fan-demo
title: Fan out (demo)
section: "9.5"
summary: One step per Satellite.
inputs:
  - id: satellites
    type: list
    prompt: Satellites of this zone
  - id: port
    type: string
    prompt: Port
    default: "443"
steps:
  - id: iac
    ref: "4"
    title: Import the certificate on each Satellite
    each: satellites
    manual: On ${target}, run the command below.
    command: [zac, iac, "${port}"]
`

func TestFanOutNeedsAListAndKnowsItsTarget(t *testing.T) {
	if _, err := procedures.Parse("fan.yaml", []byte(fanDemo)); err != nil {
		t.Fatal(err)
	}
	cases := map[string][2]string{
		"each names a non-list":  {"each: satellites", "each: port"},
		"target outside each":    {"    each: satellites\n", ""},
		"command without manual": {"    manual: On ${target}, run the command below.\n", "    run: [ls]\n"},
	}
	wants := map[string]string{
		"each names a non-list":  `fan.yaml:17:11: each names "port", which is not a list input`,
		"target outside each":    `fan.yaml:17:13: ${target} names the target of a fan-out step`,
		"command without manual": `command: shows what the operator runs by hand`,
	}
	for name, r := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := procedures.Parse("fan.yaml", []byte(strings.Replace(fanDemo, r[0], r[1], 1)))
			if err == nil || !strings.Contains(err.Error(), wants[name]) {
				t.Fatalf("got %v\nwant %s", err, wants[name])
			}
		})
	}
	d, _ := procedures.Parse("fan.yaml", []byte(fanDemo))
	if err := d.InputByID("satellites").CheckInput("sat1, sat2, sat1"); err == nil || !strings.Contains(err.Error(), "sat1 is listed twice") {
		t.Errorf("duplicate target: %v", err)
	}
	if got := procedures.Targets("sat1, sat2\nsat3"); strings.Join(got, "|") != "sat1|sat2|sat3" {
		t.Errorf("targets %q", got)
	}
}

// The same procedure included twice, decided differently: each copy
// follows its own with:.
func TestWithIsScopedToItsInclude(t *testing.T) {
	twice := strings.Replace(replaceDemo, `  - id: after
`, `  - id: backup-ca-plain
    ref: "1"
    title: An ordinary CA backup first
    include: ca-backup
    with:
      remove_ca_role: "no"
  - id: after
`, 1)
	lib, err := withDir(t, map[string]string{"demo.yaml": twice})
	if err != nil {
		t.Fatal(err)
	}
	d := lib.Get("9.2")
	got := applying(d.Plan(procedures.Values{"db_on_server": "true"}))
	want := "backup-ca backup-ca/export-ca-remove-role backup-ca-plain backup-ca-plain/export-ca after"
	if got != want {
		t.Fatalf("plan\n%s\nwant\n%s", got, want)
	}
	if _, decided := d.Fixed["remove_ca_role"]; decided {
		t.Error("a fact decided two ways is listed as fixed")
	}
	argv, err := d.Argv(d.Step("backup-ca/export-ca-remove-role"), procedures.Values{"ca_backup_file": "/b"})
	if err != nil || strings.Join(argv, " ") != "zman certificate-authority-export -d /b" {
		t.Fatalf("argv %q %v", argv, err)
	}
}

func TestFullRefShowsThePathThroughIncludes(t *testing.T) {
	d := library(t).Get("2.1")
	cases := map[string]string{
		"11c2":                     "2.1 step 11c1, 11c2",
		"6a/export-ca-remove-role": "2.1 step 6a › 1.3 step 1, 2, 3",
		"backup/here/content-repo": "2.1 step 1 › This server › Content-Repo Directory",
		"backup/here/zenworks-server/zman-backup": "2.1 step 1 › This server › ZENworks Server › 1.1 step 2, 3, 4",
		"backup/others-content":                   "2.1 step 1 › Other Primary Servers",
	}
	for id, want := range cases {
		s := d.Step(id)
		if s == nil {
			t.Errorf("no step %s", id)
			continue
		}
		if got := d.FullRef(s); got != want {
			t.Errorf("%s: %q, want %q", id, got, want)
		}
	}
}
