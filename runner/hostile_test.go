package runner_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"zenrecover/lab"
	"zenrecover/procedures"
	"zenrecover/runner"
	"zenrecover/state"
)

// Hostile answer values (issue 6): quotes, ;, $(...), backticks, a
// newline, option-looking words, a ${...} of another input, control
// characters and paths with .. reach a command as exactly one argv element
// each, unchanged (paths rebased into the lab in a rehearsal), and nothing
// they spell out is ever run. What a command received is read back from the
// lab: zac records the arguments of every call in the zone's device_log,
// and zman zenserver-backup writes the file it is given.

const hostileDef = `id: hostile-argv
title: Hostile answer values (test)
section: "9.1"
summary: Passes each answer to the lab's zac as one argument.
facts:
  - id: note
    type: string
    question: A note (a string fact)
inputs:
  - id: value
    type: string
    prompt: A value
steps:
  - id: alone
    ref: "1"
    title: The value alone
    run: [zac, asr, -t, "${value}"]
  - id: embedded
    ref: "2"
    title: The value inside a word
    run: [zac, asr, -t, "pre ${value} post"]
  - id: twice
    ref: "3"
    title: The value and the note, each in its own element
    run: [zac, asr, -t, "${value}", -t, "${note}"]
`

// canary is a file a hostile value would create if a shell ever saw it.
func hostileValues(canary string) []string {
	return []string{
		`it's "quoted"`,
		`a; touch ` + canary,
		`$(touch ` + canary + `)`,
		"`touch " + canary + "`",
		`x && touch ` + canary + ` || true`,
		`| tee ` + canary,
		`> ` + canary,
		`--help`,
		`-u`,
		`* ? [a-z] ~`,
		`  two  spaces  `,
		`${note}`,
		`\ back\\slash`,
		"tab\there",
		"esc \x1b[2J\x1b]0;title\x07 bell",
		"ünïcødé ✓",
		`..`,
		`../../../../etc/passwd`,
	}
}

// deviceCalls is the zac calls the lab recorded, as argument lists.
func deviceCalls(t *testing.T, l *lab.Lab) [][]string {
	t.Helper()
	z, err := l.Zone()
	if err != nil {
		t.Fatal(err)
	}
	var out [][]string
	for _, c := range z.DeviceLog {
		out = append(out, c.Args)
	}
	return out
}

func startDef(t *testing.T, f *fixture, d *procedures.Definition, preset procedures.Values) *runner.Session {
	t.Helper()
	s, err := runner.Start(context.Background(), f.opts(), d, preset)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func TestHostileValuesReachACommandAsOneArgumentEach(t *testing.T) {
	t.Parallel()
	d, err := procedures.Parse("hostile.yaml", []byte(hostileDef))
	if err != nil {
		t.Fatal(err)
	}
	canary := filepath.Join(t.TempDir(), "pwned")
	// A note with a line break: facts of type string take one.
	note := "first line\nsecond; line $(touch " + canary + ")"
	for _, v := range hostileValues(canary) {
		t.Run(strings.NewReplacer("/", "_", "\x1b", "ESC", "\x07", "BEL").Replace(v), func(t *testing.T) {
			f := newFixture(t)
			s := startDef(t, f, d, procedures.Values{"note": note, "value": v})
			var out bytes.Buffer
			if need := drive(t, s, nil, &out); !isDone(need) {
				t.Fatalf("the run ended on %T %+v\n%s", need, need, out.String())
			}
			// The one change an answer undergoes: leading and trailing
			// spaces are trimmed (Session.Answer).
			v := strings.TrimSpace(v)
			if got := s.Values()["value"]; got != v {
				t.Errorf("journaled %q, want %q", got, v)
			}
			want := [][]string{
				{"-t", v},
				{"-t", "pre " + v + " post"},
				{"-t", v, "-t", note},
			}
			got := deviceCalls(t, f.lab)
			if !slices.EqualFunc(got, want, slices.Equal[[]string]) {
				t.Errorf("zac received\n%q\nwant\n%q", got, want)
			}
			if _, err := os.Stat(canary); err == nil {
				t.Fatalf("%q ran a command: %s exists", v, canary)
			}
		})
	}
}

// A line break or a NUL cannot be given for an input at all: it is refused
// with the input's prompt, before anything runs, from an answers file too.
func TestInputValuesWithLineBreaksAreRefused(t *testing.T) {
	t.Parallel()
	d, err := procedures.Parse("hostile.yaml", []byte(hostileDef))
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t)
	s := startDef(t, f, d, procedures.Values{"note": "n"})
	for _, v := range []string{"a\nb", "a\rb", "a\x00b", "zen-primary-2\n; rm -rf /"} {
		if err := s.Answer(context.Background(), "value", v); err == nil || !strings.Contains(err.Error(), "A value") {
			t.Errorf("value %q was accepted (%v)", v, err)
		}
	}
	if _, err := procedures.ParseAnswers("a.yaml", []byte("value: |\n  a\n  b\n"), d); err == nil || !strings.Contains(err.Error(), "value") {
		t.Errorf("a line break in an answers file was accepted: %v", err)
	}
	if len(deviceCalls(t, f.lab)) != 0 {
		t.Error("a command ran")
	}
}

