//go:build !windows

package archive

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An extraction stopped by Ctrl+C leaves its marker; running it again
// into the same folder continues it and ends with the exact tree (the
// marker gone, the root folder's time restored).
func TestAnInterruptedExtractionContinuesWhenRunAgain(t *testing.T) {
	src, _ := makeTree(t)
	k := newKey(t)
	dest := filepath.Join(t.TempDir(), "backup")
	create(t, src, dest, CreateOptions{Recipients: []string{k.rec}})
	out := filepath.Join(t.TempDir(), "restored")

	ctx, cancel := context.WithCancel(context.Background())
	o := openWith(k)
	o.ProgressInterval = -1
	o.Progress = func(p Progress) {
		if p.Phase == PhaseExtract && p.Files >= 1 {
			cancel()
		}
	}
	_, err := Extract(ctx, dest, out, ExtractOptions{OpenOptions: o})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted extract: %v, want context.Canceled", err)
	}
	if _, err := os.Stat(filepath.Join(out, ExtractMarker)); err != nil {
		t.Fatalf("no marker after the interruption: %v", err)
	}
	rep, err := Extract(context.Background(), dest, out, ExtractOptions{OpenOptions: openWith(k)})
	if err != nil {
		t.Fatalf("extract again: %v", err)
	}
	if !rep.Resumed {
		t.Error("the report does not say the restore was continued")
	}
	compareTrees(t, src, out)
	if strings.Contains(tree(t, out), ".zenrecover") {
		t.Errorf("marker or temporary files left:\n%s", tree(t, out))
	}
	// Finished: a third run refuses, as for any folder that is not empty.
	if _, err := Extract(context.Background(), dest, out, ExtractOptions{OpenOptions: openWith(k)}); !errors.Is(err, ErrExists) {
		t.Errorf("extract into a finished restore: %v, want ErrExists", err)
	}
}

func TestAnExtractionMarkerOfAnotherArchiveIsNotTakenUp(t *testing.T) {
	src, _ := makeTree(t)
	k := newKey(t)
	dest := filepath.Join(t.TempDir(), "backup")
	create(t, src, dest, CreateOptions{Recipients: []string{k.rec}})
	out := t.TempDir()
	must(t, writeExtractMarker(out, filepath.Join(t.TempDir(), "another")))
	_, err := Extract(context.Background(), dest, out, ExtractOptions{OpenOptions: openWith(k)})
	if !errors.Is(err, ErrExists) || !strings.Contains(err.Error(), "another archive") {
		t.Errorf("got %v", err)
	}
}

func TestCheckPassphraseTellsWhetherItOpensTheSet(t *testing.T) {
	src, _ := makeTree(t)
	dest := filepath.Join(t.TempDir(), "backup")
	const pass = "the right passphrase"
	ctx, cancel := context.WithCancel(context.Background())
	_, err := Create(ctx, src, dest, CreateOptions{Passphrase: pass, PartSize: 64 << 10, ScryptWorkFactor: 10,
		ProgressInterval: -1, Progress: func(p Progress) {
			if p.Bytes > 100_000 {
				cancel()
			}
		}})
	if err == nil {
		t.Fatal("the archive was not interrupted")
	}
	// Interrupted: DEST.partial is what is checked.
	if err := CheckPassphrase(dest, pass); err != nil {
		t.Errorf("right passphrase on the partial set: %v", err)
	}
	if err := CheckPassphrase(dest, "a wrong passphrase"); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("wrong passphrase on the partial set: %v", err)
	}
	if _, err := Resume(context.Background(), dest, ResumeOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := CheckPassphrase(dest, pass); err != nil {
		t.Errorf("right passphrase on the complete set: %v", err)
	}
	if err := CheckPassphrase(dest, "a wrong passphrase"); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("wrong passphrase on the complete set: %v", err)
	}
	k := newKey(t)
	other := filepath.Join(t.TempDir(), "for-recipients")
	create(t, src, other, CreateOptions{Recipients: []string{k.rec}})
	if err := CheckPassphrase(other, pass); !errors.Is(err, ErrNoPassphrase) {
		t.Errorf("set without a passphrase: %v", err)
	}
	if err := CheckPassphrase(filepath.Join(t.TempDir(), "nothing"), pass); err == nil {
		t.Error("no set, no error")
	}
}

// Killed while the passphrase's key was being made (before the first
// checkpoint), an archive has nothing to resume: creating it again starts
// over rather than refusing the .partial left behind. Anything else there
// is still refused.
func TestAnArchiveKilledBeforeItsFirstCheckpointStartsOver(t *testing.T) {
	src, _ := makeTree(t)
	dest := filepath.Join(t.TempDir(), "backup")
	partial := PartialDir(dest)
	must(t, os.Mkdir(partial, 0o700))
	must(t, os.WriteFile(filepath.Join(partial, identityName+tmpExt), []byte("half a key"), 0o600))
	create(t, src, dest, CreateOptions{Passphrase: "the right passphrase", ScryptWorkFactor: 10})
	if err := CheckPassphrase(dest, "the right passphrase"); err != nil {
		t.Fatal(err)
	}

	other := filepath.Join(t.TempDir(), "backup")
	must(t, os.Mkdir(PartialDir(other), 0o700))
	must(t, os.WriteFile(filepath.Join(PartialDir(other), "notes.txt"), []byte("mine"), 0o600))
	k := newKey(t)
	if _, err := Create(context.Background(), src, other, CreateOptions{Recipients: []string{k.rec}}); !errors.Is(err, ErrExists) {
		t.Errorf("a .partial holding something else: %v, want ErrExists", err)
	}
}
