package lab

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// shimPaths maps each simulated tool to the server path of its shim: the
// ZENworks tools in the layout's BinDir, and the service's own tool, the
// init script on Linux or net in System32 on Windows. The shims are shell
// scripts without an extension on either layout: the lab runs on Linux.
func shimPaths(y Layout) map[string]string {
	m := map[string]string{}
	for _, t := range []string{ToolZman, ToolConfigure, ToolPermission, ToolPermissionAlias, ToolZac, ToolSQL} {
		m[t] = y.Join(y.BinDir, t)
	}
	for t, p := range serviceShims(y) {
		m[t] = p
	}
	return m
}

// serviceShims is the tool that drives the service on a host of layout y,
// which every host has in its own tree.
func serviceShims(y Layout) map[string]string {
	if y.NetTool != "" {
		return map[string]string{ToolNet: y.NetTool}
	}
	return map[string]string{ToolZenserver: y.InitScript}
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
	for tool, p := range shimPaths(l.layout) {
		dst := l.Rebase(p)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return fmt.Errorf("lab: install shims: %w", err)
		}
		if err := writeFileAtomic(dst, []byte(shimScript(abs, l.dir, tool)), 0o755); err != nil {
			return fmt.Errorf("lab: install shims: %w", err)
		}
	}
	// The lab's other servers have their own init script or net (the other
	// tools are found on the lab server's PATH, with the host in the
	// environment), in the layout of each: a Windows host has no init
	// script, a Linux host no net.
	hosts, _ := os.ReadDir(filepath.Join(l.dir, hostsDir))
	for _, e := range hosts {
		if !e.IsDir() || !hostNameRE.MatchString(e.Name()) {
			continue
		}
		h, err := l.Host(e.Name())
		if err != nil {
			return fmt.Errorf("lab: install shims: %w", err)
		}
		if h.IsHome() {
			continue
		}
		for tool, p := range serviceShims(h.layout) {
			dst := h.Rebase(p)
			// Only a host whose tree has the folder (a server the lab
			// built, not a device a step merely ran on) gets the shim.
			if _, err := os.Stat(filepath.Dir(dst)); err != nil {
				continue
			}
			if err := writeFileAtomic(dst, []byte(shimScript(abs, l.dir, tool)), 0o755); err != nil {
				return fmt.Errorf("lab: install shims: %w", err)
			}
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
// (such as /etc/init.d/novell-zenserver, or C:\Windows\System32\net.exe)
// are rebased into the lab. On a Windows host a name may carry the
// extension Windows finds it by (net.exe, zman.bat): the shims have none.
func (l *Lab) LookPath(name string) (string, error) {
	windows := l.layout.Platform == PlatformWindows
	if IsWindowsPath(name) || filepath.IsAbs(name) || (windows && strings.Contains(name, "%")) {
		p := l.Rebase(name)
		if windows && !isExecutable(p) {
			if bare, ok := trimWindowsExt(p); ok && isExecutable(bare) {
				return bare, nil
			}
		}
		return p, nil
	}
	if !strings.ContainsAny(name, `/\`) {
		names := []string{name}
		if bare, ok := trimWindowsExt(name); ok && windows {
			names = append(names, bare)
		}
		for _, d := range l.shimDirs() {
			for _, n := range names {
				if p := filepath.Join(d, n); isExecutable(p) {
					return p, nil
				}
			}
		}
	}
	return exec.LookPath(name)
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// trimWindowsExt drops the extension Windows runs a program by (PATHEXT's
// usual .exe, .bat, .cmd, .com), in any letter case.
func trimWindowsExt(name string) (string, bool) {
	ext := filepath.Ext(name)
	switch strings.ToLower(ext) {
	case ".exe", ".bat", ".cmd", ".com":
		return strings.TrimSuffix(name, ext), true
	}
	return name, false
}
