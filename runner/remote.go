package runner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"zenrecover/actions"
	"zenrecover/lab"
	"zenrecover/procedures"
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
//   - Options.SSH turns it on (cli: by default in a live run, --no-ssh
//     off). A dry run and guide mode reach nothing whatever it says. In a
//     rehearsal only the lab's hosts Options.LabSSH names are reached, each
//     at its address (sshd on loopback playing zen-primary-2); the others
//     stay simulated here. The lab's simulated tools then run on that host
//     as that host (ZENRECOVER_LAB_HOST in the command's environment), so
//     the far end must see the lab's directory at the same path.
//   - A Windows host is never reached over SSH: the lab's layout, the
//     host's platform fact (platform-of: its input) or the fact of its
//     group (X_platform, X the list that names it) says so. A host nothing
//     is known of is taken for Linux.
//   - Carried there: commands (run:), a file sent from here (copy with
//     to-host, SFTP), an XML edit there (read, changed and renamed into
//     place over SFTP, as actions.EditXML does here), and an archive of a
//     tree there (zenrecover copies itself to that host and runs its own
//     archiver there: remote/archive.go), with checks of files and archive
//     sets there (over SFTP). SQL and a copy between two other hosts stay
//     shown and confirmed, saying so; in a rehearsal they stay simulated
//     here. A copy whose source is
//     another host reached over SSH is fetched over SFTP (remote.Fetch)
//     instead of the scp the operator was shown (its overwrite and
//     create-folder options are not taken: Fetch writes each file to a
//     temporary name and renames it over the target).
//   - What runs there is what the screen showed: the resolved step's argv
//     and answers, built by actions.Build, then moved onto the connection
//     (remoteAction) once the started event (the command, the host, via
//     ssh) is durable.
//   - A host that cannot be reached, and a host whose key the operator
//     refused, fall back to shown and confirmed, the sentence first in
//     NeedStep.Describe; in a rehearsal too, since it rehearses what the
//     operator will meet. A host is dialled once a session: the sentence
//     is kept, not retried at every Next. A refusal is not journaled: a
//     resumed run asks about the key again.
//   - The running event of a step there records that host's pid, start
//     time and boot id with the host in its detail (remoteRunning), so a
//     step in doubt there is diagnosed by asking that host (indoubt.go:
//     Client.Alive; WaitInDoubt asks it every second). A connection lost
//     while the command runs, or before it said it had started, leaves the
//     step in doubt (ExecuteWith returns an error, as for an interrupt) and
//     the next step dials again. On resume the step's checks look there.
//   - A fleet (a fan-out whose target is the host it runs on: zac ref on
//     each device) dials its next 16 targets in the background while the
//     operator is on one (sshHosts.prefetch), so unreachable devices cost
//     their 10 s timeouts together, not one after another; each host is
//     still dialled once a session, and an unknown key is still shown and
//     decided host by host. A fleet larger than that closes each target's
//     connection when its step is over: 3,000 devices never hold 3,000
//     connections.
//   - A passphrase a command there used to write a file there is not
//     escrowed from here (escrow.go): the operator is told to seal it on
//     that host.

// NeedHostKey: the step is on a host whose SSH host key is not known. The
// front end shows the fingerprint; AcceptHostKey trusts it, RefuseHostKey
// leaves the host's steps to be done there by hand, with the sentence.
type NeedHostKey struct {
	Host        string // the host the step is on, as the procedure names it
	Addr        string // where zenrecover connects ([user@]address[:port]), when not Host
	KeyType     string
	Fingerprint string // SHA256:..., as ssh-keygen -lf prints it
	KnownHosts  string // where accepting writes it
	Step        *procedures.Step
	Key         string // the step's key (id, or id@target), to come back to
	Target      string
	err         *remote.UnknownHostKeyError
}

func (*NeedHostKey) need() {}

// AcceptHostKey trusts the key NeedHostKey showed for host: one line
// appended to known_hosts, as ssh does when the operator types yes.
func (s *Session) AcceptHostKey(host string) error {
	if s.ssh == nil {
		return fmt.Errorf("this run reaches no host over SSH")
	}
	return s.ssh.accept(host)
}

// RefuseHostKey leaves host to the operator for this process: its steps
// are shown and confirmed, saying why. Nothing is written; a resumed run
// asks again.
func (s *Session) RefuseHostKey(host string) {
	if s.ssh != nil {
		s.ssh.refuse(host)
	}
}

