package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"zenrecover/assets"
	"zenrecover/procedures"
	"zenrecover/state"
)

// Issue 14, item 3: every --json keeps one convention a script can rely
// on: keys are lower case (words joined by underscores), and a list is
// never null: [] when empty, or its key left out where it is a detail only
// some items have. These tests hold each command's output to it, and to
// the keys the README documents.

var lowerKey = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// checkConvention parses out and walks it: every key lower case, no null.
func checkConvention(t *testing.T, what, out string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("%s: not JSON: %v\n%.400s", what, err, out)
	}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case nil:
			t.Errorf("%s: %s is null (an empty list is [], a missing detail is left out)", what, path)
		case map[string]any:
			for k, e := range x {
				if !lowerKey.MatchString(k) {
					t.Errorf("%s: key %q at %s is not lower case", what, k, path)
				}
				walk(path+"."+k, e)
			}
		case []any:
			for i, e := range x {
				walk(path+"["+strconv.Itoa(i)+"]", e)
			}
		}
	}
	walk("$", v)
	return v
}

// hasKeys fails unless the object has every key.
func hasKeys(t *testing.T, what string, v any, keys ...string) map[string]any {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("%s: not an object: %v", what, v)
	}
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			t.Errorf("%s: no %q key (has %v)", what, k, sortedKeys(m))
		}
	}
	return m
}

func sortedKeys(m map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func emptyList(t *testing.T, what string, m map[string]any, key string) {
	t.Helper()
	l, ok := m[key].([]any)
	if !ok || len(l) != 0 {
		t.Errorf("%s: %q is %#v, want []", what, key, m[key])
	}
}

func TestListJSONShape(t *testing.T) {
	out, _, code := runCLI(t, "list", "--json")
	if code != 0 {
		t.Fatalf("list --json exit %d", code)
	}
	items := checkConvention(t, "list --json", out).([]any)
	if len(items) != 15 {
		t.Errorf("list --json has %d procedures, want the fifteen sections", len(items))
	}
	for _, it := range items {
		hasKeys(t, "list --json item", it, "id", "section", "title", "summary")
	}
}

func TestShowJSONShape(t *testing.T) {
	out, _, code := runCLI(t, "show", "1.4", "--json")
	if code != 0 {
		t.Fatalf("show --json exit %d", code)
	}
	m := hasKeys(t, "show 1.4 --json", checkConvention(t, "show 1.4 --json", out),
		"id", "section", "title", "summary", "facts", "inputs", "refuse", "steps")
	hasKeys(t, "a fact", m["facts"].([]any)[0], "id", "type", "question")
	hasKeys(t, "an input", m["inputs"].([]any)[0], "id", "type", "prompt", "secret")
	hasKeys(t, "a step", m["steps"].([]any)[0], "id", "ref", "title", "kind")

	// A procedure with no question, no input and no refusal: [] each, not
	// null, not missing; its one step has no command and no sub-steps.
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "bare.yaml"), []byte("id: bare\ntitle: Bare\nsection: \"9.9\"\nsummary: s\nsteps:\n  - {id: a, ref: \"1\", title: A, manual: Do it.}\n"), 0o644)
	out, errs, code := runCLI(t, "--procedures", dir, "show", "bare", "--json")
	if code != 0 {
		t.Fatalf("show bare --json: %d %s", code, errs)
	}
	m = hasKeys(t, "show bare --json", checkConvention(t, "show bare --json", out), "facts", "inputs", "refuse", "steps")
	for _, k := range []string{"facts", "inputs", "refuse"} {
		emptyList(t, "show bare --json", m, k)
	}
	step := m["steps"].([]any)[0].(map[string]any)
	if _, ok := step["command"]; ok {
		t.Errorf("a manual step has a command: %v", step)
	}
	if _, ok := step["steps"]; ok {
		t.Errorf("a step without sub-steps lists them: %v", step)
	}
}

func TestRunsJSONShape(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	out, _, code := runCLIAt(t, path, "runs", "--json")
	if code != 0 || strings.TrimSpace(out) != "[]" {
		t.Fatalf("runs --json with no runs: exit %d, %q; want []", code, out)
	}
	interruptedDryRun(t, path)
	out, _, code = runCLIAt(t, path, "runs", "--json")
	if code != 0 {
		t.Fatalf("runs --json exit %d", code)
	}
	items := checkConvention(t, "runs --json", out).([]any)
	if len(items) != 1 {
		t.Fatalf("runs --json: %s", out)
	}
	hasKeys(t, "a run", items[0], "id", "procedure", "mode", "status", "host", "user", "started")
}

