package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/dustin/go-humanize/english"
	"github.com/spf13/cobra"

	"zenrecover/archive"
	"zenrecover/lab"
	"zenrecover/readiness"
	"zenrecover/state"
)

// defaultUnitDir is where an administrator's own systemd units go.
const defaultUnitDir = "/etc/systemd/system"

func newScheduleCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "schedule",
		Short: "Archive the content repository on a timer, to the team's age recipients",
		Long: `The reference has the content repository backed up "on a regular basis" (1.1
step 6). schedule install writes a systemd service and timer that run
` + "`zenrecover schedule run`" + ` every day: it archives the content repository to
the team's age recipients (no passphrase is stored anywhere), keeps the last N
sets it made, and records each run in the journal, where doctor sees it.`,
		Example: `  zenrecover schedule install --keep 14
  zenrecover schedule status
  zenrecover schedule remove`,
	}
	cmd.AddCommand(newScheduleInstallCmd(g), newScheduleStatusCmd(g), newScheduleRemoveCmd(), newScheduleRunCmd(g))
	return cmd
}

type scheduleFlags struct {
	dest, recipFile string
	keep            int
}

func (f *scheduleFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.dest, "to", lab.ServerBackupDir, "the folder the archive sets go in")
	cmd.Flags().IntVar(&f.keep, "keep", 7, "how many of the schedule's sets to keep")
	cmd.Flags().StringVar(&f.recipFile, "recipients-file", "", "the team's age or SSH public keys, one a line (default: the team's file)")
}

// recipients reads the recipients file (the team's by default) and
// returns its absolute path: the timer runs without the operator's home.
func (f *scheduleFlags) recipients() (string, []string, error) {
	p := f.recipFile
	if p == "" {
		var err error
		if p, err = archive.TeamRecipientsFile(); err != nil {
			return "", nil, usageErr("the team's recipients file: %v; give --recipients-file", err)
		}
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", nil, usageErr("%v", err)
	}
	rs, err := archive.ReadRecipientsFile(abs)
	if err != nil {
		return "", nil, usageErr("recipients: %v", err)
	}
	if len(rs) == 0 {
		return "", nil, usageErr("%s lists no recipients: a scheduled archive is sealed to the team's public keys (age or SSH), one a line, never to a stored passphrase", abs)
	}
	return abs, rs, nil
}

func newScheduleInstallCmd(g *globals) *cobra.Command {
	var (
		f       scheduleFlags
		at      string
		unitDir string
	)
	cmd := &cobra.Command{
		Use:   "install [--to DIR] [--keep N] [--at HH:MM]",
		Short: "Write the systemd service and timer (and print the cron line that does the same)",
		Long: `Writes ` + readiness.UnitName + `.service and ` + readiness.UnitName + `.timer into the unit folder
(` + defaultUnitDir + `), to run every day at --at (local time), and prints the
cron line that does the same. The units name this zenrecover binary, the state
database and the recipients file by their absolute paths. Nothing is enabled:
the command to do it is printed (systemctl enable --now ` + readiness.UnitName + `.timer).`,
		Example: `  zenrecover schedule install
  zenrecover schedule install --to /mnt/backup/zcm --keep 14 --at 01:15`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var s readiness.Schedule
			if _, err := fmt.Sscanf(at, "%d:%d", &s.Hour, &s.Minute); err != nil || s.Hour < 0 || s.Hour > 23 || s.Minute < 0 || s.Minute > 59 {
				return usageErr("--at %q: give a time of day as HH:MM", at)
			}
			if f.keep < 1 {
				return usageErr("--keep must be at least 1, not %d", f.keep)
			}
			if !filepath.IsAbs(f.dest) {
				return usageErr("--to %q: give an absolute folder (the timer does not run where you are)", f.dest)
			}
			recipFile, rs, err := f.recipients()
			if err != nil {
				return err
			}
			exe, err := os.Executable()
			if err == nil {
				exe, err = filepath.EvalSymlinks(exe)
			}
			if err != nil {
				return &exitError{code: exitFailed, err: fmt.Errorf("where this zenrecover is: %w", err)}
			}
			statePath := g.statePath
			if statePath == "" {
				if statePath, err = state.DefaultPath(); err != nil {
					return &exitError{code: exitFailed, err: err}
				}
			}
			if statePath, err = filepath.Abs(statePath); err != nil {
				return usageErr("%v", err)
			}
			s.Exe, s.StatePath, s.Dest, s.Keep, s.RecipientsFile = exe, statePath, f.dest, f.keep, recipFile
			service, timer := s.Units()
			w := cmd.OutOrStdout()
			for _, u := range []struct{ name, text string }{{".service", service}, {".timer", timer}} {
				p := filepath.Join(unitDir, readiness.UnitName+u.name)
				if err := refuseForeign(p); err != nil {
					return err
				}
				// writeOutput says "wrote P" on standard error.
				if err := writeOutput(w, cmd.ErrOrStderr(), p, []byte(u.text), 0o644); err != nil {
					return err
				}
			}
			fmt.Fprintf(w, "Every day at %02d:%02d it archives %s to %s for %s (listed in %s), keeping the last %d sets.\n",
				s.Hour, s.Minute, lab.ServerContentRepo, f.dest, english.Plural(len(rs), "recipient", ""), recipFile, f.keep)
			fmt.Fprintf(w, "Enable it:  systemctl daemon-reload && systemctl enable --now %s.timer\n", readiness.UnitName)
			fmt.Fprintf(w, "Or with cron instead (root's crontab):\n%s\n", s.CronLine())
			return nil
		},
	}
	f.add(cmd)
	cmd.Flags().StringVar(&at, "at", "02:30", "the time of day it runs, HH:MM")
	cmd.Flags().StringVar(&unitDir, "unit-dir", defaultUnitDir, "the folder the units are written to")
	return cmd
}

