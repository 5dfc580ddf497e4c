//go:build !windows

package e2e

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"zenrecover/lab"
	"zenrecover/state"
)

// Issue 6, a dropped SSH session: Debian's sshd (installed by
// .ci/deps/openssh.sh) started by the test on a free loopback port with a
// throwaway host key and an authorized key; the real binary run through
// `ssh -tt` into a lab run held mid-step; the ssh client killed; then a new
// login finds the run, hears whether its command still runs, and resumes it
// to completion.

type sshServer struct {
	t                *testing.T
	port             int
	key, known, user string
	log              *lockedBuffer
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startSSHD starts sshd on 127.0.0.1 or skips the test saying why not.
func startSSHD(t *testing.T) *sshServer {
	t.Helper()
	if _, err := exec.LookPath("ssh"); err != nil {
		t.Skipf("SSH drop test skipped: ssh not found (Debian's openssh-client; .ci/deps/openssh.sh installs it)")
	}
	dir := t.TempDir()
	key := filepath.Join(dir, "id")
	d := startLoopbackSSHD(t, "SSH drop test", key, "ClientAliveInterval 1\nClientAliveCountMax 3\nLogLevel VERBOSE\n")
	s := &sshServer{t: t, port: d.port, key: key, known: filepath.Join(dir, "known_hosts"), user: d.user, log: d.log}
	os.WriteFile(s.known, d.knownHostsLine(), 0o600)
	// A first login proves the keys work, so that a failure later is the
	// wizard's, not the test rig's.
	if out, err := s.ssh(context.Background(), false, "echo logged-in").CombinedOutput(); err != nil || !strings.Contains(string(out), "logged-in") {
		t.Skipf("SSH drop test skipped: cannot log in to the test sshd: %v\n%s\nsshd:\n%s", err, out, s.log.String())
	}
	return s
}

// ssh is the client command running remote (a shell command line) in a
// new login, with a terminal when tty is set.
func (s *sshServer) ssh(ctx context.Context, tty bool, remote string) *exec.Cmd {
	args := []string{"-F", "/dev/null", "-p", fmt.Sprint(s.port), "-i", s.key,
		"-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
		"-o", "UserKnownHostsFile=" + s.known, "-o", "LogLevel=ERROR"}
	if tty {
		args = append(args, "-tt")
	} else {
		args = append(args, "-T")
	}
	args = append(args, s.user+"@127.0.0.1", remote)
	return exec.CommandContext(ctx, "ssh", args...)
}

// remoteLine quotes a command for the login shell on the other end.
func remoteLine(env []string, argv ...string) string {
	var q []string
	for _, a := range append(append([]string{"env"}, env...), argv...) {
		q = append(q, shellQuote(a))
	}
	return "exec " + strings.Join(q, " ")
}

func TestDroppedSSHSessionIsResumedOnTheNextLogin(t *testing.T) {
	srv := startSSHD(t)
	e := newE2E(t)
	os.WriteFile(e.answers, []byte("db_on_server: no\nonly_content_server: no\n"), 0o600)
	secrets := []string{"NO_COLOR=1", "ZENRECOVER_SECRET_ADMIN_PASSWORD=" + labAdminPassword, "ZENRECOVER_SECRET_BACKUP_PASSPHRASE=" + knownPassphrase}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	// The first login: a rehearsal of 1.1, held inside zman's step.
	first := srv.ssh(ctx, true, remoteLine(append(secrets, lab.HangEnv+"=1"),
		e.bin, "--state", e.stateDB, "run", "1.1", "--lab", e.lab, "--plain", "--answers", e.answers, "--yes"))
	stdin, _ := first.StdinPipe() // open, as an operator's keyboard is
	defer stdin.Close()
	stdout, _ := first.StdoutPipe()
	first.Stderr = first.Stdout
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	var seen strings.Builder
	sc := bufio.NewScanner(stdout)
	sc.Split(scanPrompts)
	for sc.Scan() {
		seen.WriteString(sc.Text())
		if strings.Contains(sc.Text(), lab.HangNotice) {
			break
		}
	}
	if !strings.Contains(seen.String(), lab.HangNotice) {
		t.Fatalf("zman never held inside its step over SSH:\n%s", seen.String())
	}
	if !strings.Contains(seen.String(), "not in tmux or screen") {
		t.Errorf("no warning that a drop stops the run, over SSH outside tmux:\n%s", seen.String())
	}

	// The session drops: the client dies without a word to the server.
	first.Process.Kill()
	go io.Copy(io.Discard, stdout)
	first.Wait()

	// The wizard gets its hang-up, stops the run (resumable) and exits.
	dropped := time.Now()
	var runID string
	var wizard, child *state.Event
	for deadline := time.Now().Add(60 * time.Second); ; {
		st, err := state.Open(e.stateDB)
		if err != nil {
			t.Fatal(err)
		}
		runs, _ := st.Runs(ctx)
		if len(runs) == 1 && runs[0].Status == state.RunStopped {
			runID = runs[0].ID
			evs, _ := st.Journal(ctx, runID)
			for i := range evs {
				switch evs[i].Kind {
				case state.EventStarted:
					wizard = &evs[i]
				case state.EventRunning:
					child = &evs[i]
				}
			}
		}
		st.Close()
		if runID != "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the run was not stopped within 60 s of the drop (runs: %+v)\nsshd:\n%s", runs, srv.log.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("the run was stopped %v after the drop", time.Since(dropped).Round(time.Millisecond))
	if wizard == nil || child == nil {
		t.Fatalf("the journal lacks the step's started or running row (%v, %v)", wizard, child)
	}
	for _, p := range []*state.Event{wizard, child} {
		for deadline := time.Now().Add(30 * time.Second); syscallAlive(p.PID); {
			if time.Now().After(deadline) {
				t.Fatalf("pid %d outlived the dropped session by 30 s", p.PID)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}

	// The next login: `runs` shows the interrupted run ...
	out, err := srv.ssh(ctx, true, remoteLine([]string{"NO_COLOR=1"}, e.bin, "--state", e.stateDB, "runs")).CombinedOutput()
	if err != nil || !strings.Contains(string(out), runID) || !strings.Contains(string(out), "stopped") {
		t.Fatalf("runs after logging in again: %v\n%s", err, out)
	}
	// ... and `resume` offers it, says the command has ended, and finishes.
	res := srv.ssh(ctx, true, remoteLine(secrets, e.bin, "--state", e.stateDB, "resume", "--plain", "--yes"))
	rin, _ := res.StdinPipe()
	defer rin.Close()
	rout, err := res.CombinedOutput()
	if code := exitCode(err); code != 0 {
		t.Fatalf("resume over SSH exited %d:\n%s", code, rout)
	}
	t.Logf("resume over SSH:\n%s", rout)
	for _, want := range []string{runID, "is in doubt", fmt.Sprintf("its command (pid %d) has ended", child.PID), "running it again", "Completed"} {
		if !strings.Contains(string(rout), want) {
			t.Errorf("resume over SSH did not say %q:\n%s", want, rout)
		}
	}
	if _, err := labFile(e.lab, "root/zcm_backups/zone_backup-*.bak"); err != nil {
		t.Errorf("no backup after the resumed run: %v", err)
	}
	for _, secret := range []string{knownPassphrase, labAdminPassword} {
		e.assertNowhere(e.stateDir, secret)
	}
}

// syscallAlive reports whether pid exists (a zombie is as good as gone).
func syscallAlive(pid int) bool {
	st, err := state.ProcStartTime(pid)
	return err == nil && state.Alive(pid, st)
}
