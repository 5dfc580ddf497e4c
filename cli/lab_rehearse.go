package cli

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"zenrecover/lab"
)

// newLabRehearseCmds are the lab subcommands that do, for a rehearsal, what
// the reference has the administrator do outside ZENworks: obtain
// certificates from an external certificate authority (chapters 3.2.1, 4
// and 5), let the zone's certificates expire (chapter 5), export the
// reports in ZENworks Reporting (2.2 step 4), and make a tool fail, to
// practise recovering from a failed step.
func newLabRehearseCmds() []*cobra.Command {
	return []*cobra.Command{newLabExternalCACmd(), newLabIssueCertCmd(), newLabExpireCertsCmd(), newLabExportReportsCmd(), newLabFailCmd()}
}

func newLabExportReportsCmd() *cobra.Command {
	var folder string
	cmd := &cobra.Command{
		Use:   "export-reports DIR [--to FOLDER]",
		Short: "Export the lab server's ZENworks Reporting reports (section 2.2, step 4)",
		Long: "Does what section 2.2 step 4 has you do in ZENworks Reporting (\"Managing the Export Settings\"):\n" +
			"exports the reports of the lab server's ZENworks Reporting (lab init --reporting) into FOLDER\n" +
			"on that server (default " + lab.DefaultReportsFolder + ", on a Windows lab " + lab.WindowsReportsFolder + "),\n" +
			"where step 9h's zman rpld loads them.",
		Example: `  zenrecover lab init /tmp/zenlab --reporting
  zenrecover lab export-reports /tmp/zenlab
  zenrecover run 2.2 --lab /tmp/zenlab`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			l, err := openLabDir(args[0])
			if err != nil {
				return err
			}
			res, err := l.ExportReports(folder)
			if err != nil {
				return usageErr("%v", err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Exported %d reports from ZENworks Reporting on %s to %s   (in the lab: %s)\n",
				len(res.Files), res.Host, res.Folder, res.LabFolder)
			return nil
		},
	}
	// Empty: the lab server's layout gives the default.
	cmd.Flags().StringVar(&folder, "to", "", "the folder on the server to export to (2.2's reports_folder; default "+lab.DefaultReportsFolder+" or "+lab.WindowsReportsFolder+")")
	return cmd
}

func openLabDir(dir string) (*lab.Lab, error) {
	l, err := lab.Open(dir)
	if err != nil {
		return nil, usageErr("%v (create one with `zenrecover lab init %s`)", err, dir)
	}
	return l, nil
}

const day = 24 * time.Hour

func newLabExternalCACmd() *cobra.Command {
	var commonName string
	var days int
	cmd := &cobra.Command{
		Use:   "external-ca DIR NAME",
		Short: "Create a simulated external certificate authority in the lab (rehearse chapters 4 and 5)",
		Long: "Creates a root certificate authority called NAME, kept in the lab (DIR/.external-cas/NAME),\n" +
			"to play the company or commercial CA from which the reference has you obtain server\n" +
			"certificates. Issue them with `zenrecover lab issue-cert DIR --ca NAME --host HOST`.",
		Example: `  zenrecover lab external-ca /tmp/zenlab corp          # a CA kept inside the lab
  zenrecover lab issue-cert /tmp/zenlab --ca corp --host zen-primary-1 --root /root/zcm_certs/root-ca.der`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if days < 1 {
				return usageErr("--days must be at least 1, not %d", days)
			}
			l, err := openLabDir(args[0])
			if err != nil {
				return err
			}
			ca, err := l.CreateExternalCA(args[1], commonName, time.Duration(days)*day)
			if err != nil {
				return usageErr("%v", err)
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "Created the external certificate authority %s (%s), valid until %s.\n",
				args[1], ca.CA(), ca.Cert.NotAfter.UTC().Format(time.DateOnly))
			fmt.Fprintf(w, "Its root certificate (DER): %s\n", l.ExternalCARoot(args[1]))
			fmt.Fprintf(w, "Issue a server certificate with: zenrecover lab issue-cert %s --ca %s --host HOST\n", args[0], args[1])
			return nil
		},
	}
	cmd.Flags().StringVar(&commonName, "common-name", "", "the CA certificate's common name (default NAME)")
	cmd.Flags().IntVar(&days, "days", 5*365, "how many days the CA's certificate is valid")
	return cmd
}

