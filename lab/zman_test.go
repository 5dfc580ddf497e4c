package lab

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"filippo.io/age"
)

func TestBackupPromptsInOrder(t *testing.T) {
	l := newTestLab(t)
	dst := l.Rebase("/root/zcm_backups/zone_backup.bak")
	out := mustRun(t, l, createAnswers(testPassphrase), ToolZman, "zenserver-backup", dst)
	want := PromptUsername + PromptPassword + PromptNewPassphrase + PromptConfirmPassphrase
	if !strings.HasPrefix(out, want) || !strings.Contains(out, "Successfully backed up") {
		t.Errorf("stdout = %q", out)
	}
	if fi, err := os.Stat(dst); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("backup file: %v %v", fi, err)
	}
}

func TestBackupIsEncryptedAndHoldsTheListedFiles(t *testing.T) {
	l := newTestLab(t)
	dst := l.Rebase("/root/zone_backup.bak")
	mustRun(t, l, createAnswers(testPassphrase), ToolZman, "zsb", dst)

	raw := readFile(t, dst)
	guid := strings.TrimSpace(readFile(t, l.Rebase(ServerConfDir+"/DeviceGuid")))
	for _, known := range []string{guid, "zenworks.zone.name", "<Keystore>", "version.txt"} {
		if strings.Contains(raw, known) {
			t.Errorf("backup file holds %q in plain text", known)
		}
	}

	id, err := age.NewScryptIdentity(testPassphrase)
	if err != nil {
		t.Fatal(err)
	}
	dec, err := age.Decrypt(strings.NewReader(raw), id)
	if err != nil {
		t.Fatalf("age cannot decrypt the backup with the passphrase: %v", err)
	}
	gz, err := gzip.NewReader(dec)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	var names []string
	var deviceGuid string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, h.Name)
		if h.Name == "DeviceGuid" {
			b, _ := io.ReadAll(tr)
			deviceGuid = strings.TrimSpace(string(b))
		}
	}
	if deviceGuid != guid {
		t.Errorf("DeviceGuid in backup = %q, want %q", deviceGuid, guid)
	}
	for _, want := range []string{
		"components.properties", "zenworks.properties", "version.txt", "server.xml",
		"security/zenca.keystore", "security/CaConfig.xml", "datamodel/zdm.xml",
		"casa/server.xml", "casa/WEB-INF/classes/casa_crypto.properties",
		"extcasa/WEB-INF/classes/casa_crypto.properties", "zman/properties/zman.properties",
		"zentruststore/zentruststore.jks", "puppet/puppet.conf",
	} {
		if !slices.Contains(names, want) {
			t.Errorf("backup lacks %s", want)
		}
	}
	for _, name := range names {
		for _, not := range []string{"datamodel/cache/", "datamodel/default/", "datamodel/authsources/",
			"agentcomponents/", "trusted-certs/", "conf/", "zman/resources/", "extcasa/WEB-INF/web.xml"} {
			if strings.HasPrefix(name, not) {
				t.Errorf("backup holds %s, which the reference says is not backed up", name)
			}
		}
	}
}

func TestBackupThenRestoreRestoresAModifiedFile(t *testing.T) {
	l := newTestLab(t)
	dst := filepath.Join(l.Dir(), "root", "b.bak")
	props := l.Rebase(ServerConfDir + "/zenworks.properties")
	keystore := l.Rebase(ServerKeystore)
	origProps, origKS := readFile(t, props), readFile(t, keystore)
	mustRun(t, l, createAnswers(testPassphrase), ToolZman, "zsb", dst)

	writeFile(t, props, "damaged\n")
	if err := os.Remove(keystore); err != nil {
		t.Fatal(err)
	}
	out := mustRun(t, l, openAnswers(testPassphrase), ToolZman, "zenserver-restore", dst)
	if !strings.HasPrefix(out, PromptUsername+PromptPassword+PromptPassphrase) {
		t.Errorf("stdout = %q", out)
	}
	if readFile(t, props) != origProps || readFile(t, keystore) != origKS {
		t.Error("restore did not bring the files back")
	}
}

