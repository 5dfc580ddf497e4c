package lab

import (
	"fmt"
	"slices"
)

// exitNotRunning is the LSB init-script status for "program is not running".
const exitNotRunning = 3

func zenserverActions() []string { return []string{"start", "stop", "restart", "status"} }

func isZenserverAction(a string) bool { return slices.Contains(zenserverActions(), a) }

// zenserver is /etc/init.d/novell-zenserver. Restarts are counted in the
// zone so a check can see that reference 1.4 step 5 was really done.
func (s *session) zenserver(args []string) int {
	if len(args) != 1 || !isZenserverAction(args[0]) {
		fmt.Fprintf(s.err, "Usage: %s {start|stop|restart|status}\n", ServerInitScript)
		return exitUsage
	}
	s.sub = args[0]
	if code, ok := s.injected(); !ok {
		return code
	}
	z, err := s.lab.Zone()
	if err != nil {
		return s.fail("%v", err)
	}
	running := z.Running
	if !s.lab.IsHome() {
		srv, ok := z.Server(s.lab.Hostname())
		if !ok {
			return s.fail("%s is not a ZENworks Server of zone %s", s.lab.Hostname(), z.Name)
		}
		running = !srv.Stopped
	}
	switch s.sub {
	case "status":
		if running {
			fmt.Fprintln(s.out, "Novell ZENworks Server is running.")
			return exitOK
		}
		fmt.Fprintln(s.out, "Novell ZENworks Server is not running.")
		return exitNotRunning
	case "stop":
		fmt.Fprintln(s.out, "Stopping Novell ZENworks Server... done")
		return s.setRunning(false, false)
	case "start":
		if running {
			fmt.Fprintln(s.out, "Novell ZENworks Server is already running.")
			return exitOK
		}
		fmt.Fprintln(s.out, "Starting Novell ZENworks Server... done")
		return s.setRunning(true, true)
	default: // restart
		fmt.Fprintln(s.out, "Restarting Novell ZENworks Server...")
		fmt.Fprintln(s.out, "Stopping Novell ZENworks Server... done")
		fmt.Fprintln(s.out, "Starting Novell ZENworks Server... done")
		return s.setRunning(true, true)
	}
}

func (s *session) setRunning(running, count bool) int {
	err := s.lab.updateZone(func(z *Zone) error {
		if !s.lab.IsHome() {
			srv := z.server(s.lab.Hostname())
			if srv == nil {
				return fmt.Errorf("%s is not a ZENworks Server of zone %s", s.lab.Hostname(), z.Name)
			}
			srv.Stopped = !running
			if count {
				srv.Restarts++
			}
			return nil
		}
		z.Running = running
		if count {
			z.Restarts++
		}
		return nil
	})
	if err != nil {
		return s.fail("%v", err)
	}
	return exitOK
}
