//go:build !windows

package e2e

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"zenrecover/procedures"
	"zenrecover/state"
)

// Issue 16 against Debian's sshd: a lab whose second Primary Server,
// zen-primary-2, is reached over a real SSH connection (run --lab-ssh
// zen-primary-2=USER@127.0.0.1:PORT). sshd runs on a free loopback port
// with a throwaway host key; the wizard logs in with a throwaway key from a
// home of its own (HOME/.ssh: the key, and known_hosts holding sshd's key,
// as an operator's would after the first ssh). On the far end the lab's
// simulated tools run as zen-primary-2 (the wizard sets
// ZENRECOVER_LAB_HOST there). sshd's ForceCommand logs each command line
// it is given before running it, so a test can look for a secret on the
// other host's command lines.

type labSSHD struct {
	port     int
	user     string
	home     string // HOME for the wizard: .ssh/id_ed25519 and .ssh/known_hosts
	commands string // what sshd was asked to run, one line each
	pidFile  string
	log      *lockedBuffer
}

func startLabSSHD(t *testing.T) *labSSHD {
	t.Helper()
	why := "sshd on loopback as the lab's second Primary Server"
	sftp := "/usr/lib/openssh/sftp-server"
	if _, err := os.Stat(sftp); err != nil {
		t.Skipf("skipped: %s not found (Debian's openssh-sftp-server)", sftp)
	}
	dir := t.TempDir()
	s := &labSSHD{home: filepath.Join(dir, "home"), commands: filepath.Join(dir, "commands.log")}
	dotSSH := filepath.Join(s.home, ".ssh")
	os.MkdirAll(dotSSH, 0o700)
	// The forced command writes down the command line, then runs it.
	force := filepath.Join(dir, "log-and-run")
	os.WriteFile(force, []byte("#!/bin/sh\nprintf '%s\\n' \"$SSH_ORIGINAL_COMMAND\" >> "+s.commands+"\nexec /bin/sh -c \"$SSH_ORIGINAL_COMMAND\"\n"), 0o755)
	d := startLoopbackSSHD(t, why, filepath.Join(dotSSH, "id_ed25519"),
		fmt.Sprintf("Subsystem sftp %s\nForceCommand %s\nLogLevel ERROR\n", sftp, force))
	s.port, s.user, s.pidFile, s.log = d.port, d.user, d.pidFile, d.log
	os.WriteFile(filepath.Join(dotSSH, "known_hosts"), d.knownHostsLine(), 0o600)
	return s
}

// flag is the --lab-ssh that puts zen-primary-2 on this sshd.
func (s *labSSHD) flag() string {
	return fmt.Sprintf("zen-primary-2=%s@127.0.0.1:%d", s.user, s.port)
}

// env is the wizard's environment: its own HOME, no agent.
func (s *labSSHD) env(extra ...string) []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "HOME=") && !strings.HasPrefix(kv, "SSH_AUTH_SOCK=") {
			out = append(out, kv)
		}
	}
	return append(append(out, "HOME="+s.home, "NO_COLOR=1"), extra...)
}

// cut kills the sshd processes serving the connections (the listener
// stays), as a network that fails does: the far end's terminal hangs up.
func (s *labSSHD) cut(t *testing.T) {
	t.Helper()
	b, err := os.ReadFile(s.pidFile)
	if err != nil {
		t.Fatal(err)
	}
	listener, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	parent := map[int]int{}
	comm := map[int]string{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		st, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...
		rest := string(st[strings.LastIndexByte(string(st), ')')+2:])
		f := strings.Fields(rest)
		if len(f) < 2 {
			continue
		}
		ppid, _ := strconv.Atoi(f[1])
		parent[pid] = ppid
		c, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "comm"))
		comm[pid] = strings.TrimSpace(string(c))
	}
	killed := 0
	for pid := range parent {
		if !strings.HasPrefix(comm[pid], "sshd") || pid == listener {
			continue
		}
		for p := parent[pid]; p > 1; p = parent[p] {
			if p == listener {
				syscall.Kill(pid, syscall.SIGKILL)
				killed++
				break
			}
		}
	}
	if killed == 0 {
		t.Fatal("no sshd process served a connection")
	}
}

// Commands are the command lines sshd ran for the wizard.
func (s *labSSHD) Commands() string {
	b, _ := os.ReadFile(s.commands)
	return string(b)
}

// runDef reads a run's recorded definition and journal.
func runDef(t *testing.T, stateDB string) (*procedures.Definition, []state.Event) {
	t.Helper()
	st, err := state.Open(stateDB)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	runs, err := st.Runs(context.Background())
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs: %v %v", runs, err)
	}
	evs, err := st.Journal(context.Background(), runs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	def, err := procedures.ParseBundle(runs[0].ProcedureID, runs[0].DefText)
	if err != nil {
		t.Fatal(err)
	}
	return def, evs
}

