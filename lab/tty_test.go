//go:build linux

package lab

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/creack/pty"
)

// ttyReader collects what the tool writes to the terminal.
type ttyReader struct {
	master *os.File
	seen   bytes.Buffer
}

// waitFor reads until s has appeared; it blocks on the terminal, never on
// a clock.
func (r *ttyReader) waitFor(t *testing.T, s string) {
	t.Helper()
	buf := make([]byte, 1024)
	for !strings.Contains(r.seen.String(), s) {
		n, err := r.master.Read(buf)
		r.seen.Write(buf[:n])
		if err != nil {
			t.Fatalf("waiting for %q: %v; saw %q", s, err, r.seen.String())
		}
	}
}

// Run as the wizard runs it, under a pseudo-terminal: the name is echoed,
// the password and the passphrase are not.
func TestSecretsAreNotEchoedOnATerminal(t *testing.T) {
	l := newTestLab(t)
	master, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer master.Close()
	dst := l.Rebase("/root/b.bak")
	done := make(chan int, 1)
	go func() {
		done <- Exec(l.Dir(), ToolZman, []string{"zsb", dst}, tty, tty, tty)
	}()
	r := &ttyReader{master: master}
	for _, step := range []struct{ prompt, answer string }{
		{PromptUsername, testAdmin},
		{PromptPassword, testPassword},
		{PromptNewPassphrase, testPassphrase},
		{PromptConfirmPassphrase, testPassphrase},
	} {
		r.waitFor(t, step.prompt)
		if _, err := master.WriteString(step.answer + "\r"); err != nil {
			t.Fatal(err)
		}
	}
	r.waitFor(t, "Successfully backed up")
	if code := <-done; code != 0 {
		t.Fatalf("exit %d: %q", code, r.seen.String())
	}
	tty.Close()
	seen := r.seen.String()
	if !strings.Contains(seen, PromptUsername+testAdmin) {
		t.Errorf("the administrator name was not echoed: %q", seen)
	}
	for _, s := range []string{testPassword, testPassphrase} {
		if strings.Contains(seen, s) {
			t.Errorf("%q was echoed: %q", s, seen)
		}
	}
	if _, err := os.Stat(dst); err != nil {
		t.Error(err)
	}
}
