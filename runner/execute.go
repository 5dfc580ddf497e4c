package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"zenrecover/actions"
	"zenrecover/lab"
	"zenrecover/procedures"
	"zenrecover/remote"
	"zenrecover/state"
)

// Outcome is what one attempt at a step came to.
type Outcome struct {
	OK     bool
	Error  string // why it failed, secrets masked
	Verify string // what the verify checks said
	// Escrow says, in a sentence each, what became of the passphrases the
	// step used that the team must keep (escrow.go): sealed where, or not.
	Escrow []string
}

// detail is what an outcome event records beside its kind.
type detail struct {
	Error     string `json:"error,omitempty"`
	ExitCode  *int   `json:"exit_code,omitempty"`
	Verify    string `json:"verify,omitempty"`
	Log       string `json:"log,omitempty"`
	LogOffset int64  `json:"log_offset"`
	DryRun    bool   `json:"dry_run,omitempty"`
	// On started: the command the step runs (as the server names it), or
	// what a step that runs none does; masked and rendered from the
	// resolved step as NeedStep's Argv and Describe were.
	Command []string `json:"command,omitempty"`
	Action  string   `json:"action,omitempty"`
	// Host and Via: on started, the other host the step ran on and how
	// (ssh, or sftp for a copy from it); empty for this machine.
	Host string `json:"host,omitempty"`
	Via  string `json:"via,omitempty"`
	// Escrow says where each escrowed secret of the step was sealed, or
	// why not (escrow.go); never the secret.
	Escrow []string `json:"escrow,omitempty"`
}

func (d detail) String() string {
	b, _ := json.Marshal(d)
	return string(b)
}

// stepByKey reads "step" or "step@target".
func (s *Session) stepByKey(key string) (*procedures.Step, string, error) {
	id, target, _ := strings.Cut(key, "@")
	st := s.def.Step(id)
	if st == nil {
		return nil, "", fmt.Errorf("procedure %s has no step %q", s.def.ID, id)
	}
	if (target != "") != (st.Each != "") || (target != "" && !slices.Contains(procedures.Targets(s.vals[st.Each]), target)) {
		return nil, "", fmt.Errorf("step %s: %q is not one of its targets", st.Ref, target)
	}
	return st, target, nil
}

func (s *Session) checkConfirm(r *resolved, typed string) error {
	if !r.Step.Destructive || s.opts.DryRun {
		return nil
	}
	host := s.confirmWord(r)
	if strings.TrimSpace(typed) != host {
		return fmt.Errorf("step %s changes the server: type its host name %q to go ahead (you typed %q)", r.Step.Ref, host, strings.TrimSpace(typed))
	}
	return nil
}

// confirmWord is the host name typed before a destructive step: the name
// of the server it changes, which is not always this one.
func (s *Session) confirmWord(r *resolved) string {
	if r.host != "" {
		return r.host
	}
	return s.host
}

