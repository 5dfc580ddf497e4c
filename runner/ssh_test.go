//go:build !windows

package runner_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"golang.org/x/crypto/ssh"

	"zenrecover/lab"
	"zenrecover/procedures"
	"zenrecover/remote"
	"zenrecover/remote/remotetest"
	"zenrecover/runner"
	"zenrecover/state"
)

// Steps on another host over SSH (issue 16), under -short: remotetest's
// SSH server in the test process plays the lab's second Primary Server
// (Options.LabSSH maps zen-primary-2 to it). What runs there is the lab's
// tool as that host, through the SSH session's pseudo-terminal; e2e's
// ssh_lab_e2e_test.go does the same against Debian's sshd.

// sshRig is a lab whose zen-primary-2 is reached over SSH.
type sshRig struct {
	*fixture
	srv *remotetest.Server
}

func newSSHRig(t *testing.T) *sshRig {
	t.Helper()
	return &sshRig{fixture: newFixture(t), srv: remotetest.New(t)}
}

func (r *sshRig) sshOpts() runner.Options {
	o := r.opts()
	o.SSH = &remote.Config{KnownHosts: r.srv.KnownHosts, IdentityFiles: []string{r.srv.ClientKey}, AgentSocket: "none"}
	o.LabSSH = map[string]string{peer: fmt.Sprintf("127.0.0.1:%d", r.srv.Port)}
	o.Self = filepath.Join(r.t.TempDir(), "zenrecover")
	if err := os.WriteFile(o.Self, []byte(fakeArchiver), 0o755); err != nil {
		r.t.Fatal(err)
	}
	return o
}

// fakeArchiver stands in for zenrecover copied to the other host (the
// real one is run there by the e2e tests): it asks the passphrase twice,
// as archive create does, and leaves a complete set.
const fakeArchiver = `#!/bin/sh
case "$2" in
create) dest=$4 ;;
resume) dest=$3 ;;
esac
printf 'New archive passphrase: '; stty -echo; read p; stty echo; echo
printf 'The same passphrase again: '; stty -echo; read q; stty echo; echo
mkdir -p "$dest" && : > "$dest/manifest.age" && echo "archive complete: $dest"
`

func (r *sshRig) startWith(o runner.Options, def *procedures.Definition, vals procedures.Values) *runner.Session {
	r.t.Helper()
	s, err := runner.Start(context.Background(), o, def, vals)
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(s.Close)
	return s
}

// A rehearsal of 4.2 (option 2: every Primary Server reestablishes its
// trust) whose second Primary Server is reached over SSH: every step on it
// runs there, none is confirmed by hand, and the journal says where each
// ran and which process it was there.
func TestA42RehearsalRunsTheSecondPrimaryServersStepsOverSSH(t *testing.T) {
	r := newSSHRig(t)
	r.srv.Trust()
	c := &ch4{fixture: r.fixture, t: t, root: rootCert}
	s := r.startWith(r.sshOpts(), r.lib.Get("4.2"), base4("zone_external", "false", "ca_expired", "true", "ca_server", lab.DefaultHostname))
	var out bytes.Buffer
	var onPeer []string
	need, _ := play(t, s, ch4Secrets, nil, nil, func(n *runner.NeedStep) {
		// A step the procedure itself leaves to the operator (take a
		// reliable backup there, a whole procedure) is by hand anyway.
		if n.Host == peer && n.Step.Kind() != "manual" {
			onPeer = append(onPeer, n.Key)
		}
	}, &out)
	if _, ok := need.(*runner.Done); !ok {
		t.Fatalf("4.2 over SSH ended on %T %+v\n%s", need, need, out.String())
	}
	if len(onPeer) > 0 {
		t.Errorf("steps on %s were confirmed by hand: %q", peer, onPeer)
	}
	ran := map[string]bool{}
	for _, e := range journal(t, r.store, s.Run().ID) {
		if e.Kind == state.EventRunning && strings.Contains(e.Detail, `"via":"ssh"`) {
			if !strings.Contains(e.Detail, `"host":"`+peer+`"`) || e.PID <= 0 || e.BootID == "" {
				t.Errorf("running event of %s over SSH: pid %d boot %q detail %s", e.Step, e.PID, e.BootID, e.Detail)
			}
			ran[state.StepKey(e.Step, e.Target)] = true
		}
		if st := s.Definition().Step(e.Step); e.Kind == state.EventConfirmed && e.Target == peer && st.Kind() != "manual" {
			t.Errorf("%s on %s was confirmed by hand", e.Step, peer)
		}
	}
	for _, k := range []string{"restart/others@" + peer, "retr-primaries@" + peer} {
		if !ran[k] {
			t.Errorf("%s did not run over SSH (ran over SSH: %v)", k, ran)
		}
	}
	stepDone(t, s, "retr-primaries@"+peer, "restart/others@"+peer)
	if !c.reaches(peer) {
		t.Error("zen-primary-2 cannot contact the zone: its zac retr did not take effect")
	}
	if len(c.configureRuns(peer)) == 0 {
		t.Error("the restart of zen-primary-2 did not run there")
	}
	noSecretThere(t, r.srv, adminPW)
	secretsNowhere(t, r.store.Dir(), adminPW)
	secretsNowhere(t, r.lab.Dir(), adminPW)
}

