package lab

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// A Reporting lab puts ZENworks Reporting on this server only, so step 9f
// has something to remove; a plain lab has none of it.
func TestReportingOption(t *testing.T) {
	l := newReportingLab(t)
	z, _ := l.Zone()
	for _, srv := range z.Servers {
		has := srv.HasRole(RoleReportCMS) && srv.HasRole(RoleReportApplication)
		if has != (srv.Name == l.Hostname()) {
			t.Errorf("%s: roles %q", srv.Name, srv.Roles)
		}
	}
	names := opaqueNames(t, l)
	if !slices.Contains(names, OpaqueReportingPassword) ||
		!slices.ContainsFunc(names, func(n string) bool { return strings.HasPrefix(n, "zone.configuration.reports.") }) ||
		!slices.ContainsFunc(names, func(n string) bool { return !strings.Contains(n, "reports") && !strings.HasPrefix(n, "boe.") }) {
		t.Errorf("zOpaqueData %q", names)
	}

	plain := newTestLab(t)
	z, _ = plain.Zone()
	for _, srv := range z.Servers {
		if srv.HasRole(RoleReportCMS) || srv.HasRole(RoleReportApplication) {
			t.Errorf("a lab without Reporting: %s has %q", srv.Name, srv.Roles)
		}
	}
	if len(z.OpaqueData) != 0 {
		t.Errorf("a lab without Reporting has Reporting data: %+v", z.OpaqueData)
	}
}

func reportLoads(t *testing.T, l *Lab) []ReportLoad {
	t.Helper()
	z, err := l.Zone()
	if err != nil {
		t.Fatal(err)
	}
	return z.ReportLoads
}

// zman rpld (reference 2.2 step 9h) logs in, then loads the folder the
// reports were exported to.
func TestZmanReportLoad(t *testing.T) {
	l := newReportingLab(t)
	help := mustRun(t, l, "", ToolZman, "--help")
	if !strings.Contains(help, "report-load (rpld) <source folder>") {
		t.Errorf("zman --help does not list report-load:\n%s", help)
	}

	folder := filepath.Join(l.Dir(), "root", "zcm_backups", "reports")
	if err := os.MkdirAll(filepath.Join(folder, "Custom"), 0o700); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(folder, "Device Inventory.xml"), "<report/>")
	writeFile(t, filepath.Join(folder, "Custom", "Patches.xml"), "<report/>")

	out := mustRun(t, l, answers(testAdmin, testPassword), ToolZman, "rpld", folder)
	if !strings.Contains(out, PromptUsername) || !strings.Contains(out, PromptPassword) {
		t.Errorf("rpld did not ask for the administrator: %q", out)
	}
	if !strings.Contains(out, "Loaded the reports in "+folder+" (2 file(s))") {
		t.Errorf("output %q", out)
	}
	mustRun(t, l, answers(testAdmin, testPassword), ToolZman, "report-load", folder)
	want := ReportLoad{Server: l.Hostname(), Folder: folder, Files: 2}
	if got := reportLoads(t, l); !slices.Equal(got, []ReportLoad{want, want}) {
		t.Errorf("loads %+v", got)
	}
}

func TestZmanReportLoadRefuses(t *testing.T) {
	l := newReportingLab(t)
	folder := filepath.Join(l.Dir(), "root", "zcm_backups", "reports")
	if err := os.MkdirAll(folder, 0o700); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(folder, "one.xml")
	writeFile(t, file, "<report/>")
	for _, c := range []struct {
		name, stdin string
		args        []string
		code        int
		want        string
	}{
		{"wrong password", answers(testAdmin, "wrong"), []string{"rpld", folder}, 1, "Authentication failed"},
		{"no folder", answers(testAdmin, testPassword), []string{"rpld", filepath.Join(folder, "missing")}, 1, "does not exist"},
		{"a file", answers(testAdmin, testPassword), []string{"rpld", file}, 1, "is not a folder"},
		{"no argument", "", []string{"rpld"}, 2, "Usage: zman report-load (rpld)"},
		{"two arguments", "", []string{"rpld", folder, folder}, 2, "takes 1 argument"},
	} {
		code, _, errs := run(t, l, c.stdin, ToolZman, c.args...)
		if code != c.code || !strings.Contains(errs, c.want) {
			t.Errorf("%s: %d %q", c.name, code, errs)
		}
	}

	// An injected failure fires after the prompts, before anything is recorded.
	if err := l.InjectFailure(ToolZman, "rpld", 1, "Error: simulated: ZENworks Reporting is not reachable."); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := run(t, l, answers(testAdmin, testPassword), ToolZman, "report-load", folder); code != 1 || !strings.Contains(errs, "not reachable") {
		t.Errorf("injected: %d %q", code, errs)
	}
	if got := reportLoads(t, l); len(got) != 0 {
		t.Errorf("a refused load was recorded: %+v", got)
	}
	mustRun(t, l, answers(testAdmin, testPassword), ToolZman, "rpld", folder)
	if got := reportLoads(t, l); len(got) != 1 || got[0].Files != 1 {
		t.Errorf("loads %+v", got)
	}
}
