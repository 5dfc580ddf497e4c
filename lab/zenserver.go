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
	if _, ok := z.Server(s.lab.Hostname()); !ok && !s.lab.IsHome() {
		return s.fail("%s is not a ZENworks Server of zone %s", s.lab.Hostname(), z.Name)
	}
	running := s.running(z)
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
		s.markRunning(z, running, count)
		return nil
	})
	if err != nil {
		return s.fail("%v", err)
	}
	return exitOK
}

// running reports whether ZENworks runs on the session's host.
func (s *session) running(z Zone) bool {
	if s.lab.IsHome() {
		return z.Running
	}
	srv, ok := z.Server(s.lab.Hostname())
	return ok && !srv.Stopped
}

// markRunning records a start, stop or restart on the session's host: the
// lab server's in the zone, another server's in its entry.
func (s *session) markRunning(z *Zone, running, restarted bool) {
	if !s.lab.IsHome() {
		if srv := z.server(s.lab.Hostname()); srv != nil {
			srv.Stopped = !running
			if restarted {
				srv.Restarts++
			}
		}
		return
	}
	z.Running = running
	if restarted {
		z.Restarts++
	}
}