// ExecuteWith runs one step's action: started is journaled durably first,
// and the action begins only if that worked; the outcome is journaled
// after. Output streams to x.Out (masked and sanitised) and to the run's
// log; x says where the operator's replies, progress and the "waiting for
// you" cue travel (execio.go).
func (s *Session) ExecuteWith(ctx context.Context, key, confirm string, x ExecIO) (*Outcome, error) {
	out := x.Out
	st, target, err := s.stepByKey(key)
	if err != nil {
		return nil, err
	}
	key = state.StepKey(st.ID, target)
	if st.Kind() == "manual" {
		return nil, fmt.Errorf("step %s is done by hand: confirm it instead", st.Ref)
	}
	// The step is resolved once: what the started event journals and what
	// runs both come from r (and Next showed the same, resolve.go).
	r, err := s.resolve(st, target)
	if err != nil {
		return s.notBuilt(ctx, st, target, err)
	}
	if r.fetch != nil {
		return nil, fmt.Errorf("step %s copies files from a machine this wizard cannot reach: copy them by hand, then confirm it", st.Ref)
	}
	if r.elsewhere {
		if r.hostKey != nil {
			return nil, fmt.Errorf("step %s is done on %s, whose SSH host key is not accepted yet (%s %s): accept it, or do the step there and confirm it", st.Ref, r.host, r.hostKey.KeyType, r.hostKey.Fingerprint)
		}
		return nil, fmt.Errorf("step %s is done on %s, which this wizard cannot reach: do it there, then confirm it", st.Ref, r.host)
	}
	if err := s.checkConfirm(r, confirm); err != nil {
		return nil, err
	}
	b, err := s.build(r, false)
	if err != nil {
		return s.notBuilt(ctx, st, target, err)
	}
	if b.ByHand {
		return nil, fmt.Errorf("step %s is done by hand on this machine: confirm it instead", st.Ref)
	}
	// A step on a host reached over SSH: the same command, answers and
	// checks, moved onto the connection (remote.go); it replaces the local
	// action once the started event (which journals the command as the
	// screen showed it) is durable.
	var far remote.ProcessInfo
	var there actions.Action
	var thereChecks []actions.Check
	if r.conn != nil {
		var labHost *lab.Lab
		if s.opts.Lab != nil {
			labHost, _ = s.opts.Lab.Host(r.host)
		}
		var ok bool
		there, thereChecks, ok = remoteAction(r.conn, b, labHost, s.self(), func(p remote.ProcessInfo) { far = p })
		if !ok {
			return nil, fmt.Errorf("step %s on %s is not a command zenrecover runs over SSH: do it there, then confirm it", st.Ref, r.host)
		}
	}
	if r.fetchOver != nil {
		there, thereChecks = r.fetchOver, b.Verify
	}
	s.beforeWrite(st, target, b, out) // destination.go
	offset, _ := s.log.Seek(0, io.SeekEnd)
	attempt := attempts(state.Fold(s.events), key) + 1
	fmt.Fprintf(s.log, "=== %s step %s (%s), attempt %d, %s\n", s.def.Section, st.Ref, key, attempt, time.Now().Format(time.RFC3339))
	failpoint("before-started", st.ID)
	if err := s.append(ctx, state.Event{Kind: state.EventStarted, Step: st.ID, Target: target, Attempt: attempt,
		PID: os.Getpid(), BootID: state.BootID(), Detail: s.startedDetail(r, b, offset).String()}); err != nil {
		return nil, fmt.Errorf("%w; the step was not run", err)
	}
	failpoint("after-started", st.ID)
	if there != nil {
		b.Action, b.Verify = there, thereChecks
	}
	start := time.Now()
	w := newStream(s.masker, s.log, out)
	d := detail{Log: s.log.Name(), LogOffset: offset}
	var runErr error
	if s.opts.DryRun {
		fmt.Fprintf(w, "dry run: would %s\n", b.Action.Describe())
		d.DryRun = true
	} else {
		runErr = b.Action.Run(ctx, actions.IO{
			Output:     w,
			Secrets:    s.masker,
			Input:      x.Input,
			OnProgress: x.Progress,
			OnWaiting:  x.Waiting,
			OnStart: func(pid int) {
				// Best effort: the pid only helps tell "still running" from
				// "died" on resume; the step's safety rests on started.
				ev := state.Event{Kind: state.EventRunning, Step: st.ID, Target: target, Attempt: attempt, PID: pid}
				if r.conn != nil {
					// That host's pid, start time and boot, and which host
					// (by the procedure's name for it), so a resume asks it.
					far.Host = r.host
					ev.PIDStart, ev.BootID, ev.Detail = far.Start, far.BootID, remoteRunning(far)
				} else {
					ev.PIDStart, _ = state.ProcStartTime(pid)
					ev.BootID = state.BootID()
				}
				_ = s.append(context.WithoutCancel(ctx), ev)
				failpoint("mid-action", st.ID)
			},
		})
	}
	w.Close()
	failpoint("after-action", st.ID)
	var exit *actions.ExitError
	if errors.As(runErr, &exit) {
		code := exit.Code
		d.ExitCode = &code
	}
	if runErr == nil && !s.opts.DryRun {
		if msg, ok := s.verify(ctx, b.Verify, start); !ok {
			runErr = fmt.Errorf("the step did not take effect: %s", msg)
			d.Verify = msg
		} else {
			d.Verify = msg
			runErr = s.finishReplace(st, target, b, s.log) // destination.go
		}
	}
	if ctx.Err() != nil && runErr != nil {
		// Cancelled by the operator: the action may have done part of its
		// work, so the step is left in doubt rather than marked failed.
		return nil, fmt.Errorf("step %s was interrupted; it will be checked on resume", st.Ref)
	}
	if r.conn != nil && errors.Is(runErr, remote.ErrConnectionLost) {
		// The command may still run there, or have done its work: in
		// doubt, as an interrupted one, and the next step dials again.
		s.ssh.lost(r.host)
		fmt.Fprintf(s.log, "=== the connection to %s was lost during step %s\n", r.host, st.Ref)
		return nil, fmt.Errorf("step %s: the connection to %s was lost while it ran; it is in doubt and will be checked on resume (%s)", st.Ref, r.host, s.masker.String(runErr.Error()))
	}
	octx := context.WithoutCancel(ctx)
	s.releaseFleetHost(st, r)
	if runErr != nil {
		d.Error = s.masker.String(runErr.Error())
		if err := s.append(octx, state.Event{Kind: state.EventFailed, Step: st.ID, Target: target, Attempt: attempt, Detail: d.String()}); err != nil {
			return nil, fmt.Errorf("%w; the step will be in doubt on resume", err)
		}
		return &Outcome{Error: d.Error, Verify: d.Verify}, nil
	}
	// The step worked: seal the passphrases it used that the team must
	// keep (escrow.go), before the outcome is journaled with where they went.
	var escrowed []string
	d.Escrow, escrowed = s.sealEscrows(octx, st, b, out)
	if st.Provides != "" {
		v := "false"
		if b.Changed != nil && *b.Changed {
			v = "true"
		}
		if s.opts.DryRun {
			v = "true" // show the steps that would follow a change
		}
		if err := s.record(octx, st.Provides, v); err != nil {
			return nil, fmt.Errorf("%w; the step will be in doubt on resume", err)
		}
	}
	if err := s.append(octx, state.Event{Kind: state.EventSucceeded, Step: st.ID, Target: target, Attempt: attempt, Detail: d.String()}); err != nil {
		return nil, fmt.Errorf("the step finished but %w; it will be in doubt on resume", err)
	}
	failpoint("after-outcome", st.ID)
	return &Outcome{OK: true, Verify: d.Verify, Escrow: escrowed}, nil
}

