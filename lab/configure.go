package lab

import (
	"fmt"
	"strings"
)

// Prompts of novell-zenworks-configure. The reference says only that all
// services are selected by default, that Restart must be chosen as the
// Action (-c Start), and, for -c SSL, to "follow the prompts" choosing
// option 1 or 2; these are the lab's wording of those questions.
const (
	PromptServiceAction = "Select the Action for the selected services (1 Start, 2 Stop, 3 Restart): "
	PromptSSLOption     = "Select an option (1 Remint the server certificate, 2 Remint the certificate authority and server certificates): "
)

// Answers to PromptSSLOption, as recorded in ConfigureRun.Option.
const (
	SSLRemintServer   = "1"
	SSLRemintCAServer = "2"
)

func configureActions() []string {
	return []string{"Start", "SSL", "CreateExtractorPacks", "RebuildCustomPacks", "MergeTruststore", "EnableJMX", "ZenProbe"}
}

// findConfigureAction accepts any capitalisation and returns the
// reference's, so the zone records one spelling.
func findConfigureAction(a string) (string, bool) {
	for _, c := range configureActions() {
		if strings.EqualFold(a, c) {
			return c, true
		}
	}
	return "", false
}

func configureUsage() string {
	return fmt.Sprintf("Usage: %s [-Z] -c <Action>\nActions simulated in this lab: %s",
		ToolConfigure, strings.Join(configureActions(), ", "))
}

// configure is novell-zenworks-configure. -Z (console mode, which the
// reference always gives) is accepted and changes nothing here.
func (s *session) configure(args []string) int {
	action := ""
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "-Z":
		case a == "-c" && i+1 < len(args) && action == "":
			action = args[i+1]
			i++
		case strings.HasPrefix(a, "\u2013") || strings.HasPrefix(a, "\u2014"):
			// The reference prints "–c Start" with an en dash in 1.5 step 9;
			// a pasted dash is the likely mistake, so name it.
			fmt.Fprintf(s.err, "%s: %q starts with a typographic dash, not a hyphen; type -%s\n%s\n",
				ToolConfigure, a, strings.TrimLeft(a, "\u2013\u2014"), configureUsage())
			return exitUsage
		default:
			fmt.Fprintf(s.err, "%s: unexpected argument %q\n%s\n", ToolConfigure, a, configureUsage())
			return exitUsage
		}
	}
	if action == "" {
		fmt.Fprintln(s.err, configureUsage())
		return exitUsage
	}
	canon, ok := findConfigureAction(action)
	if !ok {
		fmt.Fprintf(s.err, "%s: unknown action %q\n%s\n", ToolConfigure, action, configureUsage())
		return exitUsage
	}
	s.sub = canon
	switch canon {
	case "Start":
		return s.configureStart()
	case "SSL":
		return s.configureSSL()
	}
	if canon == "ZenProbe" {
		z, err := s.lab.Zone()
		if err != nil {
			return s.fail("%v", err)
		}
		if !z.Running {
			// A probe of stopped services is the failure it exists to find.
			return s.fail("ZenProbe: the ZENworks services on %s are not running.", s.lab.Hostname())
		}
	}
	if code, ok := s.injected(); !ok {
		return code
	}
	if err := s.recordConfigure(canon, "", s.configureCertChange(canon)); err != nil {
		return s.fail("%v", err)
	}
	host := s.lab.Hostname()
	switch canon {
	case "CreateExtractorPacks":
		fmt.Fprintf(s.out, "Created the default deployment packages on %s.\n", host)
	case "RebuildCustomPacks":
		fmt.Fprintf(s.out, "Rebuilt the custom deployment packages on %s.\n", host)
	case "MergeTruststore":
		fmt.Fprintf(s.out, "Merged the certificates into the trust store on %s.\n", host)
	case "EnableJMX":
		fmt.Fprintf(s.out, "Enabled JMX on %s.\n", host)
	case "ZenProbe":
		fmt.Fprintf(s.out, "ZenProbe: all ZENworks services on %s respond.\n", host)
	}
	return exitOK
}

