package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"zenrecover/lab"
)

// Issue 11, item 6: scripts that drive plain mode.

// runScript runs the command line as a script does: standard input at its
// end, and everything it prints (the plain front end writes to os.Stdout)
// returned with its exit status.
func runScript(t *testing.T, statePath string, args ...string) (string, int) {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "stdout")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	saved := os.Stdout
	os.Stdout = f
	out, errs, code := runCLIAt(t, statePath, args...)
	os.Stdout = saved
	b, _ := os.ReadFile(f.Name())
	return string(b) + out + errs, code
}

func scriptLab(t *testing.T) (labDir, answers, statePath string) {
	t.Helper()
	dir := t.TempDir()
	if _, err := lab.Init(filepath.Join(dir, "lab"), lab.Options{}); err != nil {
		t.Fatal(err)
	}
	answers = filepath.Join(dir, "answers.yaml")
	if err := os.WriteFile(answers, []byte("db_on_server: no\nonly_content_server: yes\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "lab"), answers, filepath.Join(dir, "state", "state.db")
}

// A scripted run stopped before its secrets were there; resumed with the
// same answers file, it takes the procedure's defaults for the inputs it
// had not asked yet, as run does, instead of stopping on "No value for".
func TestResumeTakesTheAnswersFileLikeRun(t *testing.T) {
	labDir, answers, statePath := scriptLab(t)
	t.Setenv("ZENRECOVER_SECRET_BACKUP_PASSPHRASE", "Zebra-Quartz-1234")
	t.Setenv("ZENRECOVER_SECRET_ARCHIVE_PASSPHRASE", "Zebra-Quartz-5678")
	out, code := runScript(t, statePath, "run", "1.1", "--lab", labDir, "--plain", "--answers", answers, "--yes")
	if code != exitStopped || !strings.Contains(out, `No value for "ZENworks administrator password"`) {
		t.Fatalf("run without the password: exit %d\n%s", code, out)
	}
	t.Setenv("ZENRECOVER_SECRET_ADMIN_PASSWORD", lab.DefaultAdminPassword)

	// A recorded answer is not changed by the file: --change does that.
	other := filepath.Join(filepath.Dir(answers), "other.yaml")
	os.WriteFile(other, []byte("db_on_server: yes\n"), 0o600)
	if out, code := runScript(t, statePath, "resume", "--plain", "--answers", other, "--yes"); code != exitUsage || !strings.Contains(out, "--change db_on_server=VALUE") {
		t.Fatalf("resume with an answers file that contradicts the run: exit %d\n%s", code, out)
	}

	out, code = runScript(t, statePath, "resume", "--plain", "--answers", answers, "--yes")
	if code != exitCompleted || !strings.Contains(out, "Completed") || strings.Contains(out, "No value for") {
		t.Fatalf("resume --answers: exit %d\n%s", code, out)
	}
	if !strings.Contains(out, "Archive set to write the content repository to: /root/zcm_backups/content-repo-") {
		t.Errorf("the archive's default was not taken from the answers file's rules:\n%s", out)
	}
}

// A secret in the environment that the run would refuse when its step
// comes (a line break) is refused before anything starts.
func TestRunRefusesABadSecretInTheEnvironmentUpFront(t *testing.T) {
	labDir, answers, statePath := scriptLab(t)
	t.Setenv("ZENRECOVER_SECRET_ADMIN_PASSWORD", lab.DefaultAdminPassword+"\n")
	t.Setenv("ZENRECOVER_SECRET_BACKUP_PASSPHRASE", "Zebra-Quartz-1234")
	out, code := runScript(t, statePath, "run", "1.1", "--lab", labDir, "--plain", "--answers", answers, "--yes")
	if code != exitUsage || !strings.Contains(out, "ZENRECOVER_SECRET_ADMIN_PASSWORD") || !strings.Contains(out, "line break") || !strings.Contains(out, "nothing was started") {
		t.Fatalf("run with a line break in a secret: exit %d\n%s", code, out)
	}
	if strings.Contains(out, lab.DefaultAdminPassword) {
		t.Errorf("the secret was shown:\n%s", out)
	}
	listed, _ := runScript(t, statePath, "runs", "--json")
	var runs []any
	if err := json.Unmarshal([]byte(listed), &runs); err != nil || len(runs) != 0 {
		t.Errorf("a run was recorded: %v\n%s", err, listed)
	}
}
