package procedures_test

import (
	"strings"
	"testing"

	"zenrecover/procedures"
)

func applying(plan []procedures.PlanStep) string {
	var ids []string
	for _, p := range plan {
		switch p.Applies {
		case procedures.Yes:
			ids = append(ids, p.Step.ID)
		case procedures.Undecided:
			ids = append(ids, p.Step.ID+"?")
		}
	}
	return strings.Join(ids, " ")
}

func TestPlanFollowsTheAnswers(t *testing.T) {
	d := library(t).Get("1.1")
	cases := map[string]procedures.Values{
		"backup-database zman-backup backup-content schedule":         {"platform": "linux", "db_on_server": "true", "only_content_server": "true"},
		"backup-database zman-backup backup-content-windows schedule": {"platform": "windows", "db_on_server": "true", "only_content_server": "true"},
		"zman-backup": {"platform": "linux", "db_on_server": "false", "only_content_server": "false"},
		"backup-database? zman-backup backup-content? backup-content-windows? schedule?": {},
	}
	for want, vals := range cases {
		if got := applying(d.Plan(vals)); got != want {
			t.Errorf("answers %v: plan %q, want %q", vals, got, want)
		}
	}
}

func TestProvidedValueDecidesLaterSteps(t *testing.T) {
	d := library(t).Get("1.4")
	linux := procedures.Values{"platform": "linux"}
	if got := applying(d.Plan(linux)); got != "import-ca keystore-path-linux restart-linux?" {
		t.Fatalf("before the edit: %q", got)
	}
	linux["keystore_edited"] = "true"
	if got := applying(d.Plan(linux)); got != "import-ca keystore-path-linux restart-linux" {
		t.Fatalf("after an edit: %q", got)
	}
	// On Windows the Linux edit never runs, so its value counts as no;
	// the Windows edit decides the Windows restart (net stop, net start).
	windows := procedures.Values{"platform": "windows"}
	if got := applying(d.Plan(windows)); got != "import-ca keystore-path-windows restart-windows? restart-windows-stop? restart-windows-start?" {
		t.Fatalf("windows, before the edit: %q", got)
	}
	windows["keystore_edited_windows"] = "true"
	if got := applying(d.Plan(windows)); got != "import-ca keystore-path-windows restart-windows restart-windows-stop restart-windows-start" {
		t.Fatalf("windows, after an edit: %q", got)
	}
}

func TestArgvDropsConditionalElementsAndSubstitutes(t *testing.T) {
	src := minimal + `  - id: two
    ref: "2"
    title: Export
    run: [zman, cae, {arg: "-d", when: db_local}, "${file}"]
`
	d, err := procedures.Parse("demo.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	s := d.Step("two")
	got, err := d.Argv(s, procedures.Values{"db_local": "false", "file": "/x; rm -rf /"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, "|") != "zman|cae|/x; rm -rf /" {
		t.Fatalf("argv = %q", got)
	}
	got, _ = d.Argv(s, procedures.Values{"db_local": "true", "file": "/b"})
	if strings.Join(got, "|") != "zman|cae|-d|/b" {
		t.Fatalf("argv = %q", got)
	}
}

func TestAnswersFileErrorsSayWhere(t *testing.T) {
	d := library(t).Get("1.1")
	_, err := procedures.ParseAnswers("a.yaml", []byte("db_on_server: maybe\nbackup_passphrase: hunter2hunter2\nnope: 1\nbackup_file: relative/path\n"), d)
	if err == nil {
		t.Fatal("bad answers accepted")
	}
	msg := err.Error()
	for _, want := range []string{
		`a.yaml:1:15: db_on_server: "maybe" is not yes or no`,
		`a.yaml:2:1: backup_passphrase is a secret`,
		`a.yaml:3:1: "nope" is not a fact or input`,
		`a.yaml:4:14: backup_file: "relative/path" is not an absolute path`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("missing %q in\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "hunter2hunter2") {
		t.Error("the error repeats a secret")
	}
	vals, err := procedures.ParseAnswers("a.yaml", []byte("db_on_server: yes\nonly_content_server: no\n"), d)
	if err != nil || vals["db_on_server"] != "true" || vals["only_content_server"] != "false" {
		t.Fatalf("good answers: %v %v", vals, err)
	}
}