// notBuilt records a step that could not be resolved or built: nothing
// ran, so there is nothing in doubt, only a failure.
func (s *Session) notBuilt(ctx context.Context, st *procedures.Step, target string, err error) (*Outcome, error) {
	msg := s.masker.String(err.Error())
	return &Outcome{Error: msg}, s.append(ctx, state.Event{Kind: state.EventFailed, Step: st.ID, Target: target, Detail: detail{Error: msg}.String()})
}

// startedDetail is what the started event of a built step records: where
// its output goes, and what it does as the screen showed it, masked: the
// command (NeedStep.Argv), or for a step that runs none the description
// (NeedStep.Describe). A command's description is not recorded: it lists
// the answers' labels, and its argv says what ran.
func (s *Session) startedDetail(r *resolved, b *actions.Built, offset int64) detail {
	d := detail{Log: s.log.Name(), LogOffset: offset, Command: s.commandOf(b)}
	if r.conn != nil {
		d.Host, d.Via = r.host, "ssh"
	}
	if r.fetchOver != nil {
		d.Host, d.Via = r.Copy.FromHost, "sftp"
	}
	if d.Command == nil {
		d.Action = s.describe(r, b)
	}
	return d
}

// verify runs a step's checks; ok is false when any says no or cannot tell.
func (s *Session) verify(ctx context.Context, checks []actions.Check, start time.Time) (string, bool) {
	var said []string
	ok := true
	for _, c := range checks {
		good, det, err := c.Check(ctx, start)
		switch {
		case err != nil:
			ok = false
			said = append(said, c.Describe()+": cannot tell: "+err.Error())
		case !good:
			ok = false
			said = append(said, det)
		default:
			said = append(said, c.Describe()+": ok")
		}
	}
	return s.masker.String(strings.Join(said, "; ")), ok
}

