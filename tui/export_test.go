package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"zenrecover/procedures"
)

func TestPickerExportsTheHighlightedChecklist(t *testing.T) {
	f := newFixture(t)
	dir := t.TempDir()
	t.Chdir(dir)
	h := newHarness(t, f.config(), nil, "", 80, 24)
	h.mustSee("e checklist to file")
	h.press("down", "e")
	if h.m.screen != screenPicker {
		t.Fatal("the export left the picker")
	}
	html := filepath.Join(dir, "zenrecover-checklist-1.2-server-restore.html")
	txt := filepath.Join(dir, "zenrecover-checklist-1.2-server-restore.txt")
	h.mustSee("Checklist of 1.2 written")
	if v := strings.Join(strings.Fields(h.view()), ""); !strings.Contains(v, strings.Join(strings.Fields(html), "")) {
		t.Errorf("the picker does not say where the checklist went:\n%s", h.view())
	}
	for _, p := range []string{html, txt} {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), "Restoring a ZENworks Server") || !strings.Contains(string(b), "zman zenserver-restore") {
			t.Errorf("%s is not 1.2's checklist", p)
		}
	}
	b, _ := os.ReadFile(txt)
	for _, l := range strings.Split(string(b), "\n") {
		if len([]rune(l)) > procedures.TextWidth {
			t.Errorf("a line of the text checklist is wider than %d columns: %q", procedures.TextWidth, l)
		}
	}
}

func TestPickerSaysWhyAnExportFailed(t *testing.T) {
	f := newFixture(t)
	dir := filepath.Join(t.TempDir(), "gone")
	os.Mkdir(dir, 0o700)
	t.Chdir(dir)
	os.Remove(dir) // a directory removed under the wizard: nothing can be written there, even by root
	h := newHarness(t, f.config(), nil, "", 80, 24)
	h.press("e")
	h.mustSee("was not written", "zenrecover checklist 1.1 -o FILE")
}
