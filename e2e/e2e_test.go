//go:build !windows

package e2e

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"zenrecover/lab"
	"zenrecover/state"
)

// The end-to-end tests drive the real binary, as a script or an operator
// would.

const (
	labAdminPassword = "novell-lab-pw"
	knownPassphrase  = "Correct-Horse-Battery-42"
)

type e2e struct {
	t                 *testing.T
	bin, stateDB, lab string
	answers, stateDir string
}

func newE2E(t *testing.T) *e2e {
	dir := t.TempDir()
	e := &e2e{t: t, bin: buildBinary(t), stateDir: filepath.Join(dir, "state"), lab: filepath.Join(dir, "lab"), answers: filepath.Join(dir, "answers.yaml")}
	e.stateDB = filepath.Join(e.stateDir, "state.db")
	if out, err := e.cmd("", "lab", "init", e.lab).CombinedOutput(); err != nil {
		t.Fatalf("lab init: %v\n%s", err, out)
	}
	return e
}

func (e *e2e) cmd(stdin string, args ...string) *exec.Cmd {
	c := exec.Command(e.bin, append([]string{"--state", e.stateDB}, args...)...)
	c.Stdin = strings.NewReader(stdin)
	c.Env = append(os.Environ(), "NO_COLOR=1")
	return c
}

func exitCode(err error) int {
	if err == nil {
		return 0
	}
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	return -1
}

// The scenario: run 1.1 in a lab, kill the wizard mid-step, resume
// to completion; the passphrase is nowhere on disk afterwards.
func TestKilledRunResumesToCompletionAndLeavesNoSecret(t *testing.T) {
	e := newE2E(t)
	os.WriteFile(e.answers, []byte("db_on_server: no\nonly_content_server: no\nbackup_file: /root/zcm_backups/zone_backup.bak\n"), 0o600)
	secrets := labAdminPassword + "\n" + knownPassphrase + "\n"

	// First attempt: the simulated zman hangs once its prompts are
	// answered, so the wizard is killed in the middle of the step.
	c := e.cmd(secrets, "run", "1.1", "--lab", e.lab, "--plain", "--answers", e.answers, "--yes")
	c.Env = append(c.Env, "ZENRECOVER_LAB_HANG_AFTER_PROMPTS=1")
	stdout, _ := c.StdoutPipe()
	c.Stderr = c.Stdout
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	var seen bytes.Buffer
	sc := bufio.NewScanner(stdout)
	sc.Split(scanPrompts)
	for sc.Scan() {
		seen.WriteString(sc.Text())
		if strings.Contains(sc.Text(), lab.HangNotice) {
			break
		}
	}
	if !strings.Contains(seen.String(), lab.HangNotice) {
		t.Fatalf("zman never reached the end of its prompts:\n%s", seen.String())
	}
	c.Process.Kill()
	go io.Copy(&seen, stdout)
	c.Wait()
	child := e.waitChildGone()

	// The run is interrupted, and step 2 is in doubt.
	out, err := e.cmd("", "runs", "--json").CombinedOutput()
	if err != nil || !strings.Contains(string(out), `"status": "active"`) {
		t.Fatalf("runs after the kill: %v\n%s", err, out)
	}

	res := e.cmd(secrets, "resume", "--plain", "--yes")
	rout, err := res.CombinedOutput()
	if code := exitCode(err); code != 0 {
		t.Fatalf("resume exited %d:\n%s", code, rout)
	}
	for _, want := range []string{"is in doubt", "Why:", "running it again", "Completed"} {
		if !strings.Contains(string(rout), want) {
			t.Errorf("resume output lacks %q:\n%s", want, rout)
		}
	}
	if _, err := os.Stat(filepath.Join(e.lab, "root/zcm_backups/zone_backup.bak")); err != nil {
		t.Errorf("the backup file was not written: %v", err)
	}
	_ = child

	// zman ran twice; the first attempt's output is in the log, and no file
	// under the state directory holds a secret.
	for _, secret := range []string{knownPassphrase, labAdminPassword} {
		if strings.Contains(seen.String()+string(rout), secret) {
			t.Errorf("a secret was printed")
		}
		e.assertNowhere(e.stateDir, secret)
	}
}

