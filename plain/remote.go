package plain

import (
	"context"
	"fmt"
	"strings"

	"zenrecover/runner"
)

// hostKey shows the SSH host key of a host a step is on and asks whether
// to trust it. Only `yes`, typed out, accepts it (as ssh asks); no refuses
// it, and that host's steps are then shown and confirmed by hand, saying
// why. --yes never accepts a key, and end of input stops: nobody has
// compared the fingerprint.
func (p *Plain) hostKey(ctx context.Context, sess *runner.Session, n *runner.NeedHostKey) (int, bool) {
	p.say("")
	p.say("Step %s (%s) runs on %s over SSH, but zenrecover does not know %s's host key yet.", n.Step.Ref, n.Step.Title, n.Host, n.Host)
	if n.Addr != "" {
		p.say("  Connecting to:  %s", n.Addr)
	}
	p.say("  Host key:       %s %s", n.KeyType, n.Fingerprint)
	p.say("  Accepting adds it to %s.", n.KnownHosts)
	p.say("  Accept it only if it is the key %s itself shows: ssh-keygen -lf /etc/ssh/ssh_host_%s_key.pub there.", n.Host, keyFileType(n.KeyType))
	for {
		fmt.Fprintf(p.Out, "? Type yes to trust this key, or no to do %s's steps there by hand: ", n.Host)
		line, ok := p.readLine()
		if !ok {
			p.say("")
			return p.stop(sess, "the host key of "+n.Host+" was not accepted"), true
		}
		switch strings.ToLower(strings.TrimSpace(line)) {
		case "yes":
			if err := sess.AcceptHostKey(n.Host); err != nil {
				p.say("error: %v", err)
				return p.stop(sess, "the host key of "+n.Host+" could not be recorded"), true
			}
			p.say("  Trusted: %s is in %s.", n.Host, n.KnownHosts)
			return 0, false
		case "no", "n":
			sess.RefuseHostKey(n.Host)
			p.say("  Not trusted: %s's steps are yours to do there, and to confirm here.", n.Host)
			return 0, false
		case "y":
			p.say("  Type yes in full to trust a host key.")
		}
	}
}

// keyFileType names the host key file a key type is kept in on a server.
func keyFileType(t string) string {
	switch {
	case strings.Contains(t, "ed25519"):
		return "ed25519"
	case strings.Contains(t, "ecdsa"):
		return "ecdsa"
	}
	return "rsa"
}

// offerFleet asks, once per step, whether a fan-out step goes to Ansible
// for all its targets not done, before its next target runs here. Only a
// person at a terminal is asked (Terminal, without --yes): a script goes
// on target by target, as it always has. handled is true when the step
// went to Ansible (Next then says what is left).
func (p *Plain) offerFleet(ctx context.Context, sess *runner.Session, n *runner.NeedStep) (handled bool, code int, done bool) {
	if !n.Fleet || !p.Terminal || p.Yes || p.fleetAsked[n.Step.ID] {
		return false, 0, false
	}
	if p.fleetAsked == nil {
		p.fleetAsked = map[string]bool{}
	}
	p.fleetAsked[n.Step.ID] = true
	left := notDone(n)
	what := "hand them to Ansible"
	if !n.AnsibleInstalled {
		what = "see the Ansible command for them (ansible-playbook is not installed here)"
	}
	fmt.Fprintf(p.Out, "? Enter runs it on %s, then the next target; type ansible to %s (%s): ", n.Target, what, runner.TargetsNotDone(left))
	line, ok := p.readLine()
	if !ok {
		p.say("")
		return true, p.stop(sess, "no answer at step "+n.Step.ID), true
	}
	if v, _ := splitVerb(line); v != "ansible" && v != "a" {
		return false, 0, false
	}
	return p.fleet(ctx, sess, n)
}

// notDone counts a fan-out step's targets not finished.
func notDone(n *runner.NeedStep) int {
	c := 0
	for _, t := range n.Targets {
		if !n.TargetsDone[t] {
			c++
		}
	}
	return c
}

// fleet hands a fan-out step to Ansible: each host's result is shown as it
// arrives (and journaled on its own), then the run goes on with what is
// left. Without ansible-playbook it shows the command and the files, and
// the step goes on here (handled false).
func (p *Plain) fleet(ctx context.Context, sess *runner.Session, n *runner.NeedStep) (handled bool, code int, done bool) {
	st := n.Step
	o := sess.FleetDefaults()
	if !sess.AnsibleInstalled() {
		fo, err := sess.FleetPlan(st.ID, o)
		if err != nil {
			p.say("  %v", err)
			return false, 0, false
		}
		p.say("  ansible-playbook is not installed on this machine. Where it is, this hands %s to Ansible:", runner.TargetsNotDone(len(fo.Hosts)))
		p.say("    %s", strings.Join(fo.Command, " "))
		p.say("  Inventory: %s", fo.Files.Inventory)
		p.say("  Playbook:  %s (it asks for any password itself)", fo.Files.Playbook)
		p.say("  Its results are not read back: run or confirm each target here as well.")
		return false, 0, false
	}
	p.say("  Handing step %s to Ansible, for %s; each result shows as it arrives:", st.Ref, runner.TargetsNotDone(notDone(n)))
	fo, err := sess.RunFleet(ctx, st.ID, o, &indented{w: p.Out})
	if err != nil {
		p.say("error: %v", err)
		if ctx.Err() != nil || fo != nil && len(fo.Hosts) > 0 {
			return true, p.stop(sess, "interrupted while Ansible ran step "+st.ID), true
		}
		return false, 0, false
	}
	if ctx.Err() != nil {
		return true, p.stop(sess, "interrupted while Ansible ran step "+st.ID), true
	}
	p.say("  Ansible: %d done, %d failed or not reached, %d not reported (in doubt).", len(fo.Done), len(fo.Failed), len(fo.Unreported))
	if fo.Error != "" {
		p.say("  ansible-playbook: %s", fo.Error)
	}
	return true, 0, false
}
