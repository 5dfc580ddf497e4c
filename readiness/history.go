package readiness

import (
	"context"
	"encoding/json"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"zenrecover/procedures"
	"zenrecover/state"
)

// history is what the journal says: every run (but dry runs) summed up,
// and what the runs on the examined server left behind. Each journal is
// read, summed up and dropped in turn, so memory grows with the number of
// runs, not with the length of their journals.
type history struct {
	runs      []runSummary // oldest first
	evidence  []evidence   // backups made on the examined server
	restores  []span       // zman zenserver-restore attempts there
	caImports []span       // zman certificate-authority-import attempts there
}

// runSummary is one run as the readiness checks and the drill report see it.
type runSummary struct {
	ID, ProcedureID string
	Section, Title  string
	Mode            state.Mode
	LabDir, Host    string
	User            string
	Status          state.RunStatus
	Started, Ended  time.Time
	// Working is the time the run was worked on: from its start to its
	// last record, less the time it lay stopped or interrupted.
	Working time.Duration
	// StepTimes is the working time spent on each step (by step key).
	StepTimes map[string]time.Duration
	Done      int // steps finished: succeeded, confirmed or skipped
	ByHand    []DrillStep
}

// rehearsal reports whether the run was a rehearsal (in a lab).
func (r runSummary) rehearsal() bool { return r.Mode == state.ModeLab }

// span is when an attempt of a step ran.
type span struct{ from, to time.Time }

func (s span) holds(t time.Time) bool { return !t.Before(s.from) && !t.After(s.to) }

// Kinds of backup.
const (
	kindZman     = "zman"
	kindCA       = "ca"
	kindContent  = "content"
	kindDatabase = "database"
)

// evidence is one backup: recorded by a run's step, or found on disk.
type evidence struct {
	kind string
	path string    // as the server names it; "" for the database
	at   time.Time // when it was finished
	// from the journal
	runID, procedure, step string
	mode                   state.Mode
	// found on disk, not in the journal
	onDisk bool
}

// readHistory reads every run's journal.
func readHistory(ctx context.Context, st *state.Store, t target) (*history, error) {
	runs, err := st.Runs(ctx)
	if err != nil {
		return nil, err
	}
	h := &history{}
	defs := map[string]*procedures.Definition{} // by the definition's hash: parsed once
	for i := len(runs) - 1; i >= 0; i-- {
		r := runs[i]
		if r.Mode == state.ModeDryRun {
			continue
		}
		events, err := st.Journal(ctx, r.ID)
		if err != nil {
			return nil, err
		}
		def, seen := defs[r.DefHash]
		if !seen {
			def, _ = procedures.ParseBundle(r.ProcedureID+" (as recorded in run "+r.ID+")", r.DefText)
			defs[r.DefHash] = def
		}
		folded := state.Fold(events)
		s := summarize(r, def, events, folded)
		h.runs = append(h.runs, s)
		if t.owns(r) && def != nil {
			h.collect(t, r, def, events, folded)
		}
	}
	return h, nil
}

// owns reports whether run r acted on the examined server: a lab run in
// this lab, or a live run on this host.
func (t target) owns(r state.Run) bool {
	if t.lab != nil {
		return r.Mode == state.ModeLab && sameDir(r.LabDir, t.lab.Dir())
	}
	return r.Mode == state.ModeLive && sameHost(r.Host, t.host)
}

func sameDir(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	if filepath.Clean(a) == filepath.Clean(b) {
		return true
	}
	ra, err1 := filepath.EvalSymlinks(a)
	rb, err2 := filepath.EvalSymlinks(b)
	return err1 == nil && err2 == nil && ra == rb
}

// sameHost compares host names as the wizard does: regardless of letter
// case and domain.
func sameHost(a, b string) bool {
	short := func(s string) string {
		h, _, _ := strings.Cut(strings.ToLower(strings.TrimSuffix(strings.TrimSpace(s), ".")), ".")
		return h
	}
	return a != "" && short(a) == short(b)
}

// summarize sums a run up from its journal.
func summarize(r state.Run, def *procedures.Definition, events []state.Event, folded state.RunState) runSummary {
	s := runSummary{ID: r.ID, ProcedureID: r.ProcedureID, Mode: r.Mode, LabDir: r.LabDir, Host: r.Host,
		User: r.User, Status: r.Status, Started: r.StartedAt, Ended: r.EndedAt, Title: r.ProcedureID}
	if def != nil {
		s.Section, s.Title = def.Section, def.Title
	}
	s.Working, s.StepTimes = workingTime(r.StartedAt, events)
	keys := make([]string, 0, len(folded.Steps))
	for k := range folded.Steps {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		ss := folded.Steps[k]
		switch ss.Status {
		case state.StepSucceeded, state.StepConfirmed, state.StepSkipped:
			s.Done++
		default:
			continue
		}
		byHand := ss.Status == state.StepConfirmed ||
			ss.Outcome != nil && ss.Outcome.Kind == state.EventResolved && ss.Outcome.Value == state.ResolvedDone
		if !byHand {
			continue
		}
		d := DrillStep{ID: k, Ref: k, Title: k, Target: ss.Target}
		if def != nil {
			if st := def.Step(ss.Step); st != nil {
				d.Ref, d.Title = def.FullRef(st), st.Title
			}
		}
		s.ByHand = append(s.ByHand, d)
	}
	return s
}

