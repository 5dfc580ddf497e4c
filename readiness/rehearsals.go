package readiness

import (
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/dustin/go-humanize/english"

	"zenrecover/state"
)

// RehearsalFigures are what the journal says of a procedure's rehearsals.
type RehearsalFigures struct {
	Procedure string `json:"procedure"`
	Section   string `json:"section,omitempty"`
	Title     string `json:"title"`
	// Rehearsals counts the lab runs, Completed those that completed,
	// LiveRuns the completed live runs.
	Rehearsals int `json:"rehearsals"`
	Completed  int `json:"completed"`
	LiveRuns   int `json:"live_runs"`
	// The last completed rehearsal: when it started, its run, who ran it,
	// and its working time (DurationSeconds).
	Last            time.Time `json:"last,omitzero"`
	LastRunID       string    `json:"last_run_id,omitempty"`
	Operator        string    `json:"operator,omitempty"`
	DurationSeconds float64   `json:"duration_seconds,omitempty"`
	// EstimateSeconds is what a live run is likely to take, and
	// EstimateBasis what that is worked out from.
	EstimateSeconds float64 `json:"estimate_seconds,omitempty"`
	EstimateBasis   string  `json:"estimate_basis,omitempty"`
}

// coreRehearsals are rehearsed by every team: restoring a server, and on
// the server that holds it, the certificate authority.
var coreRehearsals = []string{"server-restore", "ca-restore"}

// rehearsalChecks: when each procedure was last rehearsed, how long it
// took, what a live run will take. Listed: the restores, the procedure
// the certificate checks ask for, and every procedure ever rehearsed.
func rehearsalChecks(o Options, t target, h *history, asked []string) []Check {
	want := map[string]bool{}
	var ids []string
	add := func(id string) {
		if !want[id] {
			want[id] = true
			ids = append(ids, id)
		}
	}
	for _, id := range coreRehearsals {
		if id == "ca-restore" && !fileExists(t.path(t.layout.CaConfig)) && !rehearsed(h, id) {
			continue
		}
		add(id)
	}
	for _, id := range asked {
		add(id)
	}
	for _, r := range h.runs {
		if r.rehearsal() && r.ProcedureID != ScheduledProcedure {
			add(r.ProcedureID)
		}
	}
	order := func(id string) (string, string) {
		sec, title := procSections[id], id
		if o.Library != nil {
			if d := o.Library.Get(id); d != nil {
				sec, title = d.Section, d.Title
			}
		}
		for _, r := range h.runs {
			if r.ProcedureID == id && r.Section != "" {
				sec, title = r.Section, r.Title
			}
		}
		return sec, title
	}
	sort.SliceStable(ids, func(i, j int) bool {
		si, _ := order(ids[i])
		sj, _ := order(ids[j])
		return sectionLess(si, sj)
	})
	var out []Check
	for _, id := range ids {
		sec, title := order(id)
		out = append(out, rehearsalCheck(o, t, h, id, sec, title))
	}
	return out
}

func rehearsed(h *history, id string) bool {
	for _, r := range h.runs {
		if r.ProcedureID == id && r.rehearsal() {
			return true
		}
	}
	return false
}

