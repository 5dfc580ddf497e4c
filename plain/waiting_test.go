package plain_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"zenrecover/lab/labtest"
	"zenrecover/plain"
	"zenrecover/procedures"
	"zenrecover/runner"
)

// Issue 10: a command that waits for an answer no rule gives is named in
// plain mode too, and the next input lines go to it, one per prompt, only
// once it waits (actions/testdata/odd-prompts.sh: "Login as:", "Site
// code> ", "Press Enter to go on", a hidden "Secret word? ").
func TestPlainTellsWhenTheCommandWaitsAndPassesTheReply(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is not installed")
	}
	src, err := os.ReadFile("../actions/testdata/odd-prompts.sh")
	if err != nil {
		t.Fatal(err)
	}
	l := labtest.New(t) // paths in a rehearsal are the lab's: the script goes there
	if err := os.WriteFile(l.Rebase("/root/odd-prompts.sh"), src, 0o755); err != nil {
		t.Fatal(err)
	}
	st, err := runner.OpenStore(filepath.Join(t.TempDir(), "state", "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	d, err := procedures.Parse("odd.yaml", []byte(`id: odd
title: Odd prompts
section: "9.7"
summary: A command whose prompts no rule knows.
steps:
  - id: ask
    ref: "1"
    title: Answer the odd prompts
    run: [bash, /root/odd-prompts.sh]
  - id: after
    ref: "2"
    title: Afterwards
    run: ["true"]
`))
	if err != nil {
		t.Fatal(err)
	}
	s, err := runner.Start(context.Background(), runner.Options{Store: st, Lab: l, Version: "test"}, d, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	var out bytes.Buffer
	p := &plain.Plain{In: strings.NewReader("alice\nZN-7\n\nhidden-word\n"), Out: &out, Yes: true}
	if code := p.Drive(context.Background(), s); code != runner.ExitCompleted {
		t.Fatalf("exit %d\n%s", code, out.String())
	}
	got := out.String()
	for _, want := range []string{
		"The command is waiting for you. It asked: Login as:", "it goes to the command", "Hello alice",
		"It asked: Site code>", "code=ZN-7", "It asked: Press Enter to go on",
		"It asked: Secret word?", "is not shown", "secret length 11",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "hidden-word") {
		t.Errorf("the hidden reply is in the output:\n%s", got)
	}
}
