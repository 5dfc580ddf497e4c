package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"zenrecover/actions"
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
		if pids := stillRunning(ss); len(pids) > 0 {
			n.PID = pids[0].pid
		}
		return n, false, nil
	}
	// Its secrets may not be typed again yet: they show as a mask.
	r, err := s.resolve(st, target)
	if err != nil {
		return n, false, nil
	}
	b, err := s.build(r, true)
	if err != nil {
		return n, false, nil
	}
	if b.Action != nil {
		n.Describe = s.masker.String(b.Action.Describe())
	}
	if len(b.Verify) == 0 || ss.Started == nil {
		return n, false, nil
	}
	msg, ok := s.verify(ctx, b.Verify, ss.Started.At)
	n.Verify = msg
	if ok {
		if err := s.finishReplace(st, target, b, s.log); err != nil { // destination.go
			n.Verify, n.VerifyFailed = msg+"; "+err.Error(), true
			return n, false, nil
		}
		return n, true, s.Resolve(ctx, key, MarkDone, "verify checks passed: "+msg)
	}
	n.VerifyFailed = true
	return n, false, nil
}

// WaitInDoubt waits until the process that keeps an in-doubt step (key, as
// in NeedInDoubt.Key) still running has ended: its command, or the
// zenrecover that started it. The front end then asks Next again, which
// diagnoses the step afresh (its verify checks, or the operator, decide).
// It returns at once when nothing recorded for the step runs any more, and
// ctx's error when ctx ends first. It journals nothing.
func (s *Session) WaitInDoubt(ctx context.Context, key string) error {
	ss := state.Fold(s.events).Steps[key]
	if ss == nil || ss.Status != state.StepInDoubt {
		return fmt.Errorf("step %s is not in doubt", key)
	}
	tick := time.NewTicker(waitPoll)
	defer tick.Stop()
	for len(stillRunning(ss)) > 0 {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
	return nil
}

// waitPoll is how often WaitInDoubt looks: the process is not our child,
// so there is no exit status to wait on.
const waitPoll = 100 * time.Millisecond

type proc struct {
	pid   int
	start uint64
}

// stillRunning lists the processes recorded for the step's last attempt
// that still run in this boot, the command first, then the zenrecover that
// started it (as state.Diagnose looks at them).
func stillRunning(ss *state.StepState) []proc {
	boot := state.BootID()
	var out []proc
	for _, e := range []*state.Event{ss.Running, ss.Started} {
		if e == nil || e.PID == os.Getpid() || e.BootID != "" && boot != "" && e.BootID != boot {
			continue // not one to wait for: this very process, or another boot's
		}
		if state.Alive(e.PID, e.PIDStart) {
			out = append(out, proc{e.PID, e.PIDStart})
		}
	}
	return out
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
	// The log holds what the command printed, already cleaned as it was
	// written; a log tampered with since must still not drive a terminal.
	return s.masker.String(actions.Sanitize(s.masker.String(strings.Join(lines, "\n"))))
}
