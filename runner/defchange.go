package runner

import (
	"fmt"
	"slices"
	"strings"

	"zenrecover/procedures"
	"zenrecover/state"
)

// DefChange is one difference between the definition a run started with
// and the procedure's definition now.
type DefChange struct {
	Step string // step id
	Ref  string // the reference's step number, for people
	Kind string // edited, removed, added, moved
	// Begun: the step is finished or in doubt in this run. Changing such a
	// step under a run would make its journal describe another procedure.
	Begun bool
}

func (c DefChange) String() string {
	s := fmt.Sprintf("step %s (%s) %s", c.Ref, c.Step, c.Kind)
	if c.Begun {
		s += ", and this run has already begun it"
	}
	return s
}

// CompareDefinitions lists what changed from the recorded definition to the
// current one, in the recorded order (added steps last).
func CompareDefinitions(recorded, current *procedures.Definition, rs state.RunState) []DefChange {
	if recorded.Hash == current.Hash {
		return nil
	}
	rh, ch := recorded.StepHashes(), current.StepHashes()
	order := func(d *procedures.Definition) []string {
		var ids []string
		d.Walk(func(s *procedures.Step) { ids = append(ids, s.ID) })
		return ids
	}
	ro, co := order(recorded), order(current)
	begun := func(id string) bool {
		for k, ss := range rs.Steps {
			if (k == id || strings.HasPrefix(k, id+"@")) && ss.Status != state.StepPending {
				return true
			}
		}
		return false
	}
	// Common steps in the current order, to find those that moved: a step
	// moved when the steps before it are not the same as before.
	var common []string
	for _, id := range co {
		if _, ok := rh[id]; ok {
			common = append(common, id)
		}
	}
	var out []DefChange
	rank := 0
	for _, id := range ro {
		st := recorded.Step(id)
		c := DefChange{Step: id, Ref: st.Ref, Begun: begun(id)}
		switch h, ok := ch[id]; {
		case !ok:
			c.Kind = "removed"
		case h != rh[id]:
			c.Kind = "edited"
		}
		if c.Kind != "removed" {
			if rank < len(common) && common[rank] != id {
				if c.Kind == "" {
					c.Kind = "moved"
				} else {
					c.Kind += " and moved"
				}
			}
			rank++
		}
		if c.Kind != "" {
			out = append(out, c)
		}
	}
	for _, id := range co {
		if _, ok := rh[id]; !ok {
			out = append(out, DefChange{Step: id, Ref: current.Step(id).Ref, Kind: "added"})
		}
	}
	return out
}

// DefinitionChangedError is a run whose procedure has changed since it
// started. With Blocking changes it cannot take the new definition at all;
// otherwise the pending steps' changes need the operator's confirmation.
type DefinitionChangedError struct {
	RunID    string
	Changes  []DefChange
	Blocking bool
}

func (e *DefinitionChangedError) Error() string {
	var lines []string
	for _, c := range e.Changes {
		lines = append(lines, "  "+c.String())
	}
	if e.Blocking {
		return fmt.Sprintf("run %s cannot take the procedure's new definition: steps it has already begun changed:\n%s\nResume it without --adopt-definition: it finishes on the definition it started with.",
			e.RunID, strings.Join(lines, "\n"))
	}
	return fmt.Sprintf("the procedure's definition changed since run %s started, in steps it has not begun:\n%s\nResume with --adopt-definition --confirm-changes to take them, or without --adopt-definition to finish on the definition it started with.",
		e.RunID, strings.Join(lines, "\n"))
}

// adopt decides whether a resumed run may go on with current, per
// DESIGN.md: begun steps changed block; pending steps changed need
// confirmed.
func adopt(runID string, recorded, current *procedures.Definition, rs state.RunState, confirmed bool) ([]DefChange, error) {
	changes := CompareDefinitions(recorded, current, rs)
	if len(changes) == 0 {
		return nil, nil
	}
	if slices.ContainsFunc(changes, func(c DefChange) bool { return c.Begun }) {
		return changes, &DefinitionChangedError{RunID: runID, Changes: changes, Blocking: true}
	}
	if !confirmed {
		return changes, &DefinitionChangedError{RunID: runID, Changes: changes}
	}
	return changes, nil
}
