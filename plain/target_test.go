package plain_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"zenrecover/lab/labtest"
	"zenrecover/plain"
	"zenrecover/procedures"
	"zenrecover/runner"
)

const fanOutDef = `
id: fan-out
title: Restart ZENworks on every Primary Server
section: "9.9"
summary: A test of a step's instructions for each target.
inputs:
  - id: servers
    type: list
    prompt: Primary Servers
steps:
  - id: look
    ref: "1"
    title: Look at each server
    each: servers
    instructions: Log in to ${target} as root.
    manual: Check the services of ${target}.
  - id: restart
    ref: "2"
    title: Restart ZENworks there
    each: servers
    on: ${target}
    instructions: The services of ${target} stop for a minute.
    idempotent: true
    run: [/etc/init.d/novell-zenserver, restart]
`

// Issue 12: a fan-out step's instructions name the target they are shown
// for, never a literal <target>.
func TestFanOutInstructionsNameTheTarget(t *testing.T) {
	st, err := runner.OpenStore(filepath.Join(t.TempDir(), "state", "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	d, err := procedures.Parse("fan-out.yaml", []byte(fanOutDef))
	if err != nil {
		t.Fatal(err)
	}
	o := runner.Options{Store: st, Lab: labtest.New(t), Version: "test"}
	s, err := runner.Start(context.Background(), o, d, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	var out bytes.Buffer
	p := &plain.Plain{In: strings.NewReader(""), Out: &out, Yes: true,
		Preset: procedures.Values{"servers": "zen-primary-1, zen-primary-2"}}
	if code := p.Drive(context.Background(), s); code != runner.ExitCompleted {
		t.Fatalf("exit %d\n%s", code, out.String())
	}
	got := out.String()
	if strings.Contains(got, "<target>") {
		t.Errorf("a literal <target> is shown:\n%s", got)
	}
	for _, want := range []string{"Log in to zen-primary-1 as root.", "Log in to zen-primary-2 as root.",
		"The services of zen-primary-1 stop", "The services of zen-primary-2 stop"} {
		if !strings.Contains(got, want) {
			t.Errorf("the output lacks %q:\n%s", want, got)
		}
	}
}
