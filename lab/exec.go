package lab

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Exit statuses of the simulated tools.
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

// HangEnv names the variable that makes a zman command hold after its
// prompts are answered (see the package documentation).
const HangEnv = "ZENRECOVER_LAB_HANG_AFTER_PROMPTS"

// HangNotice starts the line a holding command writes to standard error,
// so a test knows the command is parked and can kill it.
const HangNotice = "[lab] holding after the prompts"

// session is one run of a simulated tool.
type session struct {
	lab  *Lab
	tool string
	sub  string // canonical subcommand, for injected failures
	in   io.Reader
	out  io.Writer
	err  io.Writer
	ask  *prompter
}

// Exec runs the simulated tool named by tool's base name (zman,
// novell-zenserver for /etc/init.d/novell-zenserver, net, novell-zenworks-configure,
// permission.sh, zac or zenrecover-sql; net.exe and zman.bat as Windows
// names them) in the lab at labDir and returns its exit status. `zenrecover lab exec --lab DIR TOOL ARGS...` is a thin wrapper.
func Exec(labDir, tool string, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	if stdout == nil {
		stdout = io.Discard
	}
	if stderr == nil {
		stderr = io.Discard
	}
	l, err := Open(labDir)
	if err == nil {
		l, err = l.Host(os.Getenv(HostEnv))
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitFail
	}
	name := filepath.Base(strings.ReplaceAll(tool, `\`, "/"))
	if bare, ok := trimWindowsExt(name); ok {
		name = strings.ToLower(bare)
	}
	if name == ToolPermissionAlias {
		// One tool under two spellings, so an injected failure fires for both.
		name = ToolPermission
	}
	s := &session{lab: l, tool: name, in: stdin, out: stdout, err: stderr}
	s.ask = newPrompter(stdin, stdout)
	switch s.tool {
	case ToolZman:
		return s.zman(args)
	case ToolZenserver:
		return s.zenserver(args)
	case ToolNet:
		return s.net(args)
	case ToolConfigure:
		return s.configure(args)
	case ToolPermission:
		return s.permission(args)
	case ToolZac:
		return s.zac(args)
	case ToolSQL:
		return s.sql(args)
	default:
		fmt.Fprintf(stderr, "lab: no simulated tool %q (the lab has %s)\n", tool, strings.Join(toolNames(), ", "))
		return exitUsage
	}
}

func toolNames() []string {
	return []string{ToolZman, ToolZenserver, ToolNet, ToolConfigure, ToolPermission, ToolZac, ToolSQL}
}

// canonicalSub names a subcommand the way injected failures record it.
func canonicalSub(tool, sub string) (string, error) {
	if tool == ToolPermissionAlias {
		tool = ToolPermission
	}
	if sub == "" {
		switch tool {
		case ToolZman, ToolZenserver, ToolNet, ToolConfigure, ToolPermission, ToolZac, ToolSQL:
			return "", nil
		}
	}
	switch tool {
	case ToolZman:
		if c, ok := findZmanCommand(sub); ok {
			return c.long, nil
		}
		return "", fmt.Errorf("lab: zman has no simulated subcommand %q", sub)
	case ToolZenserver:
		if isZenserverAction(sub) {
			return sub, nil
		}
		return "", fmt.Errorf("lab: %s has no action %q (start, stop, restart, status)", ToolZenserver, sub)
	case ToolNet:
		if a, ok := findNetCommand(sub); ok {
			return a, nil
		}
		return "", fmt.Errorf("lab: %s has no simulated command %q (%s)", ToolNet, sub, strings.Join(netCommands(), ", "))
	case ToolConfigure:
		if a, ok := findConfigureAction(sub); ok {
			return a, nil
		}
		return "", fmt.Errorf("lab: %s has no simulated action %q (%s)", ToolConfigure, sub, strings.Join(configureActions(), ", "))
	case ToolZac:
		if c, ok := findZacCommand(sub); ok {
			return c.long, nil
		}
		return "", fmt.Errorf("lab: zac has no simulated subcommand %q", sub)
	case ToolPermission, ToolSQL:
		return "", fmt.Errorf("lab: %s has no subcommands; inject its failure with an empty subcommand", tool)
	}
	return "", fmt.Errorf("lab: no simulated tool %q (the lab has %s)", tool, strings.Join(toolNames(), ", "))
}

// fail reports an error the way zman does and returns the failure status.
func (s *session) fail(format string, args ...any) int {
	fmt.Fprintf(s.err, "Error: "+format+"\n", args...)
	return exitFail
}

// holdIfAsked parks the command between its prompts and its work until
// standard input ends, so a test can kill the wizard mid-step without
// relying on timing.
// holdIfAsked parks the command when a test asks. It returns false when
// the hold ended because the command's terminal hung up (its wizard was
// killed) rather than because its input was closed.
func (s *session) holdIfAsked() bool {
	if os.Getenv(HangEnv) != "1" {
		return true
	}
	fmt.Fprintf(s.err, "%s (%s=1); waiting for the end of standard input before %s %s does its work\n",
		HangNotice, HangEnv, s.tool, s.sub)
	_, err := io.Copy(io.Discard, s.in)
	return err == nil && !hungUp(s.in)
}

// exitHangup is the status of a process killed by SIGHUP (128+1).
const exitHangup = 129

// injected fires a rehearsal fault for this tool and subcommand, if one is
// waiting. ok is false when the command must stop with status code.
func (s *session) injected() (code int, ok bool) {
	msg, hit, err := s.lab.takeFailure(s.tool, s.sub)
	if err != nil {
		return s.fail("%v", err), false
	}
	if hit {
		fmt.Fprintln(s.err, msg)
		return exitFail, false
	}
	return exitOK, true
}
