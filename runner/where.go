package runner

import (
	"context"
	"path/filepath"

	"zenrecover/procedures"
	"zenrecover/state"
)

// WhereStopped describes the first unfinished step of a run, and counts the
// finished ones among the actionable steps that apply: what a front end
// shows before it offers to resume.
func WhereStopped(def *procedures.Definition, rs state.RunState) (where string, done, total int) {
	vals := procedures.Values{}
	for k, v := range rs.Answers {
		vals[k] = v
	}
	// Only the facts the answers leave needed: one an answer ruled out
	// (2.1's database questions when the database stays) is never asked.
	if len(def.FactsToAsk(vals)) > 0 {
		return "Before the first step: questions are still open.", 0, 0
	}
	for _, p := range def.Plan(vals) {
		if p.Applies == procedures.No || !p.Step.Actionable() {
			continue
		}
		total++
		status, on := stepStatus(p.Step, vals, rs)
		switch status {
		case state.StepSucceeded, state.StepConfirmed, state.StepSkipped:
			done++
			continue
		}
		if where == "" {
			label := "Step " + p.Step.Ref + ": " + p.Step.Title
			if on != "" {
				label += ", on " + on
			}
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

// ResumeInfo reads a run's recorded definition and journal and says where
// it stopped (WhereStopped). It changes nothing.
func ResumeInfo(ctx context.Context, st *state.Store, run state.Run) (where string, done, total int, err error) {
	def, err := procedures.ParseBundle(run.ProcedureID, run.DefText)
	if err != nil {
		return "", 0, 0, err
	}
	events, err := st.Journal(ctx, run.ID)
	if err != nil {
		return "", 0, 0, err
	}
	where, done, total = WhereStopped(def, state.Fold(events))
	return where, done, total, nil
}

// UnfinishedHere picks, among unfinished runs (newest first, as
// Store.Unfinished lists them), the newest of each procedure in the place
// this process would start one: the same lab (labDir absolute, "" for
// live), dry run or not. Starting another there would be a second recovery
// at once; a rehearsal or a dry run never blocks a live run, nor the
// reverse.
func UnfinishedHere(runs []state.Run, labDir string, dryRun bool) map[string]state.Run {
	out := map[string]state.Run{}
	for _, r := range runs {
		if r.LabDir == labDir && (r.Mode == state.ModeDryRun) == dryRun {
			if _, seen := out[r.ProcedureID]; !seen {
				out[r.ProcedureID] = r
			}
		}
	}
	return out
}

// Unfinished is the unfinished run of procID in the place o would start
// one (UnfinishedHere), or nil: one recovery at a time. Abandoned runs are
// finished.
func Unfinished(ctx context.Context, o Options, procID string) (*state.Run, error) {
	runs, err := o.Store.Unfinished(ctx)
	if err != nil {
		return nil, err
	}
	labDir := ""
	if o.Lab != nil {
		labDir, _ = filepath.Abs(o.Lab.Dir())
	}
	if r, ok := UnfinishedHere(runs, labDir, o.DryRun)[procID]; ok {
		return &r, nil
	}
	return nil, nil
}

// Holder says who holds the lock of run r right now (another zenrecover
// working on it), as the *state.LockedError a Resume would meet, or nil
// when nobody does. It takes no lock.
func Holder(o Options, r state.Run) *state.LockedError {
	return o.Store.Held(r.ProcedureID, lockHost(o, r.LabDir))
}

// stepStatus is a step's status; for a fan-out step, that of its first
// target not finished (named in on), or succeeded when every one is.
func stepStatus(st *procedures.Step, vals procedures.Values, rs state.RunState) (status state.StepStatus, on string) {
	if st.Each == "" {
		if ss := rs.Steps[st.ID]; ss != nil {
			return ss.Status, ""
		}
		return state.StepPending, ""
	}
	list, ok := vals[st.Each]
	if !ok {
		return state.StepPending, ""
	}
	for _, t := range procedures.Targets(list) {
		ss := rs.Steps[state.StepKey(st.ID, t)]
		if ss == nil {
			return state.StepPending, t
		}
		switch ss.Status {
		case state.StepSucceeded, state.StepConfirmed, state.StepSkipped:
			continue
		}
		return ss.Status, t
	}
	return state.StepSucceeded, ""
}
