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
	var drills bool
	cmd := &cobra.Command{
		Use:   "report RUN",
		Short: "Show what a run did: for an auditor (md, html) or for tooling (json)",
		Long: `Show what a run did: the procedure and its definition's hash, the mode (live,
lab, dry run), the host and operator, when it started and ended, every step's
outcome with its times and attempts, the in-doubt decisions and the reasons
typed, the results per target of fan-out steps, and each command's output as
the run's log recorded it (with every secret already masked). A report of an
unfinished run says what is left. ` + "`zenrecover runs`" + ` lists the runs.
With --drills (and no RUN): every rehearsal and live run per procedure, with
its date, operator, outcome, duration and the steps done by hand.`,
		Example: `  zenrecover runs                       # the run ids
  zenrecover report 20260102-030405-abcd
  zenrecover report 20260102-030405-abcd --format html -o report.html
  zenrecover report 20260102-030405-abcd --format json
  zenrecover report --drills --format html -o drills.html`,
		Args: func(cmd *cobra.Command, args []string) error {
			if drills {
				return cobra.NoArgs(cmd, args)
			}
			return cobra.ExactArgs(1)(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			switch format {
			case "md", "markdown":
				format = "md"
			case "html", "json":
			default:
				return usageErr("--format %q: choose md, html or json", format)
			}
			if drills {
				return writeDrills(cmd, g, format, out) // doctor.go
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
	cmd.Flags().BoolVar(&drills, "drills", false, "every rehearsal and live run per procedure, instead of one run")
	return cmd
}
