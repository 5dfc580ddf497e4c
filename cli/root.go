package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"zenrecover/runner"
)

// Exit statuses, as the README documents them; defined once, in runner,
// because both front ends return them too.
const (
	exitCompleted = runner.ExitCompleted
	exitFailed    = runner.ExitFailed
	exitUsage     = runner.ExitUsage
	exitStopped   = runner.ExitStopped
)

// exitError carries an exit status up to main.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return ""
	}
	return e.err.Error()
}

func usageErr(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

// Main runs the command line and returns the process's exit status.
func Main() int {
	// SIGHUP is what a dropped SSH session sends: stop cleanly, resumable.
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer cancel()
	root := newRootCmd()
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitCompleted
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(os.Stderr, "zenrecover:", ee.err)
		}
		return ee.code
	}
	fmt.Fprintln(os.Stderr, "zenrecover:", err)
	return exitUsage
}

func newRootCmd() *cobra.Command {
	g := &globals{}
	var wizardLab string
	root := &cobra.Command{
		Use:   "zenrecover",
		Short: "A calm wizard for ZENworks 11 SP3 disaster recovery",
		Long: `zenrecover walks you through the procedures of the ZENworks 11 SP3 Disaster
Recovery Reference: it runs what it can, asks for what only you can do, and
remembers every step so that a dropped session loses nothing.

Without arguments it resumes an interrupted run or lets you pick a procedure.`,
		Example: `  zenrecover                               # the wizard: resume an interrupted run, or pick a procedure
  zenrecover list                          # the procedures
  zenrecover lab init /tmp/zenlab          # a simulated Primary Server to rehearse on
  zenrecover --lab /tmp/zenlab             # the wizard in that lab: pick, rehearse, see how ready it is
  zenrecover run 1.1 --lab /tmp/zenlab     # rehearse "Backing Up a ZENworks Server"`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.wizard(cmd.Context(), wizardLab)
		},
	}
	// The wizard in a lab: the picker's procedures rehearse there, and its
	// readiness line is the lab's.
	root.Flags().StringVar(&wizardLab, "lab", "", "open the wizard in this lab: every procedure picked rehearses there")
	root.PersistentFlags().StringVar(&g.statePath, "state", "", "state database (default: the user's state directory)")
	root.PersistentFlags().StringVar(&g.procDir, "procedures", "", "a directory of site-specific procedure definitions")
	root.PersistentFlags().BoolVar(&g.noColor, "no-color", false, "no colour (NO_COLOR is honoured too)")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageErr("%v", err) })
	root.AddCommand(
		newListCmd(g), newShowCmd(g), newRunCmd(g), newResumeCmd(g), newRunsCmd(g),
		newLintCmd(g), withLabVersion(newLabCmd(g)), newChecklistCmd(g), newReportCmd(g), newDoctorCmd(g), newScheduleCmd(g),
		newArchiveCmd(g), newEscrowCmd(g), newAbandonCmd(g), newAcknowledgeLostCmd(g),
		newVersionCmd(), newManCmd(),
	)
	// Help a person can act on (help.go): examples on every command,
	// argument errors that say what is missing and where to find it, and
	// completions that know procedures, runs and formats (complete.go).
	fillExamples(root)
	friendlyArgs(root)
	setHelp(root)
	registerCompletions(root, g)
	// --version prints what `zenrecover version` prints.
	root.Version = readBuildInfo().Version
	root.SetVersionTemplate(readBuildInfo().line() + "\n")
	return root
}
