package plain

import (
	"context"
	"fmt"
	"strings"

	"zenrecover/runner"
)

// Change is one correction of a non-secret answer (resume --change ID=VALUE).
type Change struct{ ID, Value string }

// ApplyChanges corrects answers of a resumed run before it goes on: every
// change is checked first, so a bad one changes nothing; then each is
// journaled with reason, and what it affected is said. When finished
// steps used an old value, the operator is asked whether to run them again
// (--yes accepts in a rehearsal or dry run). It returns an error for a
// change that cannot be made; the caller closes the session.
func (p *Plain) ApplyChanges(ctx context.Context, sess *runner.Session, changes []Change, reason string) error {
	for _, c := range changes {
		if err := sess.CheckChange(c.ID, c.Value); err != nil {
			return fmt.Errorf("--change %s: %w", c.ID, err)
		}
	}
	old := map[string]string{}
	for _, a := range sess.Answers() {
		old[a.ID] = a.Value
	}
	var redo []string
	seen := map[string]bool{}
	for _, c := range changes {
		affected, err := sess.ChangeAnswer(ctx, c.ID, c.Value, reason)
		if err != nil {
			return fmt.Errorf("--change %s: %w", c.ID, err)
		}
		now := sess.Values()[c.ID]
		if was, had := old[c.ID]; had && was == now {
			p.say("%s is already %q: nothing to change.", c.ID, now)
			continue
		}
		p.say("Changed %s: %q → %q.", c.ID, old[c.ID], now)
		old[c.ID] = now
		if len(affected) == 0 {
			p.say("  No finished step used the old value.")
			continue
		}
		for _, k := range affected {
			p.say("  It was used by %s.", sess.StepLabel(k))
			if !seen[k] {
				seen[k] = true
				redo = append(redo, k)
			}
		}
	}
	if len(redo) == 0 {
		return nil
	}
	yes := p.Yes && p.rehearsal(sess)
	if yes {
		p.say("Running those steps again (--yes, rehearsal).")
	} else {
		fmt.Fprint(p.Out, "? Run the steps that used the old values again? [y/N]: ")
		line, ok := p.readLine()
		if !ok {
			p.say("")
		}
		v := strings.ToLower(strings.TrimSpace(line))
		yes = v == "y" || v == "yes"
	}
	if !yes {
		p.say("They stay done as they were; the run goes on with the new values.")
		return nil
	}
	r := reason
	if strings.TrimSpace(r) != "" {
		r = "an answer it used was corrected: " + r
	}
	return sess.Redo(ctx, redo, r)
}
