package lab

import (
	"bufio"
	"io"
	"os"
	"strings"
	"testing"
)

// The lead's end-to-end test kills the wizard while zman holds; this shows
// that the hold comes after the prompts, before any write, and is announced.
func TestHangAfterPrompts(t *testing.T) {
	l := newTestLab(t)
	t.Setenv(HangEnv, "1")
	dst := l.Rebase("/root/b.bak")

	inR, inW := io.Pipe()
	errR, errW := io.Pipe()
	done := make(chan int, 1)
	go func() {
		code := Exec(l.Dir(), ToolZman, []string{"zsb", dst}, inR, io.Discard, errW)
		errW.Close()
		done <- code
	}()
	if _, err := io.WriteString(inW, createAnswers(testPassphrase)); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(errR).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, HangNotice) {
		t.Fatalf("stderr line %q, %v", line, err)
	}
	if _, err := os.Stat(dst); !os.IsNotExist(err) {
		t.Errorf("wrote the backup while holding: %v", err)
	}
	inW.Close()
	go io.Copy(io.Discard, errR)
	if code := <-done; code != 0 {
		t.Fatalf("exit %d after stdin ended", code)
	}
	if _, err := os.Stat(dst); err != nil {
		t.Errorf("no backup after the hold ended: %v", err)
	}
}
