//go:build !windows

package e2e

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"zenrecover/state"
)

// Issue 6, disk full, through the real binary. The state directory is on
// a small tmpfs mounted by the test; the lab lives elsewhere, so only the
// state fills up, and exactly when the test says: it fills the tmpfs with
// a file and frees it again.

// smallFS mounts a small tmpfs on a fresh directory, or skips the test
// saying why it cannot.
func smallFS(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	if err := unix.Mount("zenrecover-test", dir, "tmpfs", 0, "size="+size+",mode=0700"); err != nil {
		t.Skipf("disk-full test skipped: cannot mount a small tmpfs on %s (mount -t tmpfs -o size=%s: %v); it needs root or CAP_SYS_ADMIN", dir, size, err)
	}
	t.Cleanup(func() { unix.Unmount(dir, unix.MNT_DETACH) })
	return dir
}

// fillFS writes dir/filler until no block is left and returns the path.
func fillFS(t *testing.T, dir string) string {
	t.Helper()
	p := filepath.Join(dir, "filler")
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, n := range []int{1 << 16, 1 << 12, 1} {
		buf := make([]byte, n)
		for {
			if _, err := f.Write(buf); err != nil {
				if !errors.Is(err, syscall.ENOSPC) {
					t.Fatal(err)
				}
				break
			}
		}
	}
	assertFull(t, dir)
	return p
}

func assertFull(t *testing.T, dir string) {
	t.Helper()
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil || st.Bavail != 0 {
		t.Fatalf("%s is not full: %d blocks free, %v", dir, st.Bavail, err)
	}
}

// stepEvents counts the journal rows of one step of the only run.
func stepEvents(t *testing.T, db, step string) map[state.EventKind]int {
	t.Helper()
	e := &e2e{t: t, stateDB: db}
	n := map[state.EventKind]int{}
	for _, ev := range e.journal() {
		if ev.Step == step {
			n[ev.Kind]++
		}
	}
	return n
}