func newLabIssueCertCmd() *cobra.Command {
	var r lab.IssueRequest
	var days int
	cmd := &cobra.Command{
		Use:   "issue-cert DIR --ca NAME --host HOST [--out PATH] [--key PATH] [--root PATH]",
		Short: "Issue a server certificate from the lab's external CA onto one of its hosts",
		Long: "Signs a server certificate for HOST." + lab.LabDomain + " with the lab's external CA NAME and\n" +
			"writes it (DER) on HOST, by default as " + lab.DefaultCertDir + "/HOST.der, where the\n" +
			"procedures' zman sacert steps look for it. --key also writes its private key (PKCS #8 DER),\n" +
			"--root the CA's root certificate; --root-only writes just the root certificate (a device that\n" +
			"must trust the CA). Paths are HOST's own. HOST is a server of the zone or a host the lab\n" +
			"already has; --new-host admits a Satellite or managed device nothing has run on yet.\n" +
			"On a Windows host the default is " + lab.WindowsCertDir + "\\HOST.der.",
		Example: `  zenrecover lab issue-cert /tmp/zenlab --ca corp --host zen-primary-1 --root /root/zcm_certs/root-ca.der
  zenrecover lab issue-cert /tmp/zenlab --ca corp --host dev-7 --new-host --root-only --root /root/zcm_certs/root-ca.der`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case r.CA == "":
				return usageErr("give the external CA with --ca NAME (create one with `zenrecover lab external-ca %s NAME`)", args[0])
			case r.Host == "":
				return usageErr("give the host that gets the certificate with --host HOST")
			case days < 1:
				return usageErr("--days must be at least 1, not %d", days)
			case r.RootOnly && r.Root == "":
				return usageErr("--root-only needs --root PATH: where the root certificate goes on %s", r.Host)
			case r.RootOnly && (cmd.Flags().Changed("out") || r.Key != ""):
				return usageErr("--root-only writes only the root certificate: leave out --out and --key")
			}
			l, err := openLabDir(args[0])
			if err != nil {
				return err
			}
			r.Lifetime = time.Duration(days) * day
			res, err := l.IssueCert(r)
			switch {
			case errors.Is(err, lab.ErrNoExternalCA):
				return usageErr("--ca: %v; create it with `zenrecover lab external-ca %s %s`", err, args[0], r.CA)
			case errors.Is(err, lab.ErrUnknownHost):
				return usageErr("--host: %v; if %s is a Satellite or managed device nothing has run on yet, add --new-host", err, r.Host)
			case err != nil:
				return usageErr("%v", err)
			}
			w := cmd.OutOrStdout()
			if res.Cert != "" {
				fmt.Fprintf(w, "Issued a server certificate for %s by %s, valid until %s.\n",
					res.FQDN, res.Issuer, res.NotAfter.Format(time.DateOnly))
			}
			for _, f := range []struct{ what, server, lab string }{
				{"certificate", res.Cert, res.LabCert},
				{"private key", res.Key, res.LabKey},
				{"root certificate of " + r.CA, res.Root, res.LabRoot},
			} {
				if f.server != "" {
					fmt.Fprintf(w, "  %s on %s: %s   (in the lab: %s)\n", f.what, res.Host, f.server, f.lab)
				}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&r.CA, "ca", "", "the lab's external CA that signs (see `lab external-ca`)")
	f.StringVar(&r.Host, "host", "", "the host the certificate is for and goes on")
	f.StringVar(&r.Cert, "out", "", "where the certificate goes on HOST (default "+lab.DefaultCertDir+"/HOST.der)")
	f.StringVar(&r.Key, "key", "", "where its private key goes on HOST (none unless given)")
	f.StringVar(&r.Root, "root", "", "where the CA's root certificate goes on HOST (none unless given)")
	f.BoolVar(&r.RootOnly, "root-only", false, "write only the root certificate (--root), no server certificate")
	f.BoolVar(&r.NewHost, "new-host", false, "HOST is a Satellite or device the lab has no tree for yet")
	f.IntVar(&days, "days", 365, "how many days the certificate is valid")
	return cmd
}

