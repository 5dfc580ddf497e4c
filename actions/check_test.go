package actions

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

type checkCase struct {
	name   string
	check  Check
	start  time.Time
	ok     bool
	detail string // a part of the detail
	err    bool
}

func runChecks(t *testing.T, cases []checkCase) {
	t.Helper()
	for _, c := range cases {
		ok, detail, err := c.check.Check(context.Background(), c.start)
		if (err != nil) != c.err {
			t.Errorf("%s: err = %v", c.name, err)
			continue
		}
		if ok != c.ok || !strings.Contains(detail, c.detail) {
			t.Errorf("%s: Check = %v, %q; want %v, %q", c.name, ok, detail, c.ok, c.detail)
		}
		if c.check.Describe() == "" {
			t.Errorf("%s: empty Describe", c.name)
		}
	}
}

func TestFileExists(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	f := writeTemp(t, "b.bak", "x", 0o600)
	runChecks(t, []checkCase{
		{name: "file", check: &FileExists{f}, ok: true, detail: "exists"},
		{name: "directory", check: &FileExists{dir}, ok: true, detail: "a directory"},
		{name: "missing", check: &FileExists{filepath.Join(dir, "nope")}, detail: "does not exist"},
		{name: "under a file", check: &FileExists{filepath.Join(f, "x")}, detail: "does not exist"},
	})
}

func TestNewerThanStart(t *testing.T) {
	t.Parallel()
	f := writeTemp(t, "b.bak", "x", 0o600)
	start := time.Date(2024, 5, 6, 15, 4, 5, 600_000_000, time.Local)
	set := func(mt time.Time) {
		if err := os.Chtimes(f, mt, mt); err != nil {
			t.Fatal(err)
		}
	}
	set(start.Add(-10 * time.Second))
	runChecks(t, []checkCase{
		{name: "old", check: &NewerThanStart{f}, start: start, detail: "was not modified since the step started at 15:04:05"},
		{name: "missing", check: &NewerThanStart{f + ".none"}, start: start, detail: "does not exist"},
		{name: "no start", check: &NewerThanStart{f}, err: true},
	})
	// Written in the same second the step started, on a file system that
	// keeps whole seconds.
	set(start.Truncate(time.Second))
	runChecks(t, []checkCase{{name: "same second", check: &NewerThanStart{f}, start: start, ok: true}})
	set(start.Add(time.Minute))
	runChecks(t, []checkCase{{name: "new", check: &NewerThanStart{f}, start: start, ok: true, detail: "after the step started"}})
}

func TestWritable(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	f := writeTemp(t, "file", "x", 0o600)
	cases := []checkCase{
		{name: "writable", check: &Writable{dir}, ok: true},
		{name: "missing", check: &Writable{filepath.Join(dir, "nope")}, detail: "does not exist"},
		{name: "file", check: &Writable{f}, detail: "not a directory"},
	}
	if os.Geteuid() != 0 { // root writes through permission bits
		ro := filepath.Join(dir, "ro")
		if err := os.Mkdir(ro, 0o500); err != nil {
			t.Fatal(err)
		}
		cases = append(cases, checkCase{name: "read-only", check: &Writable{ro}, detail: "permission denied"})
	}
	runChecks(t, cases)
	if left, _ := filepath.Glob(filepath.Join(dir, ".zenrecover-write-test-*")); len(left) != 0 {
		t.Errorf("the test file was left behind: %v", left)
	}
}

func TestXMLPathExists(t *testing.T) {
	t.Parallel()
	lab := t.TempDir()
	serverKS := "/etc/opt/novell/zenworks/security/zenca.keystore"
	labKS := filepath.Join(lab, serverKS)
	if err := os.MkdirAll(filepath.Dir(labKS), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(labKS, []byte("ks"), 0o600); err != nil {
		t.Fatal(err)
	}
	rebase := func(p string) string { return filepath.Join(lab, p) }
	conf := func(keystore string) string {
		return writeTemp(t, "CaConfig.xml", strings.Replace(caConfig, oldKeystore, keystore, 1), 0o644)
	}
	good := conf(serverKS)
	direct := conf(labKS)
	missing := conf("/etc/opt/novell/zenworks/security/gone.keystore")
	emptyText := conf("  ")
	dirText := conf(filepath.Dir(labKS))
	notXML := writeTemp(t, "bad.xml", "<CaConfig><Keystore>", 0o644)
	runChecks(t, []checkCase{
		{name: "rebased", check: &XMLPathExists{File: good, Element: "Keystore", Rebase: rebase}, ok: true, detail: "looked at " + labKS},
		{name: "direct", check: &XMLPathExists{File: direct, Element: "Keystore"}, ok: true},
		{name: "not rebased", check: &XMLPathExists{File: good, Element: "Keystore"}, detail: "which does not exist"},
		{name: "missing keystore", check: &XMLPathExists{File: missing, Element: "Keystore", Rebase: rebase}, detail: "gone.keystore, which does not exist"},
		{name: "empty", check: &XMLPathExists{File: emptyText, Element: "Keystore"}, detail: "is empty"},
		{name: "directory", check: &XMLPathExists{File: dirText, Element: "Keystore"}, detail: "is a directory"},
		{name: "no element", check: &XMLPathExists{File: good, Element: "Truststore"}, detail: "has no element <Truststore>"},
		{name: "no file", check: &XMLPathExists{File: good + ".none", Element: "Keystore"}, detail: "does not exist"},
		{name: "not XML", check: &XMLPathExists{File: notXML, Element: "Keystore"}, detail: "not well-formed"},
	})
}

func TestChecksHonourCancellation(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, c := range []Check{&FileExists{"/"}, &NewerThanStart{"/"}, &Writable{"/"}, &XMLPathExists{File: "/x", Element: "y"}} {
		if _, _, err := c.Check(ctx, time.Now()); err == nil {
			t.Errorf("%T decided under a cancelled context", c)
		}
	}
}
