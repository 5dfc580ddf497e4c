package readiness

import (
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"sort"
	"strings"
	"time"

	"github.com/dustin/go-humanize/english"

	"zenrecover/procedures"
	"zenrecover/state"
)

// DrillReport is every rehearsal and live run, per procedure: what an
// auditor asks for when they ask whether disaster recovery is tested.
type DrillReport struct {
	Generated  time.Time        `json:"generated"`
	Rehearsals int              `json:"rehearsals"`
	LiveRuns   int              `json:"live_runs"`
	Procedures []DrillProcedure `json:"procedures"`
}

// DrillProcedure is one procedure's runs, oldest first.
type DrillProcedure struct {
	ID         string  `json:"id"`
	Section    string  `json:"section,omitempty"`
	Title      string  `json:"title"`
	Rehearsals int     `json:"rehearsals"`
	LiveRuns   int     `json:"live_runs"`
	Runs       []Drill `json:"runs"`
}

// Drill is one run: a rehearsal (in a lab) or a live run (on a server, or
// guided for another one).
type Drill struct {
	RunID    string `json:"run_id"`
	Kind     string `json:"kind"` // rehearsal or live
	Mode     string `json:"mode"` // lab, live, guide
	Host     string `json:"host"`
	Lab      string `json:"lab,omitempty"`
	Operator string `json:"operator"`
	// Outcome is the run's status: completed, failed, stopped,
	// abandoned, or active while it is under way.
	Outcome string    `json:"outcome"`
	Started time.Time `json:"started"`
	Ended   time.Time `json:"ended,omitzero"`
	// DurationSeconds is the working time (stops and interruptions left
	// out); Duration writes it for people.
	DurationSeconds float64 `json:"duration_seconds"`
	Duration        string  `json:"duration"`
	// StepsDone counts the steps finished; ByHand lists those the
	// operator did by hand (confirmed, or marked done).
	StepsDone int         `json:"steps_done"`
	ByHand    []DrillStep `json:"by_hand"`
}

// DrillStep is a step done by hand.
type DrillStep struct {
	ID     string `json:"id"`
	Ref    string `json:"ref"`
	Title  string `json:"title"`
	Target string `json:"target,omitempty"`
}

// Drills reads every run (but dry runs and scheduled archives) from the
// store. Procedures of lib
// that never ran are listed too, with no runs: an auditor sees what was
// never rehearsed. Fragments are listed only when they ran on their own.
func Drills(ctx context.Context, st *state.Store, lib *procedures.Library, now time.Time) (*DrillReport, error) {
	h, err := readHistory(ctx, st, target{})
	if err != nil {
		return nil, err
	}
	rep := &DrillReport{Generated: now.UTC(), Procedures: []DrillProcedure{}}
	byID := map[string]*DrillProcedure{}
	var order []string
	add := func(id, section, title string) *DrillProcedure {
		if p := byID[id]; p != nil {
			return p
		}
		byID[id] = &DrillProcedure{ID: id, Section: section, Title: title, Runs: []Drill{}}
		order = append(order, id)
		return byID[id]
	}
	if lib != nil {
		for _, d := range lib.All() {
			if !d.Fragment {
				add(d.ID, d.Section, d.Title)
			}
		}
	}
	for _, r := range h.runs {
		if r.ProcedureID == ScheduledProcedure {
			continue // an archive on a timer is no drill
		}
		p := add(r.ProcedureID, r.Section, r.Title)
		d := Drill{RunID: r.ID, Kind: "live", Mode: string(r.Mode), Host: r.Host, Operator: r.User,
			Outcome: string(r.Status), Started: r.Started.UTC(), DurationSeconds: r.Working.Seconds(),
			Duration: Duration(r.Working), StepsDone: r.Done, ByHand: r.ByHand}
		if !r.Ended.IsZero() {
			d.Ended = r.Ended.UTC()
		}
		if d.ByHand == nil {
			d.ByHand = []DrillStep{}
		}
		if r.rehearsal() {
			d.Kind, d.Lab = "rehearsal", r.LabDir
			p.Rehearsals++
			rep.Rehearsals++
		} else {
			p.LiveRuns++
			rep.LiveRuns++
		}
		p.Runs = append(p.Runs, d)
	}
	sort.SliceStable(order, func(i, j int) bool { return sectionLess(byID[order[i]].Section, byID[order[j]].Section) })
	for _, id := range order {
		rep.Procedures = append(rep.Procedures, *byID[id])
	}
	return rep, nil
}

