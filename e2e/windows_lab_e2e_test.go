//go:build !windows

package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Issue 13's done-when: a plain rehearsal of 1.1 in a Windows-layout lab
// passes zman a Windows path; the backup lands where that path is in the
// lab, and the content repository's Windows tree is archived.
func TestAPlainRehearsalOf11InAWindowsLabPassesZmanAWindowsPath(t *testing.T) {
	t.Parallel()
	e := newE2E(t)
	win := filepath.Join(t.TempDir(), "winlab")
	if out, err := e.cmd("", "lab", "init", win, "--platform", "windows").CombinedOutput(); err != nil {
		t.Fatalf("lab init --platform windows: %v\n%s", err, out)
	}
	os.WriteFile(e.answers, []byte("db_on_server: yes\nonly_content_server: yes\n"), 0o600)
	c := e.cmd("", "run", "1.1", "--lab", win, "--plain", "--answers", e.answers, "--yes")
	c.Env = append(c.Env, "ZENRECOVER_SECRET_ADMIN_PASSWORD="+labAdminPassword,
		"ZENRECOVER_SECRET_BACKUP_PASSPHRASE="+knownPassphrase, "ZENRECOVER_SECRET_ARCHIVE_PASSPHRASE="+knownPassphrase)
	out, err := c.CombinedOutput()
	if code := exitCode(err); code != 0 {
		t.Fatalf("plain 1.1 in a Windows lab exited %d:\n%s", code, out)
	}
	date := time.Now().Format("2006-01-02")
	for _, want := range []string{`zman zenserver-backup 'c:\zcm_backups\zone_backup-` + date + `.bak'`, "Completed"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the rehearsal's output lacks %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat(filepath.Join(win, "C", "zcm_backups", "zone_backup-"+date+".bak")); err != nil {
		t.Errorf("the backup is not at the lab's c:\\zcm_backups: %v", err)
	}
	if _, err := os.Stat(filepath.Join(win, "C", "zcm_backups", "content-repo-"+date+".archive", "manifest.age")); err != nil {
		t.Errorf("the content repository was not archived at the lab's c:\\zcm_backups: %v", err)
	}
	for _, secret := range []string{labAdminPassword, knownPassphrase} {
		if strings.Contains(string(out), secret) {
			t.Errorf("a secret was printed")
		}
		e.assertNowhere(e.stateDir, secret)
	}
}
