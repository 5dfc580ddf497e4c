package procedures_test

import (
	"bytes"
	"flag"
	"html"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"zenrecover/assets"
	"zenrecover/procedures"
)

var updateGoldens = flag.Bool("update", false, "rewrite the golden checklists in testdata/checklist")

// longID is the synthetic stand-in for 2.1 in testdata/long: long, with
// sub-steps three levels deep, an include, fan-out steps, notes,
// conditions on one and two facts and several commands.
const longID = "synthetic-replace-first-primary"

func checklistLibrary(t *testing.T) *procedures.Library {
	t.Helper()
	lib := library(t)
	if err := lib.AddDir(filepath.Join("testdata", "long")); err != nil {
		t.Fatalf("testdata/long does not load:\n%v", err)
	}
	return lib
}

func theme(t *testing.T) fs.FS {
	t.Helper()
	sub, err := fs.Sub(assets.Checklist, "checklist")
	if err != nil {
		t.Fatal(err)
	}
	return sub
}

func answersFor(t *testing.T, d *procedures.Definition, file string) procedures.ChecklistOptions {
	t.Helper()
	p := filepath.Join("testdata", "answers", file)
	src, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	vals, err := procedures.ParseAnswers(p, src, d)
	if err != nil {
		t.Fatal(err)
	}
	return procedures.ChecklistOptions{Answers: vals, AnswersFile: file}
}

func render(t *testing.T, c *procedures.Checklist, format string) string {
	t.Helper()
	var b bytes.Buffer
	if err := procedures.WriteChecklist(&b, c, format, theme(t)); err != nil {
		t.Fatalf("%s: %v", format, err)
	}
	return b.String()
}

// checklistCases are the checklists the goldens and the paper tests cover.
func checklistCases(t *testing.T) map[string]*procedures.Checklist {
	lib := checklistLibrary(t)
	long, restore, replace := lib.Get(longID), lib.Get("1.2"), lib.Get("replace-first-primary")
	return map[string]*procedures.Checklist{
		"2.1":                   replace.Checklist(procedures.ChecklistOptions{}),
		"2.1-answers":           replace.Checklist(answersFor(t, replace, "2.1.yaml")),
		"2.1-synthetic":         long.Checklist(procedures.ChecklistOptions{}),
		"2.1-synthetic-answers": long.Checklist(answersFor(t, long, "synthetic-2.1.yaml")),
		"1.2":                   restore.Checklist(procedures.ChecklistOptions{}),
		"1.2-answers":           restore.Checklist(answersFor(t, restore, "1.2.yaml")),
	}
}

// formats are the checklist's formats, each its files' extension too.
func formats() []string { return []string{"md", "html", "txt"} }

func TestChecklistGoldens(t *testing.T) {
	for name, c := range checklistCases(t) {
		for _, format := range formats() {
			ext := format
			t.Run(name+"."+ext, func(t *testing.T) {
				got := render(t, c, format)
				p := filepath.Join("testdata", "checklist", name+"."+ext)
				if *updateGoldens {
					os.MkdirAll(filepath.Dir(p), 0o755)
					if err := os.WriteFile(p, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(p)
				if err != nil {
					t.Fatalf("%v (go test ./procedures -run Golden -update writes it)", err)
				}
				if got != string(want) {
					t.Errorf("%s differs from its golden file (go test ./procedures -run Golden -update, then review the diff):\n%s", p, firstDiff(string(want), got))
				}
			})
		}
	}
}

func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return "line " + itoa(i+1) + ":\n- " + a + "\n+ " + b
		}
	}
	return "(same lines)"
}

func itoa(n int) string {
	var b []byte
	for {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
		if n == 0 {
			return string(b)
		}
	}
}

// Every format shows every step's reference number and every command.
func TestChecklistShowsEveryStepAndCommand(t *testing.T) {
	for name, c := range checklistCases(t) {
		if len(c.Items) < 4 {
			t.Fatalf("%s: only %d items", name, len(c.Items))
		}
		for _, format := range formats() {
			flat := readable(render(t, c, format), format)
			for _, it := range c.Items {
				if !strings.Contains(flat, readable(it.Label, "txt")) {
					t.Errorf("%s.%s lacks step %s", name, format, it.Label)
				}
				for _, line := range commandLines(it) {
					if !strings.Contains(flat, readable(line, "txt")) {
						t.Errorf("%s.%s lacks the command %q", name, format, line)
					}
				}
			}
		}
	}
}

