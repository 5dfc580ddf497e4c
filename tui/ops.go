package tui

import (
	"context"
	"sync"

	tea "charm.land/bubbletea/v2"

	"zenrecover/lab"
	"zenrecover/procedures"
	"zenrecover/runner"
	"zenrecover/state"
)

// A Session is not safe for concurrent use, and everything it does touches
// the journal, so the wizard calls it only from inside a tea.Cmd, one call
// (or one chain of calls) at a time, and never from Update or View. What a
// View needs from it travels back in a snapshot taken by the same Cmd.

// snapshot is what the screens show of a session, taken after an operation.
type snapshot struct {
	plan  []procedures.PlanStep
	steps map[string]*state.StepState
	run   state.Run
	// targets lists each fan-out step's targets, so the step list can show
	// the step done once every target is.
	targets map[string][]string
}

func takeSnapshot(s *runner.Session) snapshot {
	rs := s.State()
	snap := snapshot{plan: s.Plan(), steps: rs.Steps, run: s.Run(), targets: map[string][]string{}}
	for _, p := range snap.plan {
		if p.Step.Each != "" {
			snap.targets[p.Step.ID] = procedures.Targets(rs.Answers[p.Step.Each])
		}
	}
	return snap
}

// sessionMsg reports a started or resumed session (or why not).
type sessionMsg struct {
	sess    *runner.Session
	resumed bool
	err     error
}

func startCmd(ctx context.Context, o runner.Options, def *procedures.Definition, preset procedures.Values) tea.Cmd {
	return func() tea.Msg {
		s, err := runner.Start(ctx, o, def, preset)
		return sessionMsg{sess: s, err: err}
	}
}

func resumeCmd(ctx context.Context, o runner.Options, runID string) tea.Cmd {
	return func() tea.Msg {
		s, err := runner.Resume(ctx, o, runID)
		return sessionMsg{sess: s, resumed: true, err: err}
	}
}

// labMsg reports a fresh lab built for a rehearsal.
type labMsg struct {
	lab *lab.Lab
	err error
}

func newLabCmd(newLab func() (string, error)) tea.Cmd {
	return func() tea.Msg {
		dir, err := newLab()
		if err != nil {
			return labMsg{err: err}
		}
		l, err := lab.Open(dir)
		return labMsg{lab: l, err: err}
	}
}

// needMsg is what the run needs next, after an optional operation (an
// answer, a confirmation, a skip...). opErr means the operation itself was
// refused: the same question stays on screen with the error under it.
type needMsg struct {
	gen   int
	opErr error
	need  runner.Need
	err   error // Next failed
	snap  snapshot
}

// opThenNext runs fn (if any) and then asks the session what it needs.
func opThenNext(ctx context.Context, s *runner.Session, lock *sync.Mutex, gen int, fn func(context.Context) error) tea.Cmd {
	return func() tea.Msg {
		lock.Lock()
		defer lock.Unlock()
		if fn != nil {
			if err := fn(ctx); err != nil {
				return needMsg{gen: gen, opErr: err, snap: takeSnapshot(s)}
			}
		}
		n, err := s.Next(ctx)
		return needMsg{gen: gen, need: n, err: err, snap: takeSnapshot(s)}
	}
}

// stoppedMsg reports that the run was stopped (resumable) or why not.
type stoppedMsg struct{ err error }

func stopCmd(ctx context.Context, s *runner.Session, lock *sync.Mutex, reason string) tea.Cmd {
	return func() tea.Msg {
		lock.Lock()
		defer lock.Unlock()
		return stoppedMsg{err: s.Stop(context.WithoutCancel(ctx), reason)}
	}
}

// outputMsg carries command output, already masked by the runner.
type outputMsg struct {
	gen  int
	text string
}

// execDoneMsg ends a step's execution. It travels through the same stream
// as the output, so it never overtakes the output's last lines.
type execDoneMsg struct {
	gen     int
	outcome *runner.Outcome
	err     error
	snap    snapshot
}

// execution is one step's command while it runs.
type execution struct {
	gen    int
	stepID string
	cancel context.CancelFunc
	input  chan string
	stream *outStream
	done   chan struct{} // closed when Execute has returned

	interrupted bool // the operator pressed ctrl+c
}

