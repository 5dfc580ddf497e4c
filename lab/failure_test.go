package lab

import (
	"os"
	"strings"
	"testing"
)

func TestInjectedFailureFailsOnceThenSucceeds(t *testing.T) {
	l := newTestLab(t)
	if err := l.InjectFailure(ToolZman, "zsb", 1, "Error: simulated: the disk is full."); err != nil {
		t.Fatal(err)
	}
	dst := l.Rebase("/root/b.bak")
	code, out, errs := run(t, l, createAnswers(testPassphrase), ToolZman, "zenserver-backup", dst)
	if code != 1 || !strings.Contains(errs, "the disk is full") {
		t.Errorf("first run: exit %d, %q", code, errs)
	}
	if !strings.Contains(out, PromptConfirmPassphrase) {
		t.Errorf("the failure fired before the prompts: %q", out)
	}
	if _, err := os.Stat(dst); !os.IsNotExist(err) {
		t.Errorf("a failed backup left a file: %v", err)
	}
	mustRun(t, l, createAnswers(testPassphrase), ToolZman, "zsb", dst)
	if z, _ := l.Zone(); len(z.Failures) != 0 {
		t.Errorf("failures left: %+v", z.Failures)
	}
}

func TestInjectedFailureMatchesItsCommandOnly(t *testing.T) {
	l := newTestLab(t)
	if err := l.InjectFailure(ToolZenserver, "restart", 2, ""); err != nil {
		t.Fatal(err)
	}
	mustRun(t, l, "", ToolZenserver, "status")
	mustRun(t, l, createAnswers(testPassphrase), ToolZman, "zsb", l.Rebase("/root/b.bak"))
	for i := 0; i < 2; i++ {
		if code, _, errs := run(t, l, "", ToolZenserver, "restart"); code != 1 || !strings.Contains(errs, "injected") {
			t.Errorf("restart %d: exit %d, %q", i, code, errs)
		}
	}
	mustRun(t, l, "", ToolZenserver, "restart")
	if z, _ := l.Zone(); z.Restarts != 1 {
		t.Errorf("restarts = %d; failed restarts must not count", z.Restarts)
	}
}

func TestInjectFailureValidates(t *testing.T) {
	l := newTestLab(t)
	for _, c := range []struct {
		tool, sub string
		times     int
	}{{"dbisql", "", 1}, {ToolPermission, "x", 1}, {ToolConfigure, "Reboot", 1}, {ToolZac, "nope", 1}, {ToolZman, "nope", 1}, {ToolZenserver, "reload", 1}, {ToolZman, "zsb", 0}} {
		if err := l.InjectFailure(c.tool, c.sub, c.times, "x"); err == nil {
			t.Errorf("InjectFailure(%q, %q, %d) accepted", c.tool, c.sub, c.times)
		}
	}
	if err := l.InjectFailure(ToolZman, "cai", 1, "x"); err != nil {
		t.Fatal(err)
	}
	if z, _ := l.Zone(); len(z.Failures) != 1 || z.Failures[0].Subcommand != "certificate-authority-import" {
		t.Errorf("failures %+v", z.Failures)
	}
}
