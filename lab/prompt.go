package lab

import (
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/term"
)

// The prompts the simulated zman prints, without a trailing newline, as the
// real one does. The wizard's answer rules match these.
const (
	PromptUsername          = "Enter ZENworks administrator username: "
	PromptPassword          = "Enter ZENworks administrator password: "
	PromptNewPassphrase     = "Enter a passphrase (at least 10 characters) to encrypt the backup file: "
	PromptConfirmPassphrase = "Re-enter the passphrase: "
	PromptPassphrase        = "Enter the passphrase to decrypt the file: "
)

// minPassphrase is the reference's "at least 10 characters".
const minPassphrase = 10

// maxAnswer bounds one answer line, so a stream without newlines cannot
// grow without end.
const maxAnswer = 4096

// prompter asks questions on out and reads answers from in, one line each.
// It reads one byte at a time so that it never takes input meant for a
// later question (or for whoever reads in after the tool).
type prompter struct {
	in  io.Reader
	out io.Writer
	tty *os.File // in, when it is a terminal
}

func newPrompter(in io.Reader, out io.Writer) *prompter {
	p := &prompter{in: in, out: out}
	if f, ok := in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.tty = f
	}
	return p
}

func (p *prompter) line(prompt string) (string, error) {
	if _, err := io.WriteString(p.out, prompt); err != nil {
		return "", err
	}
	return readAnswer(p.in, prompt)
}

// secret asks without echo on a terminal; on a pipe there is no echo to
// turn off.
func (p *prompter) secret(prompt string) (string, error) {
	if p.tty == nil {
		return p.line(prompt)
	}
	return readSecretTTY(p.tty, p.out, prompt)
}

// newPassphrase asks for a passphrase to encrypt with, twice, and enforces
// the reference's minimum length.
func (p *prompter) newPassphrase() (string, error) {
	pass, err := p.secret(PromptNewPassphrase)
	if err != nil {
		return "", err
	}
	if len([]rune(pass)) < minPassphrase {
		return "", fmt.Errorf("the passphrase must be at least %d characters long", minPassphrase)
	}
	again, err := p.secret(PromptConfirmPassphrase)
	if err != nil {
		return "", err
	}
	if again != pass {
		return "", errors.New("the passphrases do not match")
	}
	return pass, nil
}

func readAnswer(r io.Reader, prompt string) (string, error) {
	var buf []byte
	b := make([]byte, 1)
	for {
		n, err := r.Read(b)
		if n == 1 {
			if b[0] == '\n' {
				break
			}
			if len(buf) >= maxAnswer {
				return "", fmt.Errorf("answer to %q is longer than %d bytes", trimPrompt(prompt), maxAnswer)
			}
			buf = append(buf, b[0])
			continue
		}
		if err == io.EOF {
			if len(buf) == 0 {
				return "", fmt.Errorf("no answer to %q (end of input)", trimPrompt(prompt))
			}
			break
		}
		if err != nil {
			return "", err
		}
	}
	if n := len(buf); n > 0 && buf[n-1] == '\r' {
		buf = buf[:n-1]
	}
	return string(buf), nil
}

func trimPrompt(p string) string {
	for len(p) > 0 && (p[len(p)-1] == ' ' || p[len(p)-1] == ':') {
		p = p[:len(p)-1]
	}
	return p
}
