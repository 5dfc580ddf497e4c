package readiness

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/dustin/go-humanize/english"

	"zenrecover/archive"
	"zenrecover/lab"
	"zenrecover/procedures"
	"zenrecover/state"
)

// Scheduled archives (issue 15 item 3): a systemd timer (or cron) runs
// `zenrecover schedule run`, which archives the content repository to
// the team's age recipients (no passphrase, so nothing to store or
// escrow), keeps the last N sets it made, and records the run in the
// journal like a procedure's run: a run of ScheduledProcedure whose
// recorded definition has one archive step of the content repository, so
// the backup checks count it as they count 1.1 step 5.

// ScheduledProcedure is the procedure id of the scheduled archives' runs.
const ScheduledProcedure = "scheduled-archive"

// scheduledDefinition is recorded with each scheduled run. It is not in
// the library: nobody runs it by hand (1.1 and `zenrecover archive` do
// that); it says what the run did, as every run's recorded definition does.
const scheduledDefinition = `id: scheduled-archive
title: Scheduled archive of the content repository
section: "1.1"
summary: Archive the content repository to the team's age recipients, on a timer (1.1 step 6, "on a regular basis").
platforms: [linux]
inputs:
  - id: content_archive
    type: path
    prompt: Archive set to write the content repository to
steps:
  - id: content-repo
    ref: "5"
    title: Archive the content repository to the team's recipients
    idempotent: true
    archive:
      from: /var/opt/novell/zenworks/content-repo
      to: ${content_archive}
      require: [images]
    verify:
      - archive-complete: ${content_archive}
`

// scheduledName is the name of a set the schedule makes; only those are
// ever removed to keep the last N.
var scheduledName = regexp.MustCompile(`^content-repo-\d{4}-\d{2}-\d{2}-\d{6}\.archive$`)

// ScheduledRun says what one scheduled archive is to do.
type ScheduledRun struct {
	Store *state.Store
	// Lab archives a lab's content repository into the lab, as a
	// rehearsal of the schedule (a lab run); nil is this server.
	Lab *lab.Lab
	// Dest is the folder the sets go in, as the server names it.
	Dest string
	// Keep is how many of the schedule's sets to keep (at least 1).
	Keep       int
	Recipients []string
	Version    string // zenrecover's, for the run record
	Now        time.Time
}

// ScheduledResult is what a scheduled archive did.
type ScheduledResult struct {
	RunID   string
	Set     string // as the server names it
	Files   int64
	Bytes   int64
	Removed []string
}