// The "done when": rehearsals of 2.1 and 4.2 (and 1.5 and 3.1, the
// issue's other sections) in a lab whose second Primary Server is
// reached over SSH complete without a step
// confirmed by hand for that server: its commands ran there (journaled
// with its pid there), the CA export went there over SFTP, CaConfig.xml
// was checked there over SFTP, and its content repository was archived
// there by zenrecover copied there. Neither the password nor a passphrase
// is in the state, the logs, the lab or any command line the other host
// was given.
func TestRehearsalsReachTheSecondPrimaryServerOverSSH(t *testing.T) {
	srv := startLabSSHD(t)
	for _, c := range []struct {
		section, answers string
		overSSH          []string // step keys that must have been done there over SSH
		prep             []string // a lab command first (the operator's part)
	}{
		{"4.2", answers42, []string{"restart/others@zen-primary-2", "refresh-all/others@zen-primary-2",
			"backup/others@zen-primary-2", "backup/others-content@zen-primary-2"}, nil},
		{"2.1", answers21, []string{"refresh-primaries@zen-primary-2", "backup/others@zen-primary-2",
			"backup/others-content@zen-primary-2", "6b-copy", "6b-import", "6b-keystore"}, nil},
		{"1.5", answers15, []string{"backup-destination", "enable-ca-destination", "permission-script", "restart-destination"}, nil},
		{"3.1", answers31, []string{"backup/others@zen-primary-2", "backup/others-content@zen-primary-2",
			"6.1/zdm-linux@zen-primary-2", "6.2/zenaudit-linux@zen-primary-2"}, []string{"lab", "set-address", "LAB", "--address", "192.0.2.44"}},
	} {
		t.Run(c.section, func(t *testing.T) {
			e := newE2E(t)
			os.WriteFile(e.answers, []byte(strings.ReplaceAll(c.answers, "GUID", guidOf(t, e.lab, "zen-primary-2"))), 0o600)
			if c.prep != nil {
				args := slices.Clone(c.prep)
				args[slices.Index(args, "LAB")] = e.lab
				if out, err := e.cmd("", args...).CombinedOutput(); err != nil {
					t.Fatalf("%v: %v\n%s", args, err, out)
				}
			}
			run := e.cmd("", "run", c.section, "--lab", e.lab, "--plain", "--yes", "--answers", e.answers, "--lab-ssh", srv.flag())
			run.Env = srv.env(labSecrets()...)
			out, err := run.CombinedOutput()
			if code := exitCode(err); code != 0 || !strings.Contains(string(out), "Completed: every step of "+c.section+" ") {
				t.Fatalf("run %s over SSH exited %d\n%s", c.section, code, tail(string(out), 60))
			}
			def, evs := runDef(t, e.stateDB)
			there := map[string]bool{}
			for _, ev := range evs {
				key := state.StepKey(ev.Step, ev.Target)
				switch {
				case ev.Kind == state.EventStarted && strings.Contains(ev.Detail, `"via":"ssh"`):
					if !strings.Contains(ev.Detail, `"host":"zen-primary-2"`) {
						t.Errorf("%s was done over SSH without its host: %+v", key, ev)
					}
					there[key] = true
				case ev.Kind == state.EventRunning && strings.Contains(ev.Detail, `"via":"ssh"`) && ev.PID <= 0:
					t.Errorf("%s ran over SSH without its pid there: %+v", key, ev)
				case ev.Kind == state.EventConfirmed:
					st := def.Step(ev.Step)
					if st == nil {
						continue
					}
					on := st.OnHost()
					if ev.Target == "zen-primary-2" || strings.Contains(on, "second_server") {
						t.Errorf("%s, a step for zen-primary-2, was confirmed by hand", key)
					}
				}
			}
			for _, k := range c.overSSH {
				if !there[k] {
					t.Errorf("%s was not done on zen-primary-2 over SSH (over SSH: %v)\n%s", k, there, tail(string(out), 60))
				}
			}
			for _, secret := range []string{labAdminPassword, knownPassphrase} {
				e.assertNowhere(e.stateDir, secret)
				e.assertNowhere(e.lab, secret)
				if strings.Contains(srv.Commands(), secret) {
					t.Errorf("a command line on zen-primary-2 holds a secret:\n%s", srv.Commands())
				}
			}
			t.Logf("%s: %d steps done on zen-primary-2 over SSH: %v", c.section, len(there), there)
		})
	}
	if !strings.Contains(srv.Commands(), "ZENRECOVER_LAB_HOST=zen-primary-2") {
		t.Errorf("the lab's tools did not run as zen-primary-2 there:\n%s", srv.Commands())
	}
	if !strings.Contains(srv.Commands(), "archive create") {
		t.Errorf("no archive was written on zen-primary-2 by zenrecover there:\n%s", srv.Commands())
	}
}

