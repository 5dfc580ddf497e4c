package procedures_test

import (
	"regexp"
	"strings"
	"testing"

	"zenrecover/procedures"
)

// linuxOnly are the marks of a Linux server's paths and tools: none may be
// on a sheet printed for a Windows server.
var linuxOnly = regexp.MustCompile(`/etc/opt|/var/opt|/root|init\.d|permissions?\.sh`)

// A checklist printed for one platform (checklist --platform) shows that
// platform's paths and commands only, in every section: an administrator
// in a Windows server room is never handed /etc/opt, nor one on Linux
// %ZENWORKS_HOME%. Every format is checked, since each renders its own
// parts of the sheet.
func TestChecklistForAPlatformShowsOnlyItsPaths(t *testing.T) {
	lib := library(t)
	if n := len(lib.All()); n != 15 {
		t.Fatalf("%d sections, want 15", n)
	}
	for _, d := range lib.All() {
		for _, format := range []string{"md", "txt", "html"} {
			win := render(t, d.Checklist(procedures.ChecklistOptions{Platform: "windows"}), format)
			if m := linuxOnly.FindAllString(win, -1); len(m) > 0 {
				t.Errorf("%s (%s) for Windows shows Linux paths: %q\n%s", d.Section, format, m, lineOf(win, m[0]))
			}
			lin := render(t, d.Checklist(procedures.ChecklistOptions{Platform: "linux"}), format)
			if i := strings.Index(strings.ToUpper(lin), "%ZENWORKS_HOME%"); i >= 0 {
				t.Errorf("%s (%s) for Linux shows a Windows path:\n%s", d.Section, format, lineOf(lin, lin[i:i+15]))
			}
			if strings.Contains(win, "Which operating system does this Primary Server run?\n") {
				t.Errorf("%s (%s) for Windows still asks which platform the server runs", d.Section, format)
			}
		}
	}
	// The sheet says what it was printed for, and a Windows server's
	// defaults are its own.
	c := lib.Get("1.1").Checklist(procedures.ChecklistOptions{Platform: "windows"})
	if strings.Join(c.Platforms, ",") != "windows" {
		t.Errorf("1.1 for Windows says it is for %v", c.Platforms)
	}
	for _, v := range c.Values {
		if v.ID == "backup_file" && v.Default != `c:\zcm_backups\zone_backup-<run.date>.bak` {
			t.Errorf("1.1 for Windows offers %q for the backup file", v.Default)
		}
	}
	txt := render(t, c, "txt")
	for _, want := range []string{`zman zenserver-backup <backup_file>`, `%ZENWORKS_HOME%\work\content-repo`} {
		if !strings.Contains(flatten(txt), flatten(want)) {
			t.Errorf("1.1 for Windows lacks %q:\n%s", want, txt)
		}
	}
	if w := render(t, lib.Get("1.2").Checklist(procedures.ChecklistOptions{Platform: "windows"}), "txt"); !strings.Contains(w, `net stop "Novell ZENworks Server"`) || !strings.Contains(w, `net start "Novell ZENworks Server"`) {
		t.Errorf("1.2 for Windows does not restart the service with net stop and net start:\n%s", w)
	}
}

func lineOf(text, s string) string {
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}

