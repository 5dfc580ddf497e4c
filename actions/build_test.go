package actions

import (
	"slices"
	"strings"
	"testing"

	"zenrecover/procedures"
)

// Build runs what the resolved step says and expands nothing: a "${…}" the
// step resolved to (an operator's file name) stays exactly that text, the
// lab's rebasing moves paths only, and a secret is filled in from its
// reference when the step is built, never before.
func TestBuildExpandsNothingAndFillsSecretsByReference(t *testing.T) {
	st := &procedures.Step{ID: "export", Run: []procedures.Arg{{Value: "zman"}}}
	r := &procedures.Resolved{Step: st,
		Argv: []string{"zman", "cae", "/root/${not-a-template}.bak"},
		Answers: []procedures.ResolvedAnswer{
			{Label: "Passphrase", Prompt: "(?i)passphrase", Secret: "ca_passphrase"},
			{Label: "User", Prompt: "(?i)user", Value: "Administrator"},
		},
		Verify: []procedures.CheckSpec{{NewerThanStart: "/root/${not-a-template}.bak"}},
	}
	env := Env{Rebase: func(p string) string { return "/lab" + p }}
	b, err := Build(r, map[string]string{"ca_passphrase": "Zebra-Quartz-1234"}, env)
	if err != nil {
		t.Fatal(err)
	}
	cmd := b.Action.(*Command)
	if want := []string{"zman", "cae", "/lab/root/${not-a-template}.bak"}; !slices.Equal(cmd.Argv, want) {
		t.Errorf("runs %q, want %q", cmd.Argv, want)
	}
	if !slices.Equal(cmd.Display, r.Argv) {
		t.Errorf("shows %q, want the resolved %q", cmd.Display, r.Argv)
	}
	if n := b.Verify[0].(*NewerThanStart); n.Path != "/lab/root/${not-a-template}.bak" {
		t.Errorf("checks %q", n.Path)
	}
	if a := cmd.Answers[0]; a.Value != "Zebra-Quartz-1234" || !a.Secret {
		t.Errorf("the passphrase answer is %+v", a)
	}
	if a := cmd.Answers[1]; a.Value != "Administrator" || a.Secret {
		t.Errorf("the user answer is %+v", a)
	}
	if d := cmd.Describe(); strings.Contains(d, "Zebra-Quartz-1234") {
		t.Errorf("the description shows the secret: %s", d)
	}

	// A secret that is not typed yet is named, not guessed.
	if _, err := Build(r, nil, env); err == nil || !strings.Contains(err.Error(), "no value yet for ca_passphrase") {
		t.Errorf("without the secret: %v", err)
	}
}
