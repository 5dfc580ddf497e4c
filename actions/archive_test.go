package actions

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"zenrecover/archive"
)

// contentRepo is a small content-repo with images, and a file big enough
// to span the small parts these tests use.
func contentRepo(t *testing.T) string {
	t.Helper()
	src := filepath.Join(t.TempDir(), "content-repo")
	for _, d := range []string{"images", "content/0a"} {
		if err := os.MkdirAll(filepath.Join(src, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	files := map[string]string{
		"images/server.zmg":     strings.Repeat("image block ", 30_000),
		"content/0a/bundle.xml": "<bundle/>",
	}
	for p, b := range files {
		if err := os.WriteFile(filepath.Join(src, p), []byte(b), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return src
}

const archivePass = "archive passphrase 42"

func TestArchiveActionsBackUpAndRestoreWithoutShowingThePassphrase(t *testing.T) {
	src := contentRepo(t)
	dest := filepath.Join(t.TempDir(), "content-repo.backup")
	var out strings.Builder
	var last archive.Progress
	create := &ArchiveCreate{Source: src, Dest: dest, Passphrase: archivePass, Require: []string{"images"},
		PartSize: 64 << 10, OnProgress: func(p archive.Progress) { last = p }}
	if d := create.Describe(); strings.Contains(d, archivePass) || !strings.Contains(d, "images must be in it") {
		t.Errorf("describe: %s", d)
	}
	m := NewMasker()
	if err := create.Run(context.Background(), IO{Output: &out, Secrets: m}); err != nil {
		t.Fatalf("create: %v\n%s", err, out.String())
	}
	if !m.Contains(archivePass) {
		t.Error("the passphrase was not added to the run's secrets")
	}
	if last.Phase != archive.PhaseDone || last.Files != 2 {
		t.Errorf("last progress: %+v", last)
	}
	if !strings.Contains(out.String(), "archive complete") || !strings.Contains(out.String(), "images: 1 files") {
		t.Errorf("output:\n%s", out.String())
	}
	ok, detail, err := (&ArchiveComplete{Dest: dest}).Check(context.Background(), time.Now())
	if !ok || err != nil {
		t.Errorf("complete check: %v %s %v", ok, detail, err)
	}
	if err := (&ArchiveVerify{Archive: dest, Passphrase: archivePass}).Run(context.Background(), IO{Output: &out, Secrets: m}); err != nil {
		t.Fatalf("verify: %v", err)
	}
	restored := filepath.Join(t.TempDir(), "content-repo")
	if err := (&ArchiveExtract{Archive: dest, Dir: restored, Passphrase: archivePass}).Run(context.Background(), IO{Output: &out, Secrets: m}); err != nil {
		t.Fatalf("extract: %v\n%s", err, out.String())
	}
	b, err := os.ReadFile(filepath.Join(restored, "images/server.zmg"))
	if err != nil || len(b) != 12*30_000 {
		t.Errorf("restored image: %d bytes, %v", len(b), err)
	}
	if strings.Contains(out.String(), archivePass) {
		t.Error("the passphrase is in the output")
	}
}

func TestRunningAnInterruptedArchiveStepAgainResumesIt(t *testing.T) {
	t.Parallel()
	src := contentRepo(t)
	k, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(t.TempDir(), "content-repo.backup")
	ctx, cancel := context.WithCancel(context.Background())
	step := &ArchiveCreate{Source: src, Dest: dest, Recipients: []string{k.Recipient().String()}, PartSize: 64 << 10,
		ProgressInterval: -1, OnProgress: func(p archive.Progress) {
			if p.Phase == archive.PhaseArchive && p.Bytes > 100_000 {
				cancel()
			}
		}}
	err = step.Run(ctx, IO{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: %v, want it to wrap context.Canceled", err)
	}
	ok, detail, _ := (&ArchiveComplete{Dest: dest}).Check(context.Background(), time.Now())
	if ok || !strings.Contains(detail, "resumes") {
		t.Errorf("complete check of an interrupted archive: %v %s", ok, detail)
	}
	if d := step.Describe(); !strings.Contains(d, "resumes the interrupted archive") {
		t.Errorf("describe: %s", d)
	}
	step.OnProgress = nil
	var out strings.Builder
	if err := step.Run(context.Background(), IO{Output: &out}); err != nil {
		t.Fatalf("second run: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "resuming the interrupted archive") {
		t.Errorf("output:\n%s", out.String())
	}
	if _, err := archive.Verify(context.Background(), dest, archive.OpenOptions{Identities: []age.Identity{k}}); err != nil {
		t.Fatal(err)
	}
}

func TestEscrowSealOpensWithATeamKey(t *testing.T) {
	k, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(t.TempDir(), "zone_backup.bak")
	var out strings.Builder
	step := &EscrowSeal{For: backup, Label: "zman backup passphrase", Secret: "zone passphrase 1", Recipients: []string{k.Recipient().String()}}
	if err := step.Run(context.Background(), IO{Output: &out, Secrets: NewMasker()}); err != nil {
		t.Fatal(err)
	}
	e, err := archive.OpenEscrow(archive.EscrowPath(backup), []age.Identity{k})
	if err != nil || e.Secret != "zone passphrase 1" || e.For != backup {
		t.Fatalf("open: %+v %v", e, err)
	}
	if strings.Contains(out.String()+step.Describe(), "zone passphrase 1") {
		t.Error("the secret was shown")
	}
}