// workingTime is the time between the run's start and its last record,
// less every gap that begins at a stop or ends at a resume (the run lay
// stopped, or the wizard was gone). Each gap counted is the time spent
// on what ended it: a step's record puts it on that step (reading a
// step's screen, waiting for its command, doing a manual step by hand).
func workingTime(started time.Time, events []state.Event) (time.Duration, map[string]time.Duration) {
	per := map[string]time.Duration{}
	var total time.Duration
	prev, prevKind := started, state.EventKind("")
	for _, e := range events {
		if e.Kind == state.EventOutput {
			continue
		}
		gap := e.At.Sub(prev)
		if gap < 0 || prevKind == state.EventStopped || e.Kind == state.EventResumed {
			gap = 0
		}
		total += gap
		if e.Step != "" {
			per[state.StepKey(e.Step, e.Target)] += gap
		}
		if e.At.After(prev) {
			prev = e.At
		}
		prevKind = e.Kind
	}
	return total, per
}

// dbBackupTitle recognises the manual steps that back up a database:
// "Back up the ZENworks database", "Take a reliable backup of the internal
// database", "Back up the embedded database".
var dbBackupTitle = regexp.MustCompile(`(?i)^(back up|take a reliable backup of)\b.*\bdatabase\b`)

// collect gathers the backups, restores and CA imports a run did on the
// examined server, from its recorded definition: a step is recognised by
// what it does (zman zenserver-backup, an archive of the content
// repository), whichever procedure it came by.
func (h *history) collect(t target, r state.Run, def *procedures.Definition, events []state.Event, folded state.RunState) {
	vals := procedures.Values{}
	for k, v := range folded.Answers {
		vals[k] = v
	}
	for k, v := range procedures.RunValues(r.ID, r.StartedAt) {
		vals[k] = v
	}
	def.Walk(func(st *procedures.Step) {
		if !st.Actionable() || st.Each != "" {
			return
		}
		ss := folded.Steps[st.ID]
		if ss == nil {
			return
		}
		if on := st.OnHost(); on != "" {
			if h, err := procedures.Expand(on, vals); err != nil || !sameHost(h, t.host) {
				return
			}
		}
		done := ss.Status == state.StepSucceeded || ss.Status == state.StepConfirmed
		ev := evidence{runID: r.ID, procedure: r.ProcedureID, step: def.FullRef(st), mode: r.Mode}
		if done && ss.Outcome != nil {
			ev.at = ss.Outcome.At
		}
		switch {
		case len(st.Run) >= 2 && path.Base(strings.ReplaceAll(st.Run[0].Value, `\`, "/")) == "zman":
			var attempt span
			if ss.Started != nil {
				attempt.from, attempt.to = ss.Started.At, ss.Started.At
				if ss.Outcome != nil {
					attempt.to = ss.Outcome.At
				}
			}
			switch st.Run[1].Value {
			case "zenserver-backup", "zsb":
				ev.kind = kindZman
			case "certificate-authority-export", "cae":
				ev.kind = kindCA
			case "zenserver-restore", "zsr":
				if ss.Started != nil {
					h.restores = append(h.restores, attempt)
				}
				return
			case "certificate-authority-import", "cai":
				if ss.Started != nil {
					h.caImports = append(h.caImports, attempt)
				}
				return
			default:
				return
			}
			ev.path = createdPath(st, vals, ss)
		case st.Archive != nil && isContentRepo(st.Archive.From):
			ev.kind = kindContent
			ev.path, _ = procedures.Expand(st.Archive.To, vals)
		case st.Manual != "" && dbBackupTitle.MatchString(st.Title):
			ev.kind = kindDatabase
		default:
			return
		}
		if done && !ev.at.IsZero() {
			h.evidence = append(h.evidence, ev)
		}
	})
}

// createdPath is the file a zman step wrote: its creates: input, else the
// last argument of the command its started record names.
func createdPath(st *procedures.Step, vals procedures.Values, ss *state.StepState) string {
	if st.Creates != "" {
		if p, err := procedures.Expand(st.Creates, vals); err == nil {
			return p
		}
	}
	if ss.Started != nil {
		var d struct {
			Command []string `json:"command"`
		}
		if json.Unmarshal([]byte(ss.Started.Detail), &d) == nil && len(d.Command) > 2 {
			return d.Command[len(d.Command)-1]
		}
	}
	return ""
}

func isContentRepo(p string) bool {
	p = strings.TrimRight(strings.ReplaceAll(p, `\`, "/"), "/")
	return strings.HasSuffix(strings.ToLower(p), "/content-repo")
}
