package cli

import (
	"encoding/json"
	"io"

	"github.com/spf13/cobra"
)

func newListCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the procedures: section, id and title",
		Long: `List the procedures, one a line: the reference's section number, the id and
the title. Either the section or the id names a procedure for run, show and
checklist. --json prints the same as a JSON array of objects with the keys
id, section, title and summary.`,
		Example: `  zenrecover list
  zenrecover list --json
  zenrecover --procedures /etc/zenrecover/procedures list    # with your site's own`,
		Args: cobra.NoArgs,
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
			t := &table{header: []string{"SECTION", "ID", "TITLE"}}
			for _, d := range lib.All() {
				t.add(d.Section, d.ID, d.Title)
			}
			return t.write(out)
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