// The state disk fills while the wizard waits for the last secret before
// zman's step: started cannot be committed, so zman never runs.
func TestFullStateDiskBeforeStartedRunsNothing(t *testing.T) {
	e := newE2E(t)
	fsdir := smallFS(t, "8m")
	db := filepath.Join(fsdir, "state", "state.db")
	os.WriteFile(e.answers, []byte("db_on_server: no\nonly_content_server: no\n"), 0o600)

	c := exec.Command(e.bin, "--state", db, "run", "1.1", "--lab", e.lab, "--plain", "--answers", e.answers, "--yes")
	c.Env = append(os.Environ(), "NO_COLOR=1")
	stdin, _ := c.StdinPipe()
	stdout, _ := c.StdoutPipe()
	c.Stderr = c.Stdout
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { c.Process.Kill(); c.Wait() }()
	var seen strings.Builder
	sc := bufio.NewScanner(stdout)
	sc.Split(scanPrompts)
	wait := func(prompt string) {
		for sc.Scan() {
			seen.WriteString(sc.Text())
			if strings.Contains(sc.Text(), prompt) {
				return
			}
		}
		t.Fatalf("the wizard never asked %q:\n%s", prompt, seen.String())
	}
	wait("administrator password")
	io.WriteString(stdin, labAdminPassword+"\n")
	wait("Passphrase to encrypt the backup file")
	filler := fillFS(t, fsdir)
	io.WriteString(stdin, knownPassphrase+"\n")
	stdin.Close()
	rest, _ := io.ReadAll(stdout)
	seen.Write(rest)
	err := c.Wait()
	out := seen.String()
	if code := exitCode(err); code != 3 {
		t.Errorf("the wizard exited %d, want 3 (stopped, resumable):\n%s", code, out)
	}
	for _, want := range []string{"cannot record started", "is full", "free space there", "the step was not run", "zenrecover resume"} {
		if !strings.Contains(out, want) {
			t.Errorf("the operator was not told %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Enter ZENworks administrator username") {
		t.Errorf("zman ran although started was not committed:\n%s", out)
	}
	if _, err := labFile(e.lab, "root/zcm_backups/zone_backup-*.bak"); err == nil {
		t.Error("zman ran: the backup file exists")
	}

	// Space back: the run resumes, and zman runs once.
	os.Remove(filler)
	rout, code := e.zr(db, labAdminPassword+"\n"+knownPassphrase+"\n", nil, "resume", "--plain", "--yes")
	if code != 0 || !strings.Contains(rout, "Completed") || strings.Contains(rout, "in doubt") {
		t.Fatalf("resume after freeing space exited %d:\n%s", code, rout)
	}
	if got := stepEvents(t, db, "zman-backup"); got[state.EventStarted] != 1 || got[state.EventSucceeded] != 1 {
		t.Errorf("zman-backup's journal: %v; want one attempt", got)
	}
}

// fillDef is a procedure whose one command fills the state disk: the disk
// fills after started is committed and before the outcome is.
const fillDef = `
id: fill-state-disk
title: Fill the state disk mid-step
section: "9.1"
summary: A test procedure whose command fills the file system that holds the state database.
inputs:
  - id: filler
    type: string
    prompt: File that fills the state file system
steps:
  - id: fill
    ref: "1"
    title: Fill the state disk
    run: [sh, -c, 'head -c 100000000 /dev/zero > "$1" 2>/dev/null; echo filled', sh, "${filler}"]
  - id: after
    ref: "2"
    title: A step after it
    run: ["true"]
`

// The state disk fills while a step's command runs: its outcome cannot be
// committed, so on resume it is in doubt, never succeeded.
func TestFullStateDiskBeforeTheOutcomeLeavesTheStepInDoubt(t *testing.T) {
	e := newE2E(t)
	fsdir := smallFS(t, "8m")
	db := filepath.Join(fsdir, "state", "state.db")
	procs := t.TempDir()
	os.WriteFile(filepath.Join(procs, "fill.yaml"), []byte(fillDef), 0o600)
	filler := filepath.Join(fsdir, "filler")
	os.WriteFile(e.answers, []byte(fmt.Sprintf("filler: %s\n", filler)), 0o600)
	run := func(stdin string, args ...string) (string, int) {
		return e.zr(db, stdin, nil, append([]string{"--procedures", procs}, args...)...)
	}

	// A live run of a harmless procedure: a lab would rebase the path.
	out, code := run("", "run", "9.1", "--plain", "--answers", e.answers)
	if code != 3 {
		t.Errorf("the wizard exited %d, want 3 (stopped, resumable):\n%s", code, out)
	}
	// The disk was full while the step ran (the filler stopped short of
	// its 100 MB); the wizard may free a few blocks as it exits.
	if fi, err := os.Stat(filler); err != nil || fi.Size() >= 100000000 {
		t.Fatalf("the filler did not fill the state disk: %v", err)
	}
	for _, want := range []string{"filled", "cannot record succeeded", "is full", "free space there", "in doubt on resume"} {
		if !strings.Contains(out, want) {
			t.Errorf("the operator was not told %q:\n%s", want, out)
		}
	}
	if got := stepEvents(t, db, "fill"); got[state.EventStarted] != 1 || got[state.EventSucceeded]+got[state.EventFailed] != 0 {
		t.Fatalf("the fill step's journal: %v; want started and no outcome", got)
	}

	os.Remove(filler)
	// Without an answer the run stops again: the step is in doubt, and it
	// has no check to settle it.
	out, code = run("", "resume", "--plain")
	if code != 3 || !strings.Contains(out, "is in doubt") || !strings.Contains(out, "Why:") {
		t.Fatalf("resume exited %d:\n%s", code, out)
	}
	if got := stepEvents(t, db, "fill"); got[state.EventSucceeded] != 0 {
		t.Fatalf("the in-doubt step was marked succeeded: %v", got)
	}
	out, code = run("done the file was written\n", "resume", "--plain")
	if code != 0 || !strings.Contains(out, "Completed") {
		t.Fatalf("resume with the operator's decision exited %d:\n%s", code, out)
	}
	got := stepEvents(t, db, "fill")
	if got[state.EventStarted] != 1 || got[state.EventSucceeded] != 0 || got[state.EventResolved] != 1 {
		t.Errorf("the fill step's journal: %v; want one attempt, resolved by the operator, never succeeded", got)
	}
}
