package actions

import (
	"context"
	"fmt"
	"io"
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
	if a.Expect != "" && !strings.Contains(strings.ToLower(seen.String()), strings.ToLower(a.Expect)) {
		return fmt.Errorf("the result does not show %s", a.Expect)
	}
	return nil
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
