package procedures_test

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"zenrecover/procedures"
)

// Issue 11, items 3, 4 and 6: files that are not what they claim to be,
// and definitions that pass lint but misbehave when they run.

// shadowLine is a line of a file that is not a definition and must never
// be printed (a symbolic link to /etc/shadow named x.yaml).
const shadowLine = "root:$6$SECRETSALT$Qx9bTz:19000:0:99999:7:::"

const shadowFile = shadowLine + "\ndaemon:*:19000:0:99999:7:::\n"

// noSecret fails if any of the file's secret-looking text is in out.
func noSecret(t *testing.T, what, out string) {
	t.Helper()
	for _, part := range []string{shadowLine, "SECRETSALT", "$6$", "root:", "daemon"} {
		if strings.Contains(out, part) {
			t.Fatalf("%s shows %q of a file that is not a definition:\n%s", what, part, out)
		}
	}
}

func TestASymlinkOutOfTheProceduresDirectoryIsNotFollowed(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows")
	}
	outside := t.TempDir()
	secret := filepath.Join(outside, "shadow")
	if err := os.WriteFile(secret, []byte(shadowFile), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.Symlink(secret, filepath.Join(dir, "x.yaml")); err != nil {
		t.Fatal(err)
	}
	// A relative link that climbs out is refused the same way.
	if err := os.Symlink("../"+filepath.Base(outside)+"/shadow", filepath.Join(dir, "up.yaml")); err != nil {
		t.Fatal(err)
	}
	err := library(t).AddDir(dir)
	if err == nil {
		t.Fatal("--procedures DIR loaded a symbolic link to a file outside DIR")
	}
	noSecret(t, "--procedures DIR", err.Error())
	for _, name := range []string{"x.yaml", "up.yaml"} {
		want := filepath.Join(dir, name) + ": is a symbolic link to "
		if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "which zenrecover does not follow") {
			t.Errorf("error\n%v\ndoes not say %s ... which zenrecover does not follow", err, want)
		}
	}
	// lint reads a file as the loader would.
	_, err = procedures.ReadDefinition(filepath.Join(dir, "x.yaml"))
	if err == nil || !strings.Contains(err.Error(), "which zenrecover does not follow") {
		t.Errorf("ReadDefinition followed the link out of its directory: %v", err)
	}
	noSecret(t, "ReadDefinition", err.Error())
}

// A link inside the directory is followed; what it leads to is read as a
// definition, and a file that is not one is refused without a word of it.
func TestAFileThatIsNotADefinitionIsNotQuoted(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "shadow"), []byte(shadowFile), 0o600)
	if runtime.GOOS != "windows" {
		os.Symlink("shadow", filepath.Join(dir, "x.yaml"))
	} else {
		os.WriteFile(filepath.Join(dir, "x.yaml"), []byte(shadowFile), 0o600)
	}
	path := filepath.Join(dir, "x.yaml")
	src, err := procedures.ReadDefinition(path)
	if err != nil {
		t.Fatalf("a link inside the directory was not followed: %v", err)
	}
	for what, err := range map[string]error{
		"lint":           func() error { _, err := library(t).Check(path, src); return err }(),
		"--procedures":   library(t).AddDir(dir),
		"Parse":          func() error { _, err := procedures.Parse(path, src); return err }(),
		"a list":         func() error { _, err := procedures.Parse(path, []byte("- "+shadowLine+"\n")); return err }(),
		"a plain text":   func() error { _, err := procedures.Parse(path, []byte(shadowLine+" and more\n")); return err }(),
		"a map, no keys": func() error { _, err := procedures.Parse(path, []byte("password: "+shadowLine+"\n")); return err }(),
		"a flow map":     func() error { _, err := procedures.Parse(path, []byte("{"+shadowLine+"}\n")); return err }(),
		"--answers":      func() error { _, err := procedures.ParseAnswers(path, src, library(t).Get("1.1")); return err }(),
		"--answers, a map": func() error {
			_, err := procedures.ParseAnswers(path, []byte("\""+shadowLine+"\": x\n"), library(t).Get("1.1"))
			return err
		}(),
	} {
		if err == nil {
			t.Fatalf("%s accepted a file that is not a definition", what)
		}
		noSecret(t, what, err.Error())
		errorAt(t, err, path, "is not a")
	}
	// A file that is plausibly a definition still has its mistakes named.
	_, err = procedures.Parse("demo.yaml", []byte(strings.Replace(minimal, "title: Demo", "titel: Demo", 1)))
	if err == nil || !strings.Contains(err.Error(), `unknown field "titel"`) {
		t.Errorf("a definition's unknown field is not named: %v", err)
	}
}