// WriteDrills renders the report as md, html or json. theme is the
// style sheet's folder of the HTML exports (sheet.css); nil draws plain.
func WriteDrills(w io.Writer, r *DrillReport, format string, theme fs.FS) error {
	switch format {
	case "md", "markdown":
		return writeDrillsMarkdown(w, r)
	case "html":
		return writeDrillsHTML(w, r, theme)
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	return fmt.Errorf("drill report format %q: choose md, html or json", format)
}

func drillTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04") }

func (r *DrillReport) summary() string {
	n := 0
	for _, p := range r.Procedures {
		if len(p.Runs) > 0 {
			n++
		}
	}
	return fmt.Sprintf("%s and %s, of %s.", english.Plural(r.Rehearsals, "rehearsal", ""), english.Plural(r.LiveRuns, "live run", ""), english.Plural(n, "procedure", ""))
}

func (d Drill) byHandWords() string {
	if len(d.ByHand) == 0 {
		return "none"
	}
	var parts []string
	for _, s := range d.ByHand {
		p := s.Ref
		if s.Title != "" && s.Title != s.Ref {
			p += " " + s.Title
		}
		if s.Target != "" {
			p += " (on " + s.Target + ")"
		}
		parts = append(parts, p)
	}
	return fmt.Sprintf("%d: %s", len(d.ByHand), strings.Join(parts, "; "))
}

func (d Drill) where() string {
	if d.Kind == "rehearsal" {
		return "rehearsal (lab " + d.Lab + ")"
	}
	if d.Mode == string(state.ModeGuide) {
		return "live, guided for " + d.Host
	}
	return "live on " + d.Host
}

func writeDrillsMarkdown(w io.Writer, r *DrillReport) error {
	var b strings.Builder
	b.WriteString("# Disaster recovery drills\n\n")
	fmt.Fprintf(&b, "Generated %s UTC. %s\n\n", drillTime(r.Generated), r.summary())
	b.WriteString("Duration is the time worked on a run, without the time it lay stopped or interrupted. ")
	b.WriteString("Steps by hand are those the operator did and confirmed, or marked done.\n")
	for _, p := range r.Procedures {
		fmt.Fprintf(&b, "\n## %s\n\n", mdCell(strings.TrimSpace(p.Section+" "+p.Title)))
		if len(p.Runs) == 0 {
			b.WriteString("Never rehearsed, never run.\n")
			continue
		}
		fmt.Fprintf(&b, "%s, %s.\n\n", english.Plural(p.Rehearsals, "rehearsal", ""), english.Plural(p.LiveRuns, "live run", ""))
		b.WriteString("| Date (UTC) | Run | Where | Operator | Outcome | Duration | Steps done | By hand |\n")
		b.WriteString("|---|---|---|---|---|---|---|---|\n")
		for _, d := range p.Runs {
			fmt.Fprintf(&b, "| %s | `%s` | %s | %s | %s | %s | %d | %s |\n", drillTime(d.Started), d.RunID,
				mdCell(d.where()), mdCell(d.Operator), d.Outcome, d.Duration, d.StepsDone, mdCell(d.byHandWords()))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// mdCell keeps a value inside its table cell.
func mdCell(s string) string {
	s = strings.NewReplacer("|", `\|`, "\n", " ", "\r", " ").Replace(s)
	if s == "" {
		return "—"
	}
	return s
}

const drillsHTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="zenrecover">
<title>Disaster recovery drills</title>
<style>
{{.CSS}}
table.drills { border-collapse: collapse; width: 100%; font-size: 9pt; }
table.drills th, table.drills td { border: 1px solid #999; padding: 2px 4px; text-align: left; vertical-align: top; }
@page { margin: 13mm; }
</style>
</head>
<body>
<header>
<p class="kicker">ZENworks 11 SP3 Disaster Recovery — drills</p>
<h1>Disaster recovery drills</h1>
<p>Generated {{time .R.Generated}} UTC. {{summary .R}}</p>
<p>Duration is the time worked on a run, without the time it lay stopped or interrupted. Steps by hand are those the operator did and confirmed, or marked done.</p>
</header>
{{- range .R.Procedures}}
<section>
<h2>{{.Section}} {{.Title}}</h2>
{{- if not .Runs}}
<p>Never rehearsed, never run.</p>
{{- else}}
<p>{{plural .Rehearsals "rehearsal"}}, {{plural .LiveRuns "live run"}}.</p>
<table class="drills">
<tr><th>Date (UTC)</th><th>Run</th><th>Where</th><th>Operator</th><th>Outcome</th><th>Duration</th><th>Steps done</th><th>By hand</th></tr>
{{- range .Runs}}
<tr><td>{{time .Started}}</td><td><code>{{.RunID}}</code></td><td>{{where .}}</td><td>{{.Operator}}</td><td>{{.Outcome}}</td><td>{{.Duration}}</td><td>{{.StepsDone}}</td><td>{{byhand .}}</td></tr>
{{- end}}
</table>
{{- end}}
</section>
{{- end}}
</body>
</html>
`

func writeDrillsHTML(w io.Writer, r *DrillReport, theme fs.FS) error {
	var css []byte
	if theme != nil {
		css, _ = fs.ReadFile(theme, "sheet.css") // the drawing is plainer without it, nothing is lost
	}
	t, err := template.New("drills").Funcs(template.FuncMap{"time": drillTime, "plural": func(n int, w string) string { return english.Plural(n, w, "") },
		"summary": (*DrillReport).summary, "where": Drill.where, "byhand": Drill.byHandWords}).Parse(drillsHTML)
	if err != nil {
		return err
	}
	// The style sheet is ours, embedded in the binary: trusted CSS.
	return t.Execute(w, struct {
		CSS template.CSS
		R   *DrillReport
	}{template.CSS(css), r})
}