// A value given per platform is read from a map of linux: and windows:
// only; anything else is an error where it is, with file, line and column.
func TestPerPlatformValuesAreCheckedWhereTheyAre(t *testing.T) {
	head := `id: demo
title: Demo
section: "9.1"
summary: A demo.
facts:
  - id: platform
    type: choice
    question: Which platform?
    choices: [linux, windows]
    detect:
      platform: true
inputs:
  - id: file
    type: path
    prompt: File
`
	step := `steps:
  - id: one
    ref: "1"
    title: First
    manual: Do it with ${file}.
`
	good := head + "    default:\n      linux: /root/x.bak\n      windows: 'c:\\x.bak'\n" + step
	d, err := procedures.Parse("demo.yaml", []byte(good))
	if err != nil {
		t.Fatal(err)
	}
	in := d.InputByID("file")
	if in.Default != "" || in.DefaultFor("linux") != "/root/x.bak" || in.DefaultFor("windows") != `c:\x.bak` {
		t.Errorf("per-platform default read as %q, linux %q, windows %q", in.Default, in.DefaultFor("linux"), in.DefaultFor("windows"))
	}
	if got := in.DefaultWith(procedures.Values{"platform": "windows"}); got != `c:\x.bak` {
		t.Errorf("offered on Windows: %q", got)
	}
	if got := in.DefaultWith(procedures.Values{}); got != "" {
		t.Errorf("offered %q while the platform is not known; nothing should be", got)
	}
	// A plain default is what it always was, and hashes as before.
	plain, err := procedures.Parse("demo.yaml", []byte(head+"    default: /root/x.bak\n"+step))
	if err != nil {
		t.Fatal(err)
	}
	if p := plain.InputByID("file"); p.Default != "/root/x.bak" || p.Defaults.Split() {
		t.Errorf("a plain default read as %+v", p)
	}

	for _, c := range []struct{ name, src, want string }{
		{"unknown platform", head + "    default:\n      linux: /root/x.bak\n      macos: /x.bak\n" + step, `demo.yaml:18:7: unknown platform "macos"`},
		{"a list", head + "    default: [/a, /b]\n" + step, "demo.yaml:16:14: must be a text"},
		{"empty value", head + "    default:\n      linux: ''\n" + step, "demo.yaml:17:14: the value for linux is empty"},
		{"no platform fact", strings.Replace(head, "- id: platform\n", "- id: os\n", 1) + "    default:\n      linux: /root/x.bak\n" + step, `needs the fact "platform"`},
		{"bad windows path", head + "    default:\n      linux: /root/x.bak\n      windows: x.bak\n" + step, `"x.bak" is not an absolute path`},
		{"detector of a bool", strings.Replace(head, "facts:\n", "facts:\n  - id: db\n    type: bool\n    question: Database?\n    detect:\n      file-exists:\n        linux: /var/db\n        solaris: /db\n", 1) + step, `demo.yaml:12:9: unknown platform "solaris"`},
		{"platform-fact of a plain default", head + "    platform-fact: platform\n    default: /root/x.bak\n" + step, "platform-fact picks a default given per platform"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := procedures.Parse("demo.yaml", []byte(c.src))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error\n%v\ndoes not contain\n%s", err, c.want)
			}
		})
	}
}

// A value that follows a \ in a Windows path names a file in that folder,
// exactly as one after a /: it may not lead out of it.
func TestAValueAfterABackslashStaysInItsFolder(t *testing.T) {
	tmpl := `${dir}\${name}.der`
	if got, err := procedures.Expand(tmpl, procedures.Values{"dir": `c:\zcm_certs`, "name": "zen-1"}); err != nil || got != `c:\zcm_certs\zen-1.der` {
		t.Fatalf("got %q, %v", got, err)
	}
	for _, bad := range []string{`..\..\windows\system32\x`, `sub\x`, "a/b", ".."} {
		if _, err := procedures.Expand(tmpl, procedures.Values{"dir": `c:\zcm_certs`, "name": bad}); err == nil {
			t.Errorf("%q after a \\ was accepted", bad)
		}
	}
	src := minimal + `  - id: two
    ref: "2"
    title: Two
    manual: Read ${file}\${leaf}.
`
	src = strings.Replace(src, "inputs:\n", "inputs:\n  - id: leaf\n    type: string\n    prompt: Leaf\n", 1)
	d, err := procedures.Parse("demo.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if !d.NamesFileInFolder("leaf") {
		t.Error("a value after a \\ is not known to name a file in a folder")
	}
}

// %NAME% in a Windows step's paths and argv is the server's variable,
// letter case aside; one that is not set stops the step rather than
// naming a folder called %ZENWORKS_HOME%.
func TestWindowsVariablesExpandInPathsAndArgvOnly(t *testing.T) {
	lib := library(t)
	d := lib.Get("1.4")
	st := d.Step("keystore-path-windows")
	r, err := d.Resolve(st, procedures.Values{"platform": "windows", "keystore_path": `%ZENWORKS_HOME%\conf\security\zenca.keystore`})
	if err != nil {
		t.Fatal(err)
	}
	env := procedures.EnvLookup([]string{`Zenworks_Home=C:\Program Files (x86)\Novell\ZENworks`})
	if err := r.ExpandEnv(env); err != nil {
		t.Fatal(err)
	}
	if want := `C:\Program Files (x86)\Novell\ZENworks\conf\security\CaConfig.xml`; r.EditXML.File != want || r.Verify[0].XMLPathExists.File != want {
		t.Errorf("file %q, verify %q", r.EditXML.File, r.Verify[0].XMLPathExists.File)
	}
	if r.EditXML.Value != `C:\Program Files (x86)\Novell\ZENworks\conf\security\zenca.keystore` {
		t.Errorf("value %q", r.EditXML.Value)
	}
	if !strings.Contains(r.Instructions, `%ZENWORKS_HOME%\conf\security\CaConfig.xml`) {
		t.Errorf("the instructions lost their words: %q", r.Instructions)
	}
	r, _ = d.Resolve(st, procedures.Values{"platform": "windows", "keystore_path": `%ZENWORKS_HOME%\x`})
	if err := r.ExpandEnv(procedures.EnvLookup(nil)); err == nil || !strings.Contains(err.Error(), "%ZENWORKS_HOME% is not set") {
		t.Errorf("an unset variable: %v", err)
	}
}
