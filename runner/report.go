package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	"zenrecover/actions"
	"zenrecover/procedures"
	"zenrecover/state"
)

// maxReportOutput bounds the output a report shows for one attempt; the
// rest stays in the run's log, and the report says how much it left out.
// Its end is kept: that is where a command says why it failed.
const maxReportOutput = 64 << 10

// Report reads a run from the store, finished or not, and lays it out for
// procedures' renderers. It changes nothing: a report can be made while the
// run is held by another zenrecover.
func Report(ctx context.Context, store *state.Store, runID string) (*procedures.Report, error) {
	run, err := store.Run(ctx, runID)
	if err != nil {
		return nil, err
	}
	events, err := store.Journal(ctx, run.ID)
	if err != nil {
		return nil, err
	}
	r := &procedures.Report{
		RunID: run.ID, ProcedureID: run.ProcedureID, DefHash: run.DefHash, Mode: string(run.Mode),
		LabDir: run.LabDir, Host: run.Host, Operator: run.User, Version: run.Version,
		Status: string(run.Status), Started: run.StartedAt, Ended: run.EndedAt,
		Generated: time.Now().UTC(), Secrets: procedures.ReportSecretsNote,
		Answers: []procedures.ReportAnswer{}, Steps: []procedures.ReportStep{}, Remaining: []procedures.ReportRemaining{},
	}
	def, err := procedures.ParseBundle(run.ProcedureID+" (as recorded in run "+run.ID+")", run.DefText)
	if err != nil {
		r.Problems = append(r.Problems, "The run's recorded definition no longer loads, so steps are shown by their ids only: "+err.Error())
		def = nil
	}
	if def != nil {
		r.Section, r.Title = def.Section, def.Title
	} else {
		r.Title = run.ProcedureID
	}

	folded := state.Fold(events)
	out := readOutputs(store.LogPath(run.ID), events)
	if out.problem != "" {
		r.Problems = append(r.Problems, out.problem)
	}
	if out.read {
		r.LogPath = store.LogPath(run.ID)
	}
	r.Answers = reportAnswers(def, events)
	byStep := groupEvents(events)

	if def == nil {
		for _, id := range sortedStepIDs(byStep) {
			rs := reportStep(byStep[id], out, folded)
			rs.ID, rs.Label, rs.Title, rs.Applies = id, id, id, "yes"
			r.Steps = append(r.Steps, rs)
		}
	} else {
		vals := procedures.Values{}
		for k, v := range folded.Answers {
			vals[k] = v
		}
		for _, p := range def.Plan(vals) {
			st := p.Step
			rs := reportStep(byStep[st.ID], out, folded)
			rs.ID, rs.Label, rs.Title, rs.Depth, rs.Kind = st.ID, def.FullRef(st), st.Title, p.Depth, st.Kind()
			rs.Condition = def.ConditionWords(st)
			switch p.Applies {
			case procedures.Yes:
				rs.Applies = "yes"
			case procedures.No:
				rs.Applies = "no"
			default:
				rs.Applies = "undecided"
			}
			switch {
			case !st.Actionable():
				rs.Status = "group"
			case p.Applies == procedures.No && len(rs.History) == 0 && len(rs.Targets) == 0:
				rs.Status = "not-needed"
			case st.Each != "":
				rs.Status = fanOutStatus(rs.Targets, procedures.Targets(vals[st.Each]))
			}
			r.Steps = append(r.Steps, rs)
			if st.Actionable() && p.Applies != procedures.No && !finished(rs.Status) {
				x := procedures.ReportRemaining{Label: rs.Label, Title: st.Title, Status: rs.Status}
				if p.Applies == procedures.Undecided {
					x.Condition = rs.Condition
				}
				r.Remaining = append(r.Remaining, x)
			}
		}
	}
	for _, e := range events {
		switch e.Kind {
		case state.EventStopped:
			r.Stops = append(r.Stops, procedures.ReportEntry{Kind: "stopped", At: e.At, Reason: e.Reason})
		case state.EventChanged, state.EventAbandoned:
			who := parseByWhom(e.Detail)
			en := procedures.ReportEntry{Kind: string(e.Kind), At: e.At, Reason: e.Reason, User: who.User}
			if e.Kind == state.EventChanged {
				en.Answer, en.Old, en.New = answerLabel(def, e.Key), who.Old, e.Value
			}
			r.Stops = append(r.Stops, en)
		}
	}
	r.Totals = totals(r.Steps)
	return r, nil
}