// journal reads a run's events.
func journal(t *testing.T, st *state.Store, id string) []state.Event {
	t.Helper()
	ev, err := st.Journal(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// noSecretThere: no command line the other host ran holds the secret.
func noSecretThere(t *testing.T, srv *remotetest.Server, secret string) {
	t.Helper()
	cmds := srv.Commands()
	if len(cmds) == 0 {
		t.Error("nothing ran on the other host")
	}
	for _, c := range cmds {
		if strings.Contains(c, secret) {
			t.Errorf("a command line on the other host holds the secret: %s", c)
		}
	}
}

// sshDef has a step on zen-primary-2 that asks for the administrator
// password (checked against its hash) and writes a file there, and one
// that holds until it is cut off, the first time.
const sshDef = `id: ssh-steps
title: Steps on the second Primary Server
section: "9.8"
summary: Two steps on another host.
inputs:
  - id: admin_password
    type: secret
    prompt: The administrator password
steps:
  - id: write
    ref: "1"
    title: Write a file there
    on: HOST
    run:
      - sh
      - -c
      - |
        printf 'Password: '; stty -echo; read p; stty echo; echo
        h=$(printf %s "$p" | sha256sum | cut -c1-64)
        [ "$h" = "$1" ] || { echo wrong password; exit 5; }
        echo written > "$2"
      - sh
      - HASH
      - /tmp/ssh-proof
    answers:
      - prompt: '(?i)password: *$'
        input: admin_password
    verify:
      - newer-than-start: /tmp/ssh-proof
  - id: hold
    ref: "2"
    title: Hold there until cut off
    on: HOST
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

func sshStepsDef(t *testing.T) *procedures.Definition { return sshStepsOn(t, peer) }

// sshStepsOn is sshDef with its steps on host.
func sshStepsOn(t *testing.T, host string) *procedures.Definition {
	t.Helper()
	sum := sha256.Sum256([]byte(adminPW))
	text := strings.NewReplacer("HOST", host, "HASH", hex.EncodeToString(sum[:])).Replace(sshDef)
	def, err := procedures.Parse("ssh-steps.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return def
}

// peerTmp is zen-primary-2's /tmp in the lab, which the steps write.
func (r *sshRig) peerTmp(name string) string {
	r.t.Helper()
	h, err := r.lab.Host(peer)
	if err != nil {
		r.t.Fatal(err)
	}
	os.MkdirAll(h.Rebase("/tmp"), 0o755)
	return h.Rebase("/tmp/" + name)
}

func nextNeed(t *testing.T, s *runner.Session) runner.Need {
	t.Helper()
	n, err := s.Next(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// An unknown host key stops the run before anything is sent there: the
// operator sees its fingerprint and where it would be written; refusing
// leaves the step to be done there by hand, saying why; accepting (in a
// resumed run, which asks again) writes known_hosts and the step runs
// there, its password typed into the remote terminal, never on a command
// line.
func TestAnUnknownHostKeyIsAskedAndARefusalFallsBackToAStepByHand(t *testing.T) {
	r := newSSHRig(t)
	ctx := context.Background()
	s := r.startWith(r.sshOpts(), sshStepsDef(t), nil)
	if err := s.Answer(ctx, "admin_password", adminPW); err != nil {
		t.Fatal(err)
	}
	hk, ok := nextNeed(t, s).(*runner.NeedHostKey)
	if !ok {
		t.Fatalf("an unknown host key did not stop the run: %T", hk)
	}
	if hk.Host != peer || hk.Fingerprint != ssh.FingerprintSHA256(r.srv.HostKey.PublicKey()) || hk.KnownHosts != r.srv.KnownHosts || hk.KeyType != "ssh-ed25519" || hk.Key != "write" {
		t.Errorf("the host key shown: %+v", hk)
	}
	if len(r.srv.Commands()) > 0 {
		t.Errorf("something ran there before the key was accepted: %q", r.srv.Commands())
	}
	s.RefuseHostKey(peer)
	n, ok := nextNeed(t, s).(*runner.NeedStep)
	if !ok || !n.Manual || n.OverSSH || !strings.Contains(n.Describe, "You did not accept the host key of "+peer) {
		t.Fatalf("after a refusal: %T %+v", n, n)
	}
	if _, err := s.ExecuteWith(ctx, n.Key, "", runner.ExecIO{}); err == nil {
		t.Error("a step on a host whose key was refused was executed")
	}
	if _, err := os.Stat(r.srv.KnownHosts); err == nil {
		t.Error("known_hosts was written though the key was refused")
	}
	id := s.Run().ID
	s.Close()

	s, err := runner.Resume(ctx, r.sshOpts(), id)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	if err := s.Answer(ctx, "admin_password", adminPW); err != nil {
		t.Fatal(err)
	}
	if _, ok := nextNeed(t, s).(*runner.NeedHostKey); !ok {
		t.Fatal("a resumed run did not ask about the key again")
	}
	if err := s.AcceptHostKey(peer); err != nil {
		t.Fatal(err)
	}
	n, ok = nextNeed(t, s).(*runner.NeedStep)
	if !ok || n.Manual || !n.OverSSH || !strings.HasPrefix(n.Describe, "over SSH on "+peer+": ") {
		t.Fatalf("after accepting: %T %+v", n, n)
	}
	var out bytes.Buffer
	o, err := s.ExecuteWith(ctx, n.Key, "", runner.ExecIO{Out: &out})
	if err != nil || !o.OK {
		t.Fatalf("the step there: %v %+v\n%s", err, o, out.String())
	}
	if b, _ := os.ReadFile(r.peerTmp("ssh-proof")); string(b) != "written\n" {
		t.Errorf("the step did not write on %s: %q\n%s", peer, b, out.String())
	}
	noSecretThere(t, r.srv, adminPW)
	secretsNowhere(t, r.store.Dir(), adminPW)
	if strings.Contains(out.String(), adminPW) {
		t.Error("the output shows the password")
	}
}

// A connection cut while the command runs there leaves the step in doubt,
// not failed; the resumed run asks that host whether the command still
// runs, its checks (over SFTP, there) find it did not take effect, and the
// step, safe to repeat, runs again to completion.
func TestACutConnectionLeavesTheStepInDoubtAndTheResumeSettlesIt(t *testing.T) {
	r := newSSHRig(t)
	r.srv.Trust()
	ctx := context.Background()
	s := r.startWith(r.sshOpts(), sshStepsDef(t), nil)
	if err := s.Answer(ctx, "admin_password", adminPW); err != nil {
		t.Fatal(err)
	}
	n := nextNeed(t, s).(*runner.NeedStep)
	if o, err := s.ExecuteWith(ctx, n.Key, "", runner.ExecIO{}); err != nil || !o.OK {
		t.Fatalf("step 1: %v %+v", err, o)
	}
	n = nextNeed(t, s).(*runner.NeedStep)
	if n.Key != "hold" || !n.OverSSH {
		t.Fatalf("step 2: %+v", n)
	}
	_, err := s.ExecuteWith(ctx, n.Key, "", runner.ExecIO{Out: &cutOnWord{word: "holding-now", cut: r.srv.Cut}})
	if err == nil || !strings.Contains(err.Error(), "connection to "+peer+" was lost") {
		t.Fatalf("a cut connection: %v", err)
	}
	if ss := s.State().Steps["hold"]; ss.Status != state.StepInDoubt || ss.Running == nil {
		t.Fatalf("after the cut the step is %s (running event %v), want in doubt", ss.Status, ss.Running)
	}
	id := s.Run().ID
	s.Close()

	s, err = runner.Resume(ctx, r.sshOpts(), id)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	need := nextNeed(t, s)
	if d, ok := need.(*runner.NeedInDoubt); ok && d.StillRunning {
		// sshd's hang-up may not have reached it yet: wait, as an
		// operator would, asking that host.
		if d.Host != peer {
			t.Errorf("still running: on %q, want %s", d.Host, peer)
		}
		if err := s.WaitInDoubt(ctx, d.Key); err != nil {
			t.Fatal(err)
		}
		need = nextNeed(t, s)
	}
	d, ok := need.(*runner.NeedInDoubt)
	if !ok || d.Reason != runner.DoubtWizardDied || !strings.Contains(d.Why, "has ended") || !strings.Contains(d.Why, peer) || !d.VerifyFailed || !d.Idempotent {
		t.Fatalf("on resume: %T %+v", need, need)
	}
	if err := s.Resolve(ctx, d.Key, runner.MarkNotDone, "its checks say it did not take effect; safe to repeat"); err != nil {
		t.Fatal(err)
	}
	n = nextNeed(t, s).(*runner.NeedStep)
	if o, err := s.ExecuteWith(ctx, n.Key, "", runner.ExecIO{}); err != nil || !o.OK {
		t.Fatalf("the re-run: %v %+v", err, o)
	}
	if _, ok := nextNeed(t, s).(*runner.Done); !ok {
		t.Error("the run did not complete after the re-run")
	}
	if _, err := os.Stat(r.peerTmp("hold-done")); err != nil {
		t.Error("the re-run did not write its file there")
	}
}

// cutOnWord cuts the connection once the command's output shows word.
type cutOnWord struct {
	mu   sync.Mutex
	seen strings.Builder
	word string
	cut  func()
	done bool
}

func (c *cutOnWord) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seen.Write(p)
	if !c.done && strings.Contains(c.seen.String(), c.word) {
		c.done = true
		c.cut()
	}
	return len(p), nil
}

// A dry run and guide mode connect to nothing; a Windows host and a host
// that does not answer are done by hand, the latter saying why.
func TestWhereSSHIsNotUsed(t *testing.T) {
	r := newSSHRig(t)
	r.srv.Trust()
	ctx := context.Background()
	t.Run("dry run", func(t *testing.T) {
		o := r.sshOpts()
		o.DryRun = true
		s := r.startWith(o, sshStepsDef(t), nil)
		n, ok := nextNeed(t, s).(*runner.NeedStep)
		if !ok || n.OverSSH {
			t.Fatalf("%T %+v", n, n)
		}
		if _, err := s.ExecuteWith(ctx, n.Key, "", runner.ExecIO{}); err != nil {
			t.Fatal(err)
		}
		s.Close()
	})
	t.Run("guide", func(t *testing.T) {
		o := r.sshOpts()
		o.Lab, o.Guide, o.Target, o.Platform = nil, true, lab.DefaultHostname, procedures.Linux
		s := r.startWith(o, sshStepsDef(t), nil)
		n, ok := nextNeed(t, s).(*runner.NeedStep)
		if !ok || !n.Manual || n.OverSSH {
			t.Fatalf("%T %+v", n, n)
		}
		s.Close()
	})
	if got := r.srv.Accepted(); got != 0 {
		t.Fatalf("a dry run or a guided one connected %d times", got)
	}
	t.Run("windows", func(t *testing.T) {
		f := newFixture(t)
		const win = "zen-win-2"
		if _, err := f.lab.HostOn(win, lab.PlatformWindows); err != nil {
			t.Fatal(err)
		}
		o := r.sshOpts()
		o.Store, o.Lab = f.store, f.lab
		o.LabSSH = map[string]string{win: o.LabSSH[peer]}
		s, err := runner.Start(ctx, o, sshStepsOn(t, win), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		s.Answer(ctx, "admin_password", adminPW)
		if n, ok := nextNeed(t, s).(*runner.NeedStep); !ok || n.OverSSH {
			t.Fatalf("a step on a Windows host: %T %+v", n, n)
		}
		if got := r.srv.Accepted(); got != 0 {
			t.Errorf("a Windows host was reached over SSH (%d connections)", got)
		}
	})
	t.Run("unreachable", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Skip(err)
		}
		closed := l.Addr().String()
		l.Close()
		f := newFixture(t)
		o := r.sshOpts()
		o.Store, o.Lab = f.store, f.lab
		o.LabSSH = map[string]string{peer: closed}
		s, err := runner.Start(ctx, o, sshStepsDef(t), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		s.Answer(ctx, "admin_password", adminPW)
		n, ok := nextNeed(t, s).(*runner.NeedStep)
		if !ok || !n.Manual || !strings.HasPrefix(n.Describe, "zenrecover could not reach "+peer+" over SSH") || !strings.Contains(n.Describe, "confirm it here") {
			t.Fatalf("a host that does not answer: %T %+v", n, n)
		}
		if err := s.Confirm(ctx, n.Key, ""); err != nil {
			t.Fatal(err)
		}
	})
}

// The platform facts decide for a live run: a host its fact says is
// Windows is never reached over SSH.
func TestAHostWhosePlatformFactSaysWindowsIsNotReached(t *testing.T) {
	r := newSSHRig(t)
	r.srv.Trust()
	def, err := procedures.Parse("plat.yaml", []byte(`id: ssh-platform
title: A step on a host of a given platform
section: "9.7"
summary: One step there.
facts:
  - id: peer_platform
    type: choice
    choices: [linux, windows]
    question: Which operating system does the other server run?
    detect:
      platform-of: peer
inputs:
  - id: peer
    type: string
    prompt: The other server
steps:
  - id: there
    ref: "1"
    title: Something there
    on: ${peer}
    run: [true]
`))
	if err != nil {
		t.Fatal(err)
	}
	o := r.sshOpts()
	o.Lab = nil // a live run: nothing is executed here, Next only looks
	s := r.startWith(o, def, procedures.Values{"peer": peer, "peer_platform": procedures.Windows})
	n, ok := nextNeed(t, s).(*runner.NeedStep)
	if !ok || !n.Manual || n.OverSSH {
		t.Fatalf("%T %+v", n, n)
	}
	if got := r.srv.Accepted(); got != 0 {
		t.Errorf("a Windows host was reached over SSH (%d connections)", got)
	}
}
