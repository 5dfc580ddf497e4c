//go:build !linux

package lab

import (
	"io"
	"os"

	"golang.org/x/term"
)

// readSecretTTY falls back to term.ReadPassword, which turns echo off only
// after the prompt is out; labs are rehearsed on Linux, where
// echo_linux.go closes that gap.
func readSecretTTY(f *os.File, out io.Writer, prompt string) (string, error) {
	if _, err := io.WriteString(out, prompt); err != nil {
		return "", err
	}
	b, err := term.ReadPassword(int(f.Fd()))
	_, _ = io.WriteString(out, "\n")
	return string(b), err
}

// hungUp: see echo_linux.go; elsewhere the read's error says it.
func hungUp(io.Reader) bool { return false }