func startExecution(ctx context.Context, s *runner.Session, lock *sync.Mutex, gen int, stepID, confirm string) (*execution, tea.Cmd) {
	// A step that tells its progress (an archive) sends it through the
	// same stream as its output (progress.go).
	stream := newOutStream()
	ectx, cancel := context.WithCancel(runner.WithProgress(ctx, stream.progress))
	x := &execution{gen: gen, stepID: stepID, cancel: cancel,
		input: make(chan string, 8), stream: stream, done: make(chan struct{})}
	run := func() tea.Msg {
		lock.Lock()
		defer lock.Unlock()
		defer close(x.done)
		out, err := s.Execute(ectx, stepID, confirm, x.stream, x.input)
		cancel()
		x.stream.finish(execDoneMsg{gen: gen, outcome: out, err: err, snap: takeSnapshot(s)})
		return nil
	}
	return x, tea.Batch(run, x.stream.next(gen))
}

// outStream carries output from the command to the screen. Writes never
// block, so a slow terminal never stalls the command; the screen drains
// whatever has piled up in one message.
type outStream struct {
	mu     sync.Mutex
	buf    []byte
	prog   progressSlot // the latest progress not yet shown (progress.go)
	end    *execDoneMsg
	notify chan struct{}
}

func newOutStream() *outStream { return &outStream{notify: make(chan struct{}, 1)} }

func (o *outStream) Write(p []byte) (int, error) {
	o.mu.Lock()
	o.buf = append(o.buf, p...)
	o.mu.Unlock()
	o.signal()
	return len(p), nil
}

func (o *outStream) finish(m execDoneMsg) {
	o.mu.Lock()
	o.end = &m
	o.mu.Unlock()
	o.signal()
}

func (o *outStream) signal() {
	select {
	case o.notify <- struct{}{}:
	default:
	}
}

// next is the re-armed Cmd that delivers the stream: output first, then the
// latest progress, then the end of the execution.
func (o *outStream) next(gen int) tea.Cmd {
	return func() tea.Msg {
		for {
			o.mu.Lock()
			if len(o.buf) > 0 {
				text := string(o.buf)
				o.buf = nil
				o.mu.Unlock()
				return outputMsg{gen: gen, text: text}
			}
			if p, ok := o.prog.take(); ok {
				o.mu.Unlock()
				return progressMsg{gen: gen, p: p}
			}
			if o.end != nil {
				m := *o.end
				o.mu.Unlock()
				return m
			}
			o.mu.Unlock()
			<-o.notify
		}
	}
}

// resumeInfoMsg says where an unfinished run stopped.
type resumeInfoMsg struct {
	runID string
	where string
	done  int
	total int
	err   error
}

func resumeInfoCmd(ctx context.Context, st *state.Store, run state.Run) tea.Cmd {
	return func() tea.Msg {
		m := resumeInfoMsg{runID: run.ID}
		def, err := procedures.ParseBundle(run.ProcedureID, run.DefText)
		if err != nil {
			m.err = err
			return m
		}
		events, err := st.Journal(ctx, run.ID)
		if err != nil {
			m.err = err
			return m
		}
		m.where, m.done, m.total = whereStopped(def, state.Fold(events))
		return m
	}
}

// whereStopped describes the first unfinished step of a run, and counts
// the finished ones among those that apply.
func whereStopped(def *procedures.Definition, rs state.RunState) (string, int, int) {
	vals := procedures.Values{}
	for k, v := range rs.Answers {
		vals[k] = v
	}
	for _, f := range def.Facts {
		if _, ok := vals[f.ID]; !ok {
			return "Before the first step: questions are still open.", 0, 0
		}
	}
	where, done, total := "", 0, 0
	for _, p := range def.Plan(vals) {
		if p.Applies == procedures.No || !p.Step.Actionable() {
			continue
		}
		total++
		ss := rs.Steps[p.Step.ID]
		status := state.StepPending
		if ss != nil {
			status = ss.Status
		}
		switch status {
		case state.StepSucceeded, state.StepConfirmed, state.StepSkipped:
			done++
			continue
		}
		if where == "" {
			label := "Step " + p.Step.Ref + ": " + p.Step.Title
			switch status {
			case state.StepInDoubt:
				where = label + " (it was started and did not finish; it will be checked first)"
			case state.StepFailed:
				where = label + " (it failed)"
			default:
				where = label + " (not started yet)"
			}
		}
	}
	if where == "" {
		where = "Every step is finished."
	}
	return where, done, total
}

// unfinishedMsg lists the unfinished runs, for the picker's marks.
type unfinishedMsg struct {
	runs []state.Run
	err  error
}

func unfinishedCmd(ctx context.Context, st *state.Store) tea.Cmd {
	if st == nil {
		return nil
	}
	return func() tea.Msg {
		runs, err := st.Unfinished(ctx)
		return unfinishedMsg{runs: runs, err: err}
	}
}
