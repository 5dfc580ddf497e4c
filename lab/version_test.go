package lab

import (
	"strings"
	"testing"
)

// Raising the version rewrites every version file, and a server backup
// taken before can no longer be restored: zman backups are version
// specific (reference 1.1).
func TestSetVersionMakesEarlierBackupsUnrestorable(t *testing.T) {
	l := newTestLab(t)
	dst := l.Rebase("/root/zcm_backups/zone_backup.bak")
	mustRun(t, l, createAnswers(testPassphrase), ToolZman, "zenserver-backup", dst)
	old, err := l.SetVersion("11.4.0")
	if err != nil || old != "11.3.0" {
		t.Fatalf("SetVersion: %q %v", old, err)
	}
	for _, name := range VersionFiles() {
		text := readFile(t, l.Rebase(ServerConfDir+"/"+name))
		if !strings.Contains(text, "11.4.0") || strings.Contains(text, "11.3.0") {
			t.Errorf("%s after the update:\n%s", name, text)
		}
	}
	if v, _ := l.Version(); v != "11.4.0" {
		t.Errorf("Version = %q", v)
	}
	code, _, errs := run(t, l, openAnswers(testPassphrase), ToolZman, "zenserver-restore", dst)
	if code == 0 || !strings.Contains(errs, "made on ZENworks 11.3.0 but this server runs 11.4.0") {
		t.Errorf("restore of a backup from before the update: exit %d, %s", code, errs)
	}
	if _, err := l.SetVersion("11.x"); err == nil {
		t.Error("SetVersion accepted 11.x")
	}
}