type sshHosts struct {
	cfg remote.Config
	// addrs: where a host is reached, by its name in lower case (a lab's
	// hosts, Options.LabSSH); a host not there is dialed by its name.
	addrs   map[string]string
	mu      sync.Mutex
	clients map[string]*remote.Client
	// why a host is not reached: a sentence, or the unknown key waiting
	// for the operator.
	down    map[string]string
	unknown map[string]*remote.UnknownHostKeyError
	// dialing: a dial under way, closed when its result is stored; a
	// second reach of the host waits for it rather than dial again.
	dialing map[string]chan struct{}
	// ahead bounds the dials made ahead of a fleet (prefetch); bg ends
	// them when the session closes.
	ahead  chan struct{}
	bg     context.Context
	stop   context.CancelFunc
	closed bool
}

// fleetAhead is how many targets of a fan-out are dialled ahead of the one
// shown, and how many connections a fan-out keeps: a fleet's unreachable
// devices cost their dial timeouts (10 s) in parallel, not one after
// another, and 3,000 devices do not hold 3,000 connections.
const fleetAhead = 16

func newSSHHosts(cfg remote.Config) *sshHosts {
	bg, stop := context.WithCancel(context.Background())
	return &sshHosts{cfg: cfg, addrs: map[string]string{}, clients: map[string]*remote.Client{}, down: map[string]string{},
		unknown: map[string]*remote.UnknownHostKeyError{}, dialing: map[string]chan struct{}{},
		ahead: make(chan struct{}, fleetAhead), bg: bg, stop: stop}
}

// mapped reports a host given an address of its own (a lab's, LabSSH).
func (h *sshHosts) mapped(host string) bool {
	_, ok := h.addrs[strings.ToLower(host)]
	return ok
}

// addr is where host is dialed.
func (h *sshHosts) addr(host string) string {
	if a, ok := h.addrs[strings.ToLower(host)]; ok {
		return a
	}
	return host
}

// reach returns a connection to host, or nil and why not: a sentence for
// the operator (the fallback), or an unknown key to show.
func (h *sshHosts) reach(ctx context.Context, host string) (*remote.Client, string, *remote.UnknownHostKeyError) {
	k := strings.ToLower(host)
	for {
		h.mu.Lock()
		if c, why, key, known := h.knownLocked(k); known {
			h.mu.Unlock()
			return c, why, key
		}
		if ch := h.dialing[k]; ch != nil {
			h.mu.Unlock()
			select {
			case <-ch:
				continue
			case <-ctx.Done():
				return nil, fallbackWhy(host, ctx.Err()), nil
			}
		}
		ch := make(chan struct{})
		h.dialing[k] = ch
		h.mu.Unlock()
		c, err := remote.Dial(ctx, h.addr(host), h.cfg)
		h.done(k, host, ch, c, err)
	}
}

// knownLocked is what is known of host k (h.mu held): a connection, why
// it is not reached, or its unknown key.
func (h *sshHosts) knownLocked(k string) (*remote.Client, string, *remote.UnknownHostKeyError, bool) {
	if c := h.clients[k]; c != nil {
		if !c.Stale() {
			return c, "", nil, true
		}
		// SFTP was refused on it: a retry after the server is fixed
		// needs a new connection.
		c.Close()
		delete(h.clients, k)
	}
	if why, ok := h.down[k]; ok {
		return nil, why, nil, true
	}
	if u := h.unknown[k]; u != nil {
		return nil, "", u, true
	}
	return nil, "", nil, false
}

// done stores the result of a dial of host and wakes those waiting for it.
func (h *sshHosts) done(k, host string, ch chan struct{}, c *remote.Client, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.dialing, k)
	defer close(ch)
	var unknown *remote.UnknownHostKeyError
	switch {
	case h.closed:
		if c != nil {
			c.Close()
		}
	case err == nil:
		// Its messages name the host as the procedure does, not the
		// address a lab's host is reached at.
		c.Host = host
		h.clients[k] = c
	case errors.As(err, &unknown):
		h.unknown[k] = unknown
	case h.bg.Err() != nil || errors.Is(err, context.Canceled):
		// Not an answer about the host: the next reach dials again.
	default:
		h.down[k] = fallbackWhy(host, err)
	}
}