// RunScheduled archives the content repository once, journaled as a run:
// started (committed before the archive begins), then succeeded or
// failed, and the run completed or failed.
func RunScheduled(ctx context.Context, o ScheduledRun) (*ScheduledResult, error) {
	if len(o.Recipients) == 0 {
		return nil, errors.New("scheduled archive: no recipients; a scheduled archive is sealed to the team's public keys, never a stored passphrase")
	}
	if o.Keep < 1 {
		return nil, fmt.Errorf("scheduled archive: keep must be at least 1, not %d", o.Keep)
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	def, err := procedures.ParseBundle(ScheduledProcedure, []byte(scheduledDefinition))
	if err != nil {
		return nil, fmt.Errorf("scheduled archive definition: %w", err) // a bug: the text is ours
	}
	t := newTarget(Options{Lab: o.Lab})
	mode, labDir := state.ModeLive, ""
	if o.Lab != nil {
		mode, labDir = state.ModeLab, o.Lab.Dir()
	}
	src := t.path(t.layout.ContentRepo)
	set := t.layout.Join(o.Dest, "content-repo-"+o.Now.Local().Format("2006-01-02-150405")+".archive")
	lock, err := o.Store.Lock(ScheduledProcedure, t.host, state.LockInfo{})
	if err != nil {
		return nil, err
	}
	defer lock.Release()
	run, err := o.Store.CreateRun(ctx, state.Run{ProcedureID: ScheduledProcedure, DefHash: def.Hash, DefText: def.Source,
		StepHashes: map[string]string{}, Mode: mode, LabDir: labDir, Host: t.host, Version: o.Version})
	if err != nil {
		return nil, err
	}
	res := &ScheduledResult{RunID: run.ID, Set: set}
	if err := lock.SetRunAt(run.ID, run.StartedAt); err != nil {
		return res, err
	}
	add := func(e state.Event) error {
		e.RunID = run.ID
		_, err := o.Store.Append(ctx, run.OwnerToken, e)
		return err
	}
	finish := func(st state.RunStatus) {
		_ = o.Store.SetStatus(context.WithoutCancel(ctx), run.ID, run.OwnerToken, st)
	}
	if err := add(state.Event{Kind: state.EventAnswered, Key: "content_archive", Value: set}); err != nil {
		finish(state.RunFailed)
		return res, err
	}
	started, _ := json.Marshal(map[string]any{"action": "archive " + t.layout.ContentRepo + " to " + set + " for " +
		english.Plural(len(o.Recipients), "recipient", "")})
	if err := add(state.Event{Kind: state.EventStarted, Step: "content-repo", PID: os.Getpid(), Detail: string(started)}); err != nil {
		finish(state.RunFailed)
		return res, err
	}
	if err := os.MkdirAll(t.path(o.Dest), 0o700); err != nil {
		return res, failScheduled(ctx, o, run, err)
	}
	r, err := archive.Create(ctx, src, t.path(set), archive.CreateOptions{Recipients: o.Recipients, Require: []string{"images"}})
	if err != nil {
		return res, failScheduled(ctx, o, run, err)
	}
	res.Files, res.Bytes = r.Files, r.Bytes
	res.Removed = prune(t, o.Dest, o.Keep)
	done, _ := json.Marshal(map[string]any{"action": fmt.Sprintf("archived %d files (%s) to %s", r.Files, archive.Bytes(r.Bytes), set),
		"removed": res.Removed})
	if err := add(state.Event{Kind: state.EventSucceeded, Step: "content-repo", Detail: string(done)}); err != nil {
		finish(state.RunFailed)
		return res, err
	}
	if err := o.Store.SetStatus(ctx, run.ID, run.OwnerToken, state.RunCompleted); err != nil {
		return res, err
	}
	return res, nil
}

func failScheduled(ctx context.Context, o ScheduledRun, run state.Run, cause error) error {
	ctx = context.WithoutCancel(ctx) // a stopped archive is recorded as failed all the same
	detail, _ := json.Marshal(map[string]any{"error": cause.Error()})
	_, _ = o.Store.Append(ctx, run.OwnerToken, state.Event{RunID: run.ID, Kind: state.EventFailed, Step: "content-repo", Detail: string(detail)})
	_ = o.Store.SetStatus(ctx, run.ID, run.OwnerToken, state.RunFailed)
	return cause
}

// prune removes the schedule's oldest complete sets beyond keep. Sets the
// schedule did not make (other names) are never touched.
func prune(t target, dest string, keep int) []string {
	entries, err := os.ReadDir(t.path(dest))
	if err != nil {
		return nil
	}
	var sets []string
	for _, e := range entries {
		if e.IsDir() && scheduledName.MatchString(e.Name()) {
			if st, err := archive.Inspect(filepath.Join(t.path(dest), e.Name())); err == nil && st.State == archive.StateComplete {
				sets = append(sets, e.Name())
			}
		}
	}
	sort.Strings(sets) // the name is the time it was made
	var removed []string
	for len(sets) > keep {
		if os.RemoveAll(filepath.Join(t.path(dest), sets[0])) == nil {
			removed = append(removed, t.layout.Join(dest, sets[0]))
		}
		sets = sets[1:]
	}
	return removed
}

// Schedule is what `zenrecover schedule install` writes.
type Schedule struct {
	// Exe is the zenrecover binary the timer runs; StatePath its state.
	Exe, StatePath string
	// Dest, Keep and RecipientsFile are given to `schedule run`.
	Dest           string
	Keep           int
	RecipientsFile string
	// Hour and Minute are when it runs each day (local time).
	Hour, Minute int
}

// UnitName is the name of the service and the timer.
const UnitName = "zenrecover-archive"

// unitMarker starts every file install writes; remove deletes only
// files that carry it.
const unitMarker = "# Written by zenrecover schedule install."

// HasUnitMarker reports whether a unit file's text was written by install.
func HasUnitMarker(text string) bool { return strings.HasPrefix(text, unitMarker) }

func (s Schedule) args() []string {
	return []string{s.Exe, "--state", s.StatePath, "schedule", "run", "--to", s.Dest,
		"--keep", fmt.Sprint(s.Keep), "--recipients-file", s.RecipientsFile}
}

// Units returns the service and the timer.
func (s Schedule) Units() (service, timer string) {
	var exec []string
	for _, a := range s.args() {
		exec = append(exec, systemdQuote(a))
	}
	service = unitMarker + `
[Unit]
Description=zenrecover: archive the ZENworks content repository for the team
ConditionPathIsDirectory=` + lab.ServerContentRepo + `

[Service]
Type=oneshot
ExecStart=` + strings.Join(exec, " ") + `
UMask=0077
Nice=10
IOSchedulingClass=idle
`
	timer = unitMarker + `
[Unit]
Description=zenrecover: archive the content repository every day at ` + fmt.Sprintf("%02d:%02d", s.Hour, s.Minute) + `

[Timer]
OnCalendar=*-*-* ` + fmt.Sprintf("%02d:%02d:00", s.Hour, s.Minute) + `
Persistent=true
Unit=` + UnitName + `.service

[Install]
WantedBy=timers.target
`
	return service, timer
}

// CronLine is the same schedule for cron (root's crontab).
func (s Schedule) CronLine() string {
	var q []string
	for _, a := range s.args() {
		q = append(q, shellQuote(a))
	}
	// cron reads % as a line break: escape it.
	return fmt.Sprintf("%d %d * * * %s", s.Minute, s.Hour, strings.ReplaceAll(strings.Join(q, " "), "%", `\%`))
}

// systemdQuote writes one ExecStart argument: % and $ escaped (systemd
// expands specifiers and variables there), quoted when it holds a space
// or a quote.
func systemdQuote(a string) string {
	a = strings.NewReplacer("%", "%%", "$", "$$").Replace(a)
	if a != "" && !strings.ContainsAny(a, " \t\"'\\;") {
		return a
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(a) + `"`
}

func shellQuote(a string) string {
	if a != "" && !strings.ContainsAny(a, " \t\n\"'\\$`;&|<>()*?[]#~!{}") {
		return a
	}
	return "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
}

// ScheduledRuns lists the scheduled archives' runs, newest first: for
// `schedule status`.
func ScheduledRuns(ctx context.Context, st *state.Store, max int) ([]state.Run, error) {
	runs, err := st.Runs(ctx)
	if err != nil {
		return nil, err
	}
	var out []state.Run
	for _, r := range runs {
		if r.ProcedureID == ScheduledProcedure && len(out) < max {
			r.DefText = nil
			out = append(out, r)
		}
	}
	return out, nil
}
