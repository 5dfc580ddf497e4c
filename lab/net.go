package lab

import (
	"fmt"
	"slices"
	"strings"
)

// net is Windows' net.exe as far as the ZENworks Server service goes:
// `net stop|start "Novell ZENworks Server"` (net.exe takes a service's
// display name or its key name, novell-zenserver, in any letter case). It
// drives the same service state as /etc/init.d/novell-zenserver on a Linux
// host: a start counts as a restart, a stop does not. Its messages and
// exit statuses are net.exe's: 2 for a service net cannot act on (an
// unknown name, stopping a stopped service, starting a started one), 1 for
// bad syntax.
func (s *session) net(args []string) int {
	if len(args) == 0 {
		netSyntax(s, "")
		return exitFail
	}
	cmd, ok := findNetCommand(args[0])
	if !ok {
		netSyntax(s, "")
		return exitFail
	}
	s.sub = cmd
	if len(args) == 1 && cmd == "start" {
		return s.netList()
	}
	if len(args) != 2 {
		netSyntax(s, cmd)
		return exitFail
	}
	if !isZenService(args[1]) {
		netError(s, "The service name is invalid.", 2185)
		return exitUsage
	}
	if code, ok := s.injected(); !ok {
		return code
	}
	z, err := s.lab.Zone()
	if err != nil {
		return s.fail("%v", err)
	}
	if _, ok := z.Server(s.lab.Hostname()); !ok && !s.lab.IsHome() {
		netError(s, "The service name is invalid.", 2185)
		return exitUsage
	}
	running := s.running(z)
	switch cmd {
	case "stop":
		if !running {
			netError(s, "The "+ServiceDisplayName+" service is not started.", 3521)
			return exitUsage
		}
		fmt.Fprintf(s.out, "The %s service is stopping.\nThe %s service was stopped successfully.\n\n", ServiceDisplayName, ServiceDisplayName)
		return s.setRunning(false, false)
	default: // start
		if running {
			netError(s, "The requested service has already been started.", 2182)
			return exitUsage
		}
		fmt.Fprintf(s.out, "The %s service is starting.\nThe %s service was started successfully.\n\n", ServiceDisplayName, ServiceDisplayName)
		return s.setRunning(true, true)
	}
}

func netCommands() []string { return []string{"start", "stop"} }

// findNetCommand accepts NET's commands in any letter case, as net.exe does.
func findNetCommand(name string) (string, bool) {
	c := strings.ToLower(name)
	return c, slices.Contains(netCommands(), c)
}

// isZenService reports whether name is the ZENworks Server service's
// display name or key name.
func isZenService(name string) bool {
	return strings.EqualFold(name, ServiceDisplayName) || strings.EqualFold(name, ServiceName)
}

// netList is `net start` alone: the started services, of which the lab
// knows one.
func (s *session) netList() int {
	z, err := s.lab.Zone()
	if err != nil {
		return s.fail("%v", err)
	}
	fmt.Fprint(s.out, "These Windows services are started:\n\n")
	if s.running(z) {
		fmt.Fprintf(s.out, "   %s\n", ServiceDisplayName)
	}
	fmt.Fprint(s.out, "\nThe command completed successfully.\n\n")
	return exitOK
}

func netError(s *session, msg string, help int) {
	fmt.Fprintf(s.err, "%s\n\nMore help is available by typing NET HELPMSG %d.\n\n", msg, help)
}

func netSyntax(s *session, cmd string) {
	switch cmd {
	case "stop":
		fmt.Fprint(s.err, "The syntax of this command is:\n\nNET STOP\nservice\n\n")
	case "start":
		fmt.Fprint(s.err, "The syntax of this command is:\n\nNET START\n[service]\n\n")
	default:
		fmt.Fprint(s.err, "The syntax of this command is:\n\nNET\n"+
			"    [ ACCOUNTS | COMPUTER | CONFIG | CONTINUE | FILE | GROUP | HELP |\n"+
			"      HELPMSG | LOCALGROUP | PAUSE | SESSION | SHARE | START |\n"+
			"      STATISTICS | STOP | TIME | USE | USER | VIEW ]\n\n")
	}
	fmt.Fprintf(s.err, "(The zenrecover lab simulates NET START [service] and NET STOP service, for the %q service.)\n", ServiceDisplayName)
}
