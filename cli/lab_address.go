package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"zenrecover/lab"
)

// newLabSetAddressCmd is `zenrecover lab set-address`: what an administrator
// does outside ZENworks when a Primary Server gets a new IP address or DNS
// name (reference chapter 3), done to a lab so the procedure can be
// rehearsed.
func newLabSetAddressCmd() *cobra.Command {
	var c lab.AddressChange
	cmd := &cobra.Command{
		Use:   "set-address DIR --address NEW [--name NEWNAME]",
		Short: "Give the lab's server a new IP address and/or DNS name (rehearse chapter 3)",
		Long: "Changes the lab server's network address (its interfaces) and, unless --keep-dns,\n" +
			"its DNS record as every host of the lab resolves it. --name also renames the server.\n" +
			"The zone's record of the server follows; its certificate (issued to the old name), the\n" +
			"other servers' zdm.xml and zenaudit.xml and the packages are the procedure's work.",
		Example: `  zenrecover lab set-address /tmp/zenlab --address 192.0.2.44                     # for 3.1
  zenrecover lab set-address /tmp/zenlab --address 192.0.2.44 --name zen-renamed   # for 3.2.2`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if c.Address == "" && c.Name == "" {
				return usageErr("give --address, --name or both")
			}
			l, err := lab.Open(args[0])
			if err != nil {
				return usageErr("%v (create one with `zenrecover lab init %s`)", err, args[0])
			}
			res, err := l.SetAddress(c)
			if err != nil {
				return usageErr("%v", err)
			}
			w := cmd.OutOrStdout()
			if res.NewName != res.OldName {
				fmt.Fprintf(w, "%s is now called %s.\n", res.OldName, res.NewName)
			}
			if res.NewAddress != res.OldAddress {
				fmt.Fprintf(w, "%s now has the address %s on its interface (was %s).\n", res.NewName, res.NewAddress, res.OldAddress)
			}
			if len(res.HostsFiles) > 0 {
				fmt.Fprintf(w, "DNS: %s.%s resolves to %s on %s.\n", res.NewName, lab.LabDomain, res.NewAddress, strings.Join(res.HostsFiles, ", "))
			} else {
				fmt.Fprintf(w, "DNS was left as it was: %s.%s does not resolve to %s yet.\n", res.NewName, lab.LabDomain, res.NewAddress)
			}
			if res.Database && res.NewAddress != res.OldAddress {
				fmt.Fprintf(w, "The zone database runs on this server, so it is now at %s too; the other Primary Servers' zdm.xml and zenaudit.xml still name the old address.\n", res.NewAddress)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&c.Address, "address", "", "the server's new IP address")
	cmd.Flags().StringVar(&c.Name, "name", "", "the server's new host name (short, or ending in ."+lab.LabDomain+")")
	cmd.Flags().BoolVar(&c.KeepDNS, "keep-dns", false, "leave the DNS record as it was (rehearse a record not yet updated)")
	return cmd
}