func TestRestoreWithWrongPassphraseChangesNothing(t *testing.T) {
	l := newTestLab(t)
	dst := l.Rebase("/root/b.bak")
	mustRun(t, l, createAnswers(testPassphrase), ToolZman, "zsb", dst)
	writeFile(t, l.Rebase(ServerConfDir+"/zenworks.properties"), "changed after the backup\n")

	before := snapshot(t, l.Dir())
	code, _, errs := run(t, l, openAnswers("not the passphrase"), ToolZman, "zsr", dst)
	if code != 1 || !strings.Contains(errs, "incorrect passphrase") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
	sameSnapshot(t, before, snapshot(t, l.Dir()))
}

func TestRestoreRefusesOtherFiles(t *testing.T) {
	l := newTestLab(t)
	ca := l.Rebase("/root/ca.bak")
	mustRun(t, l, createAnswers(testPassphrase), ToolZman, "cae", ca)
	code, _, errs := run(t, l, openAnswers(testPassphrase), ToolZman, "zsr", ca)
	if code != 1 || !strings.Contains(errs, "Nothing was restored") {
		t.Errorf("restoring a CA export: exit %d, %q", code, errs)
	}

	plain := l.Rebase("/root/plain.bak")
	writeFile(t, plain, "not encrypted at all\n")
	code, _, errs = run(t, l, openAnswers(testPassphrase), ToolZman, "zsr", plain)
	if code != 1 || !strings.Contains(errs, errNotArchive.Error()) {
		t.Errorf("restoring a plain file: exit %d, %q", code, errs)
	}

	code, out, errs := run(t, l, openAnswers(testPassphrase), ToolZman, "zsr", l.Rebase("/root/missing.bak"))
	if code != 1 || !strings.Contains(errs, "does not exist") || strings.Contains(out, PromptPassphrase) {
		t.Errorf("restoring a missing file: exit %d, %q, %q", code, out, errs)
	}
}

func TestRestoreIsVersionSpecific(t *testing.T) {
	l := newTestLab(t)
	dst := l.Rebase("/root/b.bak")
	mustRun(t, l, createAnswers(testPassphrase), ToolZman, "zsb", dst)
	writeFile(t, l.Rebase(ServerConfDir+"/version.txt"), "11.4.0\n")
	code, _, errs := run(t, l, openAnswers(testPassphrase), ToolZman, "zsr", dst)
	if code != 1 || !strings.Contains(errs, "version specific") {
		t.Errorf("exit %d, %q", code, errs)
	}
}

func TestWrongAdminPasswordFails(t *testing.T) {
	l := newTestLab(t)
	dst := l.Rebase("/root/b.bak")
	code, out, errs := run(t, l, answers(testAdmin, "wrong-password", testPassphrase, testPassphrase), ToolZman, "zsb", dst)
	if code != 1 || !strings.Contains(errs, "Authentication failed") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
	if strings.Contains(out, PromptNewPassphrase) {
		t.Error("asked for a passphrase after a failed login")
	}
	if _, err := os.Stat(dst); !os.IsNotExist(err) {
		t.Errorf("backup written after a failed login: %v", err)
	}
	code, _, _ = run(t, l, answers("nobody", testPassword, testPassphrase, testPassphrase), ToolZman, "zsb", dst)
	if code != 1 {
		t.Errorf("wrong administrator name: exit %d", code)
	}
	mustRun(t, l, answers("ADMINISTRATOR", testPassword, testPassphrase, testPassphrase), ToolZman, "zsb", dst)
}

