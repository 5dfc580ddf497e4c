//go:build !windows

package e2e

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/user"
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
	slow(t, "sshd on loopback")
	const sshd = "/usr/sbin/sshd"
	for _, p := range []string{sshd, "ssh", "ssh-keygen"} {
		if _, err := exec.LookPath(p); err != nil {
			t.Skipf("SSH drop test skipped: %s not found (Debian's openssh-server and openssh-client; .ci/deps/openssh.sh installs them)", p)
		}
	}
	u, err := user.Current()
	if err != nil {
		t.Skipf("SSH drop test skipped: who am I? %v", err)
	}
	dir := t.TempDir()
	s := &sshServer{t: t, key: filepath.Join(dir, "id"), known: filepath.Join(dir, "known_hosts"), user: u.Username, log: &lockedBuffer{}}
	host := filepath.Join(dir, "host")
	for _, k := range []string{s.key, host} {
		if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "zenrecover-test", "-f", k).CombinedOutput(); err != nil {
			t.Skipf("SSH drop test skipped: ssh-keygen: %v %s", err, out)
		}
	}
	pub, _ := os.ReadFile(s.key + ".pub")
	os.WriteFile(filepath.Join(dir, "authorized_keys"), pub, 0o600)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Skipf("SSH drop test skipped: no loopback port: %v", err)
	}
	s.port = l.Addr().(*net.TCPAddr).Port
	l.Close()
	hostPub, _ := os.ReadFile(host + ".pub")
	os.WriteFile(s.known, []byte(fmt.Sprintf("[127.0.0.1]:%d %s", s.port, hostPub)), 0o600)
	cfg := filepath.Join(dir, "sshd_config")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`Port %d
ListenAddress 127.0.0.1
HostKey %s
AuthorizedKeysFile %s
PidFile %s
AllowUsers %s
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
X11Forwarding no
AllowTcpForwarding no
PrintMotd no
PrintLastLog no
ClientAliveInterval 1
ClientAliveCountMax 3
LogLevel VERBOSE
`, s.port, host, filepath.Join(dir, "authorized_keys"), filepath.Join(dir, "sshd.pid"), s.user)), 0o600)
	if os.Geteuid() == 0 {
		os.MkdirAll("/run/sshd", 0o755) // sshd's privilege separation directory
	}
	if out, err := exec.Command(sshd, "-t", "-f", cfg).CombinedOutput(); err != nil {
		t.Skipf("SSH drop test skipped: sshd refuses its configuration: %v %s", err, out)
	}
	c := exec.Command(sshd, "-D", "-e", "-f", cfg)
	c.Stdout, c.Stderr = s.log, s.log
	if err := c.Start(); err != nil {
		t.Skipf("SSH drop test skipped: cannot start sshd: %v", err)
	}
	exited := make(chan struct{})
	go func() { c.Wait(); close(exited) }()
	t.Cleanup(func() {
		c.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("sshd's log:\n%s", s.log.String())
		}
	})
	for deadline := time.Now().Add(15 * time.Second); ; {
		conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", s.port))
		if err == nil {
			conn.Close()
			break
		}
		select {
		case <-exited:
			t.Skipf("SSH drop test skipped: sshd exited at start:\n%s", s.log.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Skipf("SSH drop test skipped: sshd did not listen on port %d:\n%s", s.port, s.log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
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
