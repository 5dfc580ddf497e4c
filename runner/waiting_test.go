package runner_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"zenrecover/actions"
	"zenrecover/lab"
	"zenrecover/procedures"
	"zenrecover/runner"
)

// oddZman makes the lab's zman a tool whose prompts the step's answer rules
// do not know (actions/testdata/odd-prompts.sh: "Login as:", "Site code> ",
// "Press Enter to go on", and "Secret word? " with echo off), and starts
// 1.3 with every answer given.
func oddZman(t *testing.T) (*fixture, *runner.Session) {
	t.Helper()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is not installed")
	}
	script, err := filepath.Abs("../actions/testdata/odd-prompts.sh")
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t)
	shim := "#!/bin/sh\nexec bash '" + script + "' \"$@\"\n"
	if err := os.WriteFile(f.lab.Rebase(lab.ServerBinDir+"/zman"), []byte(shim), 0o755); err != nil {
		t.Fatal(err)
	}
	s := f.start("1.3", procedures.Values{"remove_ca_role": "false"})
	ctx := context.Background()
	for _, kv := range [][2]string{{"admin_user", "Administrator"}, {"ca_backup_file", "/root/zcm_backups/ca.bak"},
		{"admin_password", adminPW}, {"ca_passphrase", passphrase}} {
		if err := s.Answer(ctx, kv[0], kv[1]); err != nil {
			t.Fatal(err)
		}
	}
	return f, s
}

func TestExecuteWithTellsTheOperatorTheCommandWaits(t *testing.T) {
	t.Parallel()
	f, s := oddZman(t)
	in := make(chan actions.Reply, 8)
	var events []actions.Waiting
	replied := map[string]bool{}
	pick := func(w actions.Waiting, label string) int {
		return slices.IndexFunc(w.Suggestions, func(sg actions.Suggestion) bool { return sg.Label == label }) + 1
	}
	var out bytes.Buffer
	// Only a guard against hanging the suite: the tool takes seconds.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	_, err := s.ExecuteWith(ctx, "export-ca", "", runner.ExecIO{
		Out:   &out,
		Input: in,
		Waiting: func(w actions.Waiting) {
			events = append(events, w)
			if w.Line == "" || replied[w.Line] {
				return
			}
			replied[w.Line] = true
			switch w.Line {
			case "Login as:":
				in <- actions.Reply{Suggestion: pick(w, "ZENworks administrator name")}
			case "Site code>":
				in <- actions.Reply{Text: "ZN-7"}
			case "Press Enter to go on":
				in <- actions.Reply{}
			case "Secret word?":
				in <- actions.Reply{Suggestion: pick(w, "ZENworks administrator password")}
			}
		},
	})
	t.Logf("output:\n%s\nwaiting: %+v", out.String(), events)
	if err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{"Hello Administrator\n", "code=ZN-7\n", "secret length " + strconv.Itoa(len(adminPW)) + "\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	var lines []string
	for _, w := range events {
		if w.Line != "" {
			lines = append(lines, w.Line)
		}
		if strings.Contains(w.Line, adminPW) || strings.Contains(w.Line, passphrase) {
			t.Errorf("a Waiting shows a secret")
		}
		if w.Line == "Secret word?" && !w.Hidden || w.Line == "Login as:" && w.Hidden {
			t.Errorf("%q: Hidden is %v", w.Line, w.Hidden)
		}
	}
	for _, want := range []string{"Login as:", "Site code>", "Press Enter to go on", "Secret word?"} {
		if !slices.Contains(lines, want) {
			t.Errorf("never told the operator the command waits at %q (told %q)", want, lines)
		}
	}
	if n := len(events); n == 0 || events[n-1].Line != "" {
		t.Errorf("the last Waiting was not ended")
	}
	if strings.Contains(got, adminPW) || strings.Contains(got, passphrase) {
		t.Error("a secret reached the output")
	}
	// The log holds the exchange, so looking for the secrets there means something.
	if b, err := os.ReadFile(f.store.LogPath(s.Run().ID)); err != nil || !bytes.Contains(b, []byte("Secret word? ")) {
		t.Errorf("the run's log lacks the exchange (%v)", err)
	}
	s.Close()
	secretsNowhere(t, f.dir, adminPW, passphrase)
	secretsNowhere(t, f.lab.Dir(), adminPW, passphrase)
}
