//go:build windows

package actions

import (
	"os"
	"os/exec"
	"sync"

	"github.com/charmbracelet/x/xpty"
)

// conTerm is a Command's Windows pseudo-console (ConPTY), through
// github.com/charmbracelet/x/xpty (Charm's, maintained: v0.1.4 of
// 2026-07). Windows differs from the Unix terminal in three ways the loop
// copes with: a console's modes cannot be read, so every prompt waiting
// for the operator is treated as hidden (ErrModesUnknown, as over SSH);
// there is no SIGTERM, so stopping kills the command (TerminateProcess),
// not what it started; and exec.Cmd.Wait does not work on a ConPTY child,
// so the process is waited for directly.
type conTerm struct {
	pty  xpty.Pty
	cmd  *exec.Cmd
	pid  int
	once sync.Once
	done chan struct{}
	err  error
}

func startInTerminal(path string, argv, env []string, dir string) (t *conTerm, cmd *exec.Cmd, stage string, err error) {
	p, err := xpty.NewPty(ptyCols, ptyRows)
	if err != nil {
		return nil, nil, "run", err
	}
	cmd = &exec.Cmd{Path: path, Args: argv, Env: env, Dir: dir}
	if err := p.Start(cmd); err != nil {
		p.Close()
		return nil, nil, "start", err
	}
	t = &conTerm{pty: p, cmd: cmd, pid: cmd.Process.Pid, done: make(chan struct{})}
	go func() {
		st, err := cmd.Process.Wait()
		cmd.ProcessState, t.err = st, err
		close(t.done)
	}()
	return t, cmd, "", nil
}

func (t *conTerm) Read(p []byte) (int, error)  { return t.pty.Read(p) }
func (t *conTerm) Write(p []byte) (int, error) { return t.pty.Write(p) }
func (t *conTerm) Close() error {
	var err error
	t.once.Do(func() { err = t.pty.Close() })
	return err
}
func (t *conTerm) Modes() (bool, bool, error) { return false, false, ErrModesUnknown }
func (t *conTerm) WaitExited() {
	<-t.done
	// The console keeps its output pipe open after the child ends;
	// closing it lets the reader see the end.
	t.Close()
}
func (t *conTerm) Wait() error { <-t.done; return t.err }

func (t *conTerm) Signal(bool) {
	select {
	case <-t.done:
	default:
		_ = t.cmd.Process.Signal(os.Kill)
	}
}
