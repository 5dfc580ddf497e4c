package cli

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// complete asks for completions as a shell does (cobra's hidden
// __complete command) and returns the offers (each "value\tdescription")
// and the directive line, ":N".
func complete(t *testing.T, statePath string, args ...string) ([]string, string) {
	t.Helper()
	out, errs, code := runCLIAt(t, statePath, append([]string{"__complete"}, args...)...)
	if code != 0 {
		t.Fatalf("__complete %q: exit %d %s", args, code, errs)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	return lines[:len(lines)-1], lines[len(lines)-1]
}

func values(offers []string) []string {
	var v []string
	for _, o := range offers {
		s, _, _ := strings.Cut(o, "\t")
		v = append(v, s)
	}
	return v
}

func directive(d cobra.ShellCompDirective) string { return ":" + strconv.Itoa(int(d)) }

// Issue 14, item 4: `zenrecover run <TAB>` offers the procedures, by
// section and by id, each described; no file names.
func TestCompletionOffersTheProcedures(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state.db")
	for _, cmd := range []string{"run", "show", "checklist"} {
		offers, dir := complete(t, state, cmd, "")
		v := values(offers)
		if len(v) != 30 || v[0] != "1.1" || !slices.Contains(v, "server-backup") || !slices.Contains(v, "zone-cert-after-expiry") {
			t.Errorf("%s <TAB> offers %v", cmd, v)
		}
		if !slices.Contains(offers, "1.1\tserver-backup: Backing Up a ZENworks Server") || !slices.Contains(offers, "ca-restore\t1.4 Restoring the Certificate Authority") {
			t.Errorf("%s <TAB>: the offers are not described by id/section and title:\n%s", cmd, strings.Join(offers, "\n"))
		}
		if dir != directive(cobra.ShellCompDirectiveNoFileComp|cobra.ShellCompDirectiveKeepOrder) {
			t.Errorf("%s <TAB>: directive %s (file names would be offered too)", cmd, dir)
		}
	}
	if v := values(first(complete(t, state, "run", "3."))); !slices.Equal(v, []string{"3.1", "3.2.1", "3.2.2"}) {
		t.Errorf("run 3.<TAB> offers %v", v)
	}
	if v := values(first(complete(t, state, "show", "ca-"))); !slices.Equal(v, []string{"ca-backup", "ca-restore"}) {
		t.Errorf("show ca-<TAB> offers %v", v)
	}
	if offers, _ := complete(t, state, "run", "1.1", ""); len(offers) != 0 {
		t.Errorf("run 1.1 <TAB> offers a second procedure: %v", offers)
	}
}

func first(a []string, _ string) []string { return a }

// Run ids come from the state database: resume and abandon offer the runs
// that can be resumed, report every run. TAB never creates a database.
func TestCompletionOffersRunIDs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	if offers, _ := complete(t, path, "resume", ""); len(offers) != 0 {
		t.Errorf("resume <TAB> without a state: %v", offers)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("completing created the state database: %v", err)
	}
	id := interruptedDryRun(t, path)
	for _, cmd := range []string{"resume", "abandon", "report"} {
		offers, _ := complete(t, path, cmd, "")
		if len(offers) != 1 || !strings.HasPrefix(offers[0], id+"\tca-backup, active, dry-run, ") {
			t.Errorf("%s <TAB> offers %q, want run %s described", cmd, offers, id)
		}
	}
	if _, errs, code := runCLIAt(t, path, "abandon", id, "--reason", "test"); code != 0 {
		t.Fatal(errs)
	}
	if offers, _ := complete(t, path, "resume", ""); len(offers) != 0 {
		t.Errorf("resume <TAB> offers an abandoned run: %v", offers)
	}
	if offers, _ := complete(t, path, "report", ""); len(offers) != 1 {
		t.Errorf("report <TAB> no longer offers the abandoned run: %v", offers)
	}
}

// --format offers each command's formats; --lab directories; --answers
// and --state files.
func TestCompletionOfFlags(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state.db")
	if v, dir := complete(t, state, "checklist", "x", "--format", ""); !slices.Equal(values(v), []string{"md", "html", "txt"}) || dir != directive(cobra.ShellCompDirectiveNoFileComp|cobra.ShellCompDirectiveKeepOrder) {
		t.Errorf("checklist --format <TAB>: %v %s", v, dir)
	}
	if v, _ := complete(t, state, "report", "x", "--format", ""); !slices.Equal(values(v), []string{"md", "html", "json"}) {
		t.Errorf("report --format <TAB>: %v", v)
	}
	for _, c := range []struct {
		args []string
		want cobra.ShellCompDirective
	}{
		{[]string{"run", "1.1", "--lab", ""}, cobra.ShellCompDirectiveFilterDirs},
		{[]string{"lab", "init", ""}, cobra.ShellCompDirectiveFilterDirs},
		{[]string{"--procedures", ""}, cobra.ShellCompDirectiveFilterDirs},
		{[]string{"man", "-o", ""}, cobra.ShellCompDirectiveFilterDirs},
		{[]string{"run", "1.1", "--answers", ""}, cobra.ShellCompDirectiveDefault},
		{[]string{"checklist", "1.1", "--answers", ""}, cobra.ShellCompDirectiveDefault},
		{[]string{"list", "--state", ""}, cobra.ShellCompDirectiveDefault},
		{[]string{"list", ""}, cobra.ShellCompDirectiveNoFileComp},
	} {
		if _, dir := complete(t, state, c.args...); dir != directive(c.want) {
			t.Errorf("%q: directive %s, want %s", c.args, dir, directive(c.want))
		}
	}
	if v, _ := complete(t, state, "lab", "fail", "/tmp/zenlab", "zm"); !slices.Equal(values(v), []string{"zman"}) {
		t.Errorf("lab fail DIR zm<TAB>: %v", v)
	}
}

// The completion command is cobra's, enabled for the four shells.
func TestCompletionScripts(t *testing.T) {
	for shell, want := range map[string]string{
		"bash":       "__start_zenrecover",
		"zsh":        "#compdef zenrecover",
		"fish":       "complete -c zenrecover",
		"powershell": "Register-ArgumentCompleter",
	} {
		out, errs, code := runCLI(t, "completion", shell)
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("completion %s: exit %d %s\n%.300s", shell, code, errs, out)
		}
	}
}
