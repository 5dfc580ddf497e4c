package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEscrowSealAndOpen(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	key, rec := keyFile(t)
	backup := filepath.Join(t.TempDir(), "zone_backup.bak")
	t.Setenv(escrowEnv, "the zone passphrase")
	out, errs, code := runCLI(t, "escrow", "seal", backup, "-r", rec, "--label", "zman backup passphrase")
	if code != 0 || !strings.Contains(out, backup+".escrow.age") {
		t.Fatalf("seal: %d\n%s\n%s", code, out, errs)
	}
	if b, _ := os.ReadFile(backup + ".escrow.age"); strings.Contains(string(b), "the zone passphrase") {
		t.Fatal("the escrow holds the secret in the clear")
	}
	if _, errs, code := runCLI(t, "escrow", "seal", backup, "-r", rec); code != exitUsage || !strings.Contains(errs, "already exists") {
		t.Errorf("seal over an escrow: %d %s", code, errs)
	}
	out, errs, code = runCLI(t, "escrow", "open", backup, "-i", key)
	if code != 0 || out != "the zone passphrase\n" || !strings.Contains(errs, "zman backup passphrase for "+backup) {
		t.Fatalf("open: %d\n%q\n%s", code, out, errs)
	}
	other, _ := keyFile(t)
	if _, _, code := runCLI(t, "escrow", "open", backup, "-i", other); code != exitFailed {
		t.Errorf("open with another key: %d", code)
	}
}
