//go:build !windows

package archive

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// The os.Root layer is what Windows runs (fsys_root.go); here it runs on
// Linux, whose os.Root follows a link inside the tree just as Windows's
// does. A swap between the look and the open is what a hostile process on
// the server could do while content-repo is archived or restored.
func TestRootLayerNeverFollowsALinkEvenOneSwappedInMidOpen(t *testing.T) {
	src := t.TempDir()
	outside := t.TempDir()
	must(t, os.Mkdir(filepath.Join(src, "real"), 0o755))
	must(t, os.Mkdir(filepath.Join(src, "real2"), 0o755))
	must(t, os.WriteFile(filepath.Join(src, "f"), []byte("file f"), 0o644))
	must(t, os.WriteFile(filepath.Join(src, "g"), []byte("file g"), 0o644))
	must(t, os.Symlink("real", filepath.Join(src, "dlink")))
	must(t, os.Symlink(outside, filepath.Join(src, "out")))
	must(t, os.Symlink("f", filepath.Join(src, "flink")))

	d, st, err := openRootTop(src)
	must(t, err)
	defer d.close()
	if st.typ != fs.ModeDir || st.mode != 0o755 {
		t.Errorf("the source reads as %v %o, want a folder 0755", st.typ, st.mode)
	}
	for _, name := range []string{"dlink", "out", "flink"} {
		if _, _, err := d.sub(name, name); !isLink(err) {
			t.Errorf("sub(%s): %v, want a link not followed", name, err)
		}
	}
	if _, _, err := d.sub("f", "f"); !isNotFolder(err) {
		t.Errorf("sub(f): %v, want not a folder", err)
	}
	if _, err := d.openFile("flink"); !isLink(err) {
		t.Errorf("openFile(flink): %v, want a link (archived as one)", err)
	}
	h, err := d.openFile("f")
	must(t, err)
	buf := make([]byte, 64)
	n, err := h.read(buf)
	h.close()
	if err != nil || string(buf[:n]) != "file f" {
		t.Errorf("openFile(f) read %q, %v", buf[:n], err)
	}

	// Swapped for a link to another folder of the tree after the look.
	lookedAt = func(name string) {
		switch name {
		case "real2":
			must(t, os.Rename(filepath.Join(src, "real2"), filepath.Join(outside, "moved")))
			must(t, os.Symlink("real", filepath.Join(src, "real2")))
		case "g":
			must(t, os.Rename(filepath.Join(src, "g"), filepath.Join(outside, "g")))
			must(t, os.Symlink("f", filepath.Join(src, "g")))
		}
	}
	defer func() { lookedAt = nil }()
	if _, _, err := d.sub("real2", "real2"); !isLink(err) {
		t.Errorf("a folder swapped for a link mid-open: %v, want refused as a link", err)
	}
	if _, err := d.openFile("g"); !errors.Is(err, errSwapped) {
		t.Errorf("a file swapped for a link mid-open: %v, want refused as swapped", err)
	}
}

func TestRootLayerExtractNeverWritesThroughALink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target")
	must(t, os.WriteFile(target, []byte("keep"), 0o644))
	old := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	must(t, os.Chtimes(target, old, old))
	must(t, os.Mkdir(filepath.Join(dir, "folder"), 0o755))
	must(t, os.Symlink("target", filepath.Join(dir, "link")))
	must(t, os.Symlink("folder", filepath.Join(dir, "dlink")))

	d, err := openRootOut(dir)
	must(t, err)
	defer d.close()
	if _, err := d.create("link"); !errors.Is(err, fs.ErrExist) {
		t.Errorf("create over a link: %v, want refused as existing", err)
	}
	if _, err := d.openSub("dlink"); !isLink(err) {
		t.Errorf("openSub(dlink): %v, want a link not followed", err)
	}
	if _, err := d.openSub("target"); !isNotFolder(err) {
		t.Errorf("openSub(target): %v, want not a folder", err)
	}
	must(t, d.setTime("link", time.Now()))
	b, _ := os.ReadFile(target)
	fi, _ := os.Stat(target)
	if string(b) != "keep" || !fi.ModTime().Equal(old) {
		t.Errorf("the link's target changed: %q, %v", b, fi.ModTime())
	}
	sub, err := d.openSub("folder")
	must(t, err)
	sub.close()
}

// What Windows archives for a name: no modes there, so 0644 for a file
// (0444 read-only) and 0755 for a folder, and no owner.
func TestRootLayerArchivesWindowsModes(t *testing.T) {
	dir := t.TempDir()
	must(t, os.WriteFile(filepath.Join(dir, "rw"), nil, 0o600))
	must(t, os.WriteFile(filepath.Join(dir, "ro"), nil, 0o400))
	for name, want := range map[string]Mode{"rw": 0o644, "ro": 0o444, ".": 0o755} {
		fi, err := os.Lstat(filepath.Join(dir, name))
		must(t, err)
		if st := statOfInfo(fi); st.mode != want || st.owned {
			t.Errorf("%s: mode %o owned %v, want %o and no owner", name, st.mode, st.owned, want)
		}
	}
}
