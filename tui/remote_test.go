//go:build !windows

package tui

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"zenrecover/procedures"
	"zenrecover/remote"
	"zenrecover/remote/remotetest"
	"zenrecover/runner"
)

// Issue 16 in the wizard: the host key room before a step on another host
// reached over SSH, and a fan-out step handed to Ansible.

const remoteStepsDef = `id: remote-steps
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

// remoteConfig is a rehearsal whose zen-primary-2 is srv, over SSH.
func remoteConfig(f *fixture, srv *remotetest.Server) Config {
	f.addDef(remoteStepsDef)
	cfg := f.config()
	cfg.Options.SSH = &remote.Config{KnownHosts: srv.KnownHosts, IdentityFiles: []string{srv.ClientKey}, AgentSocket: "none"}
	cfg.Options.LabSSH = map[string]string{"zen-primary-2": fmt.Sprintf("127.0.0.1:%d", srv.Port)}
	cfg.Preset = procedures.Values{"devices": "dev-01, dev-02, dev-03"}
	return cfg
}

func TestTheHostKeyRoomShowsTheKeyAndTrustsItOnlyOnY(t *testing.T) {
	f := newFixture(t)
	srv := remotetest.New(t)
	h := newHarness(t, remoteConfig(f, srv), nil, "9.6", 100, 32)
	h.mustRead("This step runs on zen-primary-2 over SSH", "ssh-ed25519", ssh.FingerprintSHA256(srv.HostKey.PublicKey()),
		"Accepting adds it to:", "/known_hosts", fmt.Sprintf("127.0.0.1:%d", srv.Port), "ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub")
	if h.phase() != phaseHostKey {
		t.Fatalf("phase %d, want the host key room", h.phase())
	}
	// A y typed before the room appeared trusts nothing; nor does Enter.
	h.burst("y")
	h.press("enter")
	if _, err := os.Stat(srv.KnownHosts); err == nil || h.phase() != phaseHostKey {
		t.Fatal("the key was trusted by a key typed ahead, or by Enter")
	}
	h.press("y")
	h.mustRead("over SSH on zen-primary-2")
	if h.phase() != phaseStep {
		t.Fatalf("after y: phase %d", h.phase())
	}
	if kh, _ := os.ReadFile(srv.KnownHosts); !strings.Contains(string(kh), fmt.Sprintf("[127.0.0.1]:%d ssh-ed25519 ", srv.Port)) {
		t.Errorf("known_hosts: %q", kh)
	}
	h.press("enter")
	h.mustSee("hello from zen-primary-2")
}

func TestARefusedHostKeyTurnsItsStepsIntoStepsByHand(t *testing.T) {
	f := newFixture(t)
	srv := remotetest.New(t)
	h := newHarness(t, remoteConfig(f, srv), nil, "9.6", 100, 32)
	h.mustSee("Fingerprint:")
	h.press("n")
	h.mustRead("You did not accept the host key of zen-primary-2", "Do it, then press Enter to confirm it is done.")
	if len(srv.Commands()) > 0 || srv.Accepted() != 1 {
		t.Errorf("after a refusal: %d connections, commands %q", srv.Accepted(), srv.Commands())
	}
}

// f hands a fan-out step's targets to Ansible; the room counts the hosts
// as they report, and the run goes on with the next step (here, the end).
func TestAFanOutStepIsHandedToAnsibleWithF(t *testing.T) {
	if _, err := exec.LookPath("ansible-playbook"); err != nil {
		t.Skip("ansible-playbook is not installed (.ci/deps/ansible.sh installs Debian's ansible)")
	}
	f := newFixture(t)
	srv := remotetest.New(t)
	srv.Trust()
	h := newHarness(t, remoteConfig(f, srv), nil, "9.6", 100, 32)
	counted := false
	h.each = func(raw string) {
		if strings.Contains(ansiStrip(raw), "3 of 3 hosts reported: ✓ 3 done") {
			counted = true
		}
	}
	h.press("enter") // step 1, over SSH
	h.mustRead("Say hello on each device", "f hand the 3 targets not done to Ansible")
	h.mustSee("f hand to Ansible")
	h.press("f")
	if !counted {
		t.Error("the fleet room never showed the hosts' results")
	}
	h.mustRead("Ansible: step 2, 3 done, 0 failed or not reached, 0 not reported")
	if h.phase() != phaseDone {
		t.Fatalf("after Ansible: phase %d\n%s", h.phase(), h.view())
	}
	_, rs := f.journal(h.m.run.runID)
	for _, d := range []string{"dev-01", "dev-02", "dev-03"} {
		if ss := rs.Steps["each@"+d]; ss == nil || ss.Status != runner.StepSucceeded {
			t.Errorf("%s: %+v", d, ss)
		}
	}
}

// Without ansible-playbook, f shows the command to run where it is, and
// Enter goes back to the step.
func TestWithoutAnsibleFShowsTheCommand(t *testing.T) {
	bin := t.TempDir()
	for _, tool := range []string{"sh", "env", "cat", "cut"} {
		if p, err := exec.LookPath(tool); err == nil {
			os.Symlink(p, filepath.Join(bin, tool))
		}
	}
	t.Setenv("PATH", bin)
	f := newFixture(t)
	srv := remotetest.New(t)
	srv.Trust()
	h := newHarness(t, remoteConfig(f, srv), nil, "9.6", 100, 32)
	h.press("enter")
	h.mustRead("f the Ansible command for the 3 targets not done (ansible-playbook is not installed here)")
	h.press("f")
	h.mustRead("ansible-playbook is not installed on this machine", "ansible-playbook -i ", "--limit @", "Its results are not read back")
	h.press("enter")
	h.mustRead("Say hello on each device", "Press Enter to run it.")
	_, rs := f.journal(h.m.run.runID)
	if ss := rs.Steps["each@dev-01"]; ss != nil {
		t.Errorf("the export journaled %+v", ss)
	}
}
