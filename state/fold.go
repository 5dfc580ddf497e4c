package state

import "sort"

// StepStatus is where a step stands according to its journal.
type StepStatus string

const (
	StepPending   StepStatus = "pending"
	StepInDoubt   StepStatus = "in-doubt" // started, and no outcome recorded since
	StepSucceeded StepStatus = "succeeded"
	StepFailed    StepStatus = "failed"
	StepSkipped   StepStatus = "skipped"
	StepConfirmed StepStatus = "confirmed"
)

// StepState is the folded state of one step, or of one target of a fan-out
// step.
type StepState struct {
	Step, Target string
	Status       StepStatus

	// Attempts counts the step's started events.
	Attempts int

	// InDoubtCount counts the lost attempts: started events that were
	// followed by another started, by a resolved, or by the end of the
	// journal, with no succeeded, failed, skipped or confirmed in between.
	// Each is an attempt whose end zenrecover never saw; a step that is in
	// doubt right now counts its current attempt. The wizard uses it to
	// demand an explicit override after repeated losses.
	InDoubtCount int

	Started *Event // the last started
	Running *Event // the last running after the last started, if any
	Outcome *Event // the last outcome after the last started (nil while in doubt)
}

// RunState is the fold of a run's journal.
type RunState struct {
	Answers map[string]string     // from answered events; the last one wins
	Steps   map[string]*StepState // key: StepKey(step, target)
	// Stopped: the last event other than output is a stopped event, that
	// is, the operator stopped the run and nothing has been done since.
	Stopped bool
}

// StepKey is the key of a step in RunState.Steps: the step id, or
// step@target for one target of a fan-out step.
func StepKey(step, target string) string {
	if target == "" {
		return step
	}
	return step + "@" + target
}

// Fold computes the state of a run from its journal. Events are taken in
// Seq order (the order of the slice where Seq ties). Steps that never
// appear in the journal are absent from Steps: they are pending.
//
// A journal already in Seq order (as Journal and Append return it) is
// read in place, without a copy: the fold's Started, Running and Outcome
// then point into events, which the journal never changes once written.
// Fold is called on every Next, so its cost is per event of the whole run
// (issue 16's 3,000-target fan-out made a copy, a sort and a key per event
// a third of the walk).
func Fold(events []Event) RunState {
	evs := events
	if !sort.SliceIsSorted(events, func(i, j int) bool { return events[i].Seq < events[j].Seq }) {
		evs = make([]Event, len(events))
		copy(evs, events)
		sort.SliceStable(evs, func(i, j int) bool { return evs[i].Seq < evs[j].Seq })
	}

	rs := RunState{Answers: map[string]string{}}
	// Keyed by step and target while folding; the string keys of Steps
	// are made once a step, not once an event.
	type key struct{ step, target string }
	steps := map[key]*StepState{}
	step := func(e *Event) *StepState {
		k := key{e.Step, e.Target}
		st := steps[k]
		if st == nil {
			st = &StepState{Step: e.Step, Target: e.Target, Status: StepPending}
			steps[k] = st
		}
		return st
	}
	for i := range evs {
		e := &evs[i]
		if e.Kind != EventOutput {
			rs.Stopped = e.Kind == EventStopped
		}
		switch e.Kind {
		case EventAnswered, EventChanged:
			rs.Answers[e.Key] = e.Value
		case EventRedo:
			// A finished step put back to run again: pending, its history
			// kept (Attempts counts on).
			st := step(e)
			st.Status = StepPending
			st.Outcome = e
		case EventPlanned:
			if e.Step != "" {
				step(e)
			}
		case EventStarted:
			st := step(e)
			if st.Status == StepInDoubt {
				st.InDoubtCount++
			}
			st.Attempts++
			st.Status = StepInDoubt
			st.Started, st.Running, st.Outcome = e, nil, nil
		case EventRunning:
			step(e).Running = e
		case EventSucceeded, EventFailed, EventSkipped, EventConfirmed:
			st := step(e)
			st.Status = StepStatus(e.Kind) // the outcome kinds share their names with the statuses
			st.Outcome = e
		case EventResolved:
			st := step(e)
			var to StepStatus
			switch e.Value {
			case ResolvedDone:
				to = StepSucceeded
			case ResolvedNotDone:
				to = StepPending
			default:
				continue // Append refuses these; a hand-edited row is ignored
			}
			if st.Status == StepInDoubt {
				st.InDoubtCount++
			}
			st.Status = to
			st.Outcome = e
		}
	}
	rs.Steps = make(map[string]*StepState, len(steps))
	for k, st := range steps {
		// The current attempt of a step still in doubt is lost too.
		if st.Status == StepInDoubt {
			st.InDoubtCount++
		}
		rs.Steps[StepKey(k.step, k.target)] = st
	}
	return rs
}
