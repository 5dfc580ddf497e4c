package lab

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// shimPaths maps each simulated tool to the server path of its shim.
func shimPaths() map[string]string {
	return map[string]string{
		ToolZman:            ServerBinDir + "/zman",
		ToolZenserver:       ServerInitScript,
		ToolConfigure:       ServerBinDir + "/" + ToolConfigure,
		ToolPermission:      ServerBinDir + "/" + ToolPermission,
		ToolPermissionAlias: ServerBinDir + "/" + ToolPermissionAlias,
		ToolZac:             ServerBinDir + "/" + ToolZac,
		ToolSQL:             ServerBinDir + "/" + ToolSQL,
	}
}

// InstallShims (re)writes one executable script per simulated tool that
// re-enters exe as `exe lab exec --lab DIR TOOL ARGS...`. The wizard calls it
// at every start with os.Executable(), so a moved or rebuilt binary is
// picked up.
func (l *Lab) InstallShims(exe string) error {
	if exe == "" {
		return errors.New("lab: install shims: no executable given")
	}
	abs, err := filepath.Abs(exe)
	if err != nil {
		return fmt.Errorf("lab: install shims: %w", err)
	}
	for tool, p := range shimPaths() {
		dst := l.Rebase(p)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return fmt.Errorf("lab: install shims: %w", err)
		}
		if err := writeFileAtomic(dst, []byte(shimScript(abs, l.dir, tool)), 0o755); err != nil {
			return fmt.Errorf("lab: install shims: %w", err)
		}
	}
	// The lab's other servers have their own init script (the other tools
	// are found on the lab server's PATH, with the host in the environment).
	hosts, _ := os.ReadDir(filepath.Join(l.dir, hostsDir))
	for _, h := range hosts {
		dst := filepath.Join(l.dir, hostsDir, h.Name(), ServerInitScript)
		if _, err := os.Stat(filepath.Dir(dst)); err != nil || !h.IsDir() {
			continue
		}
		if err := writeFileAtomic(dst, []byte(shimScript(abs, l.dir, ToolZenserver)), 0o755); err != nil {
			return fmt.Errorf("lab: install shims: %w", err)
		}
	}
	return nil
}

func shimScript(exe, dir, tool string) string {
	return "#!/bin/sh\n" +
		"# zenrecover rehearsal lab: the simulated " + tool + ". Rewritten by zenrecover at each start.\n" +
		"exec " + shellQuote(exe) + " lab exec --lab " + shellQuote(dir) + " " + shellQuote(tool) + " \"$@\"\n"
}

// shellQuote single-quotes s for sh, closing and reopening the quotes
// around each quote inside, so no name can break out of the argument.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// LookPath finds the program a step names, as a shell with Env's PATH would:
// os/exec resolves a bare name with the wizard's own PATH, not the child's,
// so a step's `zman` would otherwise miss the lab's shim. Absolute paths
// (such as /etc/init.d/novell-zenserver) are rebased into the lab.
func (l *Lab) LookPath(name string) (string, error) {
	if filepath.IsAbs(name) {
		return l.Rebase(name), nil
	}
	if !strings.ContainsRune(name, filepath.Separator) {
		p := filepath.Join(l.BinDir(), name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0 {
			return p, nil
		}
	}
	return exec.LookPath(name)
}
