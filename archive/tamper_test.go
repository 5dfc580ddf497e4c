//go:build !windows

package archive

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
)

func verifyFails(t *testing.T, dest string, k key, want ...string) {
	t.Helper()
	_, err := Verify(context.Background(), dest, openWith(k))
	var ve *VerifyError
	if !errors.As(err, &ve) {
		t.Fatalf("verify: %v, want a VerifyError", err)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("verify: %v\nwant it to name %q", err, w)
		}
	}
}

// partHolding returns the part whose plaintext holds needle.
func partHolding(t *testing.T, dest string, k key, needle []byte) (string, []byte) {
	t.Helper()
	parts, err := listParts(dest)
	must(t, err)
	for _, p := range parts {
		f, err := os.Open(filepath.Join(dest, p))
		must(t, err)
		r, err := age.Decrypt(f, k.id)
		must(t, err)
		plain, err := io.ReadAll(r)
		f.Close()
		must(t, err)
		if bytes.Contains(plain, needle) {
			return p, plain
		}
	}
	t.Fatalf("no part holds %q", needle)
	return "", nil
}

func TestAFlippedBitFailsVerifyAndNamesTheFile(t *testing.T) {
	src, _ := makeTree(t)
	k := newKey(t)
	dest := filepath.Join(t.TempDir(), "backup")
	create(t, src, dest, CreateOptions{Recipients: []string{k.rec}})
	// Part 3 is in the middle of the 300 kB image.
	p := filepath.Join(dest, partName(3))
	b, err := os.ReadFile(p)
	must(t, err)
	b[len(b)/2] ^= 1
	must(t, os.WriteFile(p, b, 0o600))
	verifyFails(t, dest, k, "images/server.zmg", partName(3))

	out := filepath.Join(t.TempDir(), "restored")
	if _, err := Extract(context.Background(), dest, out, ExtractOptions{OpenOptions: openWith(k)}); err == nil {
		t.Fatal("extract of a damaged archive succeeded")
	}
	if _, err := os.Lstat(filepath.Join(out, "images/server.zmg")); !os.IsNotExist(err) {
		t.Errorf("the damaged file was put in place: %v", err)
	}
}

// Anyone with a recipient's public key can encrypt a new part: the
// manifest's SHA-256 still catches the change.
func TestAReEncryptedAlteredPartFailsVerifyAndNamesTheFile(t *testing.T) {
	src, _ := makeTree(t)
	k := newKey(t)
	dest := filepath.Join(t.TempDir(), "backup")
	create(t, src, dest, CreateOptions{Recipients: []string{k.rec}})
	name, plain := partHolding(t, dest, k, []byte("<bundle/>"))
	plain = bytes.Replace(plain, []byte("<bundle/>"), []byte("<bundlX/>"), 1)
	var enc bytes.Buffer
	w, err := age.Encrypt(&enc, k.id.Recipient())
	must(t, err)
	w.Write(plain)
	must(t, w.Close())
	must(t, os.WriteFile(filepath.Join(dest, name), enc.Bytes(), 0o600))
	verifyFails(t, dest, k, "content/0a/bundle.xml", "SHA-256")

	out := filepath.Join(t.TempDir(), "restored")
	rep, err := Extract(context.Background(), dest, out, ExtractOptions{OpenOptions: openWith(k)})
	if err == nil || rep.ProblemCount != 1 {
		t.Fatalf("extract: %v", err)
	}
	if _, err := os.Lstat(filepath.Join(out, "content/0a/bundle.xml")); !os.IsNotExist(err) {
		t.Errorf("the altered file was put in place: %v", err)
	}
	if _, err := os.Lstat(filepath.Join(out, "images/server.zmg")); err != nil {
		t.Errorf("the good files were not restored: %v", err)
	}
}

func TestAMissingPartFailsVerify(t *testing.T) {
	src, _ := makeTree(t)
	k := newKey(t)
	dest := filepath.Join(t.TempDir(), "backup")
	create(t, src, dest, CreateOptions{Recipients: []string{k.rec}})
	must(t, os.Remove(filepath.Join(dest, partName(2))))
	verifyFails(t, dest, k, partName(2)+": missing")
}

func TestVerifyWithTheWrongKeySaysSo(t *testing.T) {
	src, _ := makeTree(t)
	k := newKey(t)
	dest := filepath.Join(t.TempDir(), "backup")
	create(t, src, dest, CreateOptions{Recipients: []string{k.rec}})
	_, err := Verify(context.Background(), dest, openWith(newKey(t)))
	if err == nil || !strings.Contains(err.Error(), "none of the keys") {
		t.Fatalf("verify with another key: %v", err)
	}
}
