//go:build !windows

package actions

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

var copyTime = time.Date(2021, 3, 4, 5, 6, 7, 0, time.UTC)

// makeTree builds a source tree with known modes and times, an inner link
// and a link that points out of the tree.
func makeTree(t *testing.T) (src, outside string) {
	t.Helper()
	base := t.TempDir()
	src = filepath.Join(base, "zenworks")
	outside = filepath.Join(base, "outside.txt")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(outside, []byte("outside the tree"), 0o644))
	must(os.MkdirAll(filepath.Join(src, "conf", "security"), 0o755))
	must(os.WriteFile(filepath.Join(src, "conf", "zdm.xml"), []byte("<zdm/>"), 0o640))
	must(os.WriteFile(filepath.Join(src, "conf", "security", "zenca.keystore"), []byte("keystore"), 0o600))
	must(os.WriteFile(filepath.Join(src, "tool.sh"), []byte("#!/bin/sh\n"), 0o755))
	must(os.Symlink("conf/zdm.xml", filepath.Join(src, "inner-link")))
	must(os.Symlink(outside, filepath.Join(src, "escape-link")))
	must(os.Chmod(filepath.Join(src, "conf", "security"), 0o700))
	must(os.Chmod(filepath.Join(src, "conf"), 0o2750))
	for _, p := range []string{"conf/zdm.xml", "conf/security/zenca.keystore", "tool.sh", "conf/security", "conf", "."} {
		must(os.Chtimes(filepath.Join(src, p), copyTime, copyTime))
	}
	return src, outside
}

func TestCopyTreeRoundTrip(t *testing.T) {
	t.Parallel()
	src, outside := makeTree(t)
	dst := filepath.Join(t.TempDir(), "backup")
	var out strings.Builder
	c := &Copy{From: src, To: dst}
	if err := c.Run(context.Background(), IO{Output: &out}); err != nil {
		t.Fatal(err)
	}
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		q := filepath.Join(dst, rel)
		si, _ := os.Lstat(p)
		di, err := os.Lstat(q)
		if err != nil {
			t.Errorf("%s not copied: %v", rel, err)
			return nil
		}
		if si.Mode() != di.Mode() {
			t.Errorf("%s: mode %v, want %v", rel, di.Mode(), si.Mode())
		}
		if si.Mode()&fs.ModeSymlink != 0 {
			st, _ := os.Readlink(p)
			dt, _ := os.Readlink(q)
			if st != dt {
				t.Errorf("%s: link to %q, want %q", rel, dt, st)
			}
			return nil
		}
		if !di.ModTime().Equal(si.ModTime()) {
			t.Errorf("%s: time %v, want %v", rel, di.ModTime(), si.ModTime())
		}
		if si.Mode().IsRegular() {
			a, _ := os.ReadFile(p)
			b, _ := os.ReadFile(q)
			if string(a) != string(b) {
				t.Errorf("%s: content differs", rel)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The link that leaves the tree is copied as a link, not followed.
	fi, err := os.Lstat(filepath.Join(dst, "escape-link"))
	if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("escape-link is not a link in the copy: %v", err)
	}
	if target, _ := os.Readlink(filepath.Join(dst, "escape-link")); target != outside {
		t.Errorf("escape-link points at %q", target)
	}
	if !strings.Contains(out.String(), "copied 3 files") {
		t.Errorf("output %q", out.String())
	}
	leftovers, _ := filepath.Glob(filepath.Join(dst, "*", ".*zenrecover*"))
	if len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}

	// A copy that completed can run again: identical files are no conflict.
	out.Reset()
	if err := c.Run(context.Background(), IO{Output: &out}); err != nil {
		t.Fatalf("second run: %v", err)
	}
	if !strings.Contains(out.String(), "3 identical files") {
		t.Errorf("second run output %q", out.String())
	}
}