func TestRunsJSONShapeOfALostRun(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	st, err := state.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	// A log the database knows nothing of: a run it lost.
	const lost = "20260101-100000-dead"
	log, err := st.OpenLog(lost)
	if err != nil {
		t.Fatal(err)
	}
	log.WriteString("=== 1.1 step 1, attempt 1, 2026-01-01T10:00:00Z\n")
	log.Close()
	st.Close()
	out, _, code := runCLIAt(t, path, "runs", "--json")
	if code != exitFailed {
		t.Fatalf("runs --json with a lost run: exit %d, want 1\n%s", code, out)
	}
	items := checkConvention(t, "runs --json (lost)", out).([]any)
	m := hasKeys(t, "a lost run", items[0], "id", "status", "evidence")
	if m["id"] != lost || m["status"] != "lost" {
		t.Errorf("lost run: %v", m)
	}
	if _, _, code := runCLIAt(t, path, "acknowledge-lost", "--reason", "checked by hand"); code != 0 {
		t.Fatalf("acknowledge-lost exit %d", code)
	}
	out, _, code = runCLIAt(t, path, "runs", "--json")
	items = checkConvention(t, "runs --json (acknowledged)", out).([]any)
	m = hasKeys(t, "an acknowledged lost run", items[0], "acknowledged", "acknowledged_by", "reason")
	if code != 0 || m["acknowledged"] != true || m["reason"] != "checked by hand" {
		t.Errorf("exit %d, %v", code, m)
	}
}

func TestReportJSONShape(t *testing.T) {
	path, id := stoppedRun(t)
	out, errs, code := runCLIAt(t, path, "report", id, "--format", "json")
	if code != 0 {
		t.Fatalf("report --format json: %d %s", code, errs)
	}
	m := hasKeys(t, "report json", checkConvention(t, "report json", out),
		"run_id", "procedure_id", "section", "title", "definition_hash", "mode", "host", "operator",
		"zenrecover_version", "status", "started", "generated", "answers", "steps", "remaining", "totals", "secrets")
	hasKeys(t, "a step", m["steps"].([]any)[0], "id", "label", "title", "depth", "kind", "applies", "status", "attempts", "in_doubt")

	// A run that has answered nothing yet: "answers": [], not null.
	st, err := state.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	lib, err := procedures.LoadFS(assets.FS, "procedures")
	if err != nil {
		t.Fatal(err)
	}
	def := lib.Get("1.3")
	run, err := st.CreateRun(context.Background(), state.Run{ProcedureID: def.ID, DefHash: def.Hash, DefText: def.Source,
		Mode: state.ModeDryRun, Host: "zen-primary-1", User: "alice", Version: "test"})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	out, errs, code = runCLIAt(t, path, "report", run.ID, "--format", "json")
	if code != 0 {
		t.Fatalf("report of a fresh run: %d %s", code, errs)
	}
	emptyList(t, "report of a fresh run", checkConvention(t, "report of a fresh run", out).(map[string]any), "answers")
}

func TestVersionJSONShape(t *testing.T) {
	out, _, code := runCLI(t, "version", "--json")
	if code != 0 {
		t.Fatalf("version --json exit %d", code)
	}
	hasKeys(t, "version --json", checkConvention(t, "version --json", out),
		"version", "commit", "build_date", "modified", "go_version", "platform")
}

// Issue 14, item 1: a release is built with -buildvcs=false and stamps the
// commit and its date with -ldflags -X; version shows them.
func TestVersionShowsTheStampedCommitAndDate(t *testing.T) {
	saved := [3]string{stampedVersion, stampedCommit, stampedDate}
	t.Cleanup(func() { stampedVersion, stampedCommit, stampedDate = saved[0], saved[1], saved[2] })
	stampedVersion, stampedCommit, stampedDate = "v1.4.0", "0123456789abcdef0123", "2026-12-03T08:35:03Z"
	out, _, _ := runCLI(t, "version")
	if !strings.HasPrefix(out, "zenrecover v1.4.0 (0123456789ab, 2026-12-03T08:35:03Z), go") {
		t.Errorf("version: %q", out)
	}
	out, _, _ = runCLI(t, "version", "--json")
	if !strings.Contains(out, `"commit": "0123456789abcdef0123"`) || !strings.Contains(out, `"build_date": "2026-12-03T08:35:03Z"`) {
		t.Errorf("version --json: %s", out)
	}
}

func TestDoctorJSONShape(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	dir := filepath.Join(t.TempDir(), "lab")
	if _, errs, code := runCLIAt(t, path, "lab", "init", dir); code != 0 {
		t.Fatalf("lab init: %s", errs)
	}
	out, _, code := runCLIAt(t, path, "doctor", "--lab", dir, "--json")
	if code == 0 {
		t.Fatalf("doctor of a lab with no backup says all green:\n%s", out)
	}
	m := hasKeys(t, "doctor --json", checkConvention(t, "doctor --json", out), "host", "lab", "generated", "level", "checks")
	checks, _ := m["checks"].([]any)
	if len(checks) == 0 {
		t.Fatalf("doctor --json has no checks:\n%s", out)
	}
	for _, c := range checks {
		hasKeys(t, "a check", c, "id", "area", "title", "level", "text")
	}
}

func TestDrillsJSONShape(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	out, _, code := runCLIAt(t, path, "report", "--drills", "--format", "json")
	if code != 0 {
		t.Fatalf("report --drills --format json: exit %d\n%s", code, out)
	}
	checkConvention(t, "report --drills --format json", out)
}
