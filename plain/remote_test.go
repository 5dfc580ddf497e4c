//go:build !windows

package plain_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"zenrecover/lab"
	"zenrecover/lab/labtest"
	"zenrecover/plain"
	"zenrecover/procedures"
	"zenrecover/remote"
	"zenrecover/remote/remotetest"
	"zenrecover/runner"
)

// Issue 16 in the line-by-line front end: a host key to trust before a
// step runs on another host over SSH, and a fan-out step handed to Ansible.

const remoteDef = `
id: remote-steps
title: Steps elsewhere
section: "9.6"
summary: One step on the second Primary Server, one on every device.
inputs:
  - id: devices
    type: list
    prompt: The devices
steps:
  - id: there
    ref: "1"
    title: Say hello there
    on: zen-primary-2
    run: [sh, -c, 'echo "hello from $ZENRECOVER_LAB_HOST"']
  - id: each
    ref: "2"
    title: Say hello on each device
    each: devices
    on: ${target}
    idempotent: true
    run: [sh, -c, 'echo "device $ZENRECOVER_LAB_HOST says hello"']
`

type remoteRig struct {
	store *runner.Store
	lab   *lab.Lab
	srv   *remotetest.Server
	def   *procedures.Definition
}

func newRemoteRig(t *testing.T) *remoteRig {
	t.Helper()
	st, err := runner.OpenStore(filepath.Join(t.TempDir(), "state", "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	d, err := procedures.Parse("remote.yaml", []byte(remoteDef))
	if err != nil {
		t.Fatal(err)
	}
	return &remoteRig{store: st, lab: labtest.New(t), srv: remotetest.New(t), def: d}
}

func (r *remoteRig) start(t *testing.T) *runner.Session {
	t.Helper()
	o := runner.Options{Store: r.store, Lab: r.lab, Version: "test",
		SSH:    &remote.Config{KnownHosts: r.srv.KnownHosts, IdentityFiles: []string{r.srv.ClientKey}, AgentSocket: "none"},
		LabSSH: map[string]string{"zen-primary-2": fmt.Sprintf("127.0.0.1:%d", r.srv.Port)}}
	s, err := runner.Start(context.Background(), o, r.def, procedures.Values{"devices": "dev-01, dev-02, dev-03"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func TestAHostKeyIsTrustedOnlyWhenYesIsTypedInFull(t *testing.T) {
	r := newRemoteRig(t)
	s := r.start(t)
	var out bytes.Buffer
	p := &plain.Plain{In: strings.NewReader("y\nyes\n"), Out: &out, Yes: true}
	if code := p.Drive(context.Background(), s); code != runner.ExitCompleted {
		t.Fatalf("exit %d\n%s", code, out.String())
	}
	got := out.String()
	for _, want := range []string{"runs on zen-primary-2 over SSH", "ssh-ed25519 " + ssh.FingerprintSHA256(r.srv.HostKey.PublicKey()),
		"Accepting adds it to " + r.srv.KnownHosts, "Type yes in full", "Trusted: zen-primary-2", "hello from zen-primary-2"} {
		if !strings.Contains(got, want) {
			t.Errorf("the output lacks %q:\n%s", want, got)
		}
	}
	if kh, _ := os.ReadFile(r.srv.KnownHosts); !strings.Contains(string(kh), fmt.Sprintf("[127.0.0.1]:%d ssh-ed25519 ", r.srv.Port)) {
		t.Errorf("known_hosts: %q", kh)
	}
}

func TestARefusedHostKeyLeavesTheStepToTheOperatorAndSaysWhy(t *testing.T) {
	r := newRemoteRig(t)
	s := r.start(t)
	var out bytes.Buffer
	p := &plain.Plain{In: strings.NewReader("no\n"), Out: &out, Yes: true}
	if code := p.Drive(context.Background(), s); code != runner.ExitCompleted {
		t.Fatalf("exit %d\n%s", code, out.String())
	}
	if got := out.String(); !strings.Contains(got, "You did not accept the host key of zen-primary-2") || !strings.Contains(got, "Confirmed by --yes") {
		t.Errorf("after no:\n%s", got)
	}
	if len(r.srv.Commands()) > 0 {
		t.Errorf("something ran on a host whose key was refused: %q", r.srv.Commands())
	}
	if ss := s.State().Steps["there"]; ss.Status != runner.StepConfirmed {
		t.Errorf("step there: %s, want confirmed by hand", ss.Status)
	}
}

func TestEndOfInputAtAHostKeyStopsTheRun(t *testing.T) {
	r := newRemoteRig(t)
	s := r.start(t)
	var out bytes.Buffer
	p := &plain.Plain{In: strings.NewReader(""), Out: &out, Yes: true}
	if code := p.Drive(context.Background(), s); code != runner.ExitStopped {
		t.Fatalf("exit %d, want stopped\n%s", code, out.String())
	}
	if _, err := os.Stat(r.srv.KnownHosts); err == nil {
		t.Error("a host key was trusted without a yes")
	}
}

// At a terminal, a fan-out step is offered to Ansible; Ansible runs every
// device's command and each result is shown and journaled on its own.
func TestAFanOutHandedToAnsibleShowsEachHostAndGoesOn(t *testing.T) {
	if _, err := exec.LookPath("ansible-playbook"); err != nil {
		t.Skip("ansible-playbook is not installed (.ci/deps/ansible.sh installs Debian's ansible)")
	}
	r := newRemoteRig(t)
	r.srv.Trust()
	s := r.start(t)
	var out bytes.Buffer
	p := &plain.Plain{In: strings.NewReader("ansible\n"), Out: &out, Terminal: true}
	if code := p.Drive(context.Background(), s); code != runner.ExitCompleted {
		t.Fatalf("exit %d\n%s", code, out.String())
	}
	got := out.String()
	for _, want := range []string{"type ansible to hand them to Ansible (the 3 targets not done)", "Handing step 2 to Ansible",
		"dev-01: done", "dev-02: done", "dev-03: done", "Ansible: 3 done, 0 failed or not reached, 0 not reported"} {
		if !strings.Contains(got, want) {
			t.Errorf("the output lacks %q:\n%s", want, got)
		}
	}
	for _, d := range []string{"dev-01", "dev-02", "dev-03"} {
		if ss := s.State().Steps["each@"+d]; ss == nil || ss.Status != runner.StepSucceeded {
			t.Errorf("%s: %+v", d, ss)
		}
	}
}

// Without ansible-playbook the offer shows the command to run where it is,
// and the step goes on here, target by target.
func TestWithoutAnsibleTheOfferShowsTheCommand(t *testing.T) {
	bin := t.TempDir()
	for _, tool := range []string{"sh", "env", "cat", "stty", "sha256sum", "cut"} {
		if p, err := exec.LookPath(tool); err == nil {
			os.Symlink(p, filepath.Join(bin, tool))
		}
	}
	t.Setenv("PATH", bin)
	r := newRemoteRig(t)
	r.srv.Trust()
	s := r.start(t)
	var out bytes.Buffer
	p := &plain.Plain{In: strings.NewReader("ansible\n"), Out: &out, Terminal: true}
	if code := p.Drive(context.Background(), s); code != runner.ExitCompleted {
		t.Fatalf("exit %d\n%s", code, out.String())
	}
	got := out.String()
	for _, want := range []string{"ansible-playbook is not installed here", "ansible-playbook is not installed on this machine",
		"ansible-playbook -i ", "--limit @", "device dev-03 says hello"} {
		if !strings.Contains(got, want) {
			t.Errorf("the output lacks %q:\n%s", want, got)
		}
	}
}
