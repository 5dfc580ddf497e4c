package lab

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExportWithDisableThenImport(t *testing.T) {
	l := newTestLab(t)
	ca := l.Rebase("/tmp/zenbackup/ca.bak")
	if err := os.MkdirAll(filepath.Dir(ca), 0o700); err != nil { // zman does not create it (destination_test.go)
		t.Fatal(err)
	}
	keystore, caConfig := l.Rebase(ServerKeystore), l.Rebase(ServerCaConfig)
	origKS, origCfg := readFile(t, keystore), readFile(t, caConfig)

	out := mustRun(t, l, createAnswers(testPassphrase), ToolZman, "certificate-authority-export", "-d", ca)
	if !strings.HasPrefix(out, PromptUsername+PromptPassword+PromptNewPassphrase+PromptConfirmPassphrase) {
		t.Errorf("stdout = %q", out)
	}
	if localServer(t, l).HasRole(RoleCertAuth) {
		t.Fatal("cae -d left the CertAuth role on the local server")
	}
	if strings.Contains(readFile(t, ca), "zenca") {
		t.Error("the export is not encrypted")
	}

	// No longer the CA: another export is refused before any passphrase.
	code, out, errs := run(t, l, createAnswers(testPassphrase), ToolZman, "cae", l.Rebase("/tmp/again.bak"))
	if code != 1 || !strings.Contains(errs, RoleCertAuth) || strings.Contains(out, PromptNewPassphrase) {
		t.Errorf("export without the role: exit %d, %q, %q", code, out, errs)
	}

	for _, p := range []string{keystore, caConfig} {
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
	}
	before := snapshot(t, l.Dir())
	code, _, errs = run(t, l, openAnswers("wrong passphrase"), ToolZman, "cai", ca)
	if code != 1 || !strings.Contains(errs, "incorrect passphrase") {
		t.Errorf("import with a wrong passphrase: exit %d, %q", code, errs)
	}
	sameSnapshot(t, before, snapshot(t, l.Dir()))
	if localServer(t, l).HasRole(RoleCertAuth) {
		t.Error("a failed import added the CertAuth role")
	}

	out = mustRun(t, l, openAnswers(testPassphrase), ToolZman, "cai", ca)
	if !strings.HasPrefix(out, PromptUsername+PromptPassword+PromptPassphrase) {
		t.Errorf("stdout = %q", out)
	}
	if !localServer(t, l).HasRole(RoleCertAuth) {
		t.Error("cai did not add the CertAuth role")
	}
	if readFile(t, keystore) != origKS || readFile(t, caConfig) != origCfg {
		t.Error("cai did not write back zenca.keystore and CaConfig.xml")
	}
	if fi, _ := os.Stat(keystore); fi.Mode().Perm() != 0o600 {
		t.Errorf("keystore mode %v", fi.Mode())
	}
}

func TestExportWithoutDisableKeepsTheRole(t *testing.T) {
	l := newTestLab(t)
	mustRun(t, l, createAnswers(testPassphrase), ToolZman, "cae", l.Rebase("/tmp/ca.bak"))
	if !localServer(t, l).HasRole(RoleCertAuth) {
		t.Error("cae without -d removed the role")
	}
}

func TestExportNeedsTheKeystoreCaConfigNames(t *testing.T) {
	l := newTestLab(t)
	cfg := l.Rebase(ServerCaConfig)
	writeFile(t, cfg, strings.Replace(readFile(t, cfg), ServerKeystore, "/opt/elsewhere/zenca.keystore", 1))
	code, _, errs := run(t, l, createAnswers(testPassphrase), ToolZman, "cae", l.Rebase("/tmp/ca.bak"))
	if code != 1 || !strings.Contains(errs, "/opt/elsewhere/zenca.keystore") {
		t.Errorf("exit %d, %q", code, errs)
	}
	// Moving the keystore to where CaConfig.xml points (reference 1.5) fixes it.
	if err := os.MkdirAll(l.Rebase("/opt/elsewhere"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(l.Rebase(ServerKeystore), l.Rebase("/opt/elsewhere/zenca.keystore")); err != nil {
		t.Fatal(err)
	}
	mustRun(t, l, createAnswers(testPassphrase), ToolZman, "cae", l.Rebase("/tmp/ca.bak"))
}

func TestRoleDisableAndEnable(t *testing.T) {
	l := newTestLab(t)
	login := answers(testAdmin, testPassword)
	out := mustRun(t, l, login, ToolZman, "card")
	if out != PromptUsername+PromptPassword+"Disabled the certificate authority role on zen-primary-1.\n" {
		t.Errorf("stdout = %q", out)
	}
	if localServer(t, l).HasRole(RoleCertAuth) {
		t.Error("card left the role")
	}
	if code, _, _ := run(t, l, login, ToolZman, "certificate-authority-role-disable"); code != 1 {
		t.Errorf("card twice: exit %d", code)
	}
	mustRun(t, l, login, ToolZman, "care")
	if !localServer(t, l).HasRole(RoleCertAuth) {
		t.Error("care did not add the role")
	}
	if err := os.Remove(l.Rebase(ServerKeystore)); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := run(t, l, login, ToolZman, "care"); code != 1 || !strings.Contains(errs, "does not exist") {
		t.Errorf("care without a keystore: exit %d, %q", code, errs)
	}
}
