package cli

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

func newListCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the procedures",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			lib, err := g.library()
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				// Lower-case keys and [] when empty, as every --json.
				type item struct {
					ID      string `json:"id"`
					Section string `json:"section"`
					Title   string `json:"title"`
					Summary string `json:"summary"`
				}
				items := []item{}
				for _, d := range lib.All() {
					items = append(items, item{d.ID, d.Section, d.Title, d.Summary})
				}
				return writeJSON(out, items)
			}
			idw := 0
			for _, d := range lib.All() {
				idw = max(idw, len(d.ID))
			}
			for _, d := range lib.All() {
				fmt.Fprintf(out, "%-6s %-*s  %s\n", d.Section, idw, d.ID, d.Title)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
