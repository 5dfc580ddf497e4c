//go:build !windows

package actions

import (
	"context"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// oddSecret is the value of the one secret rule of the odd-prompts tests.
const oddSecret = "sw-9f!Kq2zT"

// oddRules answer none of testdata/odd-prompts.sh's prompts but its
// "Site code> ": the others are worded unlike anything the rules expect.
func oddRules() []Answer {
	return []Answer{
		{Label: "Site code", Pattern: regexp.MustCompile(`^Site code> $`), Value: "ZN-7"},
		{Label: "Operator name", Pattern: regexp.MustCompile(`(?i)user ?name:`), Value: "op-ana"},
		{Label: "Lab password", Pattern: regexp.MustCompile(`(?i)password:`), Value: oddSecret, Secret: true},
	}
}

type oddRun struct {
	out     string
	events  []Waiting // every OnWaiting call, in order
	labels  []string  // OnAnswer
	secrets *Masker
	err     error
}

// runOddPrompts runs testdata/odd-prompts.sh with oddRules; respond sees
// each Waiting and may reply.
func runOddPrompts(t *testing.T, respond func(w Waiting, send func(Reply))) oddRun {
	t.Helper()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash is not installed")
	}
	script, err := filepath.Abs("testdata/odd-prompts.sh")
	if err != nil {
		t.Fatal(err)
	}
	input := make(chan Reply, 16)
	out := newWatchWriter("")
	r := oddRun{secrets: NewMasker()}
	// Only a guard against hanging the suite: the script takes seconds.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := &Command{Argv: []string{bash, script}, Answers: oddRules()}
	r.err = cmd.Run(ctx, IO{
		Output:   out,
		Secrets:  r.secrets,
		Input:    input,
		OnAnswer: func(l string) { r.labels = append(r.labels, l) },
		OnWaiting: func(w Waiting) {
			r.events = append(r.events, w)
			respond(w, func(rp Reply) { input <- rp })
		},
	})
	r.out = out.String()
	t.Logf("output:\n%s\nwaiting: %+v\nanswered: %q", r.out, r.events, r.labels)
	if r.err != nil {
		t.Fatalf("Run: %v", r.err)
	}
	return r
}

// checkWaitings asserts what holds for every run of odd-prompts.sh, and
// returns the first Waiting for each line.
func checkWaitings(t *testing.T, r oddRun) map[string]Waiting {
	t.Helper()
	first := map[string]Waiting{}
	waiting := false
	for i, w := range r.events {
		zero := w.Line == "" && !w.Hidden && w.Suggestions == nil
		if zero != waiting {
			t.Errorf("event %d %+v: Waiting and its end do not alternate", i, w)
		}
		waiting = !zero
		if zero {
			continue
		}
		if _, ok := first[w.Line]; !ok {
			first[w.Line] = w
		}
		if strings.ContainsAny(w.Line, "\x1b\r\n") || strings.Contains(w.Line, "[0m") {
			t.Errorf("Line %q carries escape codes", w.Line)
		}
		// A rule answered it: the operator must not be told to.
		if strings.Contains(w.Line, "Site code") {
			t.Errorf("a prompt a rule answers was reported waiting: %q", w.Line)
		}
		// A pause after a whole line is not a prompt.
		if strings.HasPrefix(w.Line, "Hello") || strings.HasPrefix(w.Line, "code=") {
			t.Errorf("a finished line was reported waiting: %q", w.Line)
		}
		for _, s := range w.Suggestions {
			if strings.Contains(w.Line+s.Label, oddSecret) || s.Label == "" {
				t.Errorf("Waiting %+v shows a value or an empty label", w)
			}
		}
	}
	if waiting {
		t.Errorf("Run returned while the last Waiting was not ended")
	}
	for _, line := range []string{"Login as:", "Press Enter to go on", "Secret word?"} {
		if _, ok := first[line]; !ok {
			t.Errorf("never reported waiting at %q", line)
		}
	}
	if w := first["Login as:"]; w.Hidden {
		t.Errorf("Login as: reported hidden, but the terminal echoes")
	}
	if w := first["Secret word?"]; !w.Hidden {
		t.Errorf("Secret word? not reported hidden, but echo is off")
	}
	if strings.Contains(r.out, "\x1b") || !strings.Contains(r.out, "Login as: ") {
		t.Errorf("output not sanitized or prompt missing")
	}
	if !strings.Contains(r.out, "code=ZN-7\n") {
		t.Errorf("the rule did not answer Site code")
	}
	return first
}

