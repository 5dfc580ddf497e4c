package tui

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"zenrecover/procedures"
	"zenrecover/runner"
)

// Small renderings of the run's data in words for the operator.

func answerWords(f *procedures.Fact, v string) string {
	if f.Type == "bool" {
		if b, err := procedures.ParseBool(v); err == nil {
			if b {
				return "yes"
			}
			return "no"
		}
	}
	return v
}

func attemptWords(n int) string {
	if n > 1 {
		return fmt.Sprintf(" (attempt %d)", n)
	}
	return ""
}

// parseOutcome reads a failed step's error. The runner hands over what the
// journal recorded, which may be its JSON detail; the operator gets words.
func parseOutcome(s string) (msg string, exit *int, verify string) {
	var d struct {
		Error    string `json:"error"`
		ExitCode *int   `json:"exit_code"`
		Verify   string `json:"verify"`
		DryRun   bool   `json:"dry_run"`
	}
	if strings.HasPrefix(strings.TrimSpace(s), "{") && json.Unmarshal([]byte(s), &d) == nil {
		if d.Error == "" {
			d.Error = "The step failed."
		}
		return d.Error, d.ExitCode, d.Verify
	}
	if s == "" {
		s = "The step failed."
	}
	return s, nil, ""
}

// ago says how long ago t was, roughly, for a tired reader.
func ago(t time.Time) string {
	d := time.Since(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h %02d min ago", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%d days ago", int(d.Hours()/24))
}

func modeWords(run runner.Run) string {
	switch run.Mode {
	case runner.ModeLab:
		return "rehearsal in the lab " + run.LabDir
	case runner.ModeDryRun:
		return "dry run (nothing is executed)"
	case runner.ModeGuide:
		return "guide for " + run.Host + " (nothing runs here)"
	}
	if run.Host != "" {
		return "live, on " + run.Host
	}
	return "live"
}

// stepOf and targetOf split a step key ("id@target").
func stepOf(key string) string {
	id, _, _ := strings.Cut(key, "@")
	return id
}

func targetOf(key string) string {
	_, t, _ := strings.Cut(key, "@")
	return t
}

// targetWords names the target of a fan-out step in a question.
func targetWords(target string) string {
	if target == "" {
		return ""
	}
	return " on " + target
}
