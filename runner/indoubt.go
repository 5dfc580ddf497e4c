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
	"zenrecover/remote"
	"zenrecover/state"
)

// inDoubt examines a step that was started and never finished. resolved is
// true when its verify checks settled it (journaled as done).
func (s *Session) inDoubt(ctx context.Context, st *procedures.Step, target string, ss *state.StepState) (*NeedInDoubt, bool, error) {
	named := *ss
	named.Step = st.Ref + " (" + st.Title + ")" // the operator knows steps by the reference's numbers
	var reason state.DoubtReason
	var why string
	host, there := sshRunning(ss)
	if there {
		// Its command ran on another host: that host is asked, since
		// this machine's /proc and boot id say nothing of it.
		reason, why = s.diagnoseThere(ctx, st, target, ss, host)
	} else {
		reason, why = state.Diagnose(named, state.BootID())
	}
	key := state.StepKey(st.ID, target)
	n := &NeedInDoubt{Step: st, Key: key, Target: target, Reason: reason, Why: why, Idempotent: st.Idempotent,
		Count: ss.InDoubtCount, LastOutput: s.lastOutput(ss)}
	if ss.Started != nil {
		n.Started = ss.Started.At
	}
	n.NeedsOverride = n.Count >= MaxInDoubt
	if reason == state.DoubtStillRunning {
		n.StillRunning = true
		if there {
			n.PID, n.Host = ss.Running.PID, host
		} else if pids := stillRunning(ss); len(pids) > 0 {
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
	if r.elsewhere {
		// Its host cannot be looked at from here: the operator decides.
		return n, false, nil
	}
	if r.conn != nil {
		// Its checks look at that host, over SFTP.
		if _, checks, ok := remoteAction(r.conn, b, nil, s.self(), nil); ok {
			b.Verify = checks
		}
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
	if host, ok := sshRunning(ss); ok {
		return s.waitThere(ctx, host, ss.Running)
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

// sshRunning is the host whose command the step's last attempt ran over
// SSH (its running event's detail, remoteRunning), if it did.
func sshRunning(ss *state.StepState) (string, bool) {
	if ss.Running == nil || !strings.Contains(ss.Running.Detail, `"via":"ssh"`) {
		return "", false
	}
	var d struct{ Host, Via string }
	if json.Unmarshal([]byte(ss.Running.Detail), &d) != nil || d.Via != "ssh" || d.Host == "" {
		return "", false
	}
	return d.Host, true
}

// diagnoseThere says why a step whose command ran on host over SSH is in
// doubt, asking that host whether the command (its pid, start time and
// boot, as journaled) still runs. Where the host cannot be asked, the
// step's checks (or the operator) decide.
func (s *Session) diagnoseThere(ctx context.Context, st *procedures.Step, target string, ss *state.StepState, host string) (state.DoubtReason, string) {
	ref := st.Ref + " (" + st.Title + ")"
	if target != "" {
		ref += " for " + target
	}
	when := ss.Started.At.Local().Format("15:04")
	r := ss.Running
	// The zenrecover that started it, if another one still runs, keeps it.
	if e := ss.Started; e.PID != os.Getpid() && (e.BootID == "" || e.BootID == state.BootID()) && state.Alive(e.PID, e.PIDStart) {
		return state.DoubtStillRunning, fmt.Sprintf("Step %s started at %s and the zenrecover that started it (pid %d) is still running.", ref, when, e.PID)
	}
	var c *remote.Client
	cannot := ""
	if s.ssh == nil || !s.sshTo(host) {
		cannot = "this run does not reach " + host + " over SSH"
	} else {
		var why string
		var key *remote.UnknownHostKeyError
		c, why, key = s.ssh.reach(ctx, host)
		switch {
		case key != nil:
			cannot = "its host key is not accepted"
		case c == nil:
			cannot = why
		}
	}
	if c != nil {
		alive, err := c.Alive(ctx, remote.ProcessInfo{Host: host, PID: r.PID, Start: r.PIDStart, BootID: r.BootID})
		switch {
		case err != nil:
			s.ssh.lost(host)
			cannot = s.masker.String(err.Error())
		case alive:
			return state.DoubtStillRunning, fmt.Sprintf("Step %s started at %s on %s, and its command (pid %d there) is still running there.", ref, when, host, r.PID)
		default:
			return state.DoubtWizardDied, fmt.Sprintf("The connection to %s was lost (or zenrecover stopped) while step %s ran there (started at %s); its command (pid %d there) has ended. It may or may not have taken effect.", host, ref, when, r.PID)
		}
	}
	return state.DoubtWizardDied, fmt.Sprintf("Step %s ran on %s over SSH (started at %s, pid %d there), and zenrecover cannot ask %s whether it still runs (%s). It may or may not have taken effect.",
		ref, host, when, r.PID, host, cannot)
}

// waitThere waits until the command a step runs on host over SSH has
// ended, asking that host every second (a round trip each).
func (s *Session) waitThere(ctx context.Context, host string, r *state.Event) error {
	if s.ssh == nil {
		return fmt.Errorf("this run does not reach %s over SSH: it cannot tell when pid %d there ends", host, r.PID)
	}
	tick := time.NewTicker(waitThereEvery)
	defer tick.Stop()
	for {
		c, why, _ := s.ssh.reach(ctx, host)
		if c == nil {
			return fmt.Errorf("cannot ask %s whether pid %d still runs: %s", host, r.PID, why)
		}
		alive, err := c.Alive(ctx, remote.ProcessInfo{Host: host, PID: r.PID, Start: r.PIDStart, BootID: r.BootID})
		if err != nil {
			s.ssh.lost(host)
			return err
		}
		if !alive {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// waitThereEvery is how often waitThere asks the other host.
const waitThereEvery = time.Second
