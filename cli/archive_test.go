package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"

	"zenrecover/archive"
)

// archiveTree is a small content-repo; keyFile writes an identity file and
// returns it with its recipient.
func archiveTree(t *testing.T) string {
	t.Helper()
	src := filepath.Join(t.TempDir(), "content-repo")
	for p, b := range map[string]string{
		"images/server.zmg":     strings.Repeat("image ", 50_000),
		"content/0a/bundle.xml": "<bundle/>",
	} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(src, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(src, p), []byte(b), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return src
}

func keyFile(t *testing.T) (string, string) {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "key.txt")
	if err := os.WriteFile(p, []byte(id.String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p, id.Recipient().String()
}

func TestArchiveCommandsCreateVerifyExtract(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	src := archiveTree(t)
	key, rec := keyFile(t)
	dest := filepath.Join(t.TempDir(), "backup")
	out, errs, code := runCLI(t, "archive", "create", src, dest, "-r", rec, "--require", "images", "--part-size", "64K")
	if code != 0 || !strings.Contains(out, "archive complete") || !strings.Contains(out, "images: 1 files") {
		t.Fatalf("create: %d\n%s\n%s", code, out, errs)
	}
	if !strings.Contains(errs, "done:") {
		t.Errorf("no final progress line:\n%s", errs)
	}
	if _, errs, code := runCLI(t, "archive", "create", src, dest, "-r", rec); code != exitUsage || !strings.Contains(errs, "already exists") {
		t.Errorf("create over an archive: %d %s", code, errs)
	}
	if out, errs, code := runCLI(t, "archive", "verify", dest, "-i", key); code != 0 || !strings.Contains(out, "verified") {
		t.Fatalf("verify: %d\n%s\n%s", code, out, errs)
	}
	restored := filepath.Join(t.TempDir(), "restored")
	if out, errs, code := runCLI(t, "archive", "extract", dest, restored, "-i", key); code != 0 || !strings.Contains(out, "restored 2 files") {
		t.Fatalf("extract: %d\n%s\n%s", code, out, errs)
	}
	if _, errs, code := runCLI(t, "archive", "extract", dest, restored, "-i", key); code != exitUsage || !strings.Contains(errs, "not empty") {
		t.Errorf("extract into a full folder: %d %s", code, errs)
	}

	// Tampered: verify fails and names the file.
	p := filepath.Join(dest, "part-000003.age")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 1
	os.WriteFile(p, b, 0o600)
	out, errs, code = runCLI(t, "archive", "verify", dest, "-i", key, "--plain")
	if code != exitFailed || !strings.Contains(out+errs, "images/server.zmg") {
		t.Errorf("verify of a tampered archive: %d\n%s\n%s", code, out, errs)
	}
}

func TestArchivePassphraseComesFromTheEnvironmentNeverArgv(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv(archive.PassphraseEnv, "env passphrase 123")
	src := archiveTree(t)
	dest := filepath.Join(t.TempDir(), "backup")
	if out, errs, code := runCLI(t, "archive", "create", src, dest, "--passphrase"); code != 0 {
		t.Fatalf("create: %d\n%s\n%s", code, out, errs)
	}
	if out, errs, code := runCLI(t, "archive", "verify", dest); code != 0 {
		t.Fatalf("verify: %d\n%s\n%s", code, out, errs)
	}
	t.Setenv(archive.PassphraseEnv, "another passphrase")
	if _, errs, code := runCLI(t, "archive", "verify", dest); code != exitFailed || !strings.Contains(errs, "wrong passphrase") {
		t.Errorf("verify with a wrong passphrase: %d %s", code, errs)
	}
}

func TestArchiveRecipientsComeFromTheTeamFileWhenNoneAreGiven(t *testing.T) {
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	src := archiveTree(t)
	if _, errs, code := runCLI(t, "archive", "create", src, filepath.Join(t.TempDir(), "b")); code != exitUsage || !strings.Contains(errs, "no recipients") {
		t.Fatalf("create with no recipients: %d %s", code, errs)
	}
	key, rec := keyFile(t)
	os.MkdirAll(filepath.Join(cfg, "zenrecover"), 0o755)
	os.WriteFile(filepath.Join(cfg, "zenrecover", "recipients"), []byte("# the team\n"+rec+"\n"), 0o644)
	dest := filepath.Join(t.TempDir(), "b")
	if _, errs, code := runCLI(t, "archive", "create", src, dest); code != 0 || !strings.Contains(errs, "team's 1 recipients") {
		t.Fatalf("create for the team: %d %s", code, errs)
	}
	if _, errs, code := runCLI(t, "archive", "verify", dest, "-i", key); code != 0 {
		t.Fatalf("verify: %d %s", code, errs)
	}
}

func TestArchiveResumeFinishesAnInterruptedCreate(t *testing.T) {
	src := archiveTree(t)
	key, rec := keyFile(t)
	dest := filepath.Join(t.TempDir(), "backup")
	ctx, cancel := context.WithCancel(context.Background())
	_, err := archive.Create(ctx, src, dest, archive.CreateOptions{Recipients: []string{rec}, PartSize: 64 << 10,
		ProgressInterval: -1, Progress: func(p archive.Progress) {
			if p.Phase == archive.PhaseArchive && p.Bytes > 100_000 {
				cancel()
			}
		}})
	if err == nil {
		t.Fatal("the create was not interrupted")
	}
	if _, errs, code := runCLI(t, "archive", "verify", dest, "-i", key); code != exitFailed || !strings.Contains(errs, "resume") {
		t.Errorf("verify of an interrupted archive: %d %s", code, errs)
	}
	if out, errs, code := runCLI(t, "archive", "resume", dest); code != 0 || !strings.Contains(errs, "resuming the archive") {
		t.Fatalf("resume: %d\n%s\n%s", code, out, errs)
	}
	if _, errs, code := runCLI(t, "archive", "verify", dest, "-i", key); code != 0 {
		t.Fatalf("verify: %d %s", code, errs)
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"1G": 1 << 30, "512M": 512 << 20, "64KiB": 64 << 10, "4096": 4096, "2gb": 2 << 30} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("%s: %d %v", in, got, err)
		}
	}
	for _, in := range []string{"", "G", "-1M", "ten"} {
		if _, err := parseSize(in); err == nil {
			t.Errorf("%q parsed", in)
		}
	}
}
