package tui

import (
	"context"
	"sync"

	tea "charm.land/bubbletea/v2"

	"zenrecover/actions"
	"zenrecover/lab"
	"zenrecover/procedures"
	"zenrecover/runner"
)

// A Session is not safe for concurrent use, and everything it does touches
// the journal, so the wizard calls it only from inside a tea.Cmd, one call
// (or one chain of calls) at a time, and never from Update or View. What a
// View needs from it travels back in a snapshot taken by the same Cmd.

// snapshot is what the screens show of a session, taken after an operation.
type snapshot struct {
	plan  []procedures.PlanStep
	steps map[string]*runner.StepState
	run   runner.Run
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

// stoppedMsg reports that the run was stopped (resumable) or abandoned,
// or why not.
type stoppedMsg struct {
	err       error
	abandoned bool
}

func stopCmd(ctx context.Context, s *runner.Session, lock *sync.Mutex, reason string) tea.Cmd {
	return func() tea.Msg {
		lock.Lock()
		defer lock.Unlock()
		return stoppedMsg{err: s.Stop(context.WithoutCancel(ctx), reason)}
	}
}

func abandonCmd(ctx context.Context, s *runner.Session, lock *sync.Mutex, reason string) tea.Cmd {
	return func() tea.Msg {
		lock.Lock()
		defer lock.Unlock()
		return stoppedMsg{err: s.Abandon(context.WithoutCancel(ctx), reason), abandoned: true}
	}
}

// answersMsg carries the answers so far, for their review.
type answersMsg struct {
	gen     int
	answers []runner.AnswerInfo
}

func answersCmd(s *runner.Session, lock *sync.Mutex, gen int) tea.Cmd {
	return func() tea.Msg {
		lock.Lock()
		defer lock.Unlock()
		return answersMsg{gen: gen, answers: s.Answers()}
	}
}

// changedMsg reports a changed answer: the finished steps that used the
// old value, or why the change was refused.
type changedMsg struct {
	gen      int
	id       string
	reason   string
	affected []string
	answers  []runner.AnswerInfo
	err      error
}

func changeCmd(ctx context.Context, s *runner.Session, lock *sync.Mutex, gen int, id, value, reason string) tea.Cmd {
	return func() tea.Msg {
		lock.Lock()
		defer lock.Unlock()
		affected, err := s.ChangeAnswer(ctx, id, value, reason)
		return changedMsg{gen: gen, id: id, reason: reason, affected: affected, answers: s.Answers(), err: err}
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
	input  chan actions.Reply
	stream *outStream
	done   chan struct{} // closed when Execute has returned

	interrupted bool // the operator asked to interrupt it
}

// reply turns what the operator chose into what the command gets.
func (x *execution) reply(r actionsReply) actions.Reply {
	return actions.Reply{Text: r.text, Suggestion: r.suggestion}
}

func startExecution(ctx context.Context, s *runner.Session, lock *sync.Mutex, gen int, stepID, confirm string) (*execution, tea.Cmd) {
	// Progress and the "waiting for you" cue travel through the same
	// stream as the output (progress.go), so neither overtakes it.
	stream := newOutStream()
	ectx, cancel := context.WithCancel(ctx)
	x := &execution{gen: gen, stepID: stepID, cancel: cancel,
		input: make(chan actions.Reply, 8), stream: stream, done: make(chan struct{})}
	run := func() tea.Msg {
		lock.Lock()
		defer lock.Unlock()
		defer close(x.done)
		out, err := s.ExecuteWith(ectx, stepID, confirm, runner.ExecIO{
			Out: x.stream, Input: x.input, Progress: stream.progress, Waiting: stream.waiting,
		})
		cancel()
		x.stream.finish(execDoneMsg{gen: gen, outcome: out, err: err, snap: takeSnapshot(s)})
		return nil
	}
	return x, tea.Batch(run, x.stream.next(gen))
}

// waitingMsg says the command waits for the operator (cue), or no longer
// does (nil).
type waitingMsg struct {
	gen int
	cue *waitCue
}

// waiting is the stream's runner.ExecIO.Waiting callback; it never blocks.
func (o *outStream) waiting(w actions.Waiting) {
	var cue *waitCue
	if w.Line != "" {
		cue = &waitCue{line: w.Line, hidden: w.Hidden}
		for _, sg := range w.Suggestions {
			cue.suggestions = append(cue.suggestions, suggestion{label: sg.Label, secret: sg.Secret})
		}
	}
	o.mu.Lock()
	o.wait, o.hasWait = cue, true
	o.mu.Unlock()
	o.signal()
}

// outStream carries output from the command to the screen. Writes never
// block, so a slow terminal never stalls the command; the screen drains
// whatever has piled up in one message.
type outStream struct {
	mu   sync.Mutex
	buf  []byte
	prog progressSlot // the latest progress not yet shown (progress.go)
	// wait is the latest waiting cue not yet shown (nil: no longer waiting).
	wait    *waitCue
	hasWait bool
	end     *execDoneMsg
	notify  chan struct{}
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
			if o.hasWait {
				cue := o.wait
				o.wait, o.hasWait = nil, false
				o.mu.Unlock()
				return waitingMsg{gen: gen, cue: cue}
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

func resumeInfoCmd(ctx context.Context, st *runner.Store, run runner.Run) tea.Cmd {
	return func() tea.Msg {
		m := resumeInfoMsg{runID: run.ID}
		m.where, m.done, m.total, m.err = runner.ResumeInfo(ctx, st, run)
		return m
	}
}

// unfinishedMsg lists the unfinished runs, for the picker's marks.
type unfinishedMsg struct {
	runs []runner.Run
	err  error
}

func unfinishedCmd(ctx context.Context, st *runner.Store) tea.Cmd {
	if st == nil {
		return nil
	}
	return func() tea.Msg {
		runs, err := st.Unfinished(ctx)
		return unfinishedMsg{runs: runs, err: err}
	}
}
