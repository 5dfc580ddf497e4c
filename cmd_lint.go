package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"zenrecover/procedures"
)

func newLintCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "lint FILE...",
		Short: "Validate procedure definition files",
		Long:  "lint loads each file as zenrecover would, and prints every problem as file:line:column: what is wrong. Exit status 2 when any file has a problem.",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			bad := 0
			for _, f := range args {
				src, err := os.ReadFile(f)
				if err != nil {
					fmt.Fprintln(cmd.ErrOrStderr(), err)
					bad++
					continue
				}
				if _, err := procedures.Parse(f, src); err != nil {
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
