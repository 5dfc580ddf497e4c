package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

// withLabVersion adds `lab set-version` to the lab command: kept in a file
// of its own so the lab command's file stays as it is.
func withLabVersion(labCmd *cobra.Command) *cobra.Command {
	labCmd.AddCommand(newLabSetVersionCmd())
	return labCmd
}

func newLabSetVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "set-version DIR VERSION",
		Short: "Raise the simulated server's ZENworks version, as an update would",
		Long: `Rewrites the simulated server's version files (version.txt,
primary_server_version.txt, ZenServerVersion.xml, database-migration.properties)
with VERSION, as updating ZENworks would. A zman server backup holds one version:
the backups taken before are stale from then on, which ` + "`zenrecover doctor`" + `
reports, and the lab's zman refuses to restore them.`,
		Example: `  zenrecover lab set-version /tmp/zenlab 11.4.0
  zenrecover doctor --lab /tmp/zenlab         # the earlier zman backup is stale`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			l, err := openLabDir(args[0])
			if err != nil {
				return err
			}
			old, err := l.SetVersion(args[1])
			if err != nil {
				return usageErr("%v", err)
			}
			w := cmd.OutOrStdout()
			if old == args[1] {
				fmt.Fprintf(w, "%s already runs ZENworks %s; nothing changed.\n", l.Hostname(), old)
				return nil
			}
			fmt.Fprintf(w, "%s now runs ZENworks %s (was %s). A zman server backup taken before is for %s only: take a new one with zenrecover run 1.1 --lab %s\n",
				l.Hostname(), args[1], old, old, args[0])
			return nil
		},
	}
}
