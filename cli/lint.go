package cli

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

func newLintCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "lint FILE...",
		Short: "Validate procedure definition files",
		Long:  "lint loads each file as zenrecover would, and prints every problem as file:line:column: what is wrong. Exit status 2 when any file has a problem.",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			lib, err := g.library()
			if err != nil {
				return err
			}
			bad := 0
			for _, f := range args {
				src, err := os.ReadFile(f)
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
