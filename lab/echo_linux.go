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
