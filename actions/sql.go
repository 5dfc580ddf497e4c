package actions

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"
)

// SQLClient is the program an sql step runs its statements through: it
// takes them with -e and prints each result. The lab provides one; on a
// live server a site may put an adaptor for its database (dbisql, sqlcmd,
// sqlplus, each with the site's own credentials) on PATH under this name.
// Without it the statements are shown for the operator to run.
const SQLClient = "zenrecover-sql"

// SQL runs statements against the zone database and, where the reference
// asks to see a result (1.5 step 1 and 10), checks that it shows Expect.
type SQL struct {
	Cmd    *Command
	Script string
	Expect string
	// OnlyIn: every line of the result holding this word must show Expect
	// (procedures.SQLSpec.OnlyIn).
	OnlyIn string
}

func (a *SQL) Describe() string {
	d := "run in the zone database: " + strings.Join(strings.Fields(a.Script), " ")
	if a.Expect != "" {
		d += fmt.Sprintf(" (the result must show %s)", a.Expect)
	}
	return d
}

func (a *SQL) Run(ctx context.Context, rio IO) error {
	seen := &tail{max: 1 << 20}
	inner := rio
	out := rio.Output
	if out == nil {
		out = io.Discard
	}
	inner.Output = io.MultiWriter(out, seen)
	if err := a.Cmd.Run(ctx, inner); err != nil {
		return err
	}
	if a.Expect != "" && !shows(seen.String(), a.Expect) {
		return fmt.Errorf("the result does not show %s", a.Expect)
	}
	if a.OnlyIn != "" {
		for _, l := range strings.Split(seen.String(), "\n") {
			if shows(l, a.OnlyIn) && !shows(l, a.Expect) {
				return fmt.Errorf("the result shows %s for another than %s: %s", a.OnlyIn, a.Expect, strings.TrimSpace(l))
			}
		}
	}
	return nil
}

// shows reports whether out holds want as a whole name, in any case: the
// server zen-primary-1 is not shown by a row naming zen-primary-10 (1.5
// steps 1 and 10 check which server holds the CA role). A dot may follow,
// as in a DNS name or at the end of a sentence.
func shows(out, want string) bool {
	re := regexp.MustCompile(`(?i)(^|[^\pL\pN_-])` + regexp.QuoteMeta(want) + `($|[^\pL\pN_-])`)
	return re.MatchString(out)
}

// tail keeps the last max bytes written to it.
type tail struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = t.buf[over:]
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}