// prefetch dials hosts not yet tried, at most fleetAhead at a time, in the
// background: the next targets of a fan-out while the operator is on one.
// Their results wait in clients, down and unknown for reach; an unknown
// key is still shown and decided host by host.
func (h *sshHosts) prefetch(hosts []string) {
	for _, host := range hosts {
		k := strings.ToLower(host)
		h.mu.Lock()
		_, _, _, known := h.knownLocked(k)
		if known || h.dialing[k] != nil || h.closed {
			h.mu.Unlock()
			continue
		}
		ch := make(chan struct{})
		h.dialing[k] = ch
		h.mu.Unlock()
		go func() {
			select {
			case h.ahead <- struct{}{}:
				defer func() { <-h.ahead }()
			case <-h.bg.Done():
				h.done(k, host, ch, nil, h.bg.Err())
				return
			}
			c, err := remote.Dial(h.bg, h.addr(host), h.cfg)
			h.done(k, host, ch, c, err)
		}()
	}
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
	k := strings.ToLower(host)
	h.mu.Lock()
	e := h.unknown[k]
	delete(h.unknown, k)
	h.mu.Unlock()
	if e == nil {
		return fmt.Errorf("no host key of %s is waiting to be accepted", host)
	}
	return remote.AcceptHostKey(e)
}

// refuse leaves host to the operator for the session: they did not accept
// its key.
func (h *sshHosts) refuse(host string) {
	k := strings.ToLower(host)
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.unknown, k)
	h.down[k] = fmt.Sprintf("You did not accept the host key of %s, so zenrecover does not connect to it: do this step there and confirm it here.", host)
}

// lost forgets a connection that broke, so the next step dials again.
func (h *sshHosts) lost(host string) {
	k := strings.ToLower(host)
	h.mu.Lock()
	defer h.mu.Unlock()
	if c := h.clients[k]; c != nil {
		c.Close()
		delete(h.clients, k)
	}
}

func (h *sshHosts) close() {
	h.stop()
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for k, c := range h.clients {
		c.Close()
		delete(h.clients, k)
	}
}

// sshTo reports whether a step on host is reached over SSH in this run:
// SSH is on (never in a dry run or guide mode), the host is another one,
// a lab's host only when it was given an address (LabSSH), and never a
// Windows host.
func (s *Session) sshTo(host string) bool {
	if s.ssh == nil || host == "" || s.opts.Guide || s.opts.DryRun {
		return false
	}
	if s.opts.Lab != nil && !s.ssh.mapped(host) {
		return false
	}
	return !s.hostIsWindows(host)
}

// hostIsWindows: what the run knows of host's platform says windows: a
// lab's layout, the platform fact of that host (platform-of: its input),
// or the fact of a group of hosts named X_platform whose list X holds it.
// A host nothing is known of is taken for Linux; if it is not, its
// command fails to start there, which the step's failure says.
func (s *Session) hostIsWindows(host string) bool {
	if p, _, ok := s.hostPlatform(host); ok {
		return p == procedures.Windows
	}
	for _, f := range s.def.Facts {
		v, ok := s.vals[f.ID]
		if !ok || !f.IsPlatformFact() {
			continue
		}
		if d := f.Detect; d != nil && d.PlatformOf != "" {
			if sameHost(strings.TrimSpace(s.vals[d.PlatformOf]), host) {
				return v == procedures.Windows
			}
			continue
		}
		group := strings.TrimSuffix(f.ID, "_"+procedures.PlatformFact)
		if list, ok := s.vals[group]; ok && group != f.ID {
			for _, t := range procedures.Targets(list) {
				if sameHost(t, host) {
					return v == procedures.Windows
				}
			}
		}
	}
	return false
}

// sshCarries says why a resolved step cannot be carried over SSH ("" when
// it can): a command; a file sent from here (copy with to-host); an edit
// of an XML file there; an archive of a tree there (zenrecover copies
// itself there to write it, remote/archive.go); with checks of files and
// archive sets there. SQL, a copy between two other hosts and the like
// are done by hand.
func sshCarries(pr *procedures.Resolved) string {
	switch pr.Step.Kind() {
	case "run", "edit-xml", "archive":
	case "copy":
		if pr.Copy == nil || pr.Copy.ToHost == "" {
			return "zenrecover copies files over SSH only from this server to another"
		}
	default:
		return "zenrecover runs only commands, copies from here, XML edits and archives on another host over SSH"
	}
	for _, c := range pr.Verify {
		if c.FileExists == "" && c.NewerThanStart == "" && c.ArchiveComplete == "" {
			return "zenrecover checks only files and archive sets on another host over SSH"
		}
	}
	return ""
}

