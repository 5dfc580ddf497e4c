package runner

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"strings"

	"zenrecover/procedures"
	"zenrecover/state"
)

// inDoubt examines a step that was started and never finished. resolved is
// true when its verify checks settled it (journaled as done).
func (s *Session) inDoubt(ctx context.Context, st *procedures.Step, target string, ss *state.StepState) (*NeedInDoubt, bool, error) {
	named := *ss
	named.Step = st.Ref + " (" + st.Title + ")" // the operator knows steps by the reference's numbers
	reason, why := state.Diagnose(named, state.BootID())
	key := state.StepKey(st.ID, target)
	n := &NeedInDoubt{Step: st, Key: key, Target: target, Reason: reason, Why: why, Idempotent: st.Idempotent,
		Count: ss.InDoubtCount, LastOutput: s.lastOutput(ss)}
	if ss.Started != nil {
		n.Started = ss.Started.At
	}
	n.NeedsOverride = n.Count >= MaxInDoubt
	if reason == state.DoubtStillRunning {
		n.StillRunning = true
		if ss.Running != nil {
			n.PID = ss.Running.PID
		}
		return n, false, nil
	}
	n.Describe = s.describe(st, target)
	b, err := s.build(st, target, true)
	if err != nil || len(b.Verify) == 0 || ss.Started == nil {
		return n, false, nil
	}
	msg, ok := s.verify(ctx, b.Verify, ss.Started.At)
	n.Verify = msg
	if ok {
		return n, true, s.Resolve(ctx, key, MarkDone, "verify checks passed: "+msg)
	}
	n.VerifyFailed = true
	return n, false, nil
}

// describe says what a step runs even before its secrets are asked again:
// they show as a mask.
func (s *Session) describe(st *procedures.Step, target string) string {
	b, err := s.build(st, target, true)
	if err != nil || b.Action == nil {
		return ""
	}
	return s.masker.String(b.Action.Describe())
}

// lastOutput reads what the step wrote to the log in its last attempt.
func (s *Session) lastOutput(ss *state.StepState) string {
	if ss.Started == nil {
		return ""
	}
	var d detail
	if json.Unmarshal([]byte(ss.Started.Detail), &d) != nil || d.Log == "" {
		return ""
	}
	f, err := os.Open(d.Log)
	if err != nil {
		return ""
	}
	defer f.Close()
	if _, err := f.Seek(d.LogOffset, io.SeekStart); err != nil {
		return ""
	}
	b, _ := io.ReadAll(io.LimitReader(f, 1<<20))
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > 1 {
		lines = lines[1:] // the attempt's header
	} else {
		return ""
	}
	if len(lines) > 12 {
		lines = lines[len(lines)-12:]
	}
	return s.masker.String(strings.Join(lines, "\n"))
}
