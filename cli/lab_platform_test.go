package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"zenrecover/lab"
)

func TestLabInitPlatform(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "winlab")
	if _, errs, code := runCLI(t, "lab", "init", dir, "--platform", "windows"); code != 0 {
		t.Fatalf("lab init --platform windows: %d %s", code, errs)
	}
	l, err := lab.Open(dir)
	if err != nil || l.Platform() != lab.PlatformWindows {
		t.Fatalf("the lab: %v", err)
	}
	if _, err := os.Stat(l.Rebase(lab.WindowsSystemDir + `\net`)); err != nil {
		t.Errorf("no net shim: %v", err)
	}

	bad := filepath.Join(t.TempDir(), "badlab")
	_, errs, code := runCLI(t, "lab", "init", bad, "--platform", "macos")
	if code != exitUsage || !strings.Contains(errs, `"macos"`) || !strings.Contains(errs, "linux or windows") {
		t.Errorf("--platform macos: %d %q", code, errs)
	}
	if _, err := os.Stat(bad); err == nil {
		t.Error("a refused lab init left its directory")
	}
}
