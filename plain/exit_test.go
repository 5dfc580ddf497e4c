package plain_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"zenrecover/plain"
	"zenrecover/procedures"
	"zenrecover/runner"
	"zenrecover/state"
)

// Issue 11, item 6: a run stopped after a step failed is stopped and
// resumable, so a script sees 3 (runner.ExitStopped), not 1, whether the
// operator typed stop or the input ended; and the run can be resumed.
func TestStoppedAfterAFailedStepExitsStopped(t *testing.T) {
	for name, how := range map[string]string{"typed q": "q\n", "end of input": ""} {
		s, o := start13(t)
		in := "Wrong-Pw-3312\nZebra-Quartz-1234\n" + how
		var out bytes.Buffer
		p := &plain.Plain{In: strings.NewReader(in), Out: &out, Preset: procedures.Values{"remove_ca_role": "false"}}
		code := p.Drive(context.Background(), s)
		if code != runner.ExitStopped || !strings.Contains(out.String(), "Failed: zman exited") || !strings.Contains(out.String(), "Resume with:") {
			t.Fatalf("%s: exit %d, want %d\n%s", name, code, runner.ExitStopped, out.String())
		}
		run, err := o.Store.Run(context.Background(), s.Run().ID)
		if err != nil || run.Status != state.RunStopped {
			t.Errorf("%s: the run is %s (%v), want stopped", name, run.Status, err)
		}
	}
}