// commandLines are what an item has the administrator type: its commands
// and the lines of its script.
func commandLines(it procedures.ChecklistItem) []string {
	var out []string
	for _, c := range it.Commands {
		out = append(out, c.Line)
	}
	for _, l := range strings.Split(it.Script, "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}

func flatten(s string) string { return strings.Join(strings.Fields(s), "") }

// readable is what a reader gets from a rendering, for comparing texts
// whatever their format: entities decoded, continuation backslashes and
// line breaks gone, typography as the text format writes it.
func readable(s, format string) string {
	switch format {
	case "html":
		s = html.UnescapeString(s)
	case "md":
		s = strings.NewReplacer(`\_`, "_", `\<`, "<", `\>`, ">", `\\`, `\`, `\&`, "&", `\*`, "*", `\|`, "|", `\[`, "[", `\]`, "]", `\#`, "#").Replace(s)
	}
	s = strings.ReplaceAll(s, "\\\n", "\n")
	s = strings.NewReplacer("›", ">", "“", `"`, "”", `"`, "’", "'", "—", "-").Replace(s)
	return flatten(s)
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}

func TestTextChecklistFitsEightyColumns(t *testing.T) {
	lib := checklistLibrary(t)
	cases := checklistCases(t)
	for _, d := range lib.All() {
		cases[d.ID] = d.Checklist(procedures.ChecklistOptions{})
	}
	// Words and commands longer than a line: they must be cut, not overflow.
	long := strings.Repeat("x", 130)
	d, err := procedures.Parse("wide.yaml", []byte(`id: wide
title: `+strings.Repeat("Very long title ", 12)+`
section: "9.9"
summary: `+long+`
notes: [{kind: warning, text: "`+long+` `+long+`"}]
inputs: [{id: p, type: path, prompt: `+long+`, default: /`+long+`}]
steps:
  - id: a
    ref: "1"
    title: `+long+`
    run: [zman, zenserver-backup, /`+long+`/backup.bak, "${p}", `+strings.Repeat("arg ", 30)+`]
  - id: b
    ref: "2"
    title: Deep
    steps:
      - id: c
        ref: "2a"
        title: Deeper
        steps:
          - {id: d, ref: "2a1", title: Deepest, manual: "`+long+`"}
`))
	if err != nil {
		t.Fatal(err)
	}
	cases["wide"] = d.Checklist(procedures.ChecklistOptions{})
	for name, c := range cases {
		for i, l := range strings.Split(render(t, c, "txt"), "\n") {
			if n := utf8.RuneCountInString(l); n > procedures.TextWidth {
				t.Errorf("%s.txt line %d has %d columns:\n%s", name, i+1, n, l)
			}
		}
	}
	// Cut, but nothing lost: the long argument is all there.
	if out := render(t, cases["wide"], "txt"); !strings.Contains(strings.ReplaceAll(flatten(out), "\\", ""), long+"/backup.bak") {
		t.Errorf("the long argument was lost:\n%s", out)
	}
}

func TestChecklistWithAnswersShowsOnlyWhatApplies(t *testing.T) {
	lib := checklistLibrary(t)
	d := lib.Get("1.2")
	c := d.Checklist(answersFor(t, d, "1.2.yaml"))
	var ids []string
	for _, it := range c.Items {
		ids = append(ids, it.ID)
		if it.Condition != "" {
			t.Errorf("step %s still shows a condition the answers decide: %s", it.Label, it.Condition)
		}
	}
	want := "reinstall check-rights zman-restore restore-images-linux restart-linux"
	if got := strings.Join(ids, " "); got != want {
		t.Fatalf("steps %q, want %q", got, want)
	}
	txt := render(t, c, "txt")
	for _, s := range []string{"1.2.yaml", "$ zman zenserver-restore /srv/backups/zone_backup.bak",
		"Copy /root/zcm_backups/images to /var/opt/novell/zenworks/content-repo/images",
		"Left out, their conditions being false: 1.2 step 6 Restore the ZENworks database"} {
		if !strings.Contains(flatten(txt), flatten(s)) {
			t.Errorf("the text checklist lacks %q:\n%s", s, txt)
		}
	}
	if strings.Contains(txt, "<backup_file>") {
		t.Error("a value the answers give is still a placeholder")
	}

	// Without answers every conditional step is there, with its condition.
	full := d.Checklist(procedures.ChecklistOptions{})
	conds := 0
	for _, it := range full.Items {
		if it.Condition != "" {
			conds++
		}
	}
	// 13 steps, 11 of them for one platform or one answer, and the two net
	// commands of the Windows restart, under its condition.
	if len(full.Items) != 15 || conds != 11 {
		t.Errorf("full checklist: %d items, %d with a condition", len(full.Items), conds)
	}
	if !strings.Contains(render(t, full, "txt"), "$ zman zenserver-restore <backup_file>") {
		t.Error("the full checklist does not show the placeholder")
	}
}

func TestFanOutHasALinePerTarget(t *testing.T) {
	lib := checklistLibrary(t)
	d := lib.Get(longID)
	known := d.Checklist(answersFor(t, d, "synthetic-2.1.yaml"))
	unknown := d.Checklist(procedures.ChecklistOptions{})
	item := func(c *procedures.Checklist, id string) procedures.ChecklistItem {
		for _, it := range c.Items {
			if it.ID == id {
				return it
			}
		}
		t.Fatalf("no item %s", id)
		return procedures.ChecklistItem{}
	}
	if it := item(known, "register"); !it.FanOut || strings.Join(it.Targets, ",") != "sat-a,sat-b,ws-0042" ||
		it.Commands[0].Line != "zac reg https://zen2.example.com:443" {
		t.Errorf("with the targets known: %+v", it)
	}
	if it := item(unknown, "refresh"); !it.FanOut || len(it.Targets) != 0 || it.BlankTargets() != procedures.DefaultTargetBlanks {
		t.Errorf("with the targets unknown: %+v", it)
	}
	for _, format := range formats() {
		out := render(t, known, format)
		if n := strings.Count(out, "ws-0042"); n != 4 { // the values, steps 9, 10a and 10b
			t.Errorf("%s: ws-0042 appears %d times, want it in the values and a line in each of 3 fan-out steps", format, n)
		}
	}
	txt := render(t, unknown, "txt")
	if n := strings.Count(txt, "[ ] ________________________"); n != 3*procedures.DefaultTargetBlanks {
		t.Errorf("%d blank target lines, want %d", n, 3*procedures.DefaultTargetBlanks)
	}
}

func TestChecklistHeaderHasTheBlanksAndNoSecret(t *testing.T) {
	for name, c := range checklistCases(t) {
		for _, format := range formats() {
			out := render(t, c, format)
			for _, s := range []string{"Zone", "Server", "Operator", "Date", "Change ticket",
				"the place, never the passphrase", "Signature", "Checked by"} {
				if !strings.Contains(readable(out, format), flatten(s)) {
					t.Errorf("%s.%s lacks %q", name, format, s)
				}
			}
			for _, secret := range []string{"<admin_password>", "<backup_passphrase>", "<ca_passphrase>"} {
				if strings.Contains(out, secret) || strings.Contains(out, htmlEscape(secret)) {
					t.Errorf("%s.%s has a place for a secret: %s", name, format, secret)
				}
			}
		}
		if c.AnswersFile != "" && !strings.Contains(render(t, c, "md"), "Shaped by the answers in "+c.AnswersFile) {
			t.Errorf("%s: the header does not say which answers shaped it", name)
		}
	}
}

func TestHTMLChecklistIsSelfContained(t *testing.T) {
	out := render(t, checklistCases(t)["2.1-synthetic"], "html")
	for _, bad := range []string{"<script", "<link", "<img", "<iframe", "@import", "url(", "@font-face", "src="} {
		if strings.Contains(out, bad) {
			t.Errorf("the HTML checklist fetches something: %q", bad)
		}
	}
	for _, want := range []string{"@media print", "break-inside: avoid", "@page"} {
		if !strings.Contains(out, want) {
			t.Errorf("the HTML checklist lacks print styles: %q", want)
		}
	}
}

// Markdown task lists render on GitHub, GitLab and Gitea when every item
// starts "- [ ] " at an even indent and code fences are balanced.
func TestMarkdownChecklistIsATaskList(t *testing.T) {
	out := render(t, checklistCases(t)["2.1-synthetic"], "md")
	task := regexp.MustCompile(`^((  )*)- \[ \] \S`)
	tasks, fences := 0, 0
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "- [ ]") {
			if !task.MatchString(l) {
				t.Errorf("not a task item: %q", l)
			}
			tasks++
		}
		if strings.HasPrefix(strings.TrimSpace(l), "```") {
			fences++
		}
	}
	if tasks < 50 || fences%2 != 0 {
		t.Errorf("%d tasks, %d fences", tasks, fences)
	}
	if !strings.Contains(out, `\<Keystore\>`) && strings.Contains(out, "<Keystore>") {
		t.Error("an element name would vanish as an HTML tag")
	}
}

func TestConditionWordsReadWell(t *testing.T) {
	lib := checklistLibrary(t)
	d := lib.Get(longID)
	for when, want := range map[string]string{
		`db_on_first`:           `Only if the answer to “Is the database installed on the device of the first Primary Server?” is yes`,
		`!db_on_first`:          `Only if the answer to “Is the database installed on the device of the first Primary Server?” is no`,
		`db_kind == "embedded"`: `Only if the answer to “Which database does the zone use?” is embedded`,
		`db_kind != "embedded"`: `Only if the answer to “Which database does the zone use?” is not embedded`,
		`reporting && extra_rules`: `Only if the answer to “Is ZENworks Reporting installed on the first Primary Server?” is yes and ` +
			`the answer to “Are other closest server rules configured besides the default one?” is yes`,
		`!(reporting || extra_rules)`: `Only if the answer to “Is ZENworks Reporting installed on the first Primary Server?” is no and ` +
			`the answer to “Are other closest server rules configured besides the default one?” is no`,
		`reporting && (extra_rules || db_on_first)`: `Only if the answer to “Is ZENworks Reporting installed on the first Primary Server?” is yes and ` +
			`either the answer to “Are other closest server rules configured besides the default one?” is yes or ` +
			`the answer to “Is the database installed on the device of the first Primary Server?” is yes`,
		`db_kind in ["embedded", "external"]`: `Only if the answer to “Which database does the zone use?” is embedded or external`,
	} {
		if got := d.WhenWords(when); got != want {
			t.Errorf("%s:\n got %s\nwant %s", when, got, want)
		}
	}
	if got := library(t).Get("1.4").ConditionWords(library(t).Get("1.4").Step("restart-linux")); got != "Only if this server runs Linux and step 4 changed the file" {
		t.Errorf("provided value: %s", got)
	}
}
