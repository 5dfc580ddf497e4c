package lab

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Step 4 of 2.2 is done in ZENworks Reporting; the lab plays it: the
// reports land in the folder step 9h's zman rpld loads, kept as backups
// are (0700, 0600).
func TestExportReportsIsWhatStep9hLoads(t *testing.T) {
	l := newReportingLab(t)
	res, err := l.ExportReports("")
	if err != nil {
		t.Fatal(err)
	}
	if res.Folder != DefaultReportsFolder || res.LabFolder != l.Rebase(DefaultReportsFolder) || len(res.Files) != len(labReports) {
		t.Fatalf("export %+v", res)
	}
	if fi, err := os.Stat(res.LabFolder); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("the folder: %v %v", fi.Mode(), err)
	}
	for _, f := range res.Files {
		fi, err := os.Stat(filepath.Join(res.LabFolder, f))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v", f, err)
		}
	}
	// A second export replaces the reports, adds none.
	if _, err := l.ExportReports(DefaultReportsFolder); err != nil {
		t.Fatal(err)
	}
	// The tools take the lab's paths (the runner rebases a step's).
	out := mustRun(t, l, answers(testAdmin, testPassword), ToolZman, "rpld", res.LabFolder)
	if !strings.Contains(out, "(3 file(s))") {
		t.Errorf("rpld after the export: %q", out)
	}
	if got := reportLoads(t, l); !slices.Equal(got, []ReportLoad{{Server: l.Hostname(), Folder: res.LabFolder, Files: 3}}) {
		t.Errorf("loads %+v", got)
	}
}

func TestExportReportsRefuses(t *testing.T) {
	plain := newTestLab(t)
	if _, err := plain.ExportReports(""); err == nil || !strings.Contains(err.Error(), "no ZENworks Reporting") || !strings.Contains(err.Error(), "--reporting") {
		t.Errorf("a lab without Reporting: %v", err)
	}
	if _, err := os.Stat(plain.Rebase(DefaultReportsFolder)); err == nil {
		t.Error("a refused export created the folder")
	}
	l := newReportingLab(t)
	for _, folder := range []string{"reports", "/", "/.zone.json", "/hosts/zen-primary-2/root"} {
		if _, err := l.ExportReports(folder); err == nil || !strings.Contains(err.Error(), DefaultReportsFolder) {
			t.Errorf("%q: %v", folder, err)
		}
	}
}
