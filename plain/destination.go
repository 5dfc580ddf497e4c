package plain

import (
	"context"
	"fmt"
	"strings"

	"zenrecover/runner"
)

// destination asks about the file a step is about to create: create its
// missing folder (y/n), or, when a file is already there, keep both (k),
// replace it once the new one is complete (r), or stop (q). --yes in a
// rehearsal creates the folder and keeps both, the choice that loses
// nothing.
func (p *Plain) destination(ctx context.Context, sess *runner.Session, n *runner.NeedDestination) (int, bool) {
	p.say("")
	p.say("Before step %s (%s):", n.Step.Ref, n.Step.Title)
	if n.MissingParent {
		p.say("  It writes %s, but the folder %s does not exist.", n.Path, n.Parent)
		if sess.DryRun() {
			p.say("  (Dry run: the folder would be created; nothing is.)")
		}
		if p.Yes && p.rehearsal(sess) {
			p.say("  Creating the folder (readable by its owner only), by --yes (rehearsal).")
			return p.check(sess.CreateParent(ctx, n.Key), sess)
		}
		for {
			fmt.Fprint(p.Out, "? Create the folder, readable by its owner only? Type y (yes) or n (no, stop): ")
			line, ok := p.readLine()
			if !ok {
				p.say("")
				return p.stop(sess, "the folder of step "+n.Step.ID+" is missing"), true
			}
			switch strings.ToLower(strings.TrimSpace(line)) {
			case "y", "yes":
				return p.check(sess.CreateParent(ctx, n.Key), sess)
			case "n", "no", "q", "stop":
				return p.stop(sess, "the folder of step "+n.Step.ID+" is missing"), true
			}
		}
	}
	what := "A file"
	if n.Archive {
		what = "An archive set"
	}
	p.say("  %s is already there: %s", what, n.Path)
	p.say("  Keep both: this one is written to %s.", n.NewName)
	p.say("  Replace: the old one goes only once the new one is complete.")
	if p.Yes && p.rehearsal(sess) {
		p.say("  Keeping both, by --yes (rehearsal).")
		return p.check(sess.ChooseDestination(ctx, n.Key, true), sess)
	}
	for {
		fmt.Fprint(p.Out, "? Type k (keep both), r (replace), or q (stop): ")
		line, ok := p.readLine()
		if !ok {
			p.say("")
			return p.stop(sess, "a file is already where step "+n.Step.ID+" writes"), true
		}
		switch strings.ToLower(strings.TrimSpace(line)) {
		case "k", "keep", "keep both":
			return p.check(sess.ChooseDestination(ctx, n.Key, true), sess)
		case "r", "replace":
			return p.check(sess.ChooseDestination(ctx, n.Key, false), sess)
		case "q", "stop":
			return p.stop(sess, "a file is already where step "+n.Step.ID+" writes"), true
		}
	}
}