func TestPassphraseRules(t *testing.T) {
	l := newTestLab(t)
	dst := l.Rebase("/root/b.bak")
	code, _, errs := run(t, l, createAnswers("short-9ch"), ToolZman, "zsb", dst)
	if code != 1 || !strings.Contains(errs, "at least 10 characters") {
		t.Errorf("short passphrase: exit %d, %q", code, errs)
	}
	code, _, errs = run(t, l, answers(testAdmin, testPassword, testPassphrase, testPassphrase+"x"), ToolZman, "zsb", dst)
	if code != 1 || !strings.Contains(errs, "do not match") {
		t.Errorf("mismatch: exit %d, %q", code, errs)
	}
	code, _, errs = run(t, l, answers(testAdmin, testPassword, testPassphrase), ToolZman, "zsb", dst)
	if code != 1 || !strings.Contains(errs, "end of input") {
		t.Errorf("no confirmation: exit %d, %q", code, errs)
	}
	if _, err := os.Stat(dst); !os.IsNotExist(err) {
		t.Errorf("backup written despite a bad passphrase: %v", err)
	}
	// Exactly ten characters is enough; CRLF line ends are accepted.
	mustRun(t, l, strings.ReplaceAll(createAnswers("0123456789"), "\n", "\r\n"), ToolZman, "zsb", dst)
}

func TestBackupWritesNoPartialFile(t *testing.T) {
	l := newTestLab(t)
	dir := l.Rebase("/root/new/folder")
	dst := filepath.Join(dir, "b.bak")
	if err := os.MkdirAll(dir, 0o700); err != nil { // zman does not create it (destination_test.go)
		t.Fatal(err)
	}
	mustRun(t, l, createAnswers(testPassphrase), ToolZman, "zsb", dst)
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 1 || entries[0].Name() != "b.bak" {
		t.Errorf("folder holds %v (%v); want only b.bak", entries, err)
	}
	code, _, errs := run(t, l, createAnswers(testPassphrase), ToolZman, "zsb", dir)
	if code != 1 || !strings.Contains(errs, "is a folder") {
		t.Errorf("backup onto a folder: exit %d, %q", code, errs)
	}
}

func TestRelativePathIsFromTheWorkingDirectory(t *testing.T) {
	l := newTestLab(t)
	t.Chdir(l.Rebase(ServerRootHome))
	if err := os.Mkdir("rel", 0o700); err != nil { // zman does not create it (destination_test.go)
		t.Fatal(err)
	}
	mustRun(t, l, createAnswers(testPassphrase), ToolZman, "zsb", "rel/b.bak")
	if _, err := os.Stat(l.Rebase("/root/rel/b.bak")); err != nil {
		t.Error(err)
	}
}

func TestZmanUsage(t *testing.T) {
	l := newTestLab(t)
	for _, args := range [][]string{
		nil, {"no-such-command"}, {"zsb"}, {"zsb", "a", "b"}, {"cae", "-x", "/root/a"}, {"card", "extra"},
	} {
		code, out, errs := run(t, l, "", ToolZman, args...)
		if code != 2 || !strings.Contains(errs, "Usage") || strings.Contains(out, PromptUsername) {
			t.Errorf("zman %q: exit %d, stdout %q, stderr %q", args, code, out, errs)
		}
	}
	if code, out, _ := run(t, l, "", ToolZman, "--help"); code != 0 || !strings.Contains(out, "zenserver-backup (zsb)") {
		t.Errorf("--help: %d %q", code, out)
	}
	if code, _, errs := run(t, l, "", "dbisql", "ref"); code != 2 || !strings.Contains(errs, "no simulated tool") {
		t.Errorf("unknown tool: %d %q", code, errs)
	}
}

func TestNoSecretIsWritten(t *testing.T) {
	l := newTestLab(t)
	mustRun(t, l, createAnswers(testPassphrase), ToolZman, "zsb", l.Rebase("/root/b.bak"))
	mustRun(t, l, createAnswers(testPassphrase), ToolZman, "cae", l.Rebase("/root/ca.bak"))
	for p, content := range snapshot(t, l.Dir()) {
		for _, s := range []string{testPassphrase, testPassword} {
			if bytes.Contains([]byte(content), []byte(s)) {
				t.Errorf("%s holds a secret in plain text", p)
			}
		}
	}
}
