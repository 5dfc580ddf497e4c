package lab

import (
	"os"
	"strings"
	"testing"
)

// A backup or a CA export into a folder that does not exist fails in one
// clear line, before the passphrase is asked, and writes nothing (the real
// zman ends in a stack trace there).
func TestBackupIntoAMissingFolderFailsInOneLine(t *testing.T) {
	l := newTestLab(t)
	if fi, err := os.Stat(l.Rebase(ServerBackupDir)); err != nil || !fi.IsDir() || fi.Mode().Perm() != 0o700 {
		t.Fatalf("the lab has no private %s: %v %v", ServerBackupDir, fi, err)
	}
	for _, c := range [][]string{
		{"zenserver-backup", l.Rebase("/root/nowhere/zone_backup.bak")},
		{"certificate-authority-export", l.Rebase("/root/nowhere/ca.bak")},
	} {
		code, stdout, stderr := run(t, l, createAnswers(testPassphrase), ToolZman, c...)
		if code == 0 {
			t.Fatalf("zman %s into a missing folder succeeded:\n%s", c[0], stdout)
		}
		lines := strings.Split(strings.TrimSpace(stderr), "\n")
		if len(lines) != 1 || !strings.Contains(lines[0], "the folder "+l.Rebase("/root/nowhere")+" does not exist") {
			t.Errorf("zman %s: stderr %q; want one line naming the missing folder", c[0], stderr)
		}
		if strings.Contains(stdout, PromptNewPassphrase) {
			t.Errorf("zman %s asked for a passphrase it could not use:\n%s", c[0], stdout)
		}
		if _, err := os.Stat(l.Rebase("/root/nowhere")); err == nil {
			t.Errorf("zman %s created the folder", c[0])
		}
	}
}
