package lab

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestInstallShims(t *testing.T) {
	// Quotes and spaces in both paths prove the scripts quote safely.
	l, err := Init(filepath.Join(t.TempDir(), "o'neil lab"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	binDir := filepath.Join(t.TempDir(), "it's a $bin")
	if err := os.MkdirAll(binDir, 0o755); err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(binDir, "fake-zenrecover")
	// Stands in for zenrecover: prints each argument on its own line.
	if err := os.WriteFile(exe, []byte("#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := l.InstallShims(exe); err != nil {
		t.Fatal(err)
	}
	// Again, as at every start: rewriting must work.
	if err := l.InstallShims(exe); err != nil {
		t.Fatal(err)
	}

	for tool, serverPath := range shimPaths(l.Layout()) {
		shim := l.Rebase(serverPath)
		fi, err := os.Stat(shim)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o755 {
			t.Errorf("%s mode %v", shim, fi.Mode())
		}
		body := readFile(t, shim)
		if !strings.HasPrefix(body, "#!/bin/sh\n") || !strings.Contains(body, `exec '`) || !strings.HasSuffix(body, "\"$@\"\n") {
			t.Errorf("%s:\n%s", shim, body)
		}
		args := []string{"zsb", "/root/a b.bak", `it's "quoted" $HOME`}
		out, err := exec.Command(shim, args...).Output()
		if err != nil {
			t.Fatalf("running %s: %v", shim, err)
		}
		got := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
		want := append([]string{"lab", "exec", "--lab", l.Dir(), tool}, args...)
		if !slices.Equal(got, want) {
			t.Errorf("%s ran with %q, want %q", shim, got, want)
		}
	}
	var names []string
	entries, _ := os.ReadDir(l.BinDir())
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := []string{ToolSQL, ToolConfigure, ToolPermission, ToolPermissionAlias, ToolZac, ToolZman}
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Errorf("bin holds %v; want %v", names, want)
	}

	// A step that runs `zman` with the lab's environment finds the shim.
	cmd := exec.Command("sh", "-c", `command -v zman`)
	cmd.Env = l.Env(os.Environ())
	out, err := cmd.Output()
	if err != nil || strings.TrimSpace(string(out)) != filepath.Join(l.BinDir(), "zman") {
		t.Errorf("zman on PATH = %q, %v", out, err)
	}

	if err := l.InstallShims(""); err == nil {
		t.Error("InstallShims accepted no executable")
	}
}

// The shims run the tools as separate processes, as the wizard will.
func TestShimsRunTheTools(t *testing.T) {
	l := newTestLab(t)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if err := l.InstallShims(self); err != nil {
		t.Fatal(err)
	}
	t.Setenv(asCLI, "1")
	dst := l.Rebase("/root/zcm_backups/zone_backup.bak")
	zman, err := l.LookPath("zman")
	if err != nil || zman != filepath.Join(l.BinDir(), "zman") {
		t.Fatalf("LookPath(zman) = %q, %v", zman, err)
	}
	cmd := exec.Command(zman, "zenserver-backup", dst)
	cmd.Env = l.Env(os.Environ())
	cmd.Stdin = strings.NewReader(createAnswers(testPassphrase))
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Successfully backed up") {
		t.Fatalf("zman through the shim: %v\n%s", err, out)
	}

	script, _ := l.LookPath(ServerInitScript)
	cmd = exec.Command(script, "restart")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("novell-zenserver through the shim: %v\n%s", err, out)
	}
	if z, _ := l.Zone(); z.Restarts != 1 {
		t.Errorf("restarts = %d", z.Restarts)
	}

	cmd = exec.Command(l.Rebase(ServerBinDir+"/zman"), "zsr", dst)
	cmd.Stdin = strings.NewReader(openAnswers("wrong passphrase"))
	out, err = cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.Contains(string(out), "incorrect passphrase") {
		t.Errorf("wrong passphrase through the shim: %v\n%s", err, out)
	}
}
