//go:build !windows

package remote

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"zenrecover/actions"
	"zenrecover/archive"
)

// fakeZenrecover stands in for the binary copied there: it asks the
// passphrase as `zenrecover archive` does (hidden, twice for a new set),
// records its argv and what was typed, and leaves a complete set (a
// manifest) or, with FAKE_STOP, an interrupted one.
const fakeZenrecover = `#!/bin/sh
d=$(dirname "$0")
printf '%s\n' "$@" > "$d/argv"
case "$2" in
create) dest=$4
	printf 'New archive passphrase (at least 10 characters): '; stty -echo; read p; stty echo; echo
	printf 'The same passphrase again: '; stty -echo; read q; stty echo; echo
	[ "$p" = "$q" ] || { echo "the two do not match"; exit 1; } ;;
resume) dest=$3
	printf 'Archive passphrase: '; stty -echo; read p; stty echo; echo ;;
esac
printf '%s' "$p" > "$d/typed"
mkdir -p "$dest"
echo "archive complete: $dest"
: > "$dest/manifest.age"
`

func archiveRig(t *testing.T) (*ArchiveCreate, string, string) {
	t.Helper()
	srv := newTestServer(t)
	srv.trust()
	c := dialed(t, srv)
	dir := t.TempDir()
	bin := filepath.Join(dir, "zenrecover")
	if err := os.WriteFile(bin, []byte(fakeZenrecover), 0o755); err != nil {
		t.Fatal(err)
	}
	cache := filepath.Join(dir, "there-cache")
	return &ArchiveCreate{Client: c, Binary: bin, Source: filepath.Join(dir, "content-repo"),
		Dest: filepath.Join(dir, "content-repo.archive"), Require: []string{"images"},
		Passphrase: knownSecret, CacheDir: cache}, cache, dir
}

// The archive on another host: zenrecover copies itself there once (its
// name carries its hash), runs `archive create` there, and types the
// passphrase at the hidden prompt: it is on no command line and in no
// output. The set's check there, over SFTP, then says complete.
func TestAnArchiveThereRunsZenrecoverCopiedThereAndTypesThePassphrase(t *testing.T) {
	t.Parallel()
	a, cache, _ := archiveRig(t)
	out := &syncBuf{}
	m := actions.NewMasker()
	if err := a.Run(context.Background(), actions.IO{Output: out, Secrets: m}); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	copies, _ := filepath.Glob(filepath.Join(cache, "zenrecover-*"))
	if len(copies) != 1 {
		t.Fatalf("copies there: %v", copies)
	}
	fi, _ := os.Stat(copies[0])
	if fi == nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("the copy there is %v, want 0700", fi.Mode())
	}
	argv, _ := os.ReadFile(filepath.Join(cache, "argv"))
	if want := "archive\ncreate\n" + a.Source + "\n" + a.Dest + "\n--plain\n--require\nimages\n--passphrase\n"; string(argv) != want {
		t.Errorf("argv there:\n%s\nwant:\n%s", argv, want)
	}
	if typed, _ := os.ReadFile(filepath.Join(cache, "typed")); string(typed) != knownSecret {
		t.Errorf("typed %q at the passphrase prompt", typed)
	}
	if strings.Contains(out.String(), knownSecret) {
		t.Errorf("the output shows the passphrase:\n%s", out)
	}
	ok, det, err := (&ArchiveComplete{Client: a.Client, Dest: a.Dest}).Check(context.Background(), time.Time{})
	if !ok || err != nil {
		t.Errorf("the set there is not complete: %q %v", det, err)
	}

	// Again: complete there, so nothing runs and nothing is copied.
	os.Remove(filepath.Join(cache, "argv"))
	out = &syncBuf{}
	if err := a.Run(context.Background(), actions.IO{Output: out, Secrets: m}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(cache, "argv")); err == nil || !strings.Contains(out.String(), "already a complete archive set") {
		t.Errorf("a complete set there was archived again:\n%s", out)
	}
}

// A set interrupted there is resumed there, not started over; the copy
// already there is used as it is.
func TestAnInterruptedArchiveThereIsResumedThere(t *testing.T) {
	t.Parallel()
	a, cache, _ := archiveRig(t)
	if err := os.MkdirAll(archive.PartialDir(a.Dest), 0o700); err != nil {
		t.Fatal(err)
	}
	if ok, det, _ := (&ArchiveComplete{Client: a.Client, Dest: a.Dest}).Check(context.Background(), time.Time{}); ok || !strings.Contains(det, "interrupted") {
		t.Errorf("an interrupted set there checks %v %q", ok, det)
	}
	if err := a.Run(context.Background(), actions.IO{Output: &syncBuf{}, Secrets: actions.NewMasker()}); err != nil {
		t.Fatal(err)
	}
	argv, _ := os.ReadFile(filepath.Join(cache, "argv"))
	if !strings.HasPrefix(string(argv), "archive\nresume\n"+a.Dest+"\n") {
		t.Errorf("argv there: %q, want a resume of %s", argv, a.Dest)
	}
	if typed, _ := os.ReadFile(filepath.Join(cache, "typed")); string(typed) != knownSecret {
		t.Errorf("typed %q at the resume's passphrase prompt", typed)
	}
}

// A new build is a new copy; a copy cut short never takes the name that
// is run.
func TestANewBuildIsCopiedUnderItsOwnName(t *testing.T) {
	t.Parallel()
	a, cache, dir := archiveRig(t)
	ctx := context.Background()
	if _, err := a.push(ctx, &syncBuf{}); err != nil {
		t.Fatal(err)
	}
	newer := filepath.Join(dir, "zenrecover-2")
	os.WriteFile(newer, []byte(fakeZenrecover+"# another build\n"), 0o755)
	a.Binary = newer
	p2, err := a.push(ctx, &syncBuf{})
	if err != nil {
		t.Fatal(err)
	}
	copies, _ := filepath.Glob(filepath.Join(cache, "zenrecover-*"))
	if len(copies) != 2 || !strings.HasSuffix(p2, filepath.Base(copies[0])) && !strings.HasSuffix(p2, filepath.Base(copies[1])) {
		t.Errorf("copies there %v, the new one %s", copies, p2)
	}
	tmp, _ := filepath.Glob(filepath.Join(cache, ".*"))
	if len(tmp) != 0 {
		t.Errorf("temporary copies left there: %v", tmp)
	}
	// Cancelled mid-copy: no copy takes a name that would be run.
	os.WriteFile(newer, []byte(fakeZenrecover+"# a third\n"), 0o755)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := a.push(cctx, &syncBuf{}); err == nil {
		t.Fatal("a cancelled copy succeeded")
	}
	if after, _ := filepath.Glob(filepath.Join(cache, "zenrecover-*")); len(after) != 2 {
		t.Errorf("a cancelled copy left %v", after)
	}
}
