package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"zenrecover/assets"
	"zenrecover/procedures"
	"zenrecover/state"
)

// stoppedRun records a rehearsal of 1.3 whose export failed and that was
// then stopped, as the engine would have journaled it.
func stoppedRun(t *testing.T) (statePath, runID string) {
	t.Helper()
	statePath = filepath.Join(t.TempDir(), "state", "state.db")
	st, err := state.Open(statePath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	lib, err := procedures.LoadFS(assets.FS, "procedures")
	if err != nil {
		t.Fatal(err)
	}
	def := lib.Get("1.3")
	ctx := context.Background()
	run, err := st.CreateRun(ctx, state.Run{ProcedureID: def.ID, DefHash: def.Hash, DefText: def.Source,
		Mode: state.ModeLab, LabDir: "/tmp/lab", Host: "zen-primary-1", User: "alice", Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	log, err := st.OpenLog(run.ID)
	if err != nil {
		t.Fatal(err)
	}
	log.WriteString("=== 1.3 step 1, 2, 3 (export-ca), attempt 1, 2026-01-01T10:00:00Z\nEnter ZENworks administrator username: Administrator\nError: Authentication failed.\n")
	log.Close()
	for _, e := range []state.Event{
		{Kind: state.EventAnswered, Key: "remove_ca_role", Value: "false"},
		{Kind: state.EventAnswered, Key: "ca_backup_file", Value: "/root/zcm_backups/ca.bak"},
		{Kind: state.EventStarted, Step: "export-ca", PID: os.Getpid(), Detail: `{"log":"` + st.LogPath(run.ID) + `","log_offset":0}`},
		{Kind: state.EventFailed, Step: "export-ca", Detail: `{"error":"zman exited with status 1","exit_code":1,"log_offset":0}`},
		{Kind: state.EventStopped, Reason: "the operator stopped at a failed step"},
	} {
		e.RunID = run.ID
		if _, err := st.Append(ctx, run.OwnerToken, e); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.SetStatus(ctx, run.ID, run.OwnerToken, state.RunStopped); err != nil {
		t.Fatal(err)
	}
	return statePath, run.ID
}

func TestReportCommandShowsARun(t *testing.T) {
	db, id := stoppedRun(t)
	out, errs, code := runCLI(t, "--state", db, "report", id)
	if code != 0 {
		t.Fatalf("report: %d %s", code, errs)
	}
	for _, want := range []string{"# Report of run " + id, "lab: a rehearsal", "zen-primary-1", "alice",
		"FAILED, exit code 1", "Error: Authentication failed.", "What is left", "zenrecover resume " + id,
		"the operator stopped at a failed step"} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q:\n%s", want, out)
		}
	}
	out, _, code = runCLI(t, "--state", db, "report", id, "--format", "json")
	var r procedures.Report
	if code != 0 || json.Unmarshal([]byte(out), &r) != nil || r.RunID != id || r.Steps[0].History[0].Result != "failed" {
		t.Fatalf("json: %d %s", code, out)
	}
	p := filepath.Join(t.TempDir(), "r.html")
	if _, errs, code := runCLI(t, "--state", db, "report", id, "--format", "html", "-o", p); code != 0 {
		t.Fatalf("html: %d %s", code, errs)
	}
	if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("the HTML report: %v %v", fi, err)
	}
	if _, errs, code := runCLI(t, "--state", db, "report", "20000101-000000-0000"); code != exitUsage || !strings.Contains(errs, "zenrecover runs") {
		t.Errorf("an unknown run: %d %s", code, errs)
	}
	if _, _, code := runCLI(t, "--state", db, "report", id, "--format", "txt"); code != exitUsage {
		t.Errorf("--format txt: exit %d", code)
	}
}
