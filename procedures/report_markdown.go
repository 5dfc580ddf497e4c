package procedures

import (
	"fmt"
	"io"
	"strings"
)

// WriteReportMarkdown writes the report for a ticket or a wiki page.
func WriteReportMarkdown(w io.Writer, r *Report) error {
	m := &mdSheet{}
	m.printf("# Report of run %s\n\n", md(r.RunID))
	m.printf("**%s %s**: %s\n\n", r.Section, md(r.Title), md(r.StatusWords()))
	m.printf("| | |\n|:--|:--|\n")
	row := func(k, v string) { m.printf("| **%s** | %s |\n", k, v) }
	row("Procedure", fmt.Sprintf("%s %s (`%s`)", r.Section, md(r.Title), r.ProcedureID))
	row("Definition", "sha256 `"+r.DefHash+"`")
	row("Mode", md(r.ModeWords()))
	row("Host", md(r.Host))
	row("Operator", md(r.Operator))
	row("Started", reportTime(r.Started))
	if r.Ended.IsZero() {
		row("Ended", "not finished")
	} else {
		row("Ended", reportTime(r.Ended)+" ("+reportDuration(r.Started, r.Ended)+")")
	}
	row("Status", md(r.Status))
	row("zenrecover", md(r.Version))
	m.printf("\n%s\n\n", md(r.SummaryWords()))

	for _, p := range r.Problems {
		m.printf("> **NOTE:** %s\n\n", md(p))
	}
	if !r.Finished() {
		m.printf("## What is left\n\n")
		if len(r.Remaining) == 0 {
			m.printf("Nothing: every step that applies is finished; resuming the run marks it completed.\n\n")
		}
		for _, x := range r.Remaining {
			line := fmt.Sprintf("- **%s** %s: %s", md(x.Label), md(x.Title), md(StatusWords(x.Status)))
			if x.Condition != "" {
				line += " (" + md(lowerFirst(x.Condition)) + ")"
			}
			m.printf("%s\n", line)
		}
		if len(r.Remaining) > 0 {
			m.printf("\n")
		}
	}

	if len(r.Answers) > 0 {
		m.printf("## Answers\n\n| Question | Answer | Recorded |\n|:--|:--|:--|\n")
		for _, a := range r.Answers {
			when := reportTime(a.At)
			if a.At.IsZero() {
				when = md(a.Kind)
			}
			note := ""
			if a.Note != "" {
				note = " (" + md(a.Note) + ")"
			}
			m.printf("| %s | `%s`%s | %s |\n", md(a.Label), strings.ReplaceAll(a.Value, "`", "'"), note, when)
		}
		m.printf("\n")
	}

	m.printf("## Steps\n\n| Step | Title | Outcome | Attempts | Started | Ended |\n|:--|:--|:--|:--|:--|:--|\n")
	for _, s := range r.Steps {
		if s.Status == "group" {
			m.printf("| **%s** | **%s** | | | | |\n", md(s.Label), md(s.Title))
			continue
		}
		att := ""
		if s.Attempts > 0 {
			att = fmt.Sprint(s.Attempts)
			if s.InDoubt > 0 {
				att += fmt.Sprintf(" (%d in doubt)", s.InDoubt)
			}
		}
		start, end := "", ""
		if !s.Started.IsZero() {
			start = reportTime(s.Started)
		}
		if !s.Ended.IsZero() {
			end = reportTime(s.Ended)
		}
		m.printf("| %s | %s | %s | %s | %s | %s |\n", md(s.Label), md(s.Title), mdStatus(s.Status), att, start, end)
	}
	m.printf("\n")

	for _, s := range r.Steps {
		if len(s.History) == 0 && len(s.Targets) == 0 {
			continue
		}
		m.printf("### %s · %s\n\n", md(s.Label), md(s.Title))
		m.printf("Outcome: %s.", mdStatus(s.Status))
		if s.Condition != "" {
			m.printf(" %s.", md(s.Condition))
		}
		m.printf("\n\n")
		m.entries(s.History, "")
		for _, t := range s.Targets {
			m.printf("- **%s**: %s\n\n", md(t.Target), mdStatus(t.Status))
			m.entries(t.History, "  ")
		}
	}

	if len(r.Stops) > 0 {
		m.printf("## Stops\n\n")
		for _, e := range r.Stops {
			m.printf("- %s\n", md(e.Words()))
		}
		m.printf("\n")
	}

	m.printf("## Secrets\n\n%s\n\n", md(r.Secrets))
	m.printf("## Review\n\n| | Name | Date and time | Signature |\n|:--|:--|:--|:--|\n| **Operator** | | | |\n| **Reviewed by** | | | |\n\n")
	m.printf("*Report made %s by zenrecover from the run's journal", reportTime(r.Generated))
	if r.LogPath != "" {
		m.printf(" and its log (`%s`)", r.LogPath)
	}
	m.printf(".*\n")
	_, err := io.WriteString(w, m.b.String())
	return err
}

func (m *mdSheet) entries(es []ReportEntry, indent string) {
	for _, e := range es {
		m.printf("%s- %s\n", indent, md(e.Words()))
		if e.Output != "" {
			fence := mdFence(e.Output)
			m.printf("\n%s  Output", indent)
			if e.OutputTruncated > 0 {
				m.printf(" (its last part; %d bytes before it are in the log)", e.OutputTruncated)
			}
			m.printf(":\n\n%s  %stext\n", indent, fence)
			for _, l := range strings.Split(strings.TrimRight(e.Output, "\n"), "\n") {
				m.printf("%s  %s\n", indent, l)
			}
			m.printf("%s  %s\n", indent, fence)
		}
		m.printf("\n")
	}
}

// mdFence is a code fence longer than any run of backticks in s, so that
// output cannot close it early.
func mdFence(s string) string {
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return strings.Repeat("`", max(3, longest+1))
}

func mdStatus(s string) string {
	w := StatusWords(s)
	switch s {
	case "failed", "in-doubt":
		return "**" + strings.ToUpper(w) + "**"
	case "succeeded", "confirmed", "skipped", "pending":
		return "**" + w + "**"
	}
	return w
}