func rehearsalCheck(o Options, t target, h *history, id, section, title string) Check {
	f := &RehearsalFigures{Procedure: id, Section: section, Title: title}
	name := section
	if name == "" {
		name = id
	}
	c := Check{ID: "rehearsal." + id, Area: AreaRehearsal, Title: "Rehearsal of " + name, Rehearsal: f}
	var last, lastAny *runSummary
	var live []runSummary
	for i := range h.runs {
		r := &h.runs[i]
		if r.ProcedureID != id {
			continue
		}
		switch {
		case r.rehearsal():
			f.Rehearsals++
			lastAny = r
			if r.Status == state.RunCompleted {
				f.Completed++
				last = r
			}
		case r.Status == state.RunCompleted && r.Mode == state.ModeLive:
			live = append(live, *r)
		}
	}
	f.LiveRuns = len(live)
	how := "zenrecover lab init /tmp/zenlab && zenrecover run " + name + " --lab /tmp/zenlab"
	if t.lab != nil {
		how = "zenrecover run " + name + " --lab " + t.lab.Dir()
	}
	advise := func() {
		c.Level, c.Action, c.Command, c.Procedure, c.Section = Amber, "rehearse it in a lab", how, id, section
	}
	if last == nil {
		advise()
		if lastAny == nil {
			c.Text = "Never rehearsed."
		} else {
			c.Text = fmt.Sprintf("Rehearsed %s, never to the end (the last, %s, %s).", times(f.Rehearsals),
				lastAny.Started.UTC().Format(time.DateOnly), lastAny.Status)
		}
		return c
	}
	f.Last, f.LastRunID, f.Operator = last.Started.UTC(), last.ID, last.User
	f.DurationSeconds = last.Working.Seconds()
	est, basis := estimate(*last, live)
	f.EstimateSeconds, f.EstimateBasis = est.Seconds(), basis
	c.Text = fmt.Sprintf("%s by %s, took %s; a live run ~%s",
		last.Started.UTC().Format(time.DateOnly), orSomeone(last.User), Duration(last.Working), Duration(est))
	if o.Now.Sub(last.Started) > RehearsalAmber {
		advise()
		c.Text = "Over a year ago: " + c.Text + "."
	}
	return c
}

// estimate is what a live run will likely take: the rehearsal's working
// time, with each step that a live run has timed replaced by the median of
// the live runs' times for it. Without live runs it is the rehearsal's
// time, which is short for commands (a lab simulates them) and honest for
// the steps done by hand.
func estimate(r runSummary, live []runSummary) (time.Duration, string) {
	if len(live) == 0 {
		return r.Working, "from the rehearsal; commands on a real server take longer"
	}
	est := r.Working
	timed := 0
	for key, d := range r.StepTimes {
		var xs []time.Duration
		for _, l := range live {
			if v, ok := l.StepTimes[key]; ok {
				xs = append(xs, v)
			}
		}
		if len(xs) == 0 {
			continue
		}
		timed++
		est += median(xs) - d
	}
	if est < 0 {
		est = 0
	}
	return est, fmt.Sprintf("the rehearsal with %d %s timed by %s", timed, english.PluralWord(timed, "step", ""), english.Plural(len(live), "live run", ""))
}

func median(xs []time.Duration) time.Duration {
	sort.Slice(xs, func(i, j int) bool { return xs[i] < xs[j] })
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

func times(n int) string {
	switch n {
	case 1:
		return "once"
	case 2:
		return "twice"
	}
	return fmt.Sprintf("%d times", n)
}

func orSomeone(u string) string {
	if u == "" {
		return "an unknown operator"
	}
	return u
}

// Duration writes a working time for people: 350 ms, 4.2 s,
// 3 min 20 s, 1 h 05 min.
func Duration(d time.Duration) string {
	switch {
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	case d < time.Minute:
		s := d.Seconds()
		if s < 10 {
			return fmt.Sprintf("%.1f s", math.Floor(s*10)/10)
		}
		return fmt.Sprintf("%d s", int(s))
	case d < time.Hour:
		return fmt.Sprintf("%d min %02d s", int(d/time.Minute), int(d%time.Minute/time.Second))
	}
	return fmt.Sprintf("%d h %02d min", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

// sectionLess orders reference sections numerically ("1.10" after "1.9"),
// with unnumbered procedures last.
func sectionLess(a, b string) bool {
	if a == "" || b == "" {
		return a != "" && b == ""
	}
	pa, pb := splitSection(a), splitSection(b)
	for i := 0; i < len(pa) && i < len(pb); i++ {
		if pa[i] != pb[i] {
			return pa[i] < pb[i]
		}
	}
	return len(pa) < len(pb)
}

func splitSection(s string) []int {
	var out []int
	n := 0
	for _, r := range s + "." {
		if r == '.' {
			out = append(out, n)
			n = 0
			continue
		}
		if r >= '0' && r <= '9' {
			n = n*10 + int(r-'0')
		}
	}
	return out
}
