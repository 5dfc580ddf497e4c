//go:build !windows

package actions

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// localTerm is a Command's pseudo-terminal: the master side, and the child
// that leads its own session and process group.
type localTerm struct {
	cmd    *exec.Cmd
	master *os.File
	pid    int
}

func (t *localTerm) Read(p []byte) (int, error)  { return t.master.Read(p) }
func (t *localTerm) Write(p []byte) (int, error) { return t.master.Write(p) }
func (t *localTerm) Close() error                { return t.master.Close() }
func (t *localTerm) Modes() (bool, bool, error)  { return ptyModes(t.master) }
func (t *localTerm) WaitExited()                 { waitExited(t.pid) }
func (t *localTerm) Wait() error                 { return t.cmd.Wait() }

func (t *localTerm) Signal(kill bool) {
	if kill {
		killGroup(t.pid, unix.SIGKILL)
	} else {
		killGroup(t.pid, unix.SIGTERM)
	}
}

// openPTY returns the master side, non-blocking, and the terminal side.
func openPTY() (master, tty *os.File, err error) {
	p, t, err := pty.Open()
	if err != nil {
		return nil, nil, err
	}
	defer p.Close()
	if err := pty.Setsize(p, &pty.Winsize{Rows: ptyRows, Cols: ptyCols}); err != nil {
		t.Close()
		return nil, nil, err
	}
	// pty.Open's ioctls go through os.File.Fd, which puts the descriptor in
	// blocking mode, and a blocking Read is not interrupted by Close. A
	// non-blocking duplicate is managed by the runtime poller, so closing
	// it ends a pending Read and no goroutine is left behind.
	fd, err := unix.FcntlInt(p.Fd(), unix.F_DUPFD_CLOEXEC, 0)
	if err == nil {
		err = unix.SetNonblock(fd, true)
		if err != nil {
			unix.Close(fd)
		}
	}
	if err != nil {
		t.Close()
		return nil, nil, err
	}
	return os.NewFile(uintptr(fd), p.Name()), t, nil
}

// ptyModes reports the terminal's ECHO and ICANON flags; on Linux the
// master side reads the settings the child made on its side.
func ptyModes(f *os.File) (echo, canon bool, err error) {
	sc, err := f.SyscallConn()
	if err != nil {
		return false, false, err
	}
	var t *unix.Termios
	var ierr error
	if err := sc.Control(func(fd uintptr) { t, ierr = unix.IoctlGetTermios(int(fd), unix.TCGETS) }); err != nil {
		return false, false, err
	}
	if ierr != nil {
		return false, false, ierr
	}
	return t.Lflag&unix.ECHO != 0, t.Lflag&unix.ICANON != 0, nil
}

func killGroup(pid int, sig unix.Signal) {
	_ = unix.Kill(-pid, sig) // ESRCH: the group is already gone
}

// waitExited blocks until the child has exited without reaping it, so that
// its pid and process group id stay reserved until cmd.Wait.
func waitExited(pid int) {
	var info unix.Siginfo
	for {
		err := unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOWAIT, nil)
		if err != unix.EINTR {
			return
		}
	}
}

// startInTerminal starts argv in a new pseudo-terminal, the leader of its
// own session and process group (so cancelling reaches its children too)
// with the terminal as its controlling terminal.
// stage is what failed, for the error ("run": the terminal, "start").
func startInTerminal(path string, argv, env []string, dir string) (t *localTerm, cmd *exec.Cmd, stage string, err error) {
	master, tty, err := openPTY()
	if err != nil {
		return nil, nil, "run", fmt.Errorf("open a pseudo-terminal: %w", err)
	}
	cmd = &exec.Cmd{
		Path: path, Args: argv, Env: env, Dir: dir,
		Stdin: tty, Stdout: tty, Stderr: tty,
		SysProcAttr: &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0},
	}
	err = cmd.Start()
	// Only the child may hold the terminal side: reading the master then
	// fails with EIO once the child and its descendants have closed it.
	tty.Close()
	if err != nil {
		master.Close()
		return nil, nil, "start", err
	}
	return &localTerm{cmd: cmd, master: master, pid: cmd.Process.Pid}, cmd, "", nil
}
