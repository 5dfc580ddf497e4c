package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"zenrecover/assets"
	"zenrecover/procedures"
	"zenrecover/runner"
)

// runCLIAt is runCLI on a given state database, with standard input at its
// end, as in a script.
func runCLIAt(t *testing.T, statePath string, args ...string) (string, string, int) {
	t.Helper()
	null, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	saved := os.Stdin
	os.Stdin = null
	defer func() { os.Stdin = saved }()
	root := newRootCmd()
	var out, errb bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errb)
	root.SetArgs(append([]string{"--state", statePath}, args...))
	code := 0
	if err := root.Execute(); err != nil {
		var ee *exitError
		if errors.As(err, &ee) {
			code = ee.code
			if ee.err != nil {
				errb.WriteString(ee.err.Error())
			}
		} else {
			code = exitUsage
			errb.WriteString(err.Error())
		}
	}
	return out.String(), errb.String(), code
}

// interruptedDryRun leaves an unfinished dry run of 1.3 in the state at
// path, its fact answered.
func interruptedDryRun(t *testing.T, path string) string {
	t.Helper()
	st, err := runner.OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	lib, err := procedures.LoadFS(assets.FS, "procedures")
	if err != nil {
		t.Fatal(err)
	}
	s, err := runner.Start(context.Background(), runner.Options{Store: st, DryRun: true, Version: "test"}, lib.Get("1.3"), procedures.Values{"remove_ca_role": "false"})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	return s.Run().ID
}

func TestAbandonCommandLetsANewRunStart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	id := interruptedDryRun(t, path)

	_, errs, code := runCLIAt(t, path, "run", "1.3", "--dry-run", "--plain")
	if code != exitUsage || !strings.Contains(errs, "abandon "+id) {
		t.Fatalf("run with an unfinished one: %d %s", code, errs)
	}
	if _, errs, code = runCLIAt(t, path, "abandon", id); code != exitUsage || !strings.Contains(errs, "--reason") {
		t.Fatalf("abandon without --reason: %d %s", code, errs)
	}
	if _, errs, code = runCLIAt(t, path, "abandon"); code != exitUsage {
		t.Fatalf("abandon without a run: %d %s", code, errs)
	}
	out, errs, code := runCLIAt(t, path, "abandon", id, "--reason", "rehearsed the wrong CA")
	if code != 0 || !strings.Contains(out, "abandoned") {
		t.Fatalf("abandon: %d %s %s", code, out, errs)
	}
	if _, errs, code = runCLIAt(t, path, "abandon", id, "--reason", "again"); code != exitUsage || !strings.Contains(errs, "already abandoned") {
		t.Fatalf("abandon twice: %d %s", code, errs)
	}
	out, _, _ = runCLIAt(t, path, "runs")
	if !strings.Contains(out, "abandoned") || !strings.Contains(out, "rehearsed the wrong CA") {
		t.Errorf("runs does not show the abandonment:\n%s", out)
	}
	out, _, _ = runCLIAt(t, path, "report", id, "--format", "json")
	if !strings.Contains(out, `"status": "abandoned"`) || !strings.Contains(out, "rehearsed the wrong CA") {
		t.Errorf("report json:\n%s", out)
	}

	// The new run starts (and, with no input, stops resumable at its first question).
	if _, errs, code = runCLIAt(t, path, "run", "1.3", "--dry-run", "--plain"); code != exitStopped {
		t.Fatalf("run after abandoning: %d %s", code, errs)
	}
	out, _, _ = runCLIAt(t, path, "runs", "--json")
	var runs []struct{ ID, Status, Reason string }
	if err := json.Unmarshal([]byte(out), &runs); err != nil || len(runs) != 2 {
		t.Fatalf("runs --json: %v\n%s", err, out)
	}
	if runs[1].ID != id || runs[1].Status != "abandoned" || runs[1].Reason != "rehearsed the wrong CA" || runs[0].Status != "stopped" {
		t.Errorf("runs: %+v", runs)
	}
}

func TestResumeChangeCorrectsAnAnswer(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	id := interruptedDryRun(t, path)
	if _, errs, code := runCLIAt(t, path, "resume", id, "--plain", "--change", "remove_ca_role"); code != exitUsage || !strings.Contains(errs, "ID=VALUE") {
		t.Fatalf("a change without =: %d %s", code, errs)
	}
	if _, errs, code := runCLIAt(t, path, "resume", id, "--plain", "--change", "admin_password=x"); code != exitUsage || !strings.Contains(errs, "never stored") {
		t.Fatalf("a secret: %d %s", code, errs)
	}
	if _, errs, code := runCLIAt(t, path, "resume", id, "--plain", "--reason", "why"); code != exitUsage {
		t.Fatalf("--reason alone: %d %s", code, errs)
	}
	if _, errs, code := runCLIAt(t, path, "resume", id, "--plain", "--change", "remove_ca_role=yes", "--change", "ca_backup_file=/root/zcm_backups/ca-2.bak", "--reason", "disk full"); code != exitStopped {
		t.Fatalf("resume --change: %d %s", code, errs)
	}
	out, _, _ := runCLIAt(t, path, "report", id, "--format", "md")
	if !strings.Contains(out, "ca-2.bak") || !strings.Contains(out, "changed from “false” to “true”") || !strings.Contains(out, "disk full") {
		t.Errorf("the report does not show the corrected answer:\n%s", out)
	}
}