// A path with .. (and quotes, ;, $(...) in its file name) is one argument,
// and in a rehearsal it stays inside the lab: zman zenserver-backup writes
// exactly the file named, under the lab's root, and nothing outside it.
func TestHostilePathsStayInsideTheLab(t *testing.T) {
	t.Parallel()
	outside := t.TempDir()
	name := `it's a "back;up" $(touch x) ` + "`id`" + `.bak`
	for _, p := range []string{
		"/root/zcm_backups/" + name,
		"/root/zcm_backups/../../../../../.." + outside + "/escaped.bak",
		"/root/zcm_backups/./sub/../" + name,
	} {
		t.Run(strings.ReplaceAll(p, "/", "_"), func(t *testing.T) {
			f := newFixture(t)
			if err := os.MkdirAll(f.lab.Rebase("/root/zcm_backups/sub"), 0o700); err != nil {
				t.Fatal(err)
			}
			// zman writes into a folder that exists (destination.go asks first).
			if err := os.MkdirAll(f.lab.Rebase(outside), 0o700); err != nil {
				t.Fatal(err)
			}
			s := f.start("1.1", procedures.Values{"db_on_server": "false", "only_content_server": "false", "backup_file": p})
			var out bytes.Buffer
			need := drive(t, s, map[string]string{"admin_password": adminPW, "backup_passphrase": passphrase}, &out)
			if !isDone(need) {
				t.Fatalf("1.1 ended on %T %+v\n%s", need, need, out.String())
			}
			written := f.lab.Rebase(filepath.Clean(p))
			if _, err := os.Stat(written); err != nil {
				t.Errorf("zman did not write %s: %v\n%s", written, err, out.String())
			}
			if rel, err := filepath.Rel(f.lab.Dir(), written); err != nil || !filepath.IsLocal(rel) {
				t.Errorf("%s was written outside the lab %s", written, f.lab.Dir())
			}
			if ents, _ := os.ReadDir(outside); len(ents) > 0 {
				t.Errorf("a file was written outside the lab, in %s: %v", outside, ents)
			}
			if ss := s.State().Steps["zman-backup"]; ss == nil || ss.Status != state.StepSucceeded {
				t.Errorf("zman-backup: %+v", ss)
			}
		})
	}
}

// A step that names a folder and puts a value in a file name under it
// ("${cert_dir}/${target}.der", as 4.3 and cert-add-server-certs do for
// zman sacert) must keep the file in that folder: a host name with ../ in
// it must not lead the command to a file elsewhere.
const folderDef = `id: hostile-folder
title: A file named after a server (test)
section: "9.2"
summary: The cert_dir pattern of 4.3.
inputs:
  - id: cert_dir
    type: path
    prompt: Folder of the certificates
    default: /root/zcm_certs
  - id: this_server
    type: string
    prompt: This server's name
steps:
  - id: here
    ref: "1"
    title: This server's certificate
    run: [zac, asr, -t, "${cert_dir}/${this_server}.der"]
`

func TestAValueCannotLeadAStepOutOfItsFolder(t *testing.T) {
	t.Parallel()
	d, err := procedures.Parse("folder.yaml", []byte(folderDef))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"../../etc/ssl/private/server", "..", "sub/../../../etc/x", `..\..\x`, "zen-primary-1/../../x"} {
		t.Run(strings.ReplaceAll(v, "/", "_"), func(t *testing.T) {
			f := newFixture(t)
			s := startDef(t, f, d, procedures.Values{"cert_dir": "/root/zcm_certs"})
			if err := s.Answer(context.Background(), "this_server", v); err != nil {
				// Refused when answered: it must say which answer.
				if !strings.Contains(err.Error(), "This server's name") {
					t.Errorf("refused without naming the input: %v", err)
				}
				return
			}
			// Accepted: then no command may be given a file outside the
			// folder.
			var out bytes.Buffer
			drive(t, s, nil, &out)
			folder := f.lab.Rebase("/root/zcm_certs")
			for _, args := range deviceCalls(t, f.lab) {
				p := args[len(args)-1]
				if rel, err := filepath.Rel(folder, filepath.Clean(p)); err != nil || !filepath.IsLocal(rel) {
					t.Errorf("the command was given %s, outside the step's folder %s (cert_dir): a server name with ../ leads it out", p, folder)
				}
			}
		})
	}
}

func isDone(n runner.Need) bool {
	_, ok := n.(*runner.Done)
	return ok
}
