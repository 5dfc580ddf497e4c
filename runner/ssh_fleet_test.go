//go:build !windows

package runner_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"zenrecover/procedures"
	"zenrecover/remote"
	"zenrecover/runner"
)

const sshFleetDef = `id: ssh-fleet
title: Refresh each device
section: "9.5"
summary: zac ref on each device.
inputs:
  - id: devices
    type: list
    prompt: The devices
steps:
  - id: refresh
    ref: "1"
    title: Refresh each device
    each: devices
    on: ${target}
    idempotent: true
    run: [zac, ref]
`

// silentHosts accepts TCP connections and never says a word, as a device
// behind a firewall that drops SSH would keep a client waiting until its
// timeout. It counts the connections.
type silentHosts struct {
	mu    sync.Mutex
	conns []net.Conn
}

func (h *silentHosts) accepted() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.conns)
}

func newSilentHosts(t *testing.T) (*silentHosts, string) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Skipf("no loopback port: %v", err)
	}
	h := &silentHosts{}
	t.Cleanup(func() {
		l.Close()
		h.mu.Lock()
		for _, c := range h.conns {
			c.Close()
		}
		h.mu.Unlock()
	})
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			h.mu.Lock()
			h.conns = append(h.conns, c)
			h.mu.Unlock()
		}
	}()
	return h, l.Addr().String()
}

// A fleet whose devices do not answer: the next devices are dialled while
// the operator is on the first (their timeouts run together, not one
// after another), and each device is dialled once: each later device is
// shown to be done by hand at once, with why.
func TestAFleetsNextDevicesAreDialledAheadAndEachOnce(t *testing.T) {
	t.Parallel()
	const n = 6
	r := newSSHRig(t)
	hosts, addr := newSilentHosts(t)
	o := r.sshOpts()
	o.SSH = &remote.Config{KnownHosts: r.srv.KnownHosts, IdentityFiles: []string{r.srv.ClientKey}, AgentSocket: "none", Timeout: time.Second}
	o.LabSSH = map[string]string{}
	var names []string
	for i := 1; i <= n; i++ {
		name := fmt.Sprintf("dev-%d", i)
		names = append(names, name)
		o.LabSSH[name] = addr
	}
	def, err := procedures.Parse("ssh-fleet.yaml", []byte(sshFleetDef))
	if err != nil {
		t.Fatal(err)
	}
	s := r.startWith(o, def, procedures.Values{"devices": strings.Join(names, ", ")})
	ctx := context.Background()
	first, ok := nextNeed(t, s).(*runner.NeedStep)
	if !ok || first.Target != "dev-1" || !first.Manual || !strings.Contains(first.Describe, "could not reach dev-1") {
		t.Fatalf("the first device: %T %+v", first, first)
	}
	// While dev-1 is shown, the other five are being dialled too.
	for deadline := time.Now().Add(10 * time.Second); hosts.accepted() < n && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
	}
	if got := hosts.accepted(); got != n {
		t.Fatalf("%d of the %d devices were dialled while the first was shown", got, n)
	}
	for i := 0; i < n; i++ {
		need := nextNeed(t, s)
		st, ok := need.(*runner.NeedStep)
		if !ok {
			t.Fatalf("device %d: %T %+v", i+1, need, need)
		}
		if !st.Manual || !strings.Contains(st.Describe, "could not reach "+st.Target) {
			t.Errorf("%s is not shown as unreachable, to do by hand: %s", st.Target, st.Describe)
		}
		if err := s.Confirm(ctx, st.Key, "done there by hand"); err != nil {
			t.Fatal(err)
		}
	}
	if _, ok := nextNeed(t, s).(*runner.Done); !ok {
		t.Error("the fleet is not done")
	}
	if got := hosts.accepted(); got != n {
		t.Errorf("%d dials for %d devices: a device was dialled twice", got, n)
	}
}

// A fleet larger than what is dialled ahead does not keep a connection
// per device: each is closed when its device is done, so a fan-out over
// thousands of devices holds a handful at once.
func TestAFleetKeepsAFewConnectionsOpenNotOneADevice(t *testing.T) {
	t.Parallel()
	const n = 40
	r := newSSHRig(t)
	r.srv.Trust()
	o := r.sshOpts()
	o.LabSSH = map[string]string{}
	var names []string
	for i := 1; i <= n; i++ {
		name := fmt.Sprintf("dev-%d", i)
		names = append(names, name)
		o.LabSSH[name] = fmt.Sprintf("127.0.0.1:%d", r.srv.Port)
	}
	def, err := procedures.Parse("ssh-fleet.yaml", []byte(strings.Replace(sshFleetDef, "run: [zac, ref]", "run: [\"true\"]", 1)))
	if err != nil {
		t.Fatal(err)
	}
	s := r.startWith(o, def, procedures.Values{"devices": strings.Join(names, ", ")})
	ctx := context.Background()
	for i := 0; i < n; i++ {
		st, ok := nextNeed(t, s).(*runner.NeedStep)
		if !ok || !st.OverSSH {
			t.Fatalf("device %d is not run over SSH: %+v", i+1, st)
		}
		if o, err := s.ExecuteWith(ctx, st.Key, "", runner.ExecIO{}); err != nil || !o.OK {
			t.Fatalf("%s: %v %+v", st.Target, err, o)
		}
	}
	if _, ok := nextNeed(t, s).(*runner.Done); !ok {
		t.Error("the fleet is not done")
	}
	// The one running and those dialled ahead of it, plus the one whose
	// close the server has not seen yet.
	if got := r.srv.MaxOpen(); got > 16+2 {
		t.Errorf("%d connections were open at once for %d devices", got, n)
	}
}

// A server that refuses SFTP (an sshd without its Subsystem line) fails
// the step's check there, saying why; once the server is fixed, a retry
// dials a new connection (sshd reads its configuration per connection)
// and the step's check passes, without a stop and a resume.
func TestARetryAfterTheServerServesSFTPAgainUsesANewConnection(t *testing.T) {
	t.Parallel()
	r := newSSHRig(t)
	r.srv.Trust()
	r.srv.RefuseSFTP(true)
	ctx := context.Background()
	s := r.startWith(r.sshOpts(), sshStepsDef(t), nil)
	if err := s.Answer(ctx, "admin_password", adminPW); err != nil {
		t.Fatal(err)
	}
	n := nextNeed(t, s).(*runner.NeedStep)
	o, err := s.ExecuteWith(ctx, n.Key, "", runner.ExecIO{})
	if err != nil || o.OK || !strings.Contains(o.Error, "SFTP") {
		t.Fatalf("with SFTP refused there: %v %+v", err, o)
	}
	before := r.srv.Accepted()
	r.srv.RefuseSFTP(false)
	if err := s.Retry(ctx, n.Key); err != nil {
		t.Fatal(err)
	}
	n = nextNeed(t, s).(*runner.NeedStep)
	if o, err := s.ExecuteWith(ctx, n.Key, "", runner.ExecIO{}); err != nil || !o.OK {
		t.Fatalf("the retry after the server was fixed: %v %+v", err, o)
	}
	if r.srv.Accepted() == before {
		t.Error("the retry used the connection that had been refused SFTP")
	}
}
