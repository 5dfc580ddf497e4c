package procedures

// Reports. Decisions beyond DESIGN.md:
//
//   - The report is read from the journal, the run's recorded definition
//     and its log; making one changes nothing, so it works on a run that
//     another zenrecover holds.
//   - Times are UTC and say so, to the second: reports from servers in
//     different zones line up.
//   - An attempt's output is the part of the run's log between its header
//     and the next attempt's, already masked when it was written; a report
//     cannot mask again (secrets are never stored), and says so. Only the
//     last 64 KiB of an attempt is shown; the report says how much more the
//     log holds.
//   - A step's history is in journal order: attempts with their outcomes
//     (an attempt with none is in doubt), and the decisions and their
//     reasons as typed.

import (
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"time"
)

// Report is what one run did: for an auditor (Markdown, HTML) and for
// tooling (JSON). runner fills it from the journal and the run's log; this
// package only draws it, so it is a plain value.
type Report struct {
	RunID       string    `json:"run_id"`
	ProcedureID string    `json:"procedure_id"`
	Section     string    `json:"section"`
	Title       string    `json:"title"`
	DefHash     string    `json:"definition_hash"`
	Mode        string    `json:"mode"` // live, lab or dry-run
	LabDir      string    `json:"lab_dir,omitempty"`
	Host        string    `json:"host"`
	Operator    string    `json:"operator"` // the user who started the run
	Version     string    `json:"zenrecover_version"`
	Status      string    `json:"status"` // active, stopped, completed, failed or abandoned
	Started     time.Time `json:"started"`
	Ended       time.Time `json:"ended,omitzero"`
	Generated   time.Time `json:"generated"`
	LogPath     string    `json:"log,omitempty"`

	Answers   []ReportAnswer    `json:"answers"`
	Steps     []ReportStep      `json:"steps"`
	Remaining []ReportRemaining `json:"remaining"`       // what is left of an unfinished run
	Stops     []ReportEntry     `json:"stops,omitempty"` // the run's own events: stopped, changed (answers), abandoned
	Totals    ReportTotals      `json:"totals"`

	// Secrets says how secrets were kept out of this report.
	Secrets string `json:"secrets"`
	// Problems are what could not be read (a missing log, a definition
	// that no longer loads); the rest of the report stands.
	Problems []string `json:"problems,omitempty"`
}

// ReportAnswer is one answer the run recorded. Secrets are never among
// them: the journal never holds one.
type ReportAnswer struct {
	ID    string    `json:"id"`
	Label string    `json:"label"` // the question or the prompt
	Value string    `json:"value"`
	Kind  string    `json:"kind"` // fact, input, or provided (set by a step)
	At    time.Time `json:"at,omitzero"`
	// Note says how zenrecover knew an answer nobody typed: a platform it
	// detected ("the lab is a windows layout").
	Note string `json:"note,omitempty"`
}

// ReportStep is one step of the procedure and what became of it.
type ReportStep struct {
	ID        string `json:"id"`
	Label     string `json:"label"` // "1.1 step 2, 3, 4", "2.1 step 6a › 1.3 step 1, 2, 3"
	Title     string `json:"title"`
	Depth     int    `json:"depth"`
	Kind      string `json:"kind"`
	Condition string `json:"condition,omitempty"`
	// Applies is yes, no (its condition ruled it out) or undecided (it
	// reads an answer the run has not recorded).
	Applies string `json:"applies"`
	// Status: pending, in-doubt, succeeded, failed, skipped, confirmed,
	// not-needed (Applies is no), or group (a step that only holds others).
	Status   string         `json:"status"`
	Attempts int            `json:"attempts"`
	InDoubt  int            `json:"in_doubt"` // attempts whose end zenrecover never saw
	Started  time.Time      `json:"started,omitzero"`
	Ended    time.Time      `json:"ended,omitzero"`
	History  []ReportEntry  `json:"history,omitempty"`
	Targets  []ReportTarget `json:"targets,omitempty"`
}

// ReportTarget is one server or device of a step that fans out.
type ReportTarget struct {
	Target   string        `json:"target"`
	Status   string        `json:"status"`
	Attempts int           `json:"attempts"`
	InDoubt  int           `json:"in_doubt"`
	History  []ReportEntry `json:"history,omitempty"`
}

