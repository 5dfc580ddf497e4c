package lab

import (
	"strings"
	"testing"
)

func TestZenserverRestartCounts(t *testing.T) {
	l := newTestLab(t)
	out := mustRun(t, l, "", ServerInitScript, "restart")
	if !strings.Contains(out, "Restarting Novell ZENworks Server") {
		t.Errorf("stdout = %q", out)
	}
	mustRun(t, l, "", ToolZenserver, "restart")
	if z, _ := l.Zone(); z.Restarts != 2 || !z.Running {
		t.Errorf("restarts %d running %v", z.Restarts, z.Running)
	}

	mustRun(t, l, "", ToolZenserver, "stop")
	if code, out, _ := run(t, l, "", ToolZenserver, "status"); code != exitNotRunning || !strings.Contains(out, "not running") {
		t.Errorf("status after stop: %d %q", code, out)
	}
	mustRun(t, l, "", ToolZenserver, "start")
	if code, out, _ := run(t, l, "", ToolZenserver, "status"); code != 0 || !strings.Contains(out, "is running") {
		t.Errorf("status after start: %d %q", code, out)
	}
	if z, _ := l.Zone(); z.Restarts != 3 {
		t.Errorf("restarts %d after stop and start", z.Restarts)
	}
	for _, args := range [][]string{nil, {"reload"}, {"restart", "now"}} {
		if code, _, errs := run(t, l, "", ToolZenserver, args...); code != 2 || !strings.Contains(errs, "Usage") {
			t.Errorf("%q: %d %q", args, code, errs)
		}
	}
}
