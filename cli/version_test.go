package cli

import (
	"encoding/json"
	"runtime"
	"strings"
	"testing"
)

// Issue 14: --version works (it was "unknown flag"), and version --json
// gives lower-case keys a script can read.
func TestVersionFlagAndCommand(t *testing.T) {
	out, errs, code := runCLI(t, "--version")
	if code != 0 || !strings.HasPrefix(out, "zenrecover ") || !strings.Contains(out, runtime.Version()) {
		t.Fatalf("--version: exit %d, %q %q", code, out, errs)
	}
	out2, _, code := runCLI(t, "version")
	if code != 0 || out2 != out {
		t.Fatalf("version says %q, --version %q", out2, out)
	}
	js, _, code := runCLI(t, "version", "--json")
	var v map[string]any
	if code != 0 || json.Unmarshal([]byte(js), &v) != nil {
		t.Fatalf("version --json: exit %d, %q", code, js)
	}
	for _, k := range []string{"version", "commit", "build_date", "go_version", "platform"} {
		if _, ok := v[k]; !ok {
			t.Errorf("version --json lacks %q: %s", k, js)
		}
	}
	if v["go_version"] != runtime.Version() {
		t.Errorf("go_version %v", v["go_version"])
	}
}
