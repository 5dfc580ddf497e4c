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

const testPassphrase = "correct horse battery"

func TestAPassphraseArchiveAsksOnceAndOpensWithNoKey(t *testing.T) {
	src, _ := makeTree(t)
	dest := filepath.Join(t.TempDir(), "backup")
	create(t, src, dest, CreateOptions{Passphrase: testPassphrase, ScryptWorkFactor: 10})
	asked := 0
	o := OpenOptions{Passphrase: func() (string, error) { asked++; return testPassphrase, nil }}
	if _, err := Verify(context.Background(), dest, o); err != nil {
		t.Fatal(err)
	}
	if asked != 1 {
		t.Errorf("asked %d times", asked)
	}
	out := filepath.Join(t.TempDir(), "restored")
	if _, err := Extract(context.Background(), dest, out, ExtractOptions{OpenOptions: o}); err != nil {
		t.Fatal(err)
	}
	compareTrees(t, src, out)

	o.Passphrase = func() (string, error) { return "not the passphrase", nil }
	if _, err := Verify(context.Background(), dest, o); err == nil || !strings.Contains(err.Error(), "wrong passphrase") {
		t.Fatalf("verify with a wrong passphrase: %v", err)
	}
	for _, name := range []string{stateName, spoolName} {
		if _, err := os.Stat(filepath.Join(dest, name)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s left in the set", name)
		}
	}
	assertNowhere(t, dest, testPassphrase)
}

func TestAShortPassphraseIsRefusedWithoutEchoingIt(t *testing.T) {
	src, _ := makeTree(t)
	_, err := Create(context.Background(), src, filepath.Join(t.TempDir(), "b"), CreateOptions{Passphrase: "short-pw"})
	if err == nil || strings.Contains(err.Error(), "short-pw") {
		t.Fatalf("create: %v", err)
	}
}

func TestNoRecipientAndNoPassphraseIsRefused(t *testing.T) {
	src, _ := makeTree(t)
	dest := filepath.Join(t.TempDir(), "b")
	if _, err := Create(context.Background(), src, dest, CreateOptions{}); err == nil {
		t.Fatal("an archive nobody can open was made")
	}
	if _, err := os.Stat(PartialDir(dest)); !errors.Is(err, os.ErrNotExist) {
		t.Error("a refused create left a folder")
	}
}

func TestARequiredFolderMustBeThere(t *testing.T) {
	src, _ := makeTree(t)
	k := newKey(t)
	must(t, os.RemoveAll(filepath.Join(src, "images")))
	_, err := Create(context.Background(), src, filepath.Join(t.TempDir(), "b"), CreateOptions{Recipients: []string{k.rec}, Require: []string{"images"}})
	if err == nil || !strings.Contains(err.Error(), "images") {
		t.Fatalf("create without images: %v", err)
	}
}

func TestTheArchiveMayNotBeInsideItsSource(t *testing.T) {
	src, _ := makeTree(t)
	k := newKey(t)
	_, err := Create(context.Background(), src, filepath.Join(src, "content", "backup"), CreateOptions{Recipients: []string{k.rec}})
	if err == nil || !strings.Contains(err.Error(), "contain itself") {
		t.Fatalf("create inside the source: %v", err)
	}
}

// assertNowhere fails if s appears in any file under dir.
func assertNowhere(t *testing.T, dir, s string) {
	t.Helper()
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() {
			if b, _ := os.ReadFile(p); strings.Contains(string(b), s) {
				t.Errorf("%s holds the secret", p)
			}
		}
		return nil
	})
}
