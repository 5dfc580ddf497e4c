package tui

import (
	"context"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"zenrecover/runner"
)

// destRoom decides about the file a step is about to create: its folder is
// missing (create it?), or a file is already there (keep both, under a
// new name, or replace the old one once the new one is complete). Nothing
// is created or replaced before the operator says so.
type destRoom struct {
	ctx    *uictx
	need   *runner.NeedDestination
	dryRun bool
	out    pending
}

func newDestRoom(ctx *uictx, n *runner.NeedDestination, dryRun bool) destRoom {
	return destRoom{ctx: ctx, need: n, dryRun: dryRun}
}

func (r *destRoom) SetSize(w, h int) {}

func (r destRoom) Update(msg tea.Msg) (destRoom, tea.Cmd) {
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return r, nil
	}
	k := r.ctx.keys.Dest
	n := r.need
	switch {
	case key.Matches(km, k.Stop):
		r.out.set(intent{kind: intentStop})
	case n.MissingParent && key.Matches(km, k.Create):
		r.out.set(intent{kind: intentCreateParent, key: n.Key})
	case !n.MissingParent && key.Matches(km, k.KeepBoth):
		r.out.set(intent{kind: intentKeepBoth, key: n.Key})
	case !n.MissingParent && key.Matches(km, k.Replace):
		r.out.set(intent{kind: intentReplace, key: n.Key})
	}
	return r, nil
}

func (r destRoom) details(w int) []string {
	s := r.ctx.styles
	n := r.need
	p := para{w: w}
	p.add(s.Heading.Render, "Before step "+n.Step.Ref+": "+n.Step.Title)
	p.blank()
	if n.MissingParent {
		p.add(s.Text.Render, "The step writes this file, but its folder does not exist:")
		p.add(s.Command.Render, "  "+n.Path)
		p.add(s.Text.Render, "Create the folder "+n.Parent+" (readable by its owner only)?")
	} else {
		p.add(s.Text.Render, "A file is already there, from an earlier backup:")
		p.add(s.Command.Render, "  "+n.Path)
		p.blank()
		p.add(s.Text.Render, "Keep both: this backup is written to")
		p.add(s.Command.Render, "  "+n.NewName)
		p.add(s.Text.Render, "Replace: the old file goes only once the new one is complete.")
	}
	p.blank()
	return p.out
}

func (r destRoom) form(w int) []string {
	s := r.ctx.styles
	p := para{w: w}
	if r.need.MissingParent {
		p.choice(s, "y", "create the folder, then go on to the step")
	} else {
		p.choice(s, "k", "keep both (the new backup gets the new name)")
		p.choice(s, "r", "replace the old one once the new one is complete")
	}
	p.choice(s, "q", "stop here; the run can be resumed")
	return p.out
}

func (r destRoom) ShortHelp() []key.Binding {
	k := r.ctx.keys.Dest
	if r.need.MissingParent {
		return []key.Binding{k.Create, k.Stop}
	}
	return []key.Binding{k.KeepBoth, k.Replace, k.Stop}
}

// actDest records the operator's decision about a destination.
func (v *runView) actDest(it intent) tea.Cmd {
	sess, id := v.sess, it.key
	switch it.kind {
	case intentCreateParent:
		return v.startOp("Creating the folder…", func(ctx context.Context) error { return sess.CreateParent(ctx, id) })
	case intentKeepBoth:
		return v.startOp("Recording…", func(ctx context.Context) error { return sess.ChooseDestination(ctx, id, true) })
	case intentReplace:
		return v.startOp("Recording…", func(ctx context.Context) error { return sess.ChooseDestination(ctx, id, false) })
	}
	return nil
}
