//go:build !windows

package e2e

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Guide mode end to end, rehearsed against a Windows-layout lab: the
// wizard walks 1.1 for zen-win01 from "another machine" (it executes
// nothing); the test, as the operator at that server, runs each command it
// shows in the lab (with `lab exec`, which is what that server's zman is
// here), answers its check by looking at the lab, and confirms. Stopped
// after the first step, the guide resumes where it stopped; the report
// says what the operator was told to run, and no secret was asked or
// recorded.
func TestAGuideForAWindowsServerRehearsesAgainstAWindowsLab(t *testing.T) {
	t.Parallel()
	e := newE2E(t)
	win := filepath.Join(t.TempDir(), "winlab")
	if out, err := e.cmd("", "lab", "init", win, "--platform", "windows").CombinedOutput(); err != nil {
		t.Fatalf("lab init --platform windows: %v\n%s", err, out)
	}
	os.WriteFile(e.answers, []byte("db_on_server: yes\nonly_content_server: no\n"), 0o600)

	// First: the database step is confirmed by hand, then the operator
	// stops at the zman step.
	c := e.cmd("", "run", "1.1", "--target", "zen-win01", "--platform", "windows", "--plain", "--answers", e.answers)
	c.Stdin = strings.NewReader("done\nstop\n")
	out, err := c.CombinedOutput()
	if code := exitCode(err); code != 3 {
		t.Fatalf("the first part of the guide exited %d, want 3 (stopped, resumable):\n%s", code, out)
	}
	first := string(out)
	for _, want := range []string{"GUIDE for zen-win01", `Run there: zman zenserver-backup c:\zcm_backups\zone_backup-`, "Resume with:"} {
		if !strings.Contains(first, want) {
			t.Fatalf("the guide's output lacks %q:\n%s", want, first)
		}
	}
	if strings.Contains(first, "password") && strings.Contains(first, "? ") && strings.Contains(first, "(hidden)") {
		t.Fatalf("a guide asked for a secret:\n%s", first)
	}

	// Then: resume, do the zman step in the Windows lab as shown, look at
	// the lab for its check, confirm.
	r := e.cmd("", "resume", "--plain")
	r.Stdin = nil
	stdin, err := r.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, _ := r.StdoutPipe()
	r.Stderr = r.Stdout
	if err := r.Start(); err != nil {
		t.Fatal(err)
	}
	var seen strings.Builder
	sc := bufio.NewScanner(stdout)
	sc.Split(scanQuestions)
	var shown []string
	deadline := time.AfterFunc(60*time.Second, func() { r.Process.Kill() })
	defer deadline.Stop()
	for sc.Scan() {
		line := sc.Text()
		seen.WriteString(line)
		switch {
		case strings.HasPrefix(strings.TrimSpace(line), "Run there: "):
			shown = strings.Fields(strings.TrimPrefix(strings.TrimSpace(line), "Run there: "))
		case strings.Contains(line, "? Type done when it is done"):
			if len(shown) > 0 {
				ex := e.cmd("Administrator\n"+labAdminPassword+"\n"+knownPassphrase+"\n"+knownPassphrase+"\n",
					append([]string{"lab", "exec", "--lab", win}, shown...)...)
				if out, err := ex.CombinedOutput(); err != nil {
					t.Fatalf("the operator's %q in the Windows lab: %v\n%s", shown, err, out)
				}
				shown = nil
			}
			io.WriteString(stdin, "done\n")
		case strings.Contains(line, "? Check on zen-win01: "):
			// The check names the file as the server does; the lab holds
			// it under C/.
			name := line[strings.Index(line, `c:\zcm_backups\`)+len(`c:\zcm_backups\`):]
			name = name[:strings.Index(name, " ")]
			if _, err := os.Stat(filepath.Join(win, "C", "zcm_backups", name)); err != nil {
				t.Fatalf("the check names %s, which the operator does not find in the lab: %v", name, err)
			}
			io.WriteString(stdin, "y\n")
		}
	}
	r.Wait()
	if !strings.Contains(seen.String(), "Completed") {
		t.Fatalf("the resumed guide did not complete:\n%s", seen.String())
	}

	rep, err := e.cmd("", "runs", "--json").CombinedOutput()
	if err != nil || !strings.Contains(string(rep), `"mode": "guide"`) || !strings.Contains(string(rep), `"host": "zen-win01"`) {
		t.Fatalf("runs --json: %v\n%s", err, rep)
	}
	run, _ := onlyRun(t, e.stateDB)
	id := run.ID
	md, err := e.cmd("", "report", id, "--format", "md").CombinedOutput()
	if err != nil || !strings.Contains(string(md), "zenserver-backup") || !strings.Contains(string(md), "seen on zen-win01") {
		t.Fatalf("the report does not say what was done there: %v\n%s", err, md)
	}
	for _, secret := range []string{labAdminPassword, knownPassphrase} {
		e.assertNowhere(e.stateDir, secret)
	}
}

// scanQuestions is scanPrompts that also yields a y/n question ("... [y/n] ")
// still waiting for its answer.
func scanQuestions(data []byte, atEOF bool) (int, []byte, error) {
	if !bytes.Contains(data, []byte("\n")) && bytes.HasSuffix(bytes.TrimRight(data, " "), []byte("[y/n]")) {
		return len(data), data, nil
	}
	return scanPrompts(data, atEOF)
}
