//go:build !windows

package runner_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"zenrecover/lab"
	"zenrecover/procedures"
	"zenrecover/runner"
	"zenrecover/state"
)

// invocation is one run of a simulated tool, as the lab received it.
type invocation struct {
	host string // the lab host it ran on ("" for the lab's own server)
	args []string
}

// recordTools puts a recorder in front of the lab's shims for tools: each
// run appends the host and the arguments it was given to a file, then
// hands over to the real shim. It returns a reader of what ran so far.
func recordTools(t *testing.T, l *lab.Lab, tools ...string) func() []invocation {
	t.Helper()
	log := filepath.Join(t.TempDir(), "invocations")
	for _, tool := range tools {
		shim := l.Rebase(lab.ServerBinDir + "/" + tool)
		orig := shim + ".recorded"
		if err := os.Rename(shim, orig); err != nil {
			t.Fatal(err)
		}
		// \036 ends a record and \037 separates its fields: an SQL script
		// holds line breaks.
		script := "#!/bin/sh\n" +
			"{ printf '%s' \"${" + lab.HostEnv + ":-}\"; for a in \"$@\"; do printf '\\037%s' \"$a\"; done; printf '\\036'; } >> '" + log + "'\n" +
			"exec '" + orig + "' \"$@\"\n"
		if err := os.WriteFile(shim, []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return func() []invocation {
		b, _ := os.ReadFile(log)
		var out []invocation
		for _, rec := range strings.Split(strings.TrimSuffix(string(b), "\036"), "\036") {
			if rec == "" {
				continue
			}
			f := strings.Split(rec, "\037")
			out = append(out, invocation{host: f[0], args: f[1:]})
		}
		return out
	}
}

// startedDetail is what a step's started events journaled of it, in order.
type startedDetail struct {
	Command []string `json:"command"`
	Action  string   `json:"action"`
}

func journaledStarts(t *testing.T, f *fixture, s *runner.Session, key string) []startedDetail {
	t.Helper()
	evs, err := f.store.Journal(context.Background(), s.Run().ID)
	if err != nil {
		t.Fatal(err)
	}
	var out []startedDetail
	for _, e := range evs {
		if e.Kind == state.EventStarted && state.StepKey(e.Step, e.Target) == key {
			var d startedDetail
			if err := json.Unmarshal([]byte(e.Detail), &d); err != nil {
				t.Fatal(err)
			}
			out = append(out, d)
		}
	}
	return out
}

// walkTo answers, decides and runs every step until step stop has run (or
// the run needs something else); it returns every NeedStep it was shown,
// by key, as it was shown just before the step ran.
func walkTo(t *testing.T, s *runner.Session, answers map[string]string, stop string, decide func(*runner.NeedDestination)) (map[string]*runner.NeedStep, runner.Need) {
	t.Helper()
	ctx := context.Background()
	shown := map[string]*runner.NeedStep{}
	var out bytes.Buffer
	for i := 0; i < 100; i++ {
		need, err := s.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		switch n := need.(type) {
		case *runner.NeedFact:
			if err := s.Answer(ctx, n.Fact.ID, answers[n.Fact.ID]); err != nil {
				t.Fatal(err)
			}
		case *runner.NeedInput:
			v, ok := answers[n.Input.ID]
			if !ok {
				v = n.Input.Default
			}
			if err := s.Answer(ctx, n.Input.ID, v); err != nil {
				t.Fatal(err)
			}
		case *runner.NeedDestination:
			if decide == nil {
				return shown, n
			}
			decide(n)
		case *runner.NeedStep:
			shown[n.Key] = n
			if n.Manual {
				if err := s.Confirm(ctx, n.Key, n.ConfirmWord); err != nil {
					t.Fatal(err)
				}
			} else if o, err := s.ExecuteWith(ctx, n.Key, n.ConfirmWord, runner.ExecIO{Out: &out}); err != nil || !o.OK {
				t.Fatalf("step %s: %v %+v\n%s", n.Key, err, o, out.String())
			}
			if n.Key == stop {
				return shown, nil
			}
		default:
			return shown, need
		}
	}
	t.Fatal("the run did not settle")
	return nil, nil
}

// rebased is argv as a lab runs it: every absolute path moved into the
// tree of the lab host (the program itself is the lab's shim).
func rebased(l *lab.Lab, argv []string) []string {
	out := make([]string, len(argv))
	for i, a := range argv {
		out[i] = a
		if strings.HasPrefix(a, "/") {
			out[i] = l.Rebase(a)
		}
	}
	return out
}

// agree checks that the command the screen showed for key, the command
// the journal recorded when the step started, and the one the lab ran
// are one command: equal as the server names them, and in the lab that
// same argv with its paths moved into the host's tree.
func agree(t *testing.T, f *fixture, s *runner.Session, shown *runner.NeedStep, ran []invocation, host string) {
	t.Helper()
	key := shown.Key
	if len(shown.Argv) == 0 {
		t.Fatalf("step %s: the screen shows no command (%q)", key, shown.Describe)
	}
	if !strings.Contains(shown.Describe, shown.Argv[len(shown.Argv)-1]) && shown.Step.SQL == nil {
		t.Errorf("step %s: the screen's description %q does not show its command %q", key, shown.Describe, shown.Argv)
	}
	starts := journaledStarts(t, f, s, key)
	if len(starts) != 1 {
		t.Fatalf("step %s started %d times", key, len(starts))
	}
	if !slices.Equal(starts[0].Command, shown.Argv) {
		t.Errorf("step %s:\n the screen showed  %q\n the journal records %q", key, shown.Argv, starts[0].Command)
	}
	if starts[0].Action != "" {
		t.Errorf("step %s: a command's description was journaled too: %q", key, starts[0].Action)
	}
	on := f.lab
	if host != "" {
		var err error
		if on, err = f.lab.Host(host); err != nil {
			t.Fatal(err)
		}
	}
	want := rebased(on, shown.Argv[1:])
	var got []string
	for _, inv := range ran {
		if inv.host == host && slices.Equal(inv.args, want) {
			return
		}
		got = append(got, strings.Join(inv.args, " "))
	}
	t.Errorf("step %s: the lab never ran %q on %q (what it showed: %q); it ran:\n%s", key, want, host, shown.Argv, strings.Join(got, "\n"))
}

// What the screen shows, what the journal records when the step starts,
// and what the (simulated) server runs are one resolved command: 1.3's CA
// export, and again when a second export replaces the first (the command
// then writes under a temporary name, and all three name it).
func TestScreenJournalAndLabRunTheSameResolvedCommand(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ran := recordTools(t, f.lab, lab.ToolZman)
	secrets := map[string]string{"admin_password": adminPW, "ca_passphrase": passphrase}

	s := f.start("1.3", procedures.Values{"remove_ca_role": "false"})
	shown, need := walkTo(t, s, secrets, "export-ca", nil)
	if need != nil {
		t.Fatalf("1.3 stopped at %T %+v", need, need)
	}
	n := shown["export-ca"]
	file := "/root/zcm_backups/ca-" + runDate(s) + ".bak"
	if want := []string{"zman", "certificate-authority-export", file}; !slices.Equal(n.Argv, want) {
		t.Errorf("the screen shows %q, want %q", n.Argv, want)
	}
	agree(t, f, s, n, ran(), "")
	s.Close()

	// The second export meets the first file and replaces it: the command
	// writes beside it under the name chosen then.
	s2 := f.start("1.3", procedures.Values{"remove_ca_role": "false"})
	shown, need = walkTo(t, s2, secrets, "export-ca", func(d *runner.NeedDestination) {
		if err := s2.ChooseDestination(context.Background(), d.Key, false); err != nil {
			t.Fatal(err)
		}
	})
	if need != nil {
		t.Fatalf("the second 1.3 stopped at %T %+v", need, need)
	}
	n = shown["export-ca"]
	if tmp := n.Argv[len(n.Argv)-1]; tmp == file || !strings.Contains(tmp, ".new") {
		t.Errorf("a replacing export shows %q: not the temporary name", n.Argv)
	}
	agree(t, f, s2, n, ran(), "")
	if secretsIn := strings.Join(n.Argv, " ") + n.Describe; strings.Contains(secretsIn, passphrase) || strings.Contains(secretsIn, adminPW) {
		t.Errorf("a secret is on the screen: %s", secretsIn)
	}
}

// The same for an sql step and a command on another host of the lab
// (1.5's query and backups), and for a copy, which runs no command: the
// screen's description is what the journal records.
func TestSQLHostAndCopyStepsAgreeOnScreenJournalAndLab(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ran := recordTools(t, f.lab, lab.ToolZman, lab.ToolSQL)
	s := f.start("1.5", answers15("linux", "linux"))
	shown, need := walkTo(t, s, secrets15, "copy-keystore", nil)
	if need != nil {
		t.Fatalf("1.5 stopped at %T %+v", need, need)
	}
	sql := shown["find-ca"]
	if len(sql.Argv) != 3 || sql.Argv[0] != "zenrecover-sql" || !strings.Contains(sql.Argv[2], "zsr.Roles='CertAuth'") {
		t.Errorf("the query step shows %q", sql.Argv)
	}
	agree(t, f, s, sql, ran(), "")
	agree(t, f, s, shown["backup-source"], ran(), "")
	agree(t, f, s, shown["backup-destination"], ran(), "zen-primary-2")
	if h := shown["backup-destination"].Host; h != "zen-primary-2" {
		t.Errorf("backup-destination is shown on %q", h)
	}

	cp := shown["copy-keystore"]
	if cp.Argv != nil {
		t.Errorf("a copy shows a command: %q", cp.Argv)
	}
	starts := journaledStarts(t, f, s, "copy-keystore")
	if len(starts) != 1 || starts[0].Action != cp.Describe || starts[0].Command != nil {
		t.Errorf("the copy was shown as %q; the journal records %+v", cp.Describe, starts)
	}
	if !strings.HasPrefix(cp.Describe, "on zen-primary-2: copy ") || !strings.Contains(cp.Describe, "/root/zcm_backups/ca-from-source/zenca.keystore") {
		t.Errorf("the copy is shown as %q", cp.Describe)
	}
}

// A template that cannot be expanded (here: the CA export run before its
// file was asked) is reported once, when the step is resolved, naming the
// step and the value; nothing started, nothing ran.
func TestAnUnresolvableStepIsReportedOnceNamingTheStepAndTheValue(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ran := recordTools(t, f.lab, lab.ToolZman)
	s := f.start("1.3", procedures.Values{"remove_ca_role": "false"})
	o, err := s.ExecuteWith(context.Background(), "export-ca", "", runner.ExecIO{Out: &bytes.Buffer{}})
	if err != nil {
		t.Fatal(err)
	}
	// The step by its reference and id, where in it, and the value.
	if want := "step 1, 2, 3 (export-ca), run: no value yet for ca_backup_file"; o.OK || o.Error != want {
		t.Fatalf("outcome %+v, want the error %q", o, want)
	}
	evs, _ := f.store.Journal(context.Background(), s.Run().ID)
	var failed int
	for _, e := range evs {
		switch {
		case e.Kind == state.EventStarted:
			t.Errorf("the step was journaled as started: %+v", e)
		case e.Kind == state.EventFailed:
			failed++
			if !strings.Contains(e.Detail, "no value yet for ca_backup_file") {
				t.Errorf("the failure journaled is %s", e.Detail)
			}
		}
	}
	if failed != 1 {
		t.Errorf("the failure was journaled %d times", failed)
	}
	if got := ran(); len(got) != 0 {
		t.Errorf("the lab ran %v", got)
	}
}
