//go:build !windows

package archive

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// changeWhileRead appends to images/server.zmg while it is being read,
// from the progress callback (which runs between chunks on the reading
// goroutine, so the change lands at a known place): during the first
// read, and during the re-read too when twice is set.
func changeWhileRead(t *testing.T, src string, twice bool) (func(Progress), func(Note)) {
	img := filepath.Join(src, "images/server.zmg")
	reads, changed := 1, 0
	progress := func(p Progress) {
		if p.Current != "images/server.zmg" || changed >= reads || (changed == 1 && !twice) {
			return
		}
		changed++
		f, err := os.OpenFile(img, os.O_WRONLY|os.O_APPEND, 0)
		must(t, err)
		f.WriteString("appended while read")
		f.Close()
	}
	note := func(n Note) {
		if n.Kind == "re-read" {
			reads++
		}
	}
	return progress, note
}

func TestAFileChangedWhileReadIsReadAgain(t *testing.T) {
	src, _ := makeTree(t)
	k := newKey(t)
	dest := filepath.Join(t.TempDir(), "backup")
	progress, note := changeWhileRead(t, src, false)
	res := create(t, src, dest, CreateOptions{Recipients: []string{k.rec}, ProgressInterval: -1,
		Progress: progress, OnNote: note})
	if res.Flagged != 0 || res.NoteCount != 1 || res.Notes[0].Kind != "re-read" || res.Notes[0].Path != "images/server.zmg" {
		t.Fatalf("result: %+v", res)
	}
	rep, err := Verify(context.Background(), dest, openWith(k))
	if err != nil || rep.FlaggedCount != 0 {
		t.Fatalf("verify: %v %+v", err, rep)
	}
	out := filepath.Join(t.TempDir(), "restored")
	rep, err = Extract(context.Background(), dest, out, ExtractOptions{OpenOptions: openWith(k)})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Skipped != 1 {
		t.Errorf("skipped %d copies, want the superseded one", rep.Skipped)
	}
	b, _ := os.ReadFile(filepath.Join(out, "images/server.zmg"))
	if !strings.HasSuffix(string(b), "appended while read") || len(b) != 300_017+len("appended while read") {
		t.Errorf("restored image: %d bytes", len(b))
	}
}

func TestAFileThatKeepsChangingIsFlagged(t *testing.T) {
	src, _ := makeTree(t)
	k := newKey(t)
	dest := filepath.Join(t.TempDir(), "backup")
	progress, note := changeWhileRead(t, src, true)
	res := create(t, src, dest, CreateOptions{Recipients: []string{k.rec}, ProgressInterval: -1,
		Progress: progress, OnNote: note})
	if res.Flagged != 1 {
		t.Fatalf("result: %+v", res)
	}
	rep, err := Verify(context.Background(), dest, openWith(k))
	if err != nil {
		t.Fatal(err)
	}
	if rep.FlaggedCount != 1 || rep.Flagged[0].Path != "images/server.zmg" || !strings.HasPrefix(rep.Flagged[0].Detail, FlagChanged) {
		t.Fatalf("flagged: %+v", rep.Flagged)
	}
}
