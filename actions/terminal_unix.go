//go:build !windows

package actions

import (
	"os"
	"os/exec"

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