// ReportEntry is one thing that happened to a step, in journal order.
type ReportEntry struct {
	// Kind: attempt, confirmed (a manual step done by hand), skipped,
	// resolved (a decision about an in-doubt or failed step), redo (a
	// finished step put back to run again), stopped, changed (an answer
	// corrected: Answer, Old, New), abandoned (the run ended for good).
	Kind    string    `json:"kind"`
	At      time.Time `json:"at"` // an attempt's start
	Ended   time.Time `json:"ended,omitzero"`
	Attempt int       `json:"attempt,omitempty"`
	// Result: an attempt's succeeded, failed or in-doubt (no outcome was
	// ever recorded); a resolution's done or not-done.
	Result          string `json:"result,omitempty"`
	ExitCode        *int   `json:"exit_code,omitempty"`
	Error           string `json:"error,omitempty"`
	Verify          string `json:"verify,omitempty"`
	Reason          string `json:"reason,omitempty"` // as the operator typed it
	User            string `json:"user,omitempty"`   // who changed an answer or abandoned the run
	Answer          string `json:"answer,omitempty"` // changed: the answer's question or prompt
	Old             string `json:"old,omitempty"`    // changed: the value before
	New             string `json:"new,omitempty"`    // changed: the value after
	DryRun          bool   `json:"dry_run,omitempty"`
	Output          string `json:"output,omitempty"`
	OutputTruncated int64  `json:"output_truncated,omitempty"` // bytes left out from the start
	// Command is what a guided run told the operator to run on the other
	// server, masked, for a confirmed step.
	Command []string `json:"command,omitempty"`
}

// ReportRemaining is a step an unfinished run has still to do.
type ReportRemaining struct {
	Label     string `json:"label"`
	Title     string `json:"title"`
	Status    string `json:"status"`
	Condition string `json:"condition,omitempty"`
}

// ReportTotals count what happened.
type ReportTotals struct {
	Steps       int `json:"steps"` // steps that apply (or may), groups aside
	Succeeded   int `json:"succeeded"`
	Confirmed   int `json:"confirmed"`
	Skipped     int `json:"skipped"`
	Failed      int `json:"failed"` // steps failed now
	InDoubt     int `json:"in_doubt"`
	Pending     int `json:"pending"`
	Attempts    int `json:"attempts"`
	Failures    int `json:"failures"`     // failed attempts, retried or not
	Retries     int `json:"retries"`      // attempts after the first
	DoubtsFound int `json:"doubts_found"` // attempts whose end was never seen
	Resolutions int `json:"resolutions"`
}

// Finished reports whether the run can change no more.
func (r *Report) Finished() bool {
	return r.Status == "completed" || r.Status == "failed" || r.Status == "abandoned"
}

// WriteReport writes the report as "md", "html" or "json".
func WriteReport(w io.Writer, r *Report, format string, theme fs.FS) error {
	switch format {
	case "md", "markdown":
		return WriteReportMarkdown(w, r)
	case "html":
		return WriteReportHTML(w, r, theme)
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	return fmt.Errorf("report format %q: choose md, html or json", format)
}

// reportTime is how a report writes a moment: UTC, said so, to the
// second, so that reports from servers in different zones line up.
func reportTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04:05") + " UTC"
}

