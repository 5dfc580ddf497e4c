package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"zenrecover/state"
)

// newAcknowledgeLostCmd is how the operator, having checked on the server
// what a lost run did, lets zenrecover work again (state.LostRuns). The
// loss stays listed by `runs`, with who acknowledged it and why.
func newAcknowledgeLostCmd(g *globals) *cobra.Command {
	var reason string
	cmd := &cobra.Command{
		Use:   "acknowledge-lost --reason TEXT",
		Short: "Record that you know of runs the state database lost, so runs can start again",
		Long: `When the state database has lost runs that the files beside it remember
(a log, a lock file, a copy of the database: its -wal file was deleted after
a zenrecover was killed, or it was replaced by an older copy), zenrecover
starts and resumes no run until you decide. If you have the lost -wal and
-shm files, put them back instead. Otherwise check on the server what the
lost runs did (their logs show each step they began), then acknowledge the
loss: every lost run now listed by ` + "`zenrecover runs`" + ` is recorded as
acknowledged, with your user name and reason, and stays listed as lost. A
new run of the procedure starts from its first step.`,
		Example: `  zenrecover runs                      # lists the lost run and why
  zenrecover acknowledge-lost --reason "backup checked by hand; -wal deleted by cleanup script"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if strings.TrimSpace(reason) == "" {
				return usageErr("acknowledge-lost: --reason TEXT is required (it is recorded with the loss and shown by `zenrecover runs`)")
			}
			st, err := g.openStore()
			if err != nil {
				return err
			}
			defer st.Close()
			acked, err := st.AcknowledgeLost(cmd.Context(), strings.TrimSpace(reason))
			if err != nil {
				return &exitError{code: exitFailed, err: err}
			}
			out := cmd.OutOrStdout()
			if len(acked) == 0 {
				fmt.Fprintf(out, "The state database %s has lost no run that is not acknowledged already; nothing to do.\n", st.Path())
				return nil
			}
			for _, l := range acked {
				fmt.Fprintf(out, "Acknowledged: %s.\n", l.Describe())
			}
			fmt.Fprintf(out, "zenrecover starts and resumes runs again; `%s` lists the lost ones with your reason.\n", state.CommandLine(st.Path(), "runs"))
			return nil
		},
	}
	cmd.Flags().StringVar(&reason, "reason", "", "what you checked, or why the loss is acceptable (required; recorded)")
	return cmd
}
