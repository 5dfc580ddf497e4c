//go:build windows

package actions

import (
	"os"
	"os/exec"
	"sync"

	"github.com/charmbracelet/x/conpty"
	"github.com/charmbracelet/x/xpty"
	"golang.org/x/sys/windows"
)

// conTerm is a Command's Windows pseudo-console (ConPTY), through
// github.com/charmbracelet/x/xpty (Charm's, maintained; see doc.go).
// Windows differs from the Unix terminal in ways the loop copes with: a
// console's modes cannot be read, so every prompt waiting for the
// operator is treated as hidden (ErrModesUnknown, as over SSH); there is
// no SIGTERM, so stopping kills the command (TerminateProcess), not what
// it started; and exec.Cmd.Wait does not work on a ConPTY child, so the
// process is waited for directly.
//
// The output pipe gives no end of file while the console lives, and
// closing the console (conpty's Close) also closes its reading end, which
// would drop what the command wrote last and is still in the pipe. So this
// terminal reads through its own duplicate of that end: once the command
// has exited the console is closed (it flushes its last frame and lets go
// of the pipe), the duplicate is read to ERROR_BROKEN_PIPE, the end of the
// output, and only then closed.
type conTerm struct {
	pty  *xpty.ConPty
	out  *os.File // our duplicate of the output pipe's reading end
	cmd  *exec.Cmd
	pid  int
	once sync.Once // closes the console
	done chan struct{}
	err  error
}

func startInTerminal(path string, argv, env []string, dir string) (t *conTerm, cmd *exec.Cmd, stage string, err error) {
	inR, inW, outR, outW, err := conpty.CreatePipes()
	if err != nil {
		return nil, nil, "run", err
	}
	self := windows.CurrentProcess()
	var out windows.Handle
	if err := windows.DuplicateHandle(self, windows.Handle(outR), self, &out, 0, false, windows.DUPLICATE_SAME_ACCESS); err != nil {
		for _, h := range []uintptr{inR, inW, outR, outW} {
			windows.CloseHandle(windows.Handle(h))
		}
		return nil, nil, "run", err
	}
	c, err := conpty.NewWithPipes(inR, inW, outR, outW, ptyCols, ptyRows, 0)
	if err != nil {
		windows.CloseHandle(out)
		for _, h := range []uintptr{inR, inW, outR, outW} {
			windows.CloseHandle(windows.Handle(h))
		}
		return nil, nil, "run", err
	}
	// An os.File, not the bare handle: a Read after Close then fails
	// (os.ErrClosed, the end to the loop) instead of reading a handle
	// value Windows may have given to something else.
	t = &conTerm{pty: &xpty.ConPty{ConPty: c}, out: os.NewFile(uintptr(out), "conpty-output"), done: make(chan struct{})}
	cmd = &exec.Cmd{Path: path, Args: argv, Env: env, Dir: dir}
	if err := t.pty.Start(cmd); err != nil {
		t.closeConsole()
		t.Close()
		return nil, nil, "start", err
	}
	t.cmd, t.pid = cmd, cmd.Process.Pid
	go func() {
		st, err := cmd.Process.Wait()
		cmd.ProcessState, t.err = st, err
		close(t.done)
	}()
	return t, cmd, "", nil
}

// Read returns what the command wrote, and io.EOF once the console is
// closed and the pipe read to its end (os.File reads ERROR_BROKEN_PIPE as
// the end of file).
func (t *conTerm) Read(p []byte) (int, error) { return t.out.Read(p) }

func (t *conTerm) Write(p []byte) (int, error) { return t.pty.Write(p) }

// closeConsole closes the pseudo-console and every pipe end but ours.
func (t *conTerm) closeConsole() { t.once.Do(func() { t.pty.Close() }) }

// Close closes the console, if WaitExited has not, and our reading end.
func (t *conTerm) Close() error {
	t.closeConsole()
	return t.out.Close()
}

func (t *conTerm) Modes() (bool, bool, error) { return false, false, ErrModesUnknown }

// WaitExited waits for the command, then closes the console so that its
// last output reaches the pipe and the pipe ends (Read drains it).
func (t *conTerm) WaitExited() {
	<-t.done
	t.closeConsole()
}

func (t *conTerm) Wait() error { <-t.done; return t.err }

func (t *conTerm) Signal(bool) {
	select {
	case <-t.done:
	default:
		_ = t.cmd.Process.Signal(os.Kill)
	}
}
