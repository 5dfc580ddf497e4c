package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/charmbracelet/colorprofile"

	tea "charm.land/bubbletea/v2"

	"zenrecover/procedures"
	"zenrecover/readiness"
	"zenrecover/runner"
)

// Config is what the wizard needs from the command line.
type Config struct {
	Library *procedures.Library
	Options runner.Options
	// Preset holds answers given up front (an answers file), for the
	// procedure named to RunWizard only.
	Preset            procedures.Values
	NoColor           bool
	Version           string
	ZENworksInstalled bool
	// NewLab builds a fresh lab for "rehearse" and returns its directory;
	// nil when rehearsing is not possible.
	NewLab func() (labDir string, err error)
	// Out receives the last words after the screen closes (how to resume);
	// nil means standard output.
	Out io.Writer
	// AtRisk is true when the wizard runs over SSH outside tmux or
	// screen: a dropped connection would stop it, so the first screen
	// says how to start it safely (see SessionAtRisk).
	AtRisk bool
	// Readiness makes doctor's checks for the picker's readiness line and
	// screen (doctor.go); nil shows neither.
	Readiness func(context.Context) (*readiness.Result, error)
}

// sessionWarning is shown once, on the first screen, until a key is pressed.
func sessionWarning() []string {
	return []string{
		"Not in tmux or screen: if this SSH session drops, the run stops (resumable).",
		"To ride out a drop, start it as: tmux new -A -s zenrecover zenrecover",
	}
}

// interruptWait bounds how long the wizard waits, on its way out, for an
// interrupted command to end (its process group gets SIGTERM, then SIGKILL).
const interruptWait = 15 * time.Second

// RunWizard runs the full-screen wizard: the unfinished run resume (if not
// nil) first, else the procedure procID, else the picker. It returns
// runner.ExitCompleted, runner.ExitStopped (the run can be resumed) or runner.ExitFailed.
func RunWizard(ctx context.Context, cfg Config, resume *runner.Run, procID string) (int, error) {
	if cfg.Library == nil {
		return runner.ExitFailed, errors.New("wizard: no procedures loaded")
	}
	m := newModel(ctx, cfg, resume, procID)
	opts := []tea.ProgramOption{tea.WithContext(ctx)}
	if cfg.NoColor {
		// Our styles set no colour then; this also strips the colours of
		// any component we do not style ourselves.
		opts = append(opts, tea.WithColorProfile(colorprofile.Ascii))
	}
	final, runErr := tea.NewProgram(m, opts...).Run()
	fm, ok := final.(model)
	if !ok {
		fm = m
	}
	code, words, err := fm.finish(ctx)
	out := cfg.Out
	if out == nil {
		out = os.Stdout
	}
	if words != "" {
		fmt.Fprintln(out, words)
	}
	if err == nil && runErr != nil && !errors.Is(runErr, tea.ErrInterrupted) && !errors.Is(runErr, tea.ErrProgramKilled) {
		err = runErr
	}
	return code, err
}

// finish leaves the session in order after the program ended, however it
// ended: a command still running is interrupted, a run neither completed
// nor stopped is stopped (resumable), and the lock is released.
func (m model) finish(ctx context.Context) (int, string, error) {
	if !m.hasRun {
		code := m.exitCode
		if !m.quitting {
			code = runner.ExitStopped
			if m.resumeRun == nil {
				code = runner.ExitCompleted // nothing was started
			}
		}
		if m.resumeRun != nil && code == runner.ExitStopped {
			return code, "The unfinished run " + m.resumeRun.ID + " is still waiting: " + runner.Command(m.resumeOpts.Store, "resume", m.resumeRun.ID), nil
		}
		return code, "", nil
	}
	v := m.run
	if x := v.exec; x != nil {
		x.cancel()
		select {
		case <-x.done:
		case <-time.After(interruptWait):
		}
	}
	if f := v.fleetRun; f != nil {
		// Ansible at work: interrupted too (its unreported hosts in doubt).
		f.cancel()
		select {
		case <-f.done:
		case <-time.After(interruptWait):
		}
	}
	m.lock.Lock()
	defer m.lock.Unlock()
	resumeHint := "To carry on: " + v.cmdResume
	switch v.phase {
	case phaseDone:
		m.sess.Close()
		return runner.ExitCompleted, "Run " + v.runID + " is complete. " + v.cmdReport + " shows what was done.", nil
	case phaseStopped:
		if v.end.err != "" {
			return runner.ExitFailed, "The stop could not be recorded: " + v.end.err + "\n" + resumeHint, errors.New(v.end.err)
		}
		return runner.ExitStopped, "Stopped. Nothing is lost. " + resumeHint, nil
	case phaseAbandoned:
		m.sess.Close()
		return runner.ExitCompleted, "Run " + v.runID + " is abandoned for good. " + v.cmdReport + " shows what it did.", nil
	}
	if err := m.sess.Stop(context.WithoutCancel(ctx), "the wizard was closed"); err != nil {
		return runner.ExitFailed, "zenrecover closed, and the stop could not be recorded: " + err.Error() + "\n" + resumeHint, err
	}
	return runner.ExitStopped, "Stopped. Nothing is lost. " + resumeHint, nil
}