// recordConfigure appends the run to the zone and applies change in the
// same locked update, so a run is never recorded without its effect.
func (s *session) recordConfigure(action, option string, change func(*Zone)) error {
	host := s.lab.Hostname()
	return s.lab.updateZone(func(z *Zone) error {
		if change != nil {
			change(z)
		}
		z.ConfigureRuns = append(z.ConfigureRuns, ConfigureRun{Server: host, Action: action, Option: option})
		return nil
	})
}

// configureStart is `-c Start`: every service is selected, and the
// operator chooses what to do with them.
func (s *session) configureStart() int {
	fmt.Fprintln(s.out, "All ZENworks services are selected.")
	ans, err := s.ask.line(PromptServiceAction)
	if err != nil {
		return s.fail("%v", err)
	}
	var choice string
	switch strings.ToLower(strings.TrimSpace(ans)) {
	case "1", "start":
		choice = "Start"
	case "2", "stop":
		choice = "Stop"
	case "3", "restart":
		choice = "Restart"
	default:
		return s.fail("%q is not an action; answer 1 (Start), 2 (Stop) or 3 (Restart).", strings.TrimSpace(ans))
	}
	if code, ok := s.injected(); !ok {
		return code
	}
	var already bool
	err = s.recordConfigure("Start", choice, func(z *Zone) {
		switch choice {
		case "Stop":
			s.markRunning(z, false, false)
		case "Start":
			// Start on running services does nothing, which is why the
			// reference insists on Restart.
			already = s.running(*z)
			if !already {
				s.markRunning(z, true, true)
			}
		default:
			s.markRunning(z, true, true)
		}
		if choice == "Restart" || (choice == "Start" && !already) {
			loadCertificates(z, s.lab.Hostname())
		}
	})
	if err != nil {
		return s.fail("%v", err)
	}
	switch {
	case choice == "Stop":
		fmt.Fprintln(s.out, "Stopped the ZENworks services.")
	case already:
		fmt.Fprintln(s.out, "The ZENworks services are already running; nothing was restarted.")
	case choice == "Start":
		fmt.Fprintln(s.out, "Started the ZENworks services.")
	default:
		fmt.Fprintln(s.out, "Restarted the ZENworks services.")
	}
	return exitOK
}

// configureSSL is `-c SSL`: option 2 remints the certificate authority
// too, which only the server holding the CertAuth role can do.
func (s *session) configureSSL() int {
	if code, handled := s.enforceAdded(); handled {
		return code
	}
	ans, err := s.ask.line(PromptSSLOption)
	if err != nil {
		return s.fail("%v", err)
	}
	opt := strings.TrimSpace(ans)
	if opt != SSLRemintServer && opt != SSLRemintCAServer {
		return s.fail("%q is not an option; answer 1 or 2.", opt)
	}
	if opt == SSLRemintCAServer {
		if held, err := s.holdsCA(); err != nil {
			return s.fail("%v", err)
		} else if !held {
			return s.notCA()
		}
	}
	if err := s.canRemint(opt); err != nil {
		return s.fail("%v", err)
	}
	if code, ok := s.injected(); !ok {
		return code
	}
	if err := s.recordConfigure("SSL", opt, s.remint(opt)); err != nil {
		return s.fail("%v", err)
	}
	if opt == SSLRemintCAServer {
		fmt.Fprintf(s.out, "Reminted the certificate authority and the server certificate of %s. Restart the ZENworks services.\n", s.lab.Hostname())
	} else {
		fmt.Fprintf(s.out, "Reminted the server certificate of %s. Restart the ZENworks services.\n", s.lab.Hostname())
	}
	return exitOK
}

// permission is permission.sh (reference 1.5 step 8, 2.2 step 9e). The lab
// cannot chown without root, so it records the run instead.
func (s *session) permission(args []string) int {
	if len(args) != 0 {
		fmt.Fprintf(s.err, "Usage: %s (it takes no arguments)\n", s.lab.layout.Join(s.lab.layout.BinDir, ToolPermission))
		return exitUsage
	}
	if code, ok := s.injected(); !ok {
		return code
	}
	host := s.lab.Hostname()
	err := s.lab.updateZone(func(z *Zone) error {
		z.PermissionsFixed = append(z.PermissionsFixed, host)
		return nil
	})
	if err != nil {
		return s.fail("%v", err)
	}
	fmt.Fprintf(s.out, "Set the ownership (zenworks:zmanusers) and permissions of the ZENworks files on %s.\n", host)
	return exitOK
}
