package actions

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// IO.OnProgress gets the archive's snapshots, creating and restoring, with
// the path being read made safe to show: no escape sequence from a file
// name, no secret.
func TestArchiveStepsReportProgressThroughIO(t *testing.T) {
	t.Parallel()
	src := contentRepo(t)
	hostile := filepath.Join(src, "images", "\x1b]0;owned\x07"+archivePass+".zmg")
	if err := os.WriteFile(hostile, []byte(strings.Repeat("x", 100_000)), 0o644); err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(t.TempDir(), "content-repo.backup")
	var seen []Progress
	rio := IO{Secrets: NewMasker(), OnProgress: func(p Progress) { seen = append(seen, p) }}
	step := &ArchiveCreate{Source: src, Dest: dest, Passphrase: archivePass, PartSize: 64 << 10, ProgressInterval: -1}
	if err := step.Run(context.Background(), rio); err != nil {
		t.Fatal(err)
	}
	check := func(what string, phase Phase) {
		t.Helper()
		if len(seen) == 0 {
			t.Fatalf("%s: no progress", what)
		}
		var sawPhase bool
		for _, p := range seen {
			sawPhase = sawPhase || p.Phase == phase
			if strings.ContainsAny(p.Current, "\x1b\x07") || strings.Contains(p.Current, archivePass) {
				t.Errorf("%s: unsafe path shown: %q", what, p.Current)
			}
		}
		if last := seen[len(seen)-1]; !sawPhase || last.Phase != PhaseDone || last.Fraction() != 1 || last.Files != 3 {
			t.Errorf("%s: last progress %+v (saw %s: %v)", what, last, phase, sawPhase)
		}
	}
	check("create", PhaseArchive)
	seen = nil
	out := filepath.Join(t.TempDir(), "restored")
	if err := (&ArchiveExtract{Archive: dest, Dir: out, Passphrase: archivePass}).Run(context.Background(), rio); err != nil {
		t.Fatal(err)
	}
	check("extract", PhaseExtract)
}
