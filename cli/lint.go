package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"zenrecover/procedures"
)

func newLintCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "lint FILE...",
		Short: "Validate procedure definition files",
		Long:  "lint loads each file as zenrecover would, and prints every problem as file:line:column: what is wrong. Exit status 2 when any file has a problem.",
		Example: `  zenrecover lint site-procedures/*.yaml
  zenrecover --procedures site-procedures list     # once they lint clean`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			lib, err := g.library()
			if err != nil {
				return err
			}
			bad := 0
			for _, f := range args {
				// Read as the loader of --procedures DIR reads: within the
				// size limit, following a symbolic link only inside the
				// file's own directory.
				src, err := procedures.ReadDefinition(f)
				if err != nil {
					fmt.Fprintln(cmd.ErrOrStderr(), err)
					bad++
					continue
				}
				if _, err := lib.Check(f, src); err != nil {
					fmt.Fprintln(cmd.ErrOrStderr(), err)
					bad++
					continue
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s: ok\n", f)
			}
			if bad > 0 {
				return &exitError{code: exitUsage}
			}
			return nil
		},
	}
}