func TestShellScriptsTakeNoSubstitution(t *testing.T) {
	step := func(run string) string {
		return strings.Replace(minimal, "    manual: Do it.", "    run: "+run, 1) + "  - id: two\n    ref: \"2\"\n    title: Two\n    manual: x\n"
	}
	const at = "demo.yaml:22:"
	refused := map[string]string{
		`[sh, -c, "echo ${file}"]`:                                           "sh -c reads its script as code",
		`[bash, -c, "cp ${file} /tmp"]`:                                      "bash -c",
		`[dash, -c, "ls ${file}"]`:                                           "dash -c",
		`[zsh, -c, "ls ${file}"]`:                                            "zsh -c",
		`[ksh, -c, "ls ${file}"]`:                                            "ksh -c",
		`[/bin/bash, -ec, "ls ${file}"]`:                                     "bash -c",
		`[bash, -o, pipefail, -c, "ls ${file}"]`:                             "bash -c",
		`[sudo, -u, zenworks, sh, -c, "ls ${file}"]`:                         "sh -c",
		`[sh, -c, {arg: "ls ${file}", when: db_local}]`:                      "sh -c",
		`[cmd, /c, "dir ${file}"]`:                                           "cmd /c reads the rest",
		`[cmd.exe, /C, dir, "${file}"]`:                                      "cmd /c",
		`['C:\Windows\System32\cmd.exe', /c, "${file}"]`:                     "cmd /c",
		`[powershell, -Command, "Get-Item ${file}"]`:                         "powershell -Command",
		`[pwsh, -c, "Get-Item ${file}"]`:                                     "pwsh -Command",
		`[powershell.exe, -NoProfile, "Get-Item ${file}"]`:                   "powershell -Command",
		`[powershell, -ExecutionPolicy, Bypass, -EncodedCommand, "${file}"]`: "powershell -Command",
	}
	for run, want := range refused {
		_, err := procedures.Parse("demo.yaml", []byte(step(run)))
		if err == nil {
			t.Errorf("run: %s was accepted: an answer would run as a command", run)
			continue
		}
		if !strings.Contains(err.Error(), at) || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "${file} is substituted into a shell's script") {
			t.Errorf("run: %s: error\n%v\nwant %s... %s", run, err, at, want)
		}
	}
	// The advice for a POSIX shell is the form that is accepted.
	_, err := procedures.Parse("demo.yaml", []byte(step(`[sh, -c, "echo ${file}"]`)))
	if err == nil || !strings.Contains(err.Error(), `pass values as positional parameters instead: run: [sh, -c, 'echo "$1"', sh, "${name}"]`) {
		t.Errorf("the error does not say how to pass the value: %v", err)
	}
	accepted := []string{
		`[sh, -c, 'ls -l "$1"', sh, "${file}"]`,
		`[bash, -ec, 'cp "$1" /tmp', bash, "${file}"]`,
		`[sh, /usr/local/bin/backup.sh, "${file}"]`,
		`[grep, sh, "${file}"]`,
		`[pwsh, -File, backup.ps1, "${file}"]`,
		`[cmd, /c, dir]`,
		`[zman, zenserver-backup, "${file}"]`,
	}
	for _, run := range accepted {
		if _, err := procedures.Parse("demo.yaml", []byte(step(run))); err != nil {
			t.Errorf("run: %s was refused: %v", run, err)
		}
	}
	// command: is what the operator types: the same rule.
	src := strings.Replace(minimal, "    manual: Do it.", "    manual: Run it there.\n    command: [sh, -c, \"ls ${file}\"]", 1)
	if _, err := procedures.Parse("demo.yaml", []byte(src)); err == nil || !strings.Contains(err.Error(), "demo.yaml:23:") {
		t.Errorf("command: with a substitution in sh -c: %v", err)
	}
}

// No shipped definition hands an answer to a shell.
func TestShippedDefinitionsPassNoAnswerToAShell(t *testing.T) {
	library(t) // every one loads, under the rule above
}

func TestLetInAConditionIsALoadError(t *testing.T) {
	src := strings.Replace(minimal, "when: db_local", "when: let here = db_local; here", 1)
	_, err := procedures.Parse("demo.yaml", []byte(src))
	// The error points at the variable, column 15 of line 21.
	if err == nil || !strings.Contains(err.Error(), "demo.yaml:21:15: condition: let here = ... declares a variable") {
		t.Fatalf("let in a condition: %v", err)
	}
}

func TestInvalidUTF8IsALoadError(t *testing.T) {
	for name, c := range map[string]struct{ replace, with, at string }{
		"title":       {"title: Demo", "title: D\xffmo", "demo.yaml:2:9:"},
		"step title":  {"    title: First", "    title: Fir\xc3st", "demo.yaml:20:15:"},
		"in a note":   {"summary: A demo.", "summary: A d\xe9mo.", "demo.yaml:4:13:"},
		"after UTF-8": {"title: Demo", "title: Démo \xff", "demo.yaml:2:13:"},
	} {
		_, err := procedures.Parse("demo.yaml", []byte(strings.Replace(minimal, c.replace, c.with, 1)))
		if err == nil || !strings.Contains(err.Error(), c.at+" byte 0x") || !strings.Contains(err.Error(), "is not UTF-8") {
			t.Errorf("%s: %v; want %s byte 0x.. is not UTF-8", name, err, c.at)
		}
	}
	_, err := procedures.ParseAnswers("answers.yaml", []byte("file: /root/\xffx.bak\n"), mustParse(t))
	if err == nil || !strings.Contains(err.Error(), "answers.yaml:1:13: byte 0xff is not UTF-8") {
		t.Errorf("answers: %v", err)
	}
}

func mustParse(t *testing.T) *procedures.Definition {
	t.Helper()
	d, err := procedures.Parse("demo.yaml", []byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestAnAnswersFileIsOneDocument(t *testing.T) {
	d := mustParse(t)
	_, err := procedures.ParseAnswers("answers.yaml", []byte("db_local: yes\n---\nfile: /root/y.bak\n"), d)
	if err == nil || !strings.Contains(err.Error(), "answers.yaml:2:1: a second YAML document starts here") {
		t.Fatalf("a second document: %v", err)
	}
	// An empty document after the first holds nothing to lose.
	if _, err := procedures.ParseAnswers("answers.yaml", []byte("db_local: yes\n---\n"), d); err != nil {
		t.Errorf("a trailing ---: %v", err)
	}
	_, err = procedures.Parse("demo.yaml", []byte(minimal+"---\nid: other\n"))
	if err == nil || !strings.Contains(err.Error(), "demo.yaml:23:1: a second YAML document starts here") {
		t.Errorf("a definition with a second document: %v", err)
	}
}
