package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Issue 14, item 5: `zenrecover man` prints zenrecover(1); `man -o DIR`
// writes a page a command, the same bytes every time, with nothing of the
// machine that wrote them.
func TestManPages(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "1796286903") // 2026-12-03
	out, errs, code := runCLI(t, "man")
	if code != 0 || !strings.HasPrefix(out, `.nh
.TH "ZENRECOVER" "1" "Dec 2026" "zenrecover `) {
		t.Fatalf("man: exit %d %s\n%.300s", code, errs, out)
	}
	for _, want := range []string{`.SH NAME`, `zenrecover - A calm wizard`, `.SH EXAMPLE`, `\fBzenrecover-run(1)\fP`} {
		if !strings.Contains(out, want) {
			t.Errorf("zenrecover(1) lacks %q", want)
		}
	}

	dir := filepath.Join(t.TempDir(), "man1")
	if _, errs, code := runCLI(t, "man", "-o", dir); code != 0 || !strings.Contains(errs, "manual pages to "+dir) {
		t.Fatalf("man -o: exit %d %s", code, errs)
	}
	pages, _ := filepath.Glob(filepath.Join(dir, "*.1"))
	if len(pages) < 30 {
		t.Fatalf("man -o wrote %d pages", len(pages))
	}
	run, _ := os.ReadFile(filepath.Join(dir, "zenrecover-run.1"))
	for _, want := range []string{`zenrecover run 1.1 --lab /tmp/zenlab`, `\fB--answers\fP`} {
		if !bytes.Contains(run, []byte(want)) {
			t.Errorf("zenrecover-run(1) lacks %q:\n%s", want, run)
		}
	}
	// Markdown does not eat the underscores of a variable's name.
	show, _ := os.ReadFile(filepath.Join(dir, "zenrecover-show.1"))
	if !bytes.Contains(show, []byte(`ZENRECOVER_SECRET_ variable`)) {
		t.Errorf("zenrecover-show(1) mangles ZENRECOVER_SECRET_:\n%s", show)
	}
	// No path of this machine: the team's recipients file is named as the
	// documentation names it.
	here := teamFileForHelp() // as this user's configuration directory spells it
	again := filepath.Join(t.TempDir(), "man1")
	runCLI(t, "man", "-o", again)
	for _, p := range pages {
		a, _ := os.ReadFile(p)
		b, _ := os.ReadFile(filepath.Join(again, filepath.Base(p)))
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between two runs", filepath.Base(p))
		}
		if bytes.Contains(a, []byte(here)) {
			t.Errorf("%s names this machine's %s", filepath.Base(p), here)
		}
	}
	archive, _ := os.ReadFile(filepath.Join(dir, "zenrecover-archive.1"))
	if !bytes.Contains(archive, []byte("~/.config/zenrecover/recipients")) {
		t.Errorf("zenrecover-archive(1) does not name the recipients file:\n%s", archive)
	}
}

func TestMdEscape(t *testing.T) {
	for in, want := range map[string]string{
		"ZENRECOVER_SECRET_ and *x*":     `ZENRECOVER\_SECRET\_ and \*x\*`,
		"`a_b` stays":                    "`a_b` stays",
		"<Keystore> and [x]":             `\<Keystore> and \[x]`,
		"1. not a list\n- nor this\n# h": "1\\. not a list\n\\- nor this\n\\# h",
		"10 files. fine":                 "10 files. fine",
	} {
		if got := mdEscape(in); got != want {
			t.Errorf("mdEscape(%q) = %q, want %q", in, got, want)
		}
	}
}
