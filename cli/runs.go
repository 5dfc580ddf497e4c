package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"zenrecover/runner"
)

func newRunsCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "runs",
		Short: "List runs and their status",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := g.openStore()
			if err != nil {
				return err
			}
			defer st.Close()
			runs, err := st.Runs(cmd.Context())
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				type item struct {
					ID          string `json:"id"`
					ProcedureID string `json:"procedure"`
					Mode        string `json:"mode"`
					Status      string `json:"status"`
					Host        string `json:"host"`
					User        string `json:"user"`
					Started     string `json:"started"`
					Ended       string `json:"ended,omitempty"`
					LabDir      string `json:"lab_dir,omitempty"`
					Reason      string `json:"reason,omitempty"`       // why it was abandoned
					AbandonedBy string `json:"abandoned_by,omitempty"` // who abandoned it
				}
				items := []item{}
				for _, r := range runs {
					it := item{ID: r.ID, ProcedureID: r.ProcedureID, Mode: string(r.Mode), Status: string(r.Status),
						Host: r.Host, User: r.User, Started: r.StartedAt.Format("2006-01-02T15:04:05Z07:00"), LabDir: r.LabDir}
					if !r.EndedAt.IsZero() {
						it.Ended = r.EndedAt.Format("2006-01-02T15:04:05Z07:00")
					}
					if it.Reason, it.AbandonedBy, err = runner.Abandonment(cmd.Context(), st, r); err != nil {
						return err
					}
					items = append(items, it)
				}
				return writeJSON(out, items)
			}
			if len(runs) == 0 {
				fmt.Fprintln(out, "No runs yet.")
			}
			for _, r := range runs {
				fmt.Fprintf(out, "%-22s %-16s %-8s %-10s %s\n", r.ID, r.ProcedureID, r.Mode, r.Status, r.StartedAt.Local().Format("2006-01-02 15:04"))
				reason, who, err := runner.Abandonment(cmd.Context(), st, r)
				if err != nil {
					return err
				}
				if reason != "" {
					if who != "" {
						who = " by " + who
					}
					fmt.Fprintf(out, "%-22s abandoned%s: %s\n", "", who, reason)
				}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}