func reportDuration(from, to time.Time) string {
	if from.IsZero() || to.IsZero() || to.Before(from) {
		return ""
	}
	d := to.Sub(from)
	switch {
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1f s", d.Seconds())
	case d < time.Hour:
		return fmt.Sprintf("%dm %02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh %02dm", int(d.Hours()), int(d.Minutes())%60)
}

// ModeWords says what the mode means for what was touched.
func (r *Report) ModeWords() string {
	switch r.Mode {
	case "lab":
		if r.LabDir != "" {
			return "lab: a rehearsal against the simulated server in " + r.LabDir
		}
		return "lab: a rehearsal against a simulated server"
	case "dry-run":
		return "dry run: nothing was executed"
	case "live":
		return "live: on the real server"
	}
	return r.Mode
}

// StatusWords says where the run stands.
func (r *Report) StatusWords() string {
	switch r.Status {
	case "completed":
		return "completed"
	case "failed":
		return "failed"
	case "stopped":
		return "stopped by the operator; it can be resumed (zenrecover resume " + r.RunID + ")"
	case "active":
		return "not finished: running now, or interrupted (zenrecover resume " + r.RunID + ")"
	case "abandoned":
		for _, e := range r.Stops {
			if e.Kind == "abandoned" {
				s := "abandoned: ended for good"
				if e.User != "" {
					s += " by " + e.User
				}
				return s + ", reason: " + quoted(e.Reason)
			}
		}
		return "abandoned: ended for good"
	}
	return r.Status
}

// SummaryWords is the report's first sentence about the steps.
func (r *Report) SummaryWords() string {
	t := r.Totals
	var parts []string
	add := func(n int, one, many string) {
		if n == 1 {
			parts = append(parts, "1 "+one)
		} else if n > 1 {
			parts = append(parts, fmt.Sprintf("%d %s", n, many))
		}
	}
	add(t.Succeeded, "succeeded", "succeeded")
	add(t.Confirmed, "done by hand", "done by hand")
	add(t.Skipped, "skipped", "skipped")
	add(t.Failed, "failed", "failed")
	add(t.InDoubt, "in doubt", "in doubt")
	add(t.Pending, "still to do", "still to do")
	s := fmt.Sprintf("%d steps applied: %s.", t.Steps, strings.Join(parts, ", "))
	if t.Steps == 1 {
		s = "1 step applied: " + strings.Join(parts, ", ") + "."
	}
	var ev []string
	plural := func(n int, one, many string) {
		if n == 1 {
			ev = append(ev, "1 "+one)
		} else if n > 1 {
			ev = append(ev, fmt.Sprintf("%d %s", n, many))
		}
	}
	plural(t.Attempts, "command run", "commands run")
	plural(t.Failures, "failure", "failures")
	plural(t.Retries, "retry", "retries")
	plural(t.DoubtsFound, "attempt in doubt", "attempts in doubt")
	plural(t.Resolutions, "decision recorded", "decisions recorded")
	if len(ev) > 0 {
		s += " " + upperFirst(strings.Join(ev, ", ")) + "."
	}
	return s
}

// Words tells an entry in one sentence, without its output.
func (e ReportEntry) Words() string {
	switch e.Kind {
	case "attempt":
		s := fmt.Sprintf("Attempt %d, started %s", e.Attempt, reportTime(e.At))
		if !e.Ended.IsZero() {
			s += ", ended " + reportTime(e.Ended)
			if d := reportDuration(e.At, e.Ended); d != "" {
				s += " (" + d + ")"
			}
		}
		switch e.Result {
		case "succeeded":
			s += ": succeeded"
			if e.DryRun {
				s += " (dry run: nothing was executed)"
			}
		case "failed":
			s += ": FAILED"
			if e.ExitCode != nil {
				s += fmt.Sprintf(", exit code %d", *e.ExitCode)
			}
			if e.Error != "" {
				s += ": " + e.Error
			}
		default:
			s += ": IN DOUBT, no outcome was recorded (zenrecover was stopped, killed or lost its session while it ran)"
		}
		if e.Verify != "" {
			s += ". Verify: " + e.Verify
		}
		return s + "."
	case "confirmed":
		s := "Done by hand, confirmed " + reportTime(e.At) + "."
		if len(e.Command) > 0 {
			s += " Command given: " + strings.Join(e.Command, " ") + "."
		}
		if e.Verify != "" {
			s += " Checks " + e.Verify + "."
		}
		return s
	case "skipped":
		return "Skipped " + reportTime(e.At) + ", reason: " + quoted(e.Reason)
	case "resolved":
		what := "Settled as done"
		if e.Result == "not-done" {
			what = "Marked not done, to run again,"
		}
		return what + " " + reportTime(e.At) + ", reason: " + quoted(e.Reason)
	case "redo":
		return "Put back to run again " + reportTime(e.At) + ", reason: " + quoted(e.Reason)
	case "changed":
		s := fmt.Sprintf("Answer to “%s” changed from “%s” to “%s” %s", e.Answer, e.Old, e.New, reportTime(e.At))
		if e.User != "" {
			s += " by " + e.User
		}
		return s + ", reason: " + quoted(e.Reason)
	case "abandoned":
		s := "Run abandoned " + reportTime(e.At)
		if e.User != "" {
			s += " by " + e.User
		}
		return s + ", reason: " + quoted(e.Reason)
	case "stopped":
		s := "Run stopped " + reportTime(e.At)
		if e.Reason != "" {
			s += ", reason: " + quoted(e.Reason)
		} else {
			s += "."
		}
		return s
	}
	return e.Kind + " " + reportTime(e.At)
}

func quoted(s string) string {
	if strings.TrimSpace(s) == "" {
		return "(none given)."
	}
	return "“" + s + "”."
}

// StatusWords says in a word or two where a step stands.
func StatusWords(status string) string {
	switch status {
	case "in-doubt":
		return "in doubt"
	case "not-needed":
		return "not needed"
	case "confirmed":
		return "done by hand"
	case "group":
		return ""
	}
	return status
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// ReportSecretsNote is what every report says about secrets.
const ReportSecretsNote = "Secrets (passwords, passphrases) are never stored: not in the journal, not in this report. " +
	"Command output is shown as the run's log recorded it, where every secret typed during the run was already masked " +
	"(••••••) before it was written; the secrets themselves are not known when a report is made, so it cannot mask again."
