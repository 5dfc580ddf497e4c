//go:build !windows

package archive

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"filippo.io/age"
)

var treeTime = time.Date(2021, 3, 4, 5, 6, 7, 123456789, time.UTC)

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// makeTree builds a content-repo-like tree: nested folders with special
// modes, empty and block-sized files, a file larger than the test part
// size, an inner link, a link pointing out of the tree, and nanosecond
// times everywhere. It returns the tree and the file the escaping link
// names.
func makeTree(t *testing.T) (src, outside string) {
	t.Helper()
	base := t.TempDir()
	src = filepath.Join(base, "content-repo")
	outside = filepath.Join(base, "outside-secret.txt")
	must(t, os.WriteFile(outside, []byte("never archive me"), 0o600))
	for _, d := range []string{"images", "content/0a", "content/ff/deep", "empty"} {
		must(t, os.MkdirAll(filepath.Join(src, d), 0o755))
	}
	big := make([]byte, 300_000+17)
	rand.Read(big)
	files := map[string][]byte{
		"images/server.zmg":       big,
		"content/0a/bundle.xml":   []byte("<bundle/>\n"),
		"content/ff/deep/block":   bytes.Repeat([]byte("z"), 1024),
		"content/ff/deep/empty":   nil,
		"content/ff/tool.sh":      []byte("#!/bin/sh\necho hi\n"),
		"ünïcode name with space": []byte("names are bytes"),
		"not utf-8 \xff\xfe":      []byte("names are bytes, not text"),
	}
	for p, b := range files {
		must(t, os.WriteFile(filepath.Join(src, p), b, 0o644))
	}
	must(t, os.Chmod(filepath.Join(src, "content/ff/tool.sh"), 0o4755))
	must(t, os.Chmod(filepath.Join(src, "content/0a/bundle.xml"), 0o600))
	must(t, os.Symlink("../0a/bundle.xml", filepath.Join(src, "content/ff/inner-link")))
	must(t, os.Symlink(outside, filepath.Join(src, "content/escape-link")))
	must(t, os.Symlink(filepath.Dir(outside), filepath.Join(src, "content/escape-dir")))
	must(t, os.Chmod(filepath.Join(src, "content"), 0o2750))
	must(t, os.Chmod(filepath.Join(src, "content/ff/deep"), 0o500))
	if os.Geteuid() == 0 {
		must(t, os.Lchown(filepath.Join(src, "content/0a/bundle.xml"), 4321, 4322))
		must(t, os.Lchown(filepath.Join(src, "content/escape-link"), 4321, 4322))
	}
	stamp(t, src)
	return src, outside
}

// stamp sets every time in the tree, children before parents.
func stamp(t *testing.T, root string) {
	t.Helper()
	var paths []string
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		must(t, err)
		paths = append(paths, p)
		return nil
	})
	for i := len(paths) - 1; i >= 0; i-- {
		must(t, lchtimes(paths[i], treeTime))
	}
}

func lchtimes(p string, tm time.Time) error {
	ts := []syscall.Timespec{syscall.NsecToTimespec(tm.UnixNano()), syscall.NsecToTimespec(tm.UnixNano())}
	return utimesNoFollow(p, ts)
}

// compareTrees fails unless b is a's exact copy: types, bytes, modes
// (special bits included), owners, link targets and nanosecond times.
func compareTrees(t *testing.T, a, b string) {
	t.Helper()
	compareTreesTo(t, a, b, time.Nanosecond)
}

// compareTreesTo compares times to a precision: tar headers hold seconds.
func compareTreesTo(t *testing.T, a, b string, precision time.Duration) {
	t.Helper()
	seen := 0
	err := filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		seen++
		rel, _ := filepath.Rel(a, p)
		q := filepath.Join(b, rel)
		ai, err := os.Lstat(p)
		if err != nil {
			return err
		}
		bi, err := os.Lstat(q)
		if err != nil {
			t.Errorf("%s: missing from the copy: %v", rel, err)
			return nil
		}
		if ai.Mode() != bi.Mode() && (layerKeepsModes || ai.Mode().Type() != bi.Mode().Type()) {
			t.Errorf("%s: mode %v, copy %v", rel, ai.Mode(), bi.Mode())
		}
		link := ai.Mode()&fs.ModeSymlink != 0
		if !ai.ModTime().Truncate(precision).Equal(bi.ModTime()) && (layerKeepsModes || !link) {
			t.Errorf("%s: mtime %v, copy %v", rel, ai.ModTime(), bi.ModTime())
		}
		as, bs := ai.Sys().(*syscall.Stat_t), bi.Sys().(*syscall.Stat_t)
		if (as.Uid != bs.Uid || as.Gid != bs.Gid) && layerKeepsModes {
			if os.Geteuid() == 0 {
				t.Errorf("%s: owner %d:%d, copy %d:%d", rel, as.Uid, as.Gid, bs.Uid, bs.Gid)
			}
		}
		switch {
		case ai.Mode()&fs.ModeSymlink != 0:
			at, _ := os.Readlink(p)
			bt, _ := os.Readlink(q)
			if at != bt {
				t.Errorf("%s: link to %q, copy to %q", rel, at, bt)
			}
		case ai.Mode().IsRegular():
			ab, _ := os.ReadFile(p)
			bb, _ := os.ReadFile(q)
			if !bytes.Equal(ab, bb) {
				t.Errorf("%s: contents differ", rel)
			}
		}
		return nil
	})
	must(t, err)
	count := 0
	filepath.WalkDir(b, func(p string, d fs.DirEntry, err error) error {
		count++
		return nil
	})
	if count != seen {
		t.Errorf("the copy holds %d entries, the original %d", count, seen)
	}
}

type key struct {
	id  *age.X25519Identity
	rec string
}

func newKey(t *testing.T) key {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	must(t, err)
	return key{id: id, rec: id.Recipient().String()}
}

// create makes an archive with small parts, so that files span parts.
func create(t *testing.T, src, dest string, o CreateOptions) *Result {
	t.Helper()
	if o.PartSize == 0 {
		o.PartSize = 64 << 10
	}
	res, err := Create(context.Background(), src, dest, o)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	return res
}

func openWith(k key) OpenOptions {
	return OpenOptions{Identities: []age.Identity{k.id}}
}

func tree(t *testing.T, root string) string {
	var b bytes.Buffer
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		rel, _ := filepath.Rel(root, p)
		fmt.Fprintln(&b, rel)
		return nil
	})
	return b.String()
}