func newLabExpireCertsCmd() *cobra.Command {
	var caToo bool
	cmd := &cobra.Command{
		Use:   "expire-certs DIR [--ca-too]",
		Short: "Make the zone's certificates expired (the starting point of chapter 5)",
		Long: "Makes every Primary Server's certificate in force, and the one its services present, expired\n" +
			"as of yesterday, as if the zone certificate had not been re-created in time; --ca-too lets the\n" +
			"certificate authority that issued them expire as well. Devices can no longer contact the zone.",
		Example: `  zenrecover lab expire-certs /tmp/zenlab
  zenrecover lab expire-certs /tmp/zenlab --ca-too     # section 5, new-internal
  zenrecover run 5 --lab /tmp/zenlab`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			l, err := openLabDir(args[0])
			if err != nil {
				return err
			}
			if err := l.ExpireCertificates(caToo); err != nil {
				return usageErr("%v", err)
			}
			z, err := l.Zone()
			if err != nil {
				return err
			}
			c := z.Certs()
			w := cmd.OutOrStdout()
			var names []string
			for _, s := range z.Servers {
				if sc, ok := c.Server(s.Name); ok {
					names = append(names, s.Name)
					fmt.Fprintf(w, "%s's certificate (%s, issued by %s) expired on %s.\n", s.Name, c.Kind, sc.Issuer, sc.NotAfter.Format(time.DateOnly))
				}
			}
			if caToo {
				fmt.Fprintf(w, "The certificate authority %s expired on %s.\n", c.CA, c.CA.NotAfter.Format(time.DateOnly))
			}
			fmt.Fprintf(w, "Devices cannot contact %s now (zac ref fails). Rehearse the recovery with: zenrecover run 5 --lab %s\n",
				strings.Join(names, " or "), args[0])
			return nil
		},
	}
	cmd.Flags().BoolVar(&caToo, "ca-too", false, "let the certificate authority expire too")
	return cmd
}

func newLabFailCmd() *cobra.Command {
	var times int
	var message string
	cmd := &cobra.Command{
		Use:   "fail DIR TOOL [SUBCOMMAND] [--times N] [--message TEXT]",
		Short: "Make the next runs of a simulated tool fail, to practise recovering from a failed step",
		Long: "The next N runs of TOOL (one of " + strings.Join(lab.Tools(), ", ") + ")\n" +
			"in the lab, or of its SUBCOMMAND only (a zman or zac subcommand, long or short name, a\n" +
			"novell-zenworks-configure action, a novell-zenserver action), fail with TEXT once their\n" +
			"prompts are answered and before they change anything.",
		Example: `  zenrecover lab fail /tmp/zenlab zman sacert
  zenrecover lab fail /tmp/zenlab zman sacert --times 2 --message "Error: the keystore is locked"`,
		Args: cobra.RangeArgs(2, 3),
		RunE: func(cmd *cobra.Command, args []string) error {
			if times < 1 {
				return usageErr("--times must be at least 1, not %d", times)
			}
			l, err := openLabDir(args[0])
			if err != nil {
				return err
			}
			sub := ""
			if len(args) == 3 {
				sub = args[2]
			}
			tool := args[1]
			if sub != "" && slices.Contains([]string{lab.ToolPermission, lab.ToolPermissionAlias, lab.ToolSQL}, tool) {
				return usageErr("%s has no subcommands: leave out %q to make its next runs fail", tool, sub)
			}
			f, err := l.InjectToolFailure(tool, sub, times, message)
			if err != nil {
				return usageErr("%v", err)
			}
			what := f.Tool
			if f.Subcommand != "" {
				what += " " + f.Subcommand
			}
			runs := "run"
			if times > 1 {
				runs = fmt.Sprintf("%d runs", times)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "The next %s of %s in %s will fail with:\n  %s\n", runs, what, l.Dir(), f.Message)
			return nil
		},
	}
	cmd.Flags().IntVar(&times, "times", 1, "how many runs fail")
	cmd.Flags().StringVar(&message, "message", "", "what the tool says when it fails (default: a generic error)")
	return cmd
}
