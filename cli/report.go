package cli

import (
	"bytes"
	"errors"

	"github.com/spf13/cobra"

	"zenrecover/procedures"
	"zenrecover/runner"
	"zenrecover/state"
)

func newReportCmd(g *globals) *cobra.Command {
	var format, out string
	cmd := &cobra.Command{
		Use:   "report RUN",
		Short: "Show what a run did: for an auditor (md, html) or for tooling (json)",
		Long: `Show what a run did: the procedure and its definition's hash, the mode (live,
lab, dry run), the host and operator, when it started and ended, every step's
outcome with its times and attempts, the in-doubt decisions and the reasons
typed, the results per target of fan-out steps, and each command's output as
the run's log recorded it (with every secret already masked). A report of an
unfinished run says what is left. ` + "`zenrecover runs`" + ` lists the runs.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch format {
			case "md", "markdown":
				format = "md"
			case "html", "json":
			default:
				return usageErr("--format %q: choose md, html or json", format)
			}
			st, err := g.openStore()
			if err != nil {
				return err
			}
			defer st.Close()
			r, err := runner.Report(cmd.Context(), st, args[0])
			if errors.Is(err, state.ErrNotFound) {
				return usageErr("no run %q; `zenrecover runs` lists them", args[0])
			}
			if err != nil {
				return err
			}
			var b bytes.Buffer
			if err := procedures.WriteReport(&b, r, format, htmlTheme()); err != nil {
				return err
			}
			// A report holds the run's output: private, like the log it
			// comes from, until its owner hands it on.
			return writeOutput(cmd.OutOrStdout(), cmd.ErrOrStderr(), out, b.Bytes(), 0o600)
		},
	}
	cmd.Flags().StringVar(&format, "format", "md", "md, html or json")
	cmd.Flags().StringVarP(&out, "output", "o", "", "write to this file instead of standard output")
	return cmd
}