// cutDef is a step on zen-primary-2 that types the administrator password
// into a prompt there, then one that holds (the first time) until its
// connection is cut.
const cutDef = `id: ssh-cut
title: A step cut off on the second Primary Server
section: "9.4"
summary: Two steps on zen-primary-2.
inputs:
  - id: admin_password
    type: secret
    prompt: The administrator password
steps:
  - id: login
    ref: "1"
    title: Type the password there
    on: zen-primary-2
    run:
      - sh
      - -c
      - |
        printf 'Password: '; stty -echo; read p; stty echo; echo
        [ -n "$p" ] && echo "logged in"
    answers:
      - prompt: '(?i)password: *$'
        input: admin_password
  - id: hold
    ref: "2"
    title: Hold there until the connection is cut
    on: zen-primary-2
    idempotent: true
    run:
      - sh
      - -c
      - '[ -e "$1" ] || { : > "$1"; echo holding-now; read x; }; : > "$2"'
      - sh
      - /tmp/hold-marker
      - /tmp/hold-done
    verify:
      - file-exists: /tmp/hold-done
`

// A connection cut while a step runs on zen-primary-2 (the sshd serving
// it killed) leaves the step in doubt and stops the run, resumable; the
// resume asks zen-primary-2 whether the command still runs, its checks
// (over SFTP, there) say it did not take effect, and the step, safe to
// repeat, runs again to completion.
func TestACutSSHConnectionLeavesTheStepInDoubtAndTheResumeSettlesIt(t *testing.T) {
	srv := startLabSSHD(t)
	e := newE2E(t)
	procs := t.TempDir()
	os.WriteFile(filepath.Join(procs, "cut.yaml"), []byte(cutDef), 0o644)
	os.MkdirAll(filepath.Join(e.lab, "hosts", "zen-primary-2", "tmp"), 0o755)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	secrets := []string{"ZENRECOVER_SECRET_ADMIN_PASSWORD=" + labAdminPassword}

	first := exec.CommandContext(ctx, e.bin, "--state", e.stateDB, "--procedures", procs, "run", "9.4", "--lab", e.lab, "--plain", "--yes", "--lab-ssh", srv.flag())
	first.Env = srv.env(secrets...)
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
		// The command's own output (indented), not its description.
		if strings.Contains(seen.String(), "| holding-now") {
			break
		}
	}
	if !strings.Contains(seen.String(), "| holding-now") {
		first.Wait()
		t.Fatalf("step 2 never held on zen-primary-2:\n%s", seen.String())
	}
	srv.cut(t)
	rest, _ := io.ReadAll(stdout)
	seen.Write(rest)
	err := first.Wait()
	if code := exitCode(err); code != 3 || !strings.Contains(seen.String(), "the connection to zen-primary-2 was lost") {
		t.Fatalf("after the cut: exit %d, want 3 (stopped, resumable)\n%s", code, seen.String())
	}
	_, evs := runDef(t, e.stateDB)
	if ss := state.Fold(evs).Steps["hold"]; ss == nil || ss.Status != state.StepInDoubt || ss.Running == nil {
		t.Fatalf("after the cut step 2 is %+v, want in doubt with its pid there", ss)
	}

	// "wait" is there for a command sshd's hang-up has not reached yet.
	res := exec.CommandContext(ctx, e.bin, "--state", e.stateDB, "--procedures", procs, "resume", "--plain", "--yes", "--lab-ssh", srv.flag())
	res.Env = srv.env(secrets...)
	res.Stdin = strings.NewReader("wait\n")
	out, err := res.CombinedOutput()
	if code := exitCode(err); code != 0 {
		t.Fatalf("resume exited %d:\n%s", code, out)
	}
	t.Logf("resume:\n%s", out)
	for _, want := range []string{"is in doubt", "zen-primary-2", "has ended", "running it again", "Completed"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the resume did not say %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat(filepath.Join(e.lab, "hosts", "zen-primary-2", "tmp", "hold-done")); err != nil {
		t.Errorf("the re-run did not write its file on zen-primary-2: %v", err)
	}
	e.assertNowhere(e.stateDir, labAdminPassword)
	e.assertNowhere(e.lab, labAdminPassword)
	if cmds := srv.Commands(); strings.Contains(cmds, labAdminPassword) || !strings.Contains(cmds, "zenrecover-remote-pid") {
		t.Errorf("the command lines zen-primary-2 was given (no secret, the wizard's header):\n%s", cmds)
	}
}
