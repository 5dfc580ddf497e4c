package plain

import (
	"context"
	"fmt"
	"strings"

	"zenrecover/runner"
)

// seen asks the operator of a guided run about each check of a step they
// say is done: zenrecover cannot look at the other server itself. ok is
// false when a check does not hold (the step is journaled as failed there)
// or input ended; code and done are then what step returns.
func (p *Plain) seen(ctx context.Context, sess *runner.Session, n *runner.NeedStep) (code int, done, ok bool) {
	host := sess.Run().Host
	for _, c := range n.Checks {
		for {
			fmt.Fprintf(p.Out, "? Check on %s: %s. Is it so? [y/n] ", host, c)
			line, more := p.readLine()
			if !more {
				p.say("")
				return p.stop(sess, "check of a guided step not answered"), true, false
			}
			switch strings.ToLower(strings.TrimSpace(line)) {
			case "y", "yes":
			case "n", "no":
				code, done := p.check(sess.NotDone(ctx, n.Key, c), sess)
				return code, done, false
			default:
				continue
			}
			break
		}
	}
	return 0, false, true
}
