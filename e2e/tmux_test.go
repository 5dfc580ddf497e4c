//go:build !windows

package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"zenrecover/state"
)

// term is the real binary in tmux at 80x24: what an operator sees, and
// keys sent as a terminal sends them.
type term struct {
	t       *testing.T
	socket  string
	session string
}

// newTerm starts argv in a detached tmux session of its own (its own
// server socket, so tests never share one), or skips saying why.
func newTerm(t *testing.T, env []string, argv ...string) *term {
	t.Helper()
	slow(t, "tmux, typed at a person's pace")
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux not found (Debian's tmux; .ci/deps/tmux.sh installs it): the same rules are tested through the model in tui/")
	}
	// A socket's path has at most 107 bytes: a short folder of its own.
	sock, err := os.MkdirTemp("", "tmux")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(sock) })
	tm := &term{t: t, socket: filepath.Join(sock, "s"), session: "zr"}
	line := strings.Join(append(append([]string{"env"}, env...), quoteAll(argv)...), " ")
	// remain-on-exit keeps the last screen for the test to read.
	tm.tmux("new-session", "-d", "-x", "80", "-y", "24", "-s", tm.session, line+"; sleep 30")
	t.Cleanup(func() { exec.Command("tmux", "-S", tm.socket, "kill-server").Run() })
	return tm
}

func quoteAll(argv []string) []string {
	out := make([]string, len(argv))
	for i, a := range argv {
		out[i] = shellQuote(a)
	}
	return out
}

