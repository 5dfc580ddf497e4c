package tui

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"zenrecover/runner"
)

// Handing a fan-out step to Ansible (issue 16). On a step whose targets
// Ansible can take (runner.NeedStep.Fleet), f, never Enter, hands the
// targets not done to ansible-playbook (Session.RunFleet). The fleet room
// then counts the hosts as their results arrive (done, failed, waiting)
// and lists the latest ones; Ansible's own words go to the output pane.
// When it ends the run goes on with what is left: failed hosts come back
// as failed targets, hosts never reported as in doubt. ctrl+c asks, then
// interrupts ansible-playbook (its unreported hosts are left in doubt).
// Without ansible-playbook, f shows the command and files to run it where
// it is installed (Session.FleetPlan); Enter goes back to the step, to be
// done here target by target.

// fleetShown is how many of the latest results the room lists.
const fleetShown = 8

type fleetRoom struct {
	ctx    *uictx
	step   *runner.NeedStep
	total  int // hosts handed over
	done   int
	failed int
	latest []runner.FleetResult
	// plan: ansible-playbook is not installed; the command to run.
	plan *runner.FleetOutcome
	err  string
	out  pending
}

func (r *fleetRoom) SetSize(w, h int) {}

func (r fleetRoom) Update(msg tea.Msg) (fleetRoom, tea.Cmd) {
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return r, nil
	}
	if (r.plan != nil || r.err != "") && key.Matches(km, r.ctx.keys.Fleet.Back) {
		r.out.set(intent{kind: intentTryAgain})
	}
	return r, nil
}

// add counts one host's result.
func (r *fleetRoom) add(res runner.FleetResult) {
	if res.Status == "ok" {
		r.done++
	} else {
		r.failed++
	}
	r.latest = append(r.latest, res)
	if len(r.latest) > fleetShown {
		r.latest = r.latest[len(r.latest)-fleetShown:]
	}
}

func (r fleetRoom) details(w int) []string {
	s := r.ctx.styles
	n := r.step
	p := para{w: w}
	p.add(s.Heading.Render, "Step "+n.Step.Ref+" · handed to Ansible")
	p.add(s.Title.Render, n.Step.Title)
	p.blank()
	switch {
	case r.err != "":
		p.add(s.Error.Render, r.err)
	case r.plan != nil:
		p.add(s.Text.Render, "ansible-playbook is not installed on this machine. Where it is, this hands "+runner.TargetsNotDone(len(r.plan.Hosts))+" to Ansible:")
		p.add(s.Command.Render, strings.Join(r.plan.Command, " "))
		p.add(s.Faint.Render, "Inventory: "+r.plan.Files.Inventory)
		p.add(s.Faint.Render, "Playbook: "+r.plan.Files.Playbook+" (it asks for any password itself)")
		p.add(s.Text.Render, "Its results are not read back: run or confirm each target here as well.")
	default:
		waiting := r.total - r.done - r.failed
		p.add(s.Text.Render, fmt.Sprintf("%d of %d hosts reported: ✓ %d done · ✗ %d failed or not reached · %d waiting", r.done+r.failed, r.total, r.done, r.failed, waiting))
		for _, res := range r.latest {
			mark, render := "✓", s.MarkDone.Render
			word := "done"
			if res.Status != "ok" {
				mark, render, word = "✗", s.MarkFailed.Render, res.Status
				if m := strings.TrimSpace(res.Msg); m != "" {
					word += ": " + m
				}
			}
			p.lines(render(mark) + " " + clip(res.Host+" "+word, max(w-2, 1)))
		}
	}
	p.blank()
	return p.out
}

func (r fleetRoom) form(w int) []string {
	s := r.ctx.styles
	p := para{w: w}
	if r.plan != nil || r.err != "" {
		p.choice(s, "enter", "back to the step, to do it here target by target")
		return p.out
	}
	p.add(s.Faint.Render, "Each host is recorded as its result arrives. ctrl+c interrupts Ansible: the hosts it has not reported stay in doubt.")
	return p.out
}

func (r fleetRoom) ShortHelp() []key.Binding {
	k := r.ctx.keys.Fleet
	if r.plan != nil || r.err != "" {
		return []key.Binding{k.Back}
	}
	return []key.Binding{k.Interrupt}
}

// fleetRun is a step's targets in Ansible's hands.
type fleetRun struct {
	gen         int
	stepID      string
	cancel      context.CancelFunc
	stream      *fleetStream
	done        chan struct{}
	interrupted bool
}

// fleetStream carries Ansible's output and the hosts' results to the
// screen; like outStream, writes never block the run.
type fleetStream struct {
	mu      sync.Mutex
	buf     []byte
	results []runner.FleetResult
	end     *fleetDoneMsg
	notify  chan struct{}
}

func (f *fleetStream) Write(p []byte) (int, error) {
	f.mu.Lock()
	f.buf = append(f.buf, p...)
	f.mu.Unlock()
	f.signal()
	return len(p), nil
}

func (f *fleetStream) result(r runner.FleetResult) {
	f.mu.Lock()
	f.results = append(f.results, r)
	f.mu.Unlock()
	f.signal()
}

