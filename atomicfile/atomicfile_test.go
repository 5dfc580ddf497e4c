package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteReplacesWholeWithItsMode(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := filepath.Join(dir, "checklist.txt")
	if err := os.WriteFile(p, []byte("yesterday's sheet"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Write(p, []byte("today's sheet"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(p)
	if err != nil || string(got) != "today's sheet" {
		t.Fatalf("read %q, %v", got, err)
	}
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", fi.Mode().Perm())
	}
	assertOnly(t, dir, "checklist.txt")
}

// A write that fails half-way leaves the old file exactly as it was, and
// no temporary file behind.
func TestAFailedWriteLeavesTheOldFileAndNoLeftover(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := filepath.Join(dir, "zenrecover.prom")
	if err := os.WriteFile(p, []byte("old figures\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("disk full")
	err := WriteFunc(p, 0o644, func(f *os.File) error {
		f.WriteString("half of the new")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want the fill's", err)
	}
	if got, _ := os.ReadFile(p); string(got) != "old figures\n" {
		t.Fatalf("the old file became %q", got)
	}
	assertOnly(t, dir, "zenrecover.prom")
}

func TestAMissingFolderIsAnErrorAndCreatesNothing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := Write(filepath.Join(dir, "no", "such", "file"), []byte("x"), 0o600); err == nil {
		t.Fatal("writing into a missing folder succeeded")
	}
	assertOnly(t, dir)
}

func assertOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range es {
		got = append(got, e.Name())
	}
	if len(got) != len(names) {
		t.Fatalf("%s holds %q, want %q", dir, got, names)
	}
	for i := range names {
		if got[i] != names[i] {
			t.Fatalf("%s holds %q, want %q", dir, got, names)
		}
	}
}
