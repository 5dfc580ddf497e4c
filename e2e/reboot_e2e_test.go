//go:build !windows

package e2e

import (
	"bufio"
	"fmt"
	"io"
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

// Issue 6, power loss and reboot, through the real binary.

const bootIDFile = "/proc/sys/kernel/random/boot_id"

// inOtherBoot returns the argv that runs args with another boot id: a
// private mount namespace with a file bind-mounted over the kernel's boot
// id, which is all a reboot changes that zenrecover looks at. It skips the
// test where that cannot be done (needs root and unshare from util-linux).
func inOtherBoot(t *testing.T, args ...string) ([]string, string) {
	t.Helper()
	fake := "0b0b0b0b-1111-4222-8333-444444444444"
	f := filepath.Join(t.TempDir(), "boot_id")
	os.WriteFile(f, []byte(fake+"\n"), 0o644)
	script := "mount --bind " + shellQuote(f) + " " + bootIDFile + " && exec \"$@\""
	argv := []string{"unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh"}
	out, err := exec.Command(argv[0], append(argv[1:], "cat", bootIDFile)...).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != fake {
		t.Skipf("reboot test skipped: cannot give a process another boot id (unshare --mount and mount --bind over %s need root): %v %s", bootIDFile, err, out)
	}
	return append(argv, args...), fake
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// A zenrecover killed mid-step under one boot id and resumed under another
// reports a reboot, and the step's check then decides.
func TestRebootSinceStartedIsReportedOnResume(t *testing.T) {
	e := newE2E(t)
	os.WriteFile(e.answers, []byte("db_on_server: no\nonly_content_server: no\n"), 0o600)
	argv, fake := inOtherBoot(t, e.bin, "--state", e.stateDB, "run", "1.1", "--lab", e.lab, "--plain", "--answers", e.answers, "--yes")
	c := exec.Command(argv[0], argv[1:]...)
	c.Stdin = strings.NewReader(labAdminPassword + "\n" + knownPassphrase + "\n")
	c.Env = append(os.Environ(), "NO_COLOR=1", lab.HangEnv+"=1")
	stdout, _ := c.StdoutPipe()
	c.Stderr = c.Stdout
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	sc.Split(scanPrompts)
	var seen strings.Builder
	for sc.Scan() && !strings.Contains(sc.Text(), lab.HangNotice) {
		seen.WriteString(sc.Text())
	}
	c.Process.Kill() // the power goes
	go io.Copy(io.Discard, stdout)
	c.Wait()
	e.waitCommandsGone()

	var started *state.Event
	for _, ev := range e.journal() {
		if ev.Step == "zman-backup" && ev.Kind == state.EventStarted {
			started = &ev
		}
	}
	if started == nil || started.BootID != fake {
		t.Fatalf("zman-backup's started was not written under the other boot id: %+v\n%s", started, seen.String())
	}

	out, code := e.zr(e.stateDB, labAdminPassword+"\n"+knownPassphrase+"\n", nil, "resume", "--plain", "--yes")
	if code != 0 {
		t.Fatalf("resume exited %d:\n%s", code, out)
	}
	for _, want := range []string{"is in doubt", "The machine rebooted since step 2, 3, 4", "running it again", "Completed"} {
		if !strings.Contains(out, want) {
			t.Errorf("resume did not say %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "still running") {
		t.Errorf("a step from before the reboot was taken for still running:\n%s", out)
	}
}

// holdDef's step holds until a file appears, ignoring the hang-up its
// terminal gets when the wizard dies: a command that outlives its wizard.
const holdDef = `
id: hold-step
title: A command that outlives its wizard
section: "9.2"
summary: A test procedure whose command keeps running after zenrecover is killed.
inputs:
  - id: release
    type: string
    prompt: File whose creation ends the command
  - id: marker
    type: string
    prompt: File the command writes when it is done
steps:
  - id: hold
    ref: "1"
    title: Hold until released
    run: [sh, -c, 'trap "" HUP TERM; echo holding; while [ ! -e "$1" ]; do sleep 0.05; done; touch "$2"', sh, "${release}", "${marker}"]
    verify:
      - newer-than-start: ${marker}
`

// A zenrecover killed while its command runs on: resume reports the step
// as still running (its pid alive with the same start time), `wait` waits
// for it to end, and the step is then checked again and the run completes.
func TestStillRunningCommandIsWaitedForOnResume(t *testing.T) {
	e := newE2E(t)
	procs := t.TempDir()
	os.WriteFile(filepath.Join(procs, "hold.yaml"), []byte(holdDef), 0o600)
	dir := t.TempDir()
	release, marker := filepath.Join(dir, "release"), filepath.Join(dir, "marker")
	os.WriteFile(e.answers, []byte(fmt.Sprintf("release: %s\nmarker: %s\n", release, marker)), 0o600)

	// A live run (a lab would rebase the paths) of a harmless command.
	first := e.cmd("", "--procedures", procs, "run", "9.2", "--plain", "--answers", e.answers)
	stdout, _ := first.StdoutPipe()
	first.Stderr = first.Stdout
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	for sc.Scan() && !strings.Contains(sc.Text(), "holding") {
	}
	// The command's pid is journaled as it starts, alongside its output:
	// kill the wizard once it is.
	child := 0
	var childStart uint64
	for deadline := time.Now().Add(30 * time.Second); child == 0 && time.Now().Before(deadline); {
		for _, ev := range e.journal() {
			if ev.Kind == state.EventRunning {
				child, childStart = ev.PID, ev.PIDStart
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	first.Process.Kill()
	go io.Copy(io.Discard, stdout)
	first.Wait()
	if child == 0 || !state.Alive(child, childStart) {
		t.Fatalf("the command (pid %d) did not outlive its wizard", child)
	}
	t.Cleanup(func() {
		if state.Alive(child, childStart) {
			syscall.Kill(child, syscall.SIGKILL)
		}
	})

	res := e.cmd("", "--procedures", procs, "resume", "--plain")
	res.Stdin = nil
	stdin, err := res.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	rout, _ := res.StdoutPipe()
	res.Stderr = res.Stdout
	if err := res.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { res.Process.Kill(); res.Wait() }()
	var seen strings.Builder
	rs := bufio.NewScanner(rout)
	rs.Split(scanPrompts)
	until := func(s string) {
		for rs.Scan() {
			seen.WriteString(rs.Text())
			if strings.Contains(rs.Text(), s) {
				return
			}
		}
		t.Fatalf("resume never said %q:\n%s", s, seen.String())
	}
	until("Type wait")
	for _, want := range []string{"is in doubt", fmt.Sprintf("its command (pid %d) is still running", child), fmt.Sprintf("It is still running (pid %d)", child)} {
		if !strings.Contains(seen.String(), want) {
			t.Errorf("resume did not say %q:\n%s", want, seen.String())
		}
	}
	io.WriteString(stdin, "wait\n")
	until("Waiting for pid")
	time.Sleep(200 * time.Millisecond) // it does wait: nothing ends it but the release
	if !state.Alive(child, childStart) {
		t.Fatal("the command ended before it was released")
	}
	os.WriteFile(release, nil, 0o600)
	stdin.Close()
	rest, _ := io.ReadAll(rout)
	seen.Write(rest)
	err = res.Wait()
	out := seen.String()
	if code := exitCode(err); code != 0 {
		t.Fatalf("resume exited %d:\n%s", code, out)
	}
	for _, want := range []string{"It has ended; checking the step again", "was in doubt", "has ended", "checks show it took effect", "Completed"} {
		if !strings.Contains(out, want) {
			t.Errorf("resume did not say %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat(marker); err != nil {
		t.Errorf("the command did not finish its work: %v", err)
	}
	t.Logf("resume:\n%s", out)
}
