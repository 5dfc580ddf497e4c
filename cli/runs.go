package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"zenrecover/runner"
	"zenrecover/state"
)

func newRunsCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "runs",
		Short: "List runs and their status, newest first",
		Long: `List the runs the state database holds, newest first: the run id (for resume,
report and abandon), the procedure, the mode (live, lab, dry-run, guide), the
status (active, stopped, completed, failed, abandoned) and when it started.
Runs the database lost but the files beside it remember are listed as LOST;
until the loss is acknowledged (acknowledge-lost) runs exits 1.`,
		Example: `  zenrecover runs
  zenrecover runs --json
  zenrecover --state /root/zenrecover-state.db runs`,
		Args: cobra.NoArgs,
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
			// Runs the database lost but the files beside it remember are
			// listed too, as lost: a run never vanishes from this list
			// without a word. Until the operator acknowledges them, runs
			// ends with the message that says what happened (exit 1).
			lost, err := st.LostRuns(cmd.Context())
			if err != nil {
				return err
			}
			var lostErr error
			if un := state.Unacknowledged(lost); len(un) > 0 {
				lostErr = &exitError{code: exitFailed, err: &state.LostRunsError{Path: st.Path(), Runs: un}}
			}
			if err := st.CheckWritable(); err != nil {
				fmt.Fprintln(cmd.ErrOrStderr(), "zenrecover: note:", err)
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
					// A lost run (status "lost"): the files that show it,
					// and who acknowledged the loss (Reason says why).
					Evidence       []string `json:"evidence,omitempty"`
					AcknowledgedBy string   `json:"acknowledged_by,omitempty"`
					Acknowledged   bool     `json:"acknowledged,omitempty"`
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
				for _, l := range lost {
					it := item{ID: l.RunID, ProcedureID: l.ProcedureID, Status: "lost", Evidence: l.Evidence()}
					if it.ID == "" {
						it.ID = l.Key
					}
					if !l.Started.IsZero() {
						it.Started = l.Started.Format("2006-01-02T15:04:05Z07:00")
					}
					if l.Ack != nil {
						it.Acknowledged, it.AcknowledgedBy, it.Reason = true, l.Ack.User, l.Ack.Reason
					}
					items = append(items, it)
				}
				if err := writeJSON(out, items); err != nil {
					return err
				}
				return lostErr
			}
			if len(runs) == 0 && len(lost) == 0 {
				fmt.Fprintln(out, "No runs yet.")
				return lostErr
			}
			// The minimum widths are the columns runs printed before it had
			// a header: a narrow list looks as it did.
			t := &table{header: []string{"RUN", "PROCEDURE", "MODE", "STATUS", "STARTED"}, min: []int{21, 15, 7, 9}}
			for _, l := range lost {
				id, proc, started := l.RunID, l.ProcedureID, "?"
				if id == "" {
					id = "?"
				}
				if proc == "" {
					proc = "?"
				}
				if !l.Started.IsZero() {
					started = l.Started.Local().Format("2006-01-02 15:04")
				}
				status := "LOST"
				if l.Partial {
					status = "PART LOST"
				}
				t.add(id, proc, "?", status, started)
				if l.Ack != nil {
					t.note("lost; acknowledged by %s on %s: %s", l.Ack.User, l.Ack.At.Local().Format("2006-01-02 15:04"), l.Ack.Reason)
				} else {
					t.note("lost by the state database; see below")
				}
			}
			for _, r := range runs {
				t.add(r.ID, r.ProcedureID, string(r.Mode), string(r.Status), r.StartedAt.Local().Format("2006-01-02 15:04"))
				reason, who, err := runner.Abandonment(cmd.Context(), st, r)
				if err != nil {
					return err
				}
				if reason != "" {
					if who != "" {
						who = " by " + who
					}
					t.note("abandoned%s: %s", who, reason)
				}
			}
			if err := t.write(out); err != nil {
				return err
			}
			return lostErr
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}
