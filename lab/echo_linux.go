//go:build linux

package lab

import (
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// readSecretTTY turns echo off before printing the prompt, not after:
// the wizard types an answer as soon as it sees the prompt, and a line that
// arrives while echo is still on is echoed by the terminal, secret and all.
// Line editing and signals stay as they were.
func readSecretTTY(f *os.File, out io.Writer, prompt string) (string, error) {
	fd := int(f.Fd())
	old, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return "", err
	}
	quiet := *old
	quiet.Lflag &^= unix.ECHO
	quiet.Lflag |= unix.ICANON | unix.ISIG
	quiet.Iflag |= unix.ICRNL
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, &quiet); err != nil {
		return "", err
	}
	defer func() { _ = unix.IoctlSetTermios(fd, unix.TCSETS, old) }()
	if _, err := io.WriteString(out, prompt); err != nil {
		return "", err
	}
	answer, err := readAnswer(f, prompt)
	// The typed newline was not echoed either.
	_, _ = io.WriteString(out, "\n")
	return answer, err
}

// hungUp tells a terminal whose other end went away (the wizard was
// killed) from one where the operator ended the input: Linux reports the
// former to a read as end of input too, and only SIGHUP, delivered a moment
// later, would stop the tool, racing its next write.
func hungUp(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == unix.EIO
}