// remoteAction moves a step built for a host (actions.Build, with that
// host's paths) onto the connection: a command runs there in a remote
// pseudo-terminal with the same answers, a copy from here goes over SFTP,
// an XML edit reads and replaces the file there over SFTP, an archive runs
// zenrecover's archiver there (self: this binary, copied there), and a
// check looks there over SFTP. Anything else is not moved and ok is
// false: the step stays shown and confirmed.
func remoteAction(c *remote.Client, b *actions.Built, labHost *lab.Lab, self string, onProcess func(remote.ProcessInfo)) (act actions.Action, checks []actions.Check, ok bool) {
	var env []string
	if labHost != nil {
		// The lab's tools first, as that host (lab.Host's environment),
		// then the other end's own system folders.
		for _, kv := range labHost.Env(nil) {
			k, v, _ := strings.Cut(kv, "=")
			switch k {
			case "PATH":
				env = append(env, "PATH="+v+":/usr/local/bin:/usr/bin:/bin")
			case "ZENRECOVER_LAB", lab.HostEnv, "ZENWORKS_HOME":
				env = append(env, kv)
			}
		}
	}
	switch a := b.Action.(type) {
	case *actions.Command:
		act = &remote.Command{Client: c, Argv: a.Argv, Answers: a.Answers, Display: a.Display,
			KillGrace: a.KillGrace, Settle: a.Settle, OnProcess: onProcess, Env: env}
	case *actions.Copy:
		if fi, err := os.Stat(a.From); err == nil && !fi.Mode().IsRegular() {
			return nil, nil, false // a tree goes by hand
		}
		act = &remote.Put{Client: c, From: a.From, To: a.To, Overwrite: a.Overwrite, CreateFolder: a.CreateFolder}
	case *actions.EditXML:
		act = &remote.EditXML{Client: c, File: a.File, Element: a.Element, Value: a.Value, KeepBackup: a.KeepBackup, Changed: a.Changed}
	case *actions.ArchiveCreate:
		if self == "" {
			return nil, nil, false
		}
		act = &remote.ArchiveCreate{Client: c, Binary: self, Source: a.Source, Dest: a.Dest, Require: a.Require,
			Passphrase: a.Passphrase, Recipients: a.Recipients, Env: env, OnProcess: onProcess}
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
		case *actions.ArchiveComplete:
			checks = append(checks, &remote.ArchiveComplete{Client: c, Dest: x.Dest})
		default:
			return nil, nil, false
		}
	}
	return act, checks, true
}

// self is the binary an archive on another host runs there.
func (s *Session) self() string {
	if s.opts.Self != "" {
		return s.opts.Self
	}
	// Only zenrecover itself can archive there: a program that embeds the
	// runner under another name (a test binary) leaves the step by hand.
	p, _ := os.Executable()
	if !strings.HasPrefix(filepath.Base(p), "zenrecover") {
		return ""
	}
	return p
}

// remoteRunning is the detail of the running event of a step on another
// host: where the pid and start time are.
func remoteRunning(p remote.ProcessInfo) string {
	return fmt.Sprintf(`{"host":%q,"via":"ssh"}`, p.Host)
}

// fleetTarget reports a fan-out whose target is the host it runs on (zac
// ref on each device), and its targets.
func fleetTarget(st *procedures.Step, vals procedures.Values) ([]string, bool) {
	if st.Each == "" || strings.TrimSpace(st.OnHost()) != "${target}" {
		return nil, false
	}
	return procedures.Targets(vals[st.Each]), true
}

// dialAhead starts the dials of the next targets of a fleet step, so the
// operator does not wait for each host's connection (or its timeout) in
// turn.
func (s *Session) dialAhead(st *procedures.Step, target string) {
	list, ok := fleetTarget(st, s.vals)
	if !ok {
		return
	}
	i := slices.Index(list, target)
	if i < 0 {
		return
	}
	var next []string
	for _, h := range list[i+1:] {
		if len(next) == fleetAhead {
			break
		}
		if s.otherHost(h) != "" && s.sshTo(h) {
			next = append(next, h)
		}
	}
	s.ssh.prefetch(next)
}

// releaseFleetHost closes the connection of a fleet step's target once
// its step is over, when the fleet is larger than what is dialled ahead:
// a fan-out over 3,000 devices does not keep 3,000 connections open. A
// later step there dials again (its key is known by then).
func (s *Session) releaseFleetHost(st *procedures.Step, r *resolved) {
	if list, ok := fleetTarget(st, s.vals); ok && r.conn != nil && len(list) > fleetAhead {
		s.ssh.lost(r.host)
	}
}