// Confirm records that the operator did a manual step (key is the step
// id, or NeedStep.Key for one target of a fan-out). It is one journal row,
// so a confirmation happens exactly once.
func (s *Session) Confirm(ctx context.Context, key, confirm string) error {
	st, target, err := s.stepByKey(key)
	if err != nil {
		return err
	}
	if st.Destructive && !s.opts.DryRun {
		r, err := s.resolve(st, target)
		if err != nil {
			return err
		}
		if err := s.checkConfirm(r, confirm); err != nil {
			return err
		}
	}
	ev := state.Event{Kind: state.EventConfirmed, Step: st.ID, Target: target}
	if s.opts.Guide && st.Kind() != "manual" {
		n, err := s.needStep(st, target, 0, 0)
		if err != nil {
			return err
		}
		ev.Detail = s.guideConfirmDetail(n)
	}
	if st.Kind() != "manual" && st.Provides != "" {
		// Done by hand (guide mode, or on a host zenrecover does not
		// reach): what the operator changed is not known here. Assume it
		// changed, so the steps that follow a change still come.
		if err := s.record(ctx, st.Provides, "true"); err != nil {
			return err
		}
	}
	return s.append(ctx, ev)
}

// Skip records that the operator chose not to do a step (or one target of
// it), and why.
func (s *Session) Skip(ctx context.Context, key, reason string) error {
	st, target, err := s.stepByKey(key)
	if err != nil {
		return err
	}
	if strings.TrimSpace(reason) == "" {
		return fmt.Errorf("skipping step %s needs a reason (it goes in the run's report)", st.Ref)
	}
	if st.Provides != "" {
		if err := s.record(ctx, st.Provides, "false"); err != nil {
			return err
		}
	}
	return s.append(ctx, state.Event{Kind: state.EventSkipped, Step: st.ID, Target: target, Reason: s.masker.String(reason)})
}

// Resolution is the operator's decision about an in-doubt step.
type Resolution string

const (
	MarkDone    Resolution = "done"
	MarkNotDone Resolution = "not-done" // the step returns to pending and runs again
)

// Resolve records a decision about an in-doubt step.
func (s *Session) Resolve(ctx context.Context, key string, r Resolution, reason string) error {
	st, target, err := s.stepByKey(key)
	if err != nil {
		return err
	}
	if strings.TrimSpace(reason) == "" {
		return fmt.Errorf("a decision about step %s needs a reason (it goes in the run's report)", st.Ref)
	}
	if r == MarkDone && st.Provides != "" {
		// We cannot know whether the file changed: assume it did, so the
		// steps that follow a change (a restart) still run.
		if err := s.record(ctx, st.Provides, "true"); err != nil {
			return err
		}
	}
	return s.append(ctx, state.Event{Kind: state.EventResolved, Step: st.ID, Target: target, Value: string(r), Reason: s.masker.String(reason)})
}

// Retry puts a failed step back to pending.
func (s *Session) Retry(ctx context.Context, key string) error {
	return s.Resolve(ctx, key, MarkNotDone, "retry after failure")
}

func attempts(rs state.RunState, key string) int {
	if ss := rs.Steps[key]; ss != nil {
		return ss.Attempts
	}
	return 0
}
