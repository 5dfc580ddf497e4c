package tui

import (
	"context"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"zenrecover/runner"
)

// hostKeyRoom: a step is on a host reached over SSH whose host key
// zenrecover does not know (issue 16). It shows the host, the key's type
// and SHA256 fingerprint and the known_hosts file accepting writes to,
// and nothing is sent to that host until the operator decides: y trusts
// the key (one line appended to known_hosts, as ssh does), n leaves the
// host's steps to be done there by hand, each saying why. Enter does
// neither: a reflex must not trust a key. Keys typed before the room
// appeared do nothing (the root's input rule: its focus is new).
type hostKeyRoom struct {
	ctx  *uictx
	need *runner.NeedHostKey
	out  pending
}

func newHostKeyRoom(ctx *uictx, n *runner.NeedHostKey) hostKeyRoom {
	return hostKeyRoom{ctx: ctx, need: n}
}

func (r *hostKeyRoom) SetSize(w, h int) {}

func (r hostKeyRoom) Update(msg tea.Msg) (hostKeyRoom, tea.Cmd) {
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return r, nil
	}
	k := r.ctx.keys.HostKey
	switch {
	case key.Matches(km, k.Accept):
		r.out.set(intent{kind: intentAcceptKey, key: r.need.Host})
	case key.Matches(km, k.Refuse):
		r.out.set(intent{kind: intentRefuseKey, key: r.need.Host})
	case key.Matches(km, k.Stop):
		r.out.set(intent{kind: intentStop})
	}
	return r, nil
}

func (r hostKeyRoom) details(w int) []string {
	s := r.ctx.styles
	n := r.need
	p := para{w: w}
	p.add(s.Heading.Render, "Before step "+n.Step.Ref+targetWords(n.Target)+": a host key to check")
	p.add(s.Title.Render, n.Step.Title)
	p.blank()
	p.add(s.Text.Render, "This step runs on "+n.Host+" over SSH, but zenrecover does not know "+n.Host+"'s host key yet. Nothing is sent there until you decide.")
	p.blank()
	p.add(s.Faint.Render, "Host:")
	p.add(s.Command.Render, "  "+n.Host)
	if n.Addr != "" {
		p.add(s.Faint.Render, "Connecting to:")
		p.add(s.Command.Render, "  "+n.Addr)
	}
	p.add(s.Faint.Render, "Key type:")
	p.add(s.Command.Render, "  "+n.KeyType)
	p.add(s.Faint.Render, "Fingerprint:")
	p.add(s.Command.Render, "  "+n.Fingerprint)
	p.add(s.Faint.Render, "Accepting adds it to:")
	p.add(s.Command.Render, "  "+n.KnownHosts)
	p.blank()
	p.add(s.Important.Render, "Trust it only if it is the key "+n.Host+" itself shows: on "+n.Host+", ssh-keygen -lf /etc/ssh/ssh_host_"+keyFile(n.KeyType)+"_key.pub")
	p.blank()
	return p.out
}

// keyFile names the host key file a key type is kept in on a server.
func keyFile(t string) string {
	switch {
	case strings.Contains(t, "ed25519"):
		return "ed25519"
	case strings.Contains(t, "ecdsa"):
		return "ecdsa"
	}
	return "rsa"
}

func (r hostKeyRoom) form(w int) []string {
	s := r.ctx.styles
	p := para{w: w}
	p.choice(s, "y", "trust this key: "+r.need.Host+"'s steps run there over SSH")
	p.choice(s, "n", "do not trust it: do "+r.need.Host+"'s steps there yourself, and confirm each here")
	p.choice(s, "q", "stop here; the run can be resumed")
	return p.out
}

func (r hostKeyRoom) ShortHelp() []key.Binding {
	k := r.ctx.keys.HostKey
	return []key.Binding{k.Accept, k.Refuse, k.Stop}
}

// actHostKey records the operator's decision about a host key.
func (v *runView) actHostKey(it intent) tea.Cmd {
	sess, host := v.sess, it.key
	if it.kind == intentAcceptKey {
		return v.startOp("Trusting the key of "+host+"…", func(ctx context.Context) error { return sess.AcceptHostKey(host) })
	}
	v.flash, v.flashLeft = "Not trusted: "+host+"'s steps are yours to do there, and to confirm here.", 1
	return v.startOp("Looking at the run…", func(ctx context.Context) error { sess.RefuseHostKey(host); return nil })
}
