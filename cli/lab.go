package cli

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"zenrecover/lab"
)

func newLabCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "lab", Short: "Rehearse in a simulated Primary Server"}
	var o lab.Options
	initCmd := &cobra.Command{
		Use:   "init DIR",
		Short: "Build a simulated Primary Server (Linux or Windows layout) under DIR",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			l, err := lab.Init(args[0], o)
			if err != nil {
				return &exitError{code: exitUsage, err: err}
			}
			if err := installShims(l); err != nil {
				return err
			}
			z, _ := l.Zone()
			fmt.Fprintf(cmd.OutOrStdout(), "A simulated Primary Server %s is ready in %s.\nIts ZENworks administrator is %q; the password is the one given with --admin-password (default %q).\nRehearse with: zenrecover run 1.1 --lab %s\n",
				l.Hostname(), l.Dir(), z.Admin.Name, defaultOr(o.AdminPassword, lab.DefaultAdminPassword), args[0])
			return nil
		},
	}
	initCmd.Flags().StringVar(&o.Hostname, "hostname", "", "the simulated server's host name")
	initCmd.Flags().StringVar(&o.AdminUser, "admin-user", "", "the simulated zone's administrator name")
	initCmd.Flags().StringVar(&o.AdminPassword, "admin-password", "", "the simulated zone's administrator password")
	initCmd.Flags().BoolVar(&o.Reporting, "reporting", false, "install ZENworks Reporting on the simulated server (its roles and zone settings; section 2.2 steps 9f and 9h)")
	initCmd.Flags().StringVar(&o.Platform, "platform", lab.PlatformLinux, "the simulated servers' layout: "+strings.Join(lab.Platforms(), " or ")+" (a Windows server's tree under DIR/C, its service driven with net stop|start)")
	var labDir string
	execCmd := &cobra.Command{
		Use:                "exec TOOL [ARGS...]",
		Short:              "Run a simulated ZENworks tool (used by the lab's shims)",
		Hidden:             true,
		Args:               cobra.MinimumNArgs(1),
		DisableFlagParsing: false,
		RunE: func(cmd *cobra.Command, args []string) error {
			code := lab.Exec(labDir, args[0], args[1:], os.Stdin, os.Stdout, os.Stderr)
			if code != 0 {
				return &exitError{code: code}
			}
			return nil
		},
	}
	execCmd.Flags().StringVar(&labDir, "lab", "", "the lab directory")
	execCmd.Flags().SetInterspersed(false)
	cmd.AddCommand(newLabSetAddressCmd())
	cmd.AddCommand(newLabRehearseCmds()...)
	cmd.AddCommand(initCmd, execCmd)
	return cmd
}

func defaultOr(v, d string) string {
	if v == "" {
		return d
	}
	return v
}

// installShims points the lab's simulated tools at this binary, so a moved
// or rebuilt zenrecover still drives them.
func installShims(l *lab.Lab) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	return l.InstallShims(exe)
}

func openLab(dir string) (*lab.Lab, error) {
	l, err := lab.Open(dir)
	if err != nil {
		return nil, usageErr("%v (create one with `zenrecover lab init %s`)", err, dir)
	}
	if err := installShims(l); err != nil {
		return nil, err
	}
	return l, nil
}
