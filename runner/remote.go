package runner

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"zenrecover/actions"
	"zenrecover/lab"
	"zenrecover/remote"
)

// Steps on another Linux host over SSH (issue 16, item 1). sshHosts keeps
// one connection a host for the life of a session and remembers why a
// host could not be reached, so a step there falls back to shown and
// confirmed with that sentence (NeedStep.Describe) and the wizard does
// not knock again at every Next. A host key that is not known yet is a
// NeedHostKey: nothing runs there until the operator accepts it
// (AcceptHostKey); a changed key is refused for the whole session.
//
// Decisions:
//   - Live runs only, and lab runs whose lab says its hosts are reached
//     over SSH (labSSH: the lab's simulated tools then run on that host as
//     that host, ZENRECOVER_LAB_HOST in the command's environment). A dry
//     run and guide mode reach nothing.
//   - A Windows host is never reached over SSH here: the commands and
//     paths are the Linux layout's; it stays shown and confirmed.
//   - What runs there is what the screen showed: the resolved step's argv
//     and answers, built by actions.Build, then moved onto the connection
//     (remoteAction). File checks of verify: go over SFTP there. Copies
//     whose source is on that host go over SFTP (remote.Fetch) instead of
//     the scp the operator was shown.
//   - The running event of a step there records that host's pid, start
//     time and boot id with the host in its detail (remoteRunning), so a
//     step in doubt there is diagnosed by asking that host (remote.Alive).

// NeedHostKey: the step is on a host whose SSH host key is not known. The
// front end shows the fingerprint; AcceptHostKey trusts it, anything else
// leaves the step to be done there by hand.
type NeedHostKey struct {
	Host, KeyType, Fingerprint string
	KnownHosts                 string // where accepting writes it
	Step                       string // the step's key, to come back to
	err                        *remote.UnknownHostKeyError
}

func (*NeedHostKey) need() {}

type sshHosts struct {
	cfg     remote.Config
	mu      sync.Mutex
	clients map[string]*remote.Client
	// why a host is not reached: a sentence, or the unknown key waiting
	// for the operator.
	down    map[string]string
	unknown map[string]*remote.UnknownHostKeyError
}

func newSSHHosts(cfg remote.Config) *sshHosts {
	return &sshHosts{cfg: cfg, clients: map[string]*remote.Client{}, down: map[string]string{}, unknown: map[string]*remote.UnknownHostKeyError{}}
}

// reach returns a connection to host, or nil and why not: a sentence for
// the operator (the fallback), or an unknown key to show.
func (h *sshHosts) reach(ctx context.Context, host string) (*remote.Client, string, *remote.UnknownHostKeyError) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if c := h.clients[host]; c != nil {
		return c, "", nil
	}
	if why, ok := h.down[host]; ok {
		return nil, why, nil
	}
	c, err := remote.Dial(ctx, host, h.cfg)
	var unknown *remote.UnknownHostKeyError
	switch {
	case err == nil:
		h.clients[host] = c
		return c, "", nil
	case errors.As(err, &unknown):
		h.unknown[host] = unknown
		return nil, "", unknown
	}
	why := fallbackWhy(host, err)
	h.down[host] = why
	return nil, why, nil
}

// fallbackWhy is the sentence a step shown and confirmed by hand carries
// when its host could not be reached.
func fallbackWhy(host string, err error) string {
	var changed *remote.ChangedHostKeyError
	if errors.As(err, &changed) {
		return fmt.Sprintf("zenrecover does not connect to %s: %v. Do this step there and confirm it here.", host, err)
	}
	return fmt.Sprintf("zenrecover could not reach %s over SSH (%v), so do this step there and confirm it here.", host, err)
}

// accept trusts the key shown for host and forgets that it was waiting.
func (h *sshHosts) accept(host string) error {
	h.mu.Lock()
	e := h.unknown[host]
	delete(h.unknown, host)
	h.mu.Unlock()
	if e == nil {
		return fmt.Errorf("no host key of %s is waiting to be accepted", host)
	}
	return remote.AcceptHostKey(e)
}

// refuse leaves host to the operator for the session: they did not accept
// its key.
func (h *sshHosts) refuse(host string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.unknown, host)
	h.down[host] = fmt.Sprintf("You did not accept the host key of %s, so zenrecover does not connect to it: do this step there and confirm it here.", host)
}

// lost forgets a connection that broke, so the next step dials again.
func (h *sshHosts) lost(host string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if c := h.clients[host]; c != nil {
		c.Close()
		delete(h.clients, host)
	}
}

func (h *sshHosts) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for k, c := range h.clients {
		c.Close()
		delete(h.clients, k)
	}
}

// remoteAction moves a step built for a host (actions.Build, with that
// host's paths) onto the connection: a command runs there in a remote
// pseudo-terminal with the same answers, a file check looks there over
// SFTP. Anything else (an edit of a file there, an archive) is not moved
// and ok is false: the step stays shown and confirmed.
func remoteAction(c *remote.Client, b *actions.Built, labHost *lab.Lab, onProcess func(remote.ProcessInfo)) (act actions.Action, checks []actions.Check, ok bool) {
	switch a := b.Action.(type) {
	case *actions.Command:
		rc := &remote.Command{Client: c, Argv: a.Argv, Answers: a.Answers, Display: a.Display,
			KillGrace: a.KillGrace, Settle: a.Settle, OnProcess: onProcess}
		if labHost != nil {
			// The lab's tools first, as that host (lab.Host's
			// environment), then the other end's own system folders.
			for _, kv := range labHost.Env(nil) {
				k, v, _ := strings.Cut(kv, "=")
				switch k {
				case "PATH":
					rc.Env = append(rc.Env, "PATH="+v+":/usr/local/bin:/usr/bin:/bin")
				case "ZENRECOVER_LAB", lab.HostEnv, "ZENWORKS_HOME":
					rc.Env = append(rc.Env, kv)
				}
			}
		}
		act = rc
	case nil:
	default:
		return nil, nil, false
	}
	for _, chk := range b.Verify {
		switch x := chk.(type) {
		case *actions.FileExists:
			checks = append(checks, &remote.FileExists{Client: c, Path: x.Path})
		case *actions.NewerThanStart:
			checks = append(checks, &remote.NewerThanStart{Client: c, Path: x.Path})
		default:
			return nil, nil, false
		}
	}
	return act, checks, true
}

// remoteRunning is the detail of the running event of a step on another
// host: where the pid and start time are.
func remoteRunning(p remote.ProcessInfo) string {
	return fmt.Sprintf(`{"host":%q,"via":"ssh"}`, p.Host)
}