// suggestion is the 1-based index of label in w's Suggestions, or 0.
func suggestion(w Waiting, label string) int {
	return slices.IndexFunc(w.Suggestions, func(s Suggestion) bool { return s.Label == label }) + 1
}

func TestWaitingSuggestionAcceptedSendsTheRuleValue(t *testing.T) {
	t.Parallel()
	replied := map[string]bool{}
	r := runOddPrompts(t, func(w Waiting, send func(Reply)) {
		if replied[w.Line] {
			return
		}
		replied[w.Line] = true
		switch w.Line {
		case "Login as:":
			send(Reply{Suggestion: suggestion(w, "Operator name")})
		case "Press Enter to go on":
			send(Reply{Text: ""})
		case "Secret word?":
			send(Reply{Suggestion: suggestion(w, "Lab password")})
		}
	})
	first := checkWaitings(t, r)

	want := []Suggestion{{Label: "Site code"}, {Label: "Operator name"}, {Label: "Lab password", Secret: true}}
	if got := first["Login as:"].Suggestions; !slices.Equal(got, want) {
		t.Errorf("suggestions at Login as: %+v, want %+v", got, want)
	}
	// The rules used by then are no longer offered.
	want = []Suggestion{{Label: "Lab password", Secret: true}}
	if got := first["Secret word?"].Suggestions; !slices.Equal(got, want) {
		t.Errorf("suggestions at Secret word?: %+v, want %+v", got, want)
	}
	for _, s := range []string{"Hello op-ana\n", "secret length 11\n"} {
		if !strings.Contains(r.out, s) {
			t.Errorf("output lacks %q: the accepted suggestion was not typed", s)
		}
	}
	if strings.Contains(r.out, "(no key") {
		t.Errorf("an empty reply did not press Enter")
	}
	if strings.Contains(r.out, oddSecret) {
		t.Errorf("the secret reached the output")
	}
	if got := strings.Join(r.labels, ","); got != "Operator name,Site code,Lab password" {
		t.Errorf("OnAnswer got %s", got)
	}
}

func TestWaitingTypedReplyAndNoSuggestionUnasked(t *testing.T) {
	t.Parallel()
	const word = "hunter-22x"
	replied := map[string]bool{}
	r := runOddPrompts(t, func(w Waiting, send func(Reply)) {
		if replied[w.Line] {
			return
		}
		replied[w.Line] = true
		switch w.Line {
		case "Login as:":
			send(Reply{Suggestion: 99}) // not on offer: types nothing
			send(Reply{Text: "alice"})
		case "Secret word?":
			send(Reply{Text: word})
		}
		// "Press Enter to go on" gets no reply: the script goes on by
		// itself, and its printing ends the Waiting.
	})
	checkWaitings(t, r)

	for _, s := range []string{"Hello alice\n", "(no key: going on)\n", "secret length 10\n"} {
		if !strings.Contains(r.out, s) {
			t.Errorf("output lacks %q", s)
		}
	}
	// Offered is not typed: neither the name nor the secret rule's value.
	if strings.Contains(r.out, "op-ana") || strings.Contains(r.out, "length 11") || strings.Contains(r.out, oddSecret) {
		t.Errorf("a suggestion was typed unasked")
	}
	if got := strings.Join(r.labels, ","); got != "Site code" {
		t.Errorf("OnAnswer got %s, want only the rule that matched", got)
	}
	// Typed while the terminal hid it: a secret of the run from then on.
	if !r.secrets.Contains(word) {
		t.Errorf("a reply typed at a hidden prompt was not added to the secrets")
	}
	// The unanswered prompt ended because the script printed again.
	i := slices.IndexFunc(r.events, func(w Waiting) bool { return w.Line == "Press Enter to go on" })
	if i < 0 || i+1 >= len(r.events) || r.events[i+1].Line != "" {
		t.Errorf("no end of waiting after Press Enter to go on: %+v", r.events)
	}
}