func finished(status string) bool {
	switch status {
	case "succeeded", "confirmed", "skipped", "not-needed", "group":
		return true
	}
	return false
}

// stepEvents are one step's events: its own, and each target's.
type stepEvents struct {
	own     []state.Event
	targets map[string][]state.Event
	order   []string // targets in the order they first appear
}

func groupEvents(events []state.Event) map[string]*stepEvents {
	out := map[string]*stepEvents{}
	for _, e := range events {
		if e.Step == "" || e.Kind == state.EventOutput {
			continue
		}
		se := out[e.Step]
		if se == nil {
			se = &stepEvents{targets: map[string][]state.Event{}}
			out[e.Step] = se
		}
		if e.Target == "" {
			se.own = append(se.own, e)
			continue
		}
		if _, seen := se.targets[e.Target]; !seen {
			se.order = append(se.order, e.Target)
		}
		se.targets[e.Target] = append(se.targets[e.Target], e)
	}
	return out
}

func sortedStepIDs(m map[string]*stepEvents) []string {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// reportStep tells one step's story from its events.
func reportStep(se *stepEvents, out outputs, folded state.RunState) procedures.ReportStep {
	rs := procedures.ReportStep{Status: string(state.StepPending)}
	if se == nil {
		return rs
	}
	if len(se.own) > 0 {
		id := se.own[0].Step
		rs.History = history(se.own, out)
		if ss := folded.Steps[id]; ss != nil {
			rs.Status, rs.Attempts, rs.InDoubt = string(ss.Status), ss.Attempts, ss.InDoubtCount
		}
		rs.Started, rs.Ended = span(se.own)
	}
	for _, t := range se.order {
		evs := se.targets[t]
		rt := procedures.ReportTarget{Target: t, Status: string(state.StepPending), History: history(evs, out)}
		if ss := folded.Steps[state.StepKey(evs[0].Step, t)]; ss != nil {
			rt.Status, rt.Attempts, rt.InDoubt = string(ss.Status), ss.Attempts, ss.InDoubtCount
		}
		rs.Targets = append(rs.Targets, rt)
		rs.Attempts += rt.Attempts
		rs.InDoubt += rt.InDoubt
		s, e := span(evs)
		if rs.Started.IsZero() || (!s.IsZero() && s.Before(rs.Started)) {
			rs.Started = s
		}
		if e.After(rs.Ended) {
			rs.Ended = e
		}
	}
	return rs
}

// fanOutStatus sums up the targets: failed or in doubt if any is, done
// (by hand, when every one was confirmed) when every listed target is.
func fanOutStatus(targets []procedures.ReportTarget, listed []string) string {
	st := map[string]string{}
	for _, t := range targets {
		st[t.Target] = t.Status
		if t.Status == "failed" || t.Status == "in-doubt" {
			return t.Status
		}
	}
	if len(listed) == 0 {
		if len(targets) == 0 {
			return string(state.StepPending)
		}
		for _, t := range targets {
			listed = append(listed, t.Target)
		}
	}
	byHand := true
	for _, t := range listed {
		if !finished(st[t]) {
			return string(state.StepPending)
		}
		byHand = byHand && st[t] == string(state.StepConfirmed)
	}
	if byHand {
		return string(state.StepConfirmed)
	}
	return string(state.StepSucceeded)
}

// span is when a step was first acted on and when its last outcome or
// decision was recorded.
func span(evs []state.Event) (from, to time.Time) {
	for _, e := range evs {
		switch e.Kind {
		case state.EventStarted, state.EventConfirmed, state.EventSkipped, state.EventSucceeded,
			state.EventFailed, state.EventResolved:
			if from.IsZero() {
				from = e.At
			}
			if e.Kind != state.EventStarted {
				to = e.At
			}
		}
	}
	return from, to
}

// history turns a step's events into entries: an attempt from its started
// to its outcome, decisions as they were recorded.
func history(evs []state.Event, out outputs) []procedures.ReportEntry {
	var hist []procedures.ReportEntry
	open := -1 // index in hist of the attempt awaiting its outcome
	for _, e := range evs {
		switch e.Kind {
		case state.EventStarted:
			en := procedures.ReportEntry{Kind: "attempt", At: e.At, Attempt: e.Attempt, Result: "in-doubt"}
			en.Output, en.OutputTruncated = out.of(e.Seq)
			hist = append(hist, en)
			open = len(hist) - 1
		case state.EventSucceeded, state.EventFailed:
			d := parseDetail(e.Detail)
			if open < 0 {
				// A step whose action could not even be built fails
				// without having started: an attempt that never ran.
				hist = append(hist, procedures.ReportEntry{Kind: "attempt", At: e.At, Attempt: e.Attempt})
				open = len(hist) - 1
			}
			en := &hist[open]
			en.Ended, en.Result = e.At, string(e.Kind)
			en.ExitCode, en.Error, en.Verify, en.DryRun = d.ExitCode, d.Error, d.Verify, d.DryRun
			open = -1
		case state.EventConfirmed:
			d := parseDetail(e.Detail) // a guided step's: the command given, the checks seen
			hist = append(hist, procedures.ReportEntry{Kind: "confirmed", At: e.At, Command: d.Command, Verify: d.Verify})
			open = -1
		case state.EventSkipped:
			hist = append(hist, procedures.ReportEntry{Kind: "skipped", At: e.At, Reason: e.Reason})
			open = -1
		case state.EventResolved:
			hist = append(hist, procedures.ReportEntry{Kind: "resolved", At: e.At, Result: e.Value, Reason: e.Reason})
			open = -1
		case state.EventRedo:
			hist = append(hist, procedures.ReportEntry{Kind: "redo", At: e.At, Reason: e.Reason})
			open = -1
		}
	}
	return hist
}

func parseDetail(s string) detail {
	var d detail
	if s != "" {
		_ = json.Unmarshal([]byte(s), &d) // free text from an older zenrecover: no detail
	}
	return d
}

// reportAnswers lists the recorded answers in the definition's order:
// facts, inputs, then the values steps provided.
func reportAnswers(def *procedures.Definition, events []state.Event) []procedures.ReportAnswer {
	last := map[string]state.Event{}
	var order []string
	for _, e := range events {
		if e.Kind != state.EventAnswered && e.Kind != state.EventChanged {
			continue
		}
		if _, seen := last[e.Key]; !seen {
			order = append(order, e.Key)
		}
		last[e.Key] = e
	}
	out := []procedures.ReportAnswer{}
	add := func(id, label, kind string) {
		if e, ok := last[id]; ok {
			v := e.Value
			if kind == "provided" || kind == "fact" && def.FactByID(id).Type == "bool" {
				if b, err := procedures.ParseBool(v); err == nil {
					v = map[bool]string{true: "yes", false: "no"}[b]
				}
			}
			a := procedures.ReportAnswer{ID: id, Label: label, Value: v, Kind: kind, At: e.At}
			if e.Kind == state.EventAnswered && kind == "fact" {
				a.Note = e.Reason // how a settled platform was known
			}
			out = append(out, a)
			delete(last, id)
		}
	}
	if def != nil {
		for _, f := range def.Facts {
			add(f.ID, f.Question, "fact")
		}
		for _, in := range def.Inputs {
			if !in.Secret() {
				add(in.ID, in.Prompt, "input")
			}
		}
		def.Walk(func(s *procedures.Step) {
			if s.Provides != "" {
				add(s.Provides, "Did step "+s.Ref+" change the file?", "provided")
			}
		})
	}
	for _, id := range order {
		add(id, decisionLabel(id), "answer")
	}
	return out
}

func totals(steps []procedures.ReportStep) procedures.ReportTotals {
	var t procedures.ReportTotals
	count := func(hist []procedures.ReportEntry) {
		for _, e := range hist {
			switch e.Kind {
			case "attempt":
				t.Attempts++
				if e.Attempt > 1 {
					t.Retries++
				}
				switch e.Result {
				case "failed":
					t.Failures++
				case "in-doubt":
					t.DoubtsFound++
				}
			case "resolved":
				t.Resolutions++
			}
		}
	}
	for _, s := range steps {
		if s.Status == "group" || s.Status == "not-needed" {
			continue
		}
		t.Steps++
		switch s.Status {
		case "succeeded":
			t.Succeeded++
		case "confirmed":
			t.Confirmed++
		case "skipped":
			t.Skipped++
		case "failed":
			t.Failed++
		case "in-doubt":
			t.InDoubt++
		default:
			t.Pending++
		}
		count(s.History)
		for _, tg := range s.Targets {
			count(tg.History)
		}
	}
	return t
}

// outputs is the run's log cut into the output of each attempt.
type outputs struct {
	read    bool
	problem string
	log     []byte
	start   map[int64]int64 // started event's seq → where its attempt begins in the log
	bounds  []int64         // every attempt's start, sorted
}

// readOutputs reads the run's log once. Every attempt begins at the offset
// its started event recorded with a header line; it ends where the next
// attempt begins, since only Execute writes the log.
func readOutputs(path string, events []state.Event) outputs {
	o := outputs{start: map[int64]int64{}}
	for _, e := range events {
		if e.Kind != state.EventStarted {
			continue
		}
		d := parseDetail(e.Detail)
		if d.Log == "" && !strings.Contains(e.Detail, "log_offset") {
			continue
		}
		o.start[e.Seq] = d.LogOffset
		o.bounds = append(o.bounds, d.LogOffset)
	}
	slices.Sort(o.bounds)
	if len(o.start) == 0 {
		return o
	}
	f, err := os.Open(path)
	if err != nil {
		o.problem = fmt.Sprintf("The run's log could not be read (%v), so the commands' output is missing.", err)
		return o
	}
	defer f.Close()
	o.log, err = io.ReadAll(f)
	if err != nil {
		o.problem = fmt.Sprintf("The run's log could not be read (%v), so the commands' output is missing.", err)
		return o
	}
	o.read = true
	return o
}

// of returns the output of the attempt begun by the started event seq,
// and how many bytes of it were left out from the start.
func (o outputs) of(seq int64) (string, int64) {
	from, ok := o.start[seq]
	if !ok || !o.read || from >= int64(len(o.log)) {
		return "", 0
	}
	to := int64(len(o.log))
	if i, _ := slices.BinarySearch(o.bounds, from+1); i < len(o.bounds) {
		to = o.bounds[i]
	}
	seg := o.log[from:to]
	if nl := strings.IndexByte(string(seg), '\n'); nl >= 0 && strings.HasPrefix(string(seg), "=== ") {
		seg = seg[nl+1:] // the attempt's header: the report says the same in words
	}
	var cut int64
	if len(seg) > maxReportOutput {
		cut = int64(len(seg) - maxReportOutput)
		seg = seg[cut:]
		if nl := strings.IndexByte(string(seg), '\n'); nl >= 0 && nl < 200 {
			cut += int64(nl + 1)
			seg = seg[nl+1:]
		}
	}
	// The log holds output that was already masked and sanitised; sanitising
	// again costs little and keeps a tampered log from driving a terminal.
	text := strings.TrimRight(actions.Sanitize(string(seg)), "\n")
	return text, cut
}

// answerLabel is an answer's question or prompt, or its id.
func answerLabel(def *procedures.Definition, id string) string {
	if def != nil {
		if f := def.FactByID(id); f != nil {
			return f.Question
		}
		if in := def.InputByID(id); in != nil {
			return in.Prompt
		}
	}
	return id
}