func TestCopyRefusesToOverwrite(t *testing.T) {
	src, _ := makeTree(t)
	dst := filepath.Join(t.TempDir(), "restore")
	if err := os.MkdirAll(filepath.Join(dst, "conf"), 0o755); err != nil {
		t.Fatal(err)
	}
	existing := filepath.Join(dst, "conf", "zdm.xml")
	if err := os.WriteFile(existing, []byte("<good/>"), 0o640); err != nil {
		t.Fatal(err)
	}
	err := (&Copy{From: src, To: dst}).Run(context.Background(), IO{})
	if err == nil || !strings.Contains(err.Error(), existing) || !strings.Contains(err.Error(), "nothing was copied") {
		t.Fatalf("Run = %v", err)
	}
	if b, _ := os.ReadFile(existing); string(b) != "<good/>" {
		t.Error("the existing file was overwritten")
	}
	if _, err := os.Lstat(filepath.Join(dst, "tool.sh")); !errors.Is(err, fs.ErrNotExist) {
		t.Error("files were copied although the copy was refused")
	}

	if err := (&Copy{From: src, To: dst, Overwrite: true}).Run(context.Background(), IO{}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(existing); string(b) != "<zdm/>" {
		t.Errorf("with Overwrite the file holds %q", b)
	}
}

func TestCopyFile(t *testing.T) {
	src, _ := makeTree(t)
	ks := filepath.Join(src, "conf", "security", "zenca.keystore")
	dir := t.TempDir()

	// Into an existing directory.
	c := &Copy{From: ks, To: dir}
	if d := c.Describe(); !strings.Contains(d, filepath.Join(dir, "zenca.keystore")) {
		t.Errorf("Describe %q does not name the target file", d)
	}
	if err := c.Run(context.Background(), IO{}); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, "zenca.keystore"))
	if err != nil || fi.Mode().Perm() != 0o600 || !fi.ModTime().Equal(copyTime) {
		t.Errorf("copied file: %v %v", fi, err)
	}

	// To a new name; an existing different file is refused.
	to := filepath.Join(dir, "ks.bak")
	if err := os.WriteFile(to, []byte("other"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := (&Copy{From: ks, To: to}).Run(context.Background(), IO{}); err == nil {
		t.Error("an existing file was overwritten")
	}
	if err := (&Copy{From: ks, To: filepath.Join(dir, "missing", "ks")}).Run(context.Background(), IO{}); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("missing target directory: %v", err)
	}
}

func TestCopyRefusals(t *testing.T) {
	src, _ := makeTree(t)
	if err := (&Copy{From: src, To: filepath.Join(src, "conf", "again")}).Run(context.Background(), IO{}); err == nil || !strings.Contains(err.Error(), "inside the source") {
		t.Errorf("copy into itself: %v", err)
	}
	if err := syscall.Mkfifo(filepath.Join(src, "fifo"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := (&Copy{From: src, To: filepath.Join(t.TempDir(), "x")}).Run(context.Background(), IO{}); err == nil || !strings.Contains(err.Error(), "FIFO") {
		t.Errorf("FIFO: %v", err)
	}
	if err := (&Copy{From: filepath.Join(src, "none"), To: t.TempDir()}).Run(context.Background(), IO{}); err == nil {
		t.Error("a missing source was accepted")
	}
}

func TestCopyFileWhereDirectoryIs(t *testing.T) {
	src, _ := makeTree(t)
	dst := t.TempDir()
	if err := os.WriteFile(filepath.Join(dst, "conf"), []byte("a file"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := (&Copy{From: src, To: dst, Overwrite: true}).Run(context.Background(), IO{})
	if err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("Run = %v", err)
	}
}

func TestCopyCancelled(t *testing.T) {
	t.Parallel()
	src, _ := makeTree(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := (&Copy{From: src, To: filepath.Join(t.TempDir(), "x")}).Run(ctx, IO{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Run = %v", err)
	}
}

func TestCopyIntoLinkedDirectory(t *testing.T) {
	src, _ := makeTree(t)
	data := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(data, 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), "zenworks")
	if err := os.Symlink(data, link); err != nil {
		t.Fatal(err)
	}
	if err := (&Copy{From: src, To: link}).Run(context.Background(), IO{}); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Error("the link to the target directory was replaced")
	}
	if _, err := os.Stat(filepath.Join(data, "conf", "zdm.xml")); err != nil {
		t.Errorf("not copied into the linked directory: %v", err)
	}
}
