package tui

import (
	"context"
	"strconv"

	tea "charm.land/bubbletea/v2"
)

// In a guided run (runner/guide.go) zenrecover cannot look at the server
// the steps are done on, so once the operator says a step is done, each of
// its checks is a y/n question of its own: y goes to the next, and after
// the last the step is confirmed; n records the step as failed there.

// askCheck puts check i of the step keyed key to the operator.
func (v *runView) askCheck(key string, i int) {
	n := v.step.need
	d := newConfirmDialog(v.ctx, purposeCheckSeen, key,
		"Check on "+v.ctx.labHost+" ("+strconv.Itoa(i+1)+" of "+strconv.Itoa(len(n.Checks))+")",
		[]string{n.Checks[i], "Look there: is it so?"}, "yes, it is so", "no, it is not")
	d.value = strconv.Itoa(i)
	v.openConfirm(d)
}

func (v *runView) onCheckSeen(r dialogResult) tea.Cmd {
	sess, key := v.sess, r.stepID
	n := v.step.need
	i, _ := strconv.Atoi(r.value)
	if n == nil || n.Key != key || i >= len(n.Checks) {
		return nil
	}
	if !r.accepted && !r.saidNo {
		return nil // Esc: back to the step, nothing recorded
	}
	if !r.accepted {
		check := n.Checks[i]
		return v.startOp("Recording…", func(ctx context.Context) error { return sess.NotDone(ctx, key, check) })
	}
	if i+1 < len(n.Checks) {
		v.askCheck(key, i+1)
		return nil
	}
	return v.startOp("Recording…", func(ctx context.Context) error { return sess.Confirm(ctx, key, "") })
}
