package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestChecklistCommandWritesEachFormat(t *testing.T) {
	out, errs, code := runCLI(t, "checklist", "1.2", "--format", "txt")
	if code != 0 || !strings.Contains(out, "[ ] 1.2 step 3, 4, 5  Restore the server configuration with zman") {
		t.Fatalf("txt: %d %s\n%s", code, errs, out)
	}
	if out, _, _ := runCLI(t, "checklist", "1.2"); !strings.Contains(out, "- [ ] **1.2 step 1 · ") {
		t.Errorf("the default format is not Markdown:\n%s", out)
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "restore.html")
	if _, errs, code := runCLI(t, "checklist", "server-restore", "-o", p); code != 0 || !strings.Contains(errs, "wrote "+p) {
		t.Fatalf("-o: %d %s", code, errs)
	}
	if b, err := os.ReadFile(p); err != nil || !strings.HasPrefix(string(b), "<!DOCTYPE html>") {
		t.Errorf("-o FILE.html did not write HTML: %v", err)
	}
}

func TestChecklistCommandTakesAnAnswersFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "answers.yaml")
	os.WriteFile(p, []byte("platform: windows\ndb_on_server: yes\nhave_image_backups: no\n"), 0o600)
	out, errs, code := runCLI(t, "checklist", "1.2", "--format", "txt", "--answers", p)
	if code != 0 {
		t.Fatalf("%d %s", code, errs)
	}
	for _, want := range []string{"Shaped by the answers in answers.yaml", "1.2 step 6 Restore the ZENworks database",
		"Restart the ZENworks Server", `net stop "Novell ZENworks Server"`, `net start "Novell ZENworks Server"`} {
		if !strings.Contains(strings.Join(strings.Fields(out), " "), want) {
			t.Errorf("lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "/etc/init.d/novell-zenserver") {
		t.Error("the Linux restart is on a Windows checklist")
	}
	os.WriteFile(p, []byte("backup_passphrase: hunter2hunter2\n"), 0o600)
	if _, errs, code := runCLI(t, "checklist", "1.2", "--answers", p); code != exitUsage || !strings.Contains(errs, "secret") {
		t.Errorf("a secret in the answers file: %d %s", code, errs)
	}
	if _, _, code := runCLI(t, "checklist", "1.2", "--format", "pdf"); code != exitUsage {
		t.Errorf("--format pdf: exit %d", code)
	}
}

// --platform prints the sheet for servers of one platform: a Windows
// server's has no Linux path and a Linux server's no %ZENWORKS_HOME%; the
// platform is not among the questions.
func TestChecklistCommandTakesAPlatform(t *testing.T) {
	out, errs, code := runCLI(t, "checklist", "2.2", "--format", "txt", "--platform", "windows")
	if code != 0 {
		t.Fatalf("%d %s", code, errs)
	}
	for _, bad := range []string{"/etc/opt", "/var/opt", "/root", "init.d"} {
		if strings.Contains(out, bad) {
			t.Errorf("the Windows sheet shows %s:\n%s", bad, out)
		}
	}
	for _, want := range []string{`c:\zcm_backups\zone_backup-<run.date>.bak`, `%ZENWORKS_HOME%\work\content-repo`, `net start "Novell ZENworks Server"`} {
		if !strings.Contains(out, want) {
			t.Errorf("the Windows sheet lacks %s:\n%s", want, out)
		}
	}
	out, _, _ = runCLI(t, "checklist", "2.2", "--format", "txt", "--platform", "linux")
	if strings.Contains(strings.ToUpper(out), "%ZENWORKS_HOME%") || !strings.Contains(out, "/etc/init.d/novell-zenserver restart") {
		t.Errorf("the Linux sheet:\n%s", out)
	}
	if _, errs, code := runCLI(t, "checklist", "2.2", "--platform", "macos"); code != exitUsage || !strings.Contains(errs, "linux or windows") {
		t.Errorf("--platform macos: %d %s", code, errs)
	}
}