func (tm *term) tmux(args ...string) string {
	tm.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-S", tm.socket}, args...)...).CombinedOutput()
	if err != nil {
		tm.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (tm *term) screen() string { return tm.tmux("capture-pane", "-p", "-t", tm.session) }

// waitFor waits until the screen shows every string.
func (tm *term) waitFor(want ...string) {
	tm.t.Helper()
	deadline := time.Now().Add(45 * time.Second)
	for {
		s := tm.screen()
		ok := true
		for _, w := range want {
			ok = ok && strings.Contains(s, w)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("the screen never showed %q:\n%s", want, s)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// burst sends text as one write to the terminal: every key at once.
func (tm *term) burst(text string) { tm.tmux("send-keys", "-t", tm.session, "-l", text) }

// typeLine types a line at a person's pace, after reading the screen.
func (tm *term) typeLine(text string) {
	time.Sleep(600 * time.Millisecond)
	if text != "" {
		tm.tmux("send-keys", "-t", tm.session, "-l", text)
	}
	time.Sleep(100 * time.Millisecond)
	tm.tmux("send-keys", "-t", tm.session, "Enter")
}

// onlyRun is the one run in the state database.
func onlyRun(t *testing.T, statePath string) (state.Run, []state.Event) {
	t.Helper()
	st, err := state.Open(statePath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	runs, err := st.Runs(context.Background())
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs: %v, %v", runs, err)
	}
	evs, err := st.Journal(context.Background(), runs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	return runs[0], evs
}

// Issue 10's acceptance: 1.3 in tmux at 80x24, every answer sent at once
// at the first screen. Nothing typed ahead lands on a later screen: no
// mangled answer, no fragment of a secret, no skip. The same keys at a
// person's pace then complete the run.
func TestTypedAheadAnswersInTmuxLandNowhereButTheFirstScreen(t *testing.T) {
	t.Parallel()
	e := newE2E(t)
	tm := newTerm(t, []string{"NO_COLOR=1", "TERM=xterm-256color"}, e.bin, "--state", e.stateDB, "run", "1.3", "--lab", e.lab)
	tm.waitFor("Are you moving the CA role")
	time.Sleep(600 * time.Millisecond) // the operator reads the question
	tm.burst("\r\rAdministrator\r" + labAdminPassword + "\r" + knownPassphrase + "\r" + knownPassphrase + "\rs-1\r\r")
	tm.waitFor("CA backup file to create", "/root/zcm_backups/ca-", "were ignored")
	time.Sleep(time.Second) // let anything still queued arrive

	_, evs := onlyRun(t, e.stateDB)
	for _, ev := range evs {
		all := strings.Join([]string{ev.Key, ev.Value, ev.Reason, ev.Detail}, " ")
		switch {
		case ev.Kind == state.EventAnswered && ev.Key != "remove_ca_role" && ev.Reason == "":
			// (An answer with a reason is zenrecover's own: the platform it
			// settled, never asked.)
			t.Errorf("keys typed ahead answered %s = %q", ev.Key, ev.Value)
		case ev.Kind == state.EventSkipped, ev.Kind == state.EventStarted:
			t.Errorf("keys typed ahead acted on a step: %+v", ev)
		}
		for _, s := range []string{labAdminPassword, knownPassphrase, knownPassphrase[:8]} {
			if strings.Contains(all, s) {
				t.Errorf("the journal holds %q: %+v", s, ev)
			}
		}
	}

	// At a person's pace the same answers complete the run.
	tm.typeLine("") // the backup file: its default
	tm.waitFor("ZENworks administrator name", "> Administrator")
	tm.typeLine("")
	tm.waitFor("ZENworks administrator password")
	tm.typeLine(labAdminPassword)
	tm.waitFor("Passphrase to encrypt the CA backup file")
	tm.typeLine(knownPassphrase)
	tm.waitFor("Again:")
	tm.typeLine(knownPassphrase)
	tm.waitFor("Press Enter to run it.")
	tm.typeLine("")
	tm.waitFor("The procedure is complete.")

	run, evs := onlyRun(t, e.stateDB)
	if run.Status != state.RunCompleted {
		t.Fatalf("run status %s:\n%s", run.Status, tm.screen())
	}
	answered := map[string]string{}
	for _, ev := range evs {
		if ev.Kind == state.EventAnswered {
			answered[ev.Key] = ev.Value
		}
	}
	if answered["admin_user"] != "Administrator" || !regexp.MustCompile(`^/root/zcm_backups/ca-\d{4}-\d{2}-\d{2}\.bak$`).MatchString(answered["ca_backup_file"]) {
		t.Fatalf("answers journaled: %v", answered)
	}
	for _, s := range []string{labAdminPassword, knownPassphrase} {
		e.assertNowhere(e.stateDir, s)
		if strings.Contains(tm.screen(), s) {
			t.Errorf("the screen shows a secret")
		}
	}
	if t.Failed() {
		fmt.Fprintln(os.Stderr, tm.screen())
	}
}

// Issue 10's unknown prompt, in the real binary at 80x24: a command whose
// prompts no rule knows (actions/testdata/odd-prompts.sh: "Login as:" in
// colour and in pieces, "Site code> ", a bare "Press Enter to go on", a
// hidden "Secret word? "). Each time, the screen says the command waits,
// quotes what it asked, and whether the reply is hidden; the replies typed
// there reach the command.
func TestAnUnknownPromptIsCuedInTmux(t *testing.T) {
	t.Parallel()
	e := newE2E(t)
	script, err := filepath.Abs("../actions/testdata/odd-prompts.sh")
	if err != nil {
		t.Fatal(err)
	}
	procs := t.TempDir()
	def := `id: odd-prompts
title: Odd prompts
section: "9.7"
summary: A command whose prompts no rule knows.
steps:
  - id: ask
    ref: "1"
    title: Answer the odd prompts
    run: [bash, ` + strconv.Quote(script) + `]
`
	if err := os.WriteFile(filepath.Join(procs, "odd.yaml"), []byte(def), 0o600); err != nil {
		t.Fatal(err)
	}
	tm := newTerm(t, []string{"NO_COLOR=1", "TERM=xterm-256color"}, e.bin, "--state", e.stateDB, "--procedures", procs, "run", "odd-prompts")
	// ZENworks is not installed here: the picker offers the procedure
	// with a lab or for real; for real, since the command is harmless.
	tm.waitFor("› 9.7  Odd prompts")
	tm.typeLine("")
	tm.waitFor("Press Enter to run it.")
	tm.typeLine("")

	tm.waitFor("The command is waiting for an answer. It asked:", "Login as:", "What you type goes to the command")
	tm.typeLine("alice")
	tm.waitFor("Hello alice")
	tm.waitFor("It asked:", "Site code>")
	tm.typeLine("ZN-7")
	tm.waitFor("code=ZN-7")
	tm.waitFor("It asked:", "Press Enter to go on")
	tm.typeLine("")
	tm.waitFor("It asked:", "Secret word?", "stays hidden")
	tm.typeLine("hidden-word")
	tm.waitFor("secret length 11")
	if strings.Contains(tm.screen(), "hidden-word") {
		t.Error("the hidden reply is on the screen")
	}
}