// scanPrompts splits on newlines and also yields a pending prompt that has
// no newline yet, so the test sees zman's prompts as they appear.
func scanPrompts(data []byte, atEOF bool) (int, []byte, error) {
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		return i + 1, data[:i+1], nil
	}
	if len(data) > 0 && (atEOF || bytes.HasSuffix(bytes.TrimRight(data, " "), []byte(":"))) {
		return len(data), data, nil
	}
	if atEOF {
		return 0, nil, io.EOF
	}
	return 0, nil, nil
}

// waitChildGone waits until the command the killed wizard left behind has
// exited (its pty closed under it), and returns its pid.
func (e *e2e) waitChildGone() int {
	st, err := state.Open(e.stateDB)
	if err != nil {
		e.t.Fatal(err)
	}
	defer st.Close()
	runs, err := st.Runs(context.Background())
	if err != nil || len(runs) != 1 {
		e.t.Fatalf("runs: %v %v", runs, err)
	}
	evs, _ := st.Journal(context.Background(), runs[0].ID)
	pid := 0
	for _, ev := range evs {
		if ev.Kind == state.EventRunning {
			pid = ev.PID
		}
	}
	if pid == 0 {
		e.t.Fatal("no running event in the journal: the step never started its command")
	}
	deadline := time.Now().Add(30 * time.Second)
	for syscall.Kill(pid, 0) == nil {
		if time.Now().After(deadline) {
			e.t.Fatalf("the command (pid %d) outlived its wizard by 30 s", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return pid
}

// assertNowhere fails if any file under dir contains s.
func (e *e2e) assertNowhere(dir, s string) {
	e.t.Helper()
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err == nil && bytes.Contains(b, []byte(s)) {
			e.t.Errorf("%s contains a secret", p)
		}
		return nil
	})
}

// While one zenrecover works on a run, a second is refused and told who
// holds it and how to take over.
func TestSecondWizardIsRefusedWhileTheFirstRuns(t *testing.T) {
	e := newE2E(t)
	first := e.heldRun(t)

	out, err := e.cmd("", "resume", "--plain").CombinedOutput()
	if code := exitCode(err); code != 2 {
		t.Fatalf("second wizard exited %d:\n%s", code, out)
	}
	for _, want := range []string{"already in progress", "pid " + fmt.Sprint(first.Process.Pid), "--force-unlock"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("refusal lacks %q:\n%s", want, out)
		}
	}
	out, err = e.cmd("", "run", "1.1", "--lab", e.lab, "--plain").CombinedOutput()
	if code := exitCode(err); code != 2 || !strings.Contains(string(out), "unfinished") {
		t.Errorf("a second run of the same procedure was not refused (%d):\n%s", code, out)
	}
}

// labFile is the one file in a lab that matches pattern (a path relative
// to the lab with a glob, for the dated default names: zone_backup-*.bak).
func labFile(lab, pattern string) (string, error) {
	m, err := filepath.Glob(filepath.Join(lab, pattern))
	switch {
	case err != nil:
		return "", err
	case len(m) != 1:
		return "", fmt.Errorf("%d files match %s in the lab, want 1: %v", len(m), pattern, m)
	}
	return m[0], nil
}

// heldRun starts 1.1 in e's lab with zman holding once its prompts are
// answered, and returns when it holds: a wizard that stays at work while
// the test tries a second one. It is killed when the test ends.
func (e *e2e) heldRun(t *testing.T) *exec.Cmd {
	t.Helper()
	os.WriteFile(e.answers, []byte("db_on_server: no\nonly_content_server: no\n"), 0o600)
	first := e.cmd(labAdminPassword+"\n"+knownPassphrase+"\n", "run", "1.1", "--lab", e.lab, "--plain", "--answers", e.answers, "--yes")
	first.Env = append(first.Env, lab.HangEnv+"=1")
	stdout, _ := first.StdoutPipe()
	first.Stderr = first.Stdout
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { first.Process.Kill(); first.Wait() })
	sc := bufio.NewScanner(stdout)
	sc.Split(scanPrompts)
	for sc.Scan() && !strings.Contains(sc.Text(), lab.HangNotice) {
	}
	go io.Copy(io.Discard, stdout)
	return first
}
