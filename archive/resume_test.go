//go:build !windows

package archive

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// interrupt creates an archive and cancels it once stopAt bytes of file
// contents are in the stream: the progress callback runs on the producing
// goroutine, so the cut lands at a known place whatever the timing.
func interrupt(t *testing.T, src, dest string, k key, stopAt int64) *StoppedError {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := Create(ctx, src, dest, CreateOptions{
		Recipients: []string{k.rec}, PartSize: 64 << 10, ProgressInterval: -1,
		Progress: func(p Progress) {
			if p.Phase == PhaseArchive && p.Bytes >= stopAt {
				cancel()
			}
		},
	})
	var se *StoppedError
	if !errors.As(err, &se) || !errors.Is(err, context.Canceled) {
		t.Fatalf("create: %v, want a StoppedError wrapping context.Canceled", err)
	}
	if _, err := os.Stat(dest); !os.IsNotExist(err) {
		t.Fatalf("an interrupted archive stands at %s: %v", dest, err)
	}
	return se
}

func TestInterruptedCreateResumesToAVerifiableArchive(t *testing.T) {
	src, _ := makeTree(t)
	k := newKey(t)
	dest := filepath.Join(t.TempDir(), "backup")
	interrupt(t, src, dest, k, 150_000) // in the middle of images/server.zmg
	partial := PartialDir(dest)
	cp, err := loadCheckpoint(partial)
	must(t, err)
	if cp.Cursor.Open == nil || cp.Cursor.Open.Entry.Path != "images/server.zmg" || len(cp.Parts) < 2 {
		t.Fatalf("checkpoint: %d parts, cursor %+v", len(cp.Parts), cp.Cursor)
	}
	first, err := os.ReadFile(filepath.Join(partial, partName(1)))
	must(t, err)
	// What a crash would leave: a part the checkpoint does not count and a
	// half-written one.
	must(t, os.WriteFile(filepath.Join(partial, partName(len(cp.Parts)+1)), []byte("uncounted"), 0o600))
	must(t, os.WriteFile(filepath.Join(partial, partName(len(cp.Parts)+2)+tmpExt), []byte("half"), 0o600))

	res, err := Resume(context.Background(), dest, ResumeOptions{})
	if err != nil {
		t.Fatalf("resume: %v", err)
	}
	if !res.Resumed || res.Flagged != 0 {
		t.Errorf("result: %+v", res)
	}
	again, err := os.ReadFile(filepath.Join(dest, partName(1)))
	must(t, err)
	if !bytes.Equal(first, again) {
		t.Error("resume rewrote a complete part instead of continuing")
	}
	if _, err := Verify(context.Background(), dest, openWith(k)); err != nil {
		t.Fatalf("verify: %v", err)
	}
	out := filepath.Join(t.TempDir(), "restored")
	if _, err := Extract(context.Background(), dest, out, ExtractOptions{OpenOptions: openWith(k)}); err != nil {
		t.Fatalf("extract: %v", err)
	}
	compareTrees(t, src, out)
}

func TestResumeAfterTheHalfWrittenFileChangedTakesAFreshCopy(t *testing.T) {
	src, _ := makeTree(t)
	k := newKey(t)
	dest := filepath.Join(t.TempDir(), "backup")
	interrupt(t, src, dest, k, 150_000)
	img := filepath.Join(src, "images/server.zmg")
	must(t, os.WriteFile(img, []byte("a new image"), 0o644))
	stamp(t, src)
	res, err := Resume(context.Background(), dest, ResumeOptions{})
	if err != nil {
		t.Fatalf("resume: %v", err)
	}
	if res.Flagged != 1 || res.NoteCount == 0 {
		t.Errorf("result: %+v", res)
	}
	rep, err := Verify(context.Background(), dest, openWith(k))
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if rep.FlaggedCount != 1 || rep.Flagged[0].Path != "images/server.zmg" {
		t.Errorf("flagged: %+v", rep.Flagged)
	}
	out := filepath.Join(t.TempDir(), "restored")
	if _, err := Extract(context.Background(), dest, out, ExtractOptions{OpenOptions: openWith(k)}); err != nil {
		t.Fatalf("extract: %v", err)
	}
	compareTrees(t, src, out)
}

func TestAnInterruptedArchiveIsNeverMistakenForAComplete(t *testing.T) {
	src, _ := makeTree(t)
	k := newKey(t)
	dest := filepath.Join(t.TempDir(), "backup")
	interrupt(t, src, dest, k, 1)
	if _, err := Verify(context.Background(), dest, openWith(k)); err == nil {
		t.Fatal("verify accepted an interrupted archive")
	}
	if _, err := Verify(context.Background(), PartialDir(dest), openWith(k)); err == nil {
		t.Fatal("verify accepted the .partial folder")
	}
	_, err := Create(context.Background(), src, dest, CreateOptions{Recipients: []string{k.rec}})
	if !errors.Is(err, ErrExists) {
		t.Fatalf("a second create over an interrupted one: %v, want ErrExists", err)
	}
	// --force starts over.
	create(t, src, dest, CreateOptions{Recipients: []string{k.rec}, Force: true})
	if _, err := Verify(context.Background(), dest, openWith(k)); err != nil {
		t.Fatal(err)
	}
}

func TestAnExistingArchiveIsReplacedOnlyWithForce(t *testing.T) {
	src, _ := makeTree(t)
	k := newKey(t)
	dest := filepath.Join(t.TempDir(), "backup")
	create(t, src, dest, CreateOptions{Recipients: []string{k.rec}})
	if _, err := Create(context.Background(), src, dest, CreateOptions{Recipients: []string{k.rec}}); !errors.Is(err, ErrExists) {
		t.Fatalf("create over an archive: %v, want ErrExists", err)
	}
	create(t, src, dest, CreateOptions{Recipients: []string{k.rec}, Force: true})
	if _, err := Verify(context.Background(), dest, openWith(k)); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(t.TempDir(), "precious")
	must(t, os.Mkdir(other, 0o755))
	must(t, os.WriteFile(filepath.Join(other, "notes.txt"), []byte("mine"), 0o644))
	if _, err := Create(context.Background(), src, other, CreateOptions{Recipients: []string{k.rec}, Force: true}); err == nil {
		t.Fatal("--force replaced a folder that is not an archive")
	}
	if b, _ := os.ReadFile(filepath.Join(other, "notes.txt")); string(b) != "mine" {
		t.Fatal("the folder was touched")
	}
}