// refuseForeign refuses to replace a unit file that install did not write.
func refuseForeign(p string) error {
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return &exitError{code: exitFailed, err: err}
	}
	if !readiness.HasUnitMarker(string(b)) {
		return usageErr("%s exists and was not written by zenrecover: it is left as it is", p)
	}
	return nil
}

// countOf is "1 recipient", "3 recipients".

func newScheduleStatusCmd(g *globals) *cobra.Command {
	var unitDir string
	cmd := &cobra.Command{
		Use:     "status",
		Short:   "Say whether the schedule is installed, and what its last runs did",
		Example: `  zenrecover schedule status`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w := cmd.OutOrStdout()
			installed := true
			for _, ext := range []string{".service", ".timer"} {
				p := filepath.Join(unitDir, readiness.UnitName+ext)
				b, err := os.ReadFile(p)
				switch {
				case err != nil:
					installed = false
					fmt.Fprintf(w, "%s: not installed\n", p)
				case !readiness.HasUnitMarker(string(b)):
					fmt.Fprintf(w, "%s: not written by zenrecover\n", p)
				default:
					fmt.Fprintf(w, "%s: installed\n", p)
					for _, l := range strings.Split(string(b), "\n") {
						if strings.HasPrefix(l, "ExecStart=") || strings.HasPrefix(l, "OnCalendar=") {
							fmt.Fprintf(w, "  %s\n", l)
						}
					}
				}
			}
			if installed {
				fmt.Fprintf(w, "Is it enabled, and when next: systemctl list-timers %s.timer\n", readiness.UnitName)
			}
			st, err := g.openStore()
			if err != nil {
				return err
			}
			defer st.Close()
			runs, err := readiness.ScheduledRuns(cmd.Context(), st, 5)
			if err != nil {
				return err
			}
			if len(runs) == 0 {
				fmt.Fprintln(w, "No scheduled archive has run yet.")
				return nil
			}
			fmt.Fprintln(w, "Last runs:")
			for _, r := range runs {
				where := r.Host
				if r.LabDir != "" {
					where = "lab " + r.LabDir
				}
				fmt.Fprintf(w, "  %s  %s  %s  %s\n", r.StartedAt.UTC().Format("2006-01-02 15:04 UTC"), r.Status, r.ID, where)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&unitDir, "unit-dir", defaultUnitDir, "the folder the units are in")
	return cmd
}

func newScheduleRemoveCmd() *cobra.Command {
	var unitDir string
	cmd := &cobra.Command{
		Use:   "remove",
		Short: "Remove the schedule's service and timer (the archives stay)",
		Long: `Removes the service and the timer that install wrote (a unit file it did not
write is left alone), and the timer's enablement link. The archive sets stay.`,
		Example: `  zenrecover schedule remove`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w := cmd.OutOrStdout()
			removed := 0
			for _, ext := range []string{".timer", ".service"} {
				p := filepath.Join(unitDir, readiness.UnitName+ext)
				if err := refuseForeign(p); err != nil {
					return err
				}
				if err := os.Remove(p); err == nil {
					removed++
					fmt.Fprintf(w, "Removed %s\n", p)
				} else if !errors.Is(err, fs.ErrNotExist) {
					return &exitError{code: exitFailed, err: err}
				}
			}
			// What `systemctl disable` removes: the timer's link in the
			// target's wants folder, if it points at our file.
			link := filepath.Join(unitDir, "timers.target.wants", readiness.UnitName+".timer")
			if to, err := os.Readlink(link); err == nil && filepath.Base(to) == readiness.UnitName+".timer" {
				if os.Remove(link) == nil {
					fmt.Fprintf(w, "Removed %s\n", link)
				}
			}
			if removed == 0 {
				fmt.Fprintln(w, "The schedule was not installed.")
				return nil
			}
			fmt.Fprintf(w, "Stop a timer still loaded: systemctl stop %s.timer && systemctl daemon-reload\n", readiness.UnitName)
			return nil
		},
	}
	cmd.Flags().StringVar(&unitDir, "unit-dir", defaultUnitDir, "the folder the units are in")
	return cmd
}

func newScheduleRunCmd(g *globals) *cobra.Command {
	var (
		f      scheduleFlags
		labDir string
	)
	cmd := &cobra.Command{
		Use:   "run [--lab DIR] [--to DIR] [--keep N]",
		Short: "Archive the content repository once, as the timer does (journaled)",
		Example: `  zenrecover schedule run
  zenrecover schedule run --lab /tmp/zenlab --keep 2      # rehearse it`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, rs, err := f.recipients()
			if err != nil {
				return err
			}
			o := readiness.ScheduledRun{Dest: f.dest, Keep: f.keep, Recipients: rs, Version: version()}
			if labDir != "" {
				if o.Lab, err = openLab(labDir); err != nil {
					return err
				}
			}
			st, err := g.openStore()
			if err != nil {
				return err
			}
			defer st.Close()
			o.Store = st
			r, err := readiness.RunScheduled(cmd.Context(), o)
			if err != nil {
				return &exitError{code: exitFailed, err: fmt.Errorf("scheduled archive: %w", err)}
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "Archived %d files (%s) to %s for %s. Run %s.\n", r.Files, archive.Bytes(r.Bytes), r.Set,
				english.Plural(len(rs), "recipient", ""), r.RunID)
			for _, p := range r.Removed {
				fmt.Fprintf(w, "Removed the older set %s (keeping %d).\n", p, f.keep)
			}
			return nil
		},
	}
	f.add(cmd)
	cmd.Flags().StringVar(&labDir, "lab", "", "archive a lab's content repository into the lab (a rehearsal)")
	return cmd
}