func (f *fleetStream) finish(m fleetDoneMsg) {
	f.mu.Lock()
	f.end = &m
	f.mu.Unlock()
	f.signal()
}

func (f *fleetStream) signal() {
	select {
	case f.notify <- struct{}{}:
	default:
	}
}

// fleetOutMsg carries what arrived since the last one.
type fleetOutMsg struct {
	gen     int
	text    string
	results []runner.FleetResult
}

// fleetDoneMsg ends a hand-over: what Ansible did, or why it could not.
type fleetDoneMsg struct {
	gen     int
	outcome *runner.FleetOutcome
	err     error
	snap    snapshot
}

func (f *fleetStream) next(gen int) tea.Cmd {
	return func() tea.Msg {
		for {
			f.mu.Lock()
			if len(f.buf) > 0 || len(f.results) > 0 {
				m := fleetOutMsg{gen: gen, text: string(f.buf), results: f.results}
				f.buf, f.results = nil, nil
				f.mu.Unlock()
				return m
			}
			if f.end != nil {
				m := *f.end
				f.mu.Unlock()
				return m
			}
			f.mu.Unlock()
			<-f.notify
		}
	}
}

// fleetPlanMsg is the export of a step for an Ansible elsewhere.
type fleetPlanMsg struct {
	gen  int
	plan *runner.FleetOutcome
	err  error
}

// handToAnsible starts the hand-over of step n's targets not done (or,
// without ansible-playbook, reads its export).
func (v *runView) handToAnsible(n *runner.NeedStep) tea.Cmd {
	v.gen++
	gen, sess, lock := v.gen, v.sess, v.lock
	v.fleet = fleetRoom{ctx: v.ctx, step: n}
	v.phase, v.flash, v.errText = phaseFleet, "", ""
	v.busyText = ""
	if !sess.AnsibleInstalled() {
		return func() tea.Msg {
			lock.Lock()
			defer lock.Unlock()
			fo, err := sess.FleetPlan(n.Step.ID, sess.FleetDefaults())
			return fleetPlanMsg{gen: gen, plan: fo, err: err}
		}
	}
	for _, t := range n.Targets {
		if !n.TargetsDone[t] {
			v.fleet.total++
		}
	}
	stream := &fleetStream{notify: make(chan struct{}, 1)}
	ctx, cancel := context.WithCancel(v.base)
	x := &fleetRun{gen: gen, stepID: n.Key, cancel: cancel, stream: stream, done: make(chan struct{})}
	v.fleetRun = x
	v.output.Reset(n.Key)
	v.output.Note("— handed to Ansible —")
	run := func() tea.Msg {
		lock.Lock()
		defer lock.Unlock()
		defer close(x.done)
		o := sess.FleetDefaults()
		o.OnResult = stream.result
		fo, err := sess.RunFleet(ctx, n.Step.ID, o, stream)
		cancel()
		stream.finish(fleetDoneMsg{gen: gen, outcome: fo, err: err, snap: takeSnapshot(sess)})
		return nil
	}
	return tea.Batch(run, stream.next(gen))
}

// onFleetOut shows what Ansible said and the results that came.
func (v *runView) onFleetOut(m fleetOutMsg) tea.Cmd {
	if m.text != "" {
		v.output.Append(m.text)
	}
	for _, r := range m.results {
		v.fleet.add(r)
	}
	return v.fleetRun.stream.next(m.gen)
}

// onFleetDone goes on with the run once Ansible is done with the step.
func (v *runView) onFleetDone(m fleetDoneMsg) tea.Cmd {
	x := v.fleetRun
	v.fleetRun = nil
	v.snap = m.snap
	ref := v.stepRef(stepOf(x.stepID))
	if x.interrupted {
		v.output.Note("— interrupted —")
		v.phase, v.busyText = phaseBusy, "Stopping the run…"
		return stopCmd(v.base, v.sess, v.lock, "interrupted by the operator while Ansible ran step "+ref)
	}
	if m.err != nil && (m.outcome == nil || len(m.outcome.Hosts) == 0) {
		// Nothing was handed over: say why, and go back to the step.
		v.fleet.err = "Ansible did not take step " + ref + ": " + m.err.Error()
		return nil
	}
	if fo := m.outcome; fo != nil {
		v.flash = fmt.Sprintf("Ansible: step %s, %d done, %d failed or not reached, %d not reported (in doubt).", ref, len(fo.Done), len(fo.Failed), len(fo.Unreported))
		if fo.Error != "" {
			v.flash += " ansible-playbook: " + fo.Error
		}
		v.flashLeft = 1
		// The output pane keeps it whatever comes next (a failed host, the
		// end), where the flash shows only above a step.
		v.output.Note("— " + v.flash + " —")
	}
	if m.err != nil {
		v.flash, v.flashLeft = strings.TrimSpace(v.flash+" "+m.err.Error()), 1
	}
	return v.startOp("Recording…", nil)
}

// onFleetPlan shows the export.
func (v *runView) onFleetPlan(m fleetPlanMsg) tea.Cmd {
	if m.err != nil {
		v.fleet.err = m.err.Error()
		return nil
	}
	v.fleet.plan = m.plan
	return nil
}
