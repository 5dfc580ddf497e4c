package cli

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// Issue 11, item 3: `ln -s /etc/shadow dir/x.yaml; zenrecover lint
// dir/x.yaml` printed a line of the target in its error.
func TestLintNeverPrintsAFileThatIsNotADefinition(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows")
	}
	const secret = "root:$6$SECRETSALT$Qx9bTz:19000:0:99999:7:::"
	outside := filepath.Join(t.TempDir(), "shadow")
	os.WriteFile(outside, []byte(secret+"\nbin:*:19000:0:99999:7:::\n"), 0o600)
	dir := t.TempDir()
	os.Symlink(outside, filepath.Join(dir, "x.yaml"))
	inside := filepath.Join(dir, "copy.yaml")
	os.WriteFile(inside, []byte(secret+"\n"), 0o600)

	out, errs, code := runCLI(t, "lint", filepath.Join(dir, "x.yaml"), inside)
	if code != exitUsage {
		t.Fatalf("lint exit %d: %s %s", code, out, errs)
	}
	for _, part := range []string{secret, "SECRETSALT", "root:"} {
		if strings.Contains(out+errs, part) {
			t.Fatalf("lint printed %q of a file that is not a definition:\n%s%s", part, out, errs)
		}
	}
	for _, want := range []string{
		filepath.Join(dir, "x.yaml") + ": is a symbolic link to " + outside + ", which zenrecover does not follow",
		inside + ":1:1: is not a zenrecover definition",
	} {
		if !strings.Contains(errs, want) {
			t.Errorf("lint said\n%s\nwant\n%s", errs, want)
		}
	}
	// The same with --procedures DIR: refused, nothing of it shown.
	_, errs, code = runCLI(t, "--procedures", dir, "list")
	if code != exitUsage || strings.Contains(errs, "SECRETSALT") || !strings.Contains(errs, "which zenrecover does not follow") {
		t.Errorf("--procedures DIR: exit %d\n%s", code, errs)
	}
}

// Issue 11, item 2: lint of a 50 MB definition died with "fatal error: out
// of memory". It reads no more than the limit, and says where it stopped.
func TestLintRefusesAHugeFileWithoutReadingIt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.yaml")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("id: big\nsummary: \"")
	f.Truncate(50 << 20) // sparse: 50 MB that cost no disk
	f.Close()
	_, errs, code := runCLI(t, "lint", path)
	if code != exitUsage || !strings.Contains(errs, path+":2:") || !strings.Contains(errs, "the file goes on past 512 KiB here") {
		t.Fatalf("lint exit %d: %s", code, errs)
	}
}
