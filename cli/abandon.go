package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"zenrecover/runner"
	"zenrecover/state"
)

func newAbandonCmd(g *globals) *cobra.Command {
	var reason string
	var forceUnlock bool
	cmd := &cobra.Command{
		Use:   "abandon RUN --reason TEXT",
		Short: "End an unfinished run for good (journaled), so a new run can start",
		Long: `End an unfinished run for good. The reason and your user name are journaled
with the run's new status, abandoned; the run can no longer be resumed, and a
new run of the same procedure can start. Completed and failed runs are
already finished and cannot be abandoned. A run that another zenrecover is
working on is refused, with who holds it.`,
		Example: `  zenrecover abandon 20260102-030405-abcd --reason "wrong server; starting over"
  zenrecover runs                        # the run now shows as abandoned`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErr("abandon takes one run id (`zenrecover runs` lists them), got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if strings.TrimSpace(reason) == "" {
				return usageErr("abandon %s: --reason TEXT is required (it goes in the run's report)", args[0])
			}
			st, err := g.openStore()
			if err != nil {
				return err
			}
			defer st.Close()
			if err := st.CheckWritable(); err != nil {
				return &exitError{code: exitFailed, err: err}
			}
			err = runner.Abandon(cmd.Context(), runner.Options{Store: st, Version: version(), ForceUnlock: forceUnlock}, args[0], reason)
			var le *state.LockedError
			switch {
			case errors.Is(err, state.ErrNotFound):
				if lost, _ := st.LostRuns(cmd.Context()); len(lost) > 0 {
					for _, l := range lost {
						if l.RunID == args[0] {
							return usageErr("run %s is not in the state database, which lost it (`%s` says what shows it); acknowledge the loss with `%s`",
								args[0], state.CommandLine(st.Path(), "runs"), state.CommandLine(st.Path(), "acknowledge-lost", "--reason", "TEXT"))
						}
					}
				}
				return usageErr("no run %q; `zenrecover runs` lists them", args[0])
			case errors.As(err, &le), errors.Is(err, state.ErrRunFinished):
				// Held elsewhere, or already finished: refused as asked.
				return &exitError{code: exitUsage, err: err}
			case err != nil:
				return &exitError{code: exitFailed, err: err}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Run %s is abandoned. `%s` shows what it did.\n", args[0], runner.Command(st, "report", args[0]))
			return nil
		},
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why the run is abandoned (required; journaled and shown in the report)")
	cmd.Flags().BoolVar(&forceUnlock, "force-unlock", false, "take the run over from another zenrecover that holds it, then abandon it")
	return cmd
}
