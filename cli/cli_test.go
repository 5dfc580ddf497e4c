package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// runCLI runs the command line in-process, as main would.
func runCLI(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	root := newRootCmd()
	var out, errb bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errb)
	root.SetArgs(append([]string{"--state", filepath.Join(t.TempDir(), "state.db")}, args...))
	err := root.Execute()
	code := 0
	if err != nil {
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

func TestListShowsTheProceduresInOrder(t *testing.T) {
	out, _, code := runCLI(t, "list", "--json")
	var items []struct{ ID, Section, Title string }
	if code != 0 || json.Unmarshal([]byte(out), &items) != nil {
		t.Fatalf("list --json: %d %s", code, out)
	}
	var secs []string
	for _, it := range items {
		secs = append(secs, it.Section)
	}
	if !strings.HasPrefix(strings.Join(secs, ","), "1.1,1.2,1.3,1.4") {
		t.Errorf("sections: %v", secs)
	}
	// Issue 14: the keys are lower case, as in show --json and runs --json.
	if !strings.Contains(out, `"id": "server-backup"`) || strings.Contains(out, `"ID"`) {
		t.Errorf("list --json keys are not lower case:\n%.300s", out)
	}
}

func TestShowJSONDescribesFactsInputsAndSteps(t *testing.T) {
	out, _, code := runCLI(t, "show", "1.4", "--json")
	var v struct {
		Facts []struct {
			ID, Type string
			Choices  []string
		}
		Inputs []struct {
			ID     string
			Secret bool
		}
		Steps []struct{ ID, Ref, Title, Condition, Kind string }
	}
	if code != 0 || json.Unmarshal([]byte(out), &v) != nil {
		t.Fatalf("show --json: %d %s", code, out)
	}
	if v.Facts[0].ID != "platform" || v.Facts[0].Type != "choice" || len(v.Facts[0].Choices) != 2 {
		t.Errorf("facts: %+v", v.Facts)
	}
	secret := map[string]bool{}
	for _, in := range v.Inputs {
		secret[in.ID] = in.Secret
	}
	if !secret["ca_passphrase"] || secret["ca_backup_file"] {
		t.Errorf("inputs: %+v", v.Inputs)
	}
	if v.Steps[1].Kind != "edit-xml" || v.Steps[1].Ref != "4" || v.Steps[3].Condition != `platform == "linux" && keystore_edited` {
		t.Errorf("steps: %+v", v.Steps)
	}
	if _, _, code := runCLI(t, "show", "9.9"); code != exitUsage {
		t.Errorf("unknown procedure exit %d", code)
	}
}

func TestLintPointsAtTheMistake(t *testing.T) {
	dir := t.TempDir()
	good, _ := os.ReadFile("../assets/procedures/1.3-ca-backup.yaml")
	bad := bytes.Replace(good, []byte("when: remove_ca_role\n"), []byte("when: remove_ca_rol\n"), 1)
	os.WriteFile(filepath.Join(dir, "good.yaml"), good, 0o644)
	os.WriteFile(filepath.Join(dir, "bad.yaml"), bad, 0o644)
	out, errs, code := runCLI(t, "lint", filepath.Join(dir, "good.yaml"), filepath.Join(dir, "bad.yaml"))
	if code != exitUsage {
		t.Fatalf("lint exit %d", code)
	}
	if !strings.Contains(out, "good.yaml: ok") {
		t.Errorf("good file not ok: %s", out)
	}
	line := 1 + bytes.Count(bad[:bytes.Index(bad, []byte("remove_ca_rol\n"))], []byte("\n"))
	want := filepath.Join(dir, "bad.yaml") + ":" + strconv.Itoa(line) + ":11: condition: unknown name remove_ca_rol"
	if !strings.Contains(errs, want) {
		t.Errorf("lint said\n%s\nwant\n%s", errs, want)
	}
}

func TestLintResolvesIncludes(t *testing.T) {
	dir := t.TempDir()
	src := "id: inc-demo\ntitle: Demo\nsection: \"9.4\"\nsummary: s\nsteps:\n  - id: a\n    ref: \"1\"\n    title: A\n    include: ca-bakup\n"
	os.WriteFile(filepath.Join(dir, "inc.yaml"), []byte(src), 0o644)
	_, errs, code := runCLI(t, "lint", filepath.Join(dir, "inc.yaml"))
	if code != exitUsage || !strings.Contains(errs, `inc.yaml:9:14: include names "ca-bakup"`) {
		t.Fatalf("lint %d: %s", code, errs)
	}
	// The built-in files lint clean against the library they belong to.
	files, _ := filepath.Glob("../assets/procedures/*.yaml")
	out, errs, code := runCLI(t, append([]string{"lint"}, files...)...)
	if code != 0 {
		t.Fatalf("built-in definitions: %s %s", out, errs)
	}
}
