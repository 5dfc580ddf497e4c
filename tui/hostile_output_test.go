package tui

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"zenrecover/actions"
	"zenrecover/assets"
	"zenrecover/procedures"
	"zenrecover/runner"
)

// A command's output is hostile input (issue 6): bytes that are not UTF-8
// and terminal control sequences (clear the screen, move the cursor, set
// the window title, write the clipboard, ask the terminal to answer, reset
// it) must not corrupt the wizard's screen, its log or the report. The
// output goes through actions' sanitizer (and masker) on its way to the run
// view and the log; the report reads the log. Each is checked here for what
// a terminal or a reader would act on.

// hostileOutput is what the test's command prints; hostileVisible is the
// text of it that must still be shown, in order.
var hostileOutput = strings.Join([]string{
	"HOSTILE-BEGIN",
	"clear\x1b[2J\x1b[Hhome \x1b[31mred\x1b[0m \x1b[1;1f\x1b[10A\x1b[?25l\x1b[?1049h\x1b[?1000h",
	"title \x1b]0;pwned title\x07 clipboard \x1b]52;c;cHduZWQ=\x07 link \x1b]8;;http://example.invalid\x1b\\here\x1b]8;;\x1b\\",
	"dcs \x1bP+q544e\x1b\\ apc \x1b_payload\x1b\\ ask \x1b[6n\x1b[c\x1b[>c\x1bZ reset \x1bc\x1b(0",
	"c1 \xc2\x9b2J utf8-csi \xc2\x9d0;t\xc2\x9c 8bit \x9b2J \x9d0;x\x07 done",
	"bad \xff\xfe\xc3\x28\xe2\x82 bytes",
	"ctl \x00nul \x07bel \x08bs \x7fdel \x0bvt \x0cff \x0eso \x0fsi \x1a sub",
	"progress 10%\rprogress 50%\rprogress 100%",
	"bidi \u202eevil\u202c \u2066iso\u2069 end",
	"tab\there",
	"<script>alert(1)</script> & ``` fence ``` | table | * star _under_",
	"```",
	"# not a heading",
	"unterminated osc \x1b]0;never ends",
	"after the unterminated one",
	strings.Repeat("long-", 600) + "line",
	"HOSTILE-END",
}, "\n") + "\n"

var hostileVisible = []string{"HOSTILE-BEGIN", "home red", "title", "clipboard", "link here", "dcs", "ask", "reset",
	"bad", "bytes", "progress 100%", "bidi evil iso end", "<script>alert(1)</script>", "after the unterminated one", "HOSTILE-END"}

// sgrOnly is the one kind of escape sequence the wizard itself draws with.
var sgrOnly = regexp.MustCompile("\x1b\\[[0-9;:]*m")

// hostileLeft lists what a terminal would act on in s, beyond text and
// line breaks: escape sequences (SGR colours only when allowSGR), C0 and C1
// controls but \n (and \t when allowTab), bidi overrides and isolates, and
// bytes that are not UTF-8.
func hostileLeft(s string, allowSGR, allowTab bool) []string {
	if allowSGR {
		s = sgrOnly.ReplaceAllString(s, "")
	}
	var bad []string
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			bad = append(bad, fmt.Sprintf("byte %#x at %d (not UTF-8)", s[i], i))
		case r == '\n', r == '\t' && allowTab:
		case r < 0x20, r >= 0x7f && r <= 0x9f:
			bad = append(bad, fmt.Sprintf("control %U at %d: %q", r, i, around(s, i)))
		case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			bad = append(bad, fmt.Sprintf("bidi control %U at %d", r, i))
		}
		i += n
	}
	return bad
}

func around(s string, i int) string {
	return s[max(0, i-20):min(len(s), i+20)]
}

// inOrder fails unless text holds each of want, in that order.
func inOrder(t *testing.T, where, text string, want []string) {
	t.Helper()
	rest := text
	for _, w := range want {
		i := strings.Index(rest, w)
		if i < 0 {
			t.Errorf("%s lacks %q (or has it out of order):\n%s", where, w, text)
			return
		}
		rest = rest[i+len(w):]
	}
}

// The sanitizer, written to in chunks cut anywhere (mid escape sequence,
// mid UTF-8 sequence), gives exactly what it gives for one write, and that
// is clean: what the streams of a command's output rely on.
func TestHostileOutputIsSanitizedWhereverTheChunksEnd(t *testing.T) {
	t.Parallel()
	whole := actions.Sanitize(hostileOutput)
	if bad := hostileLeft(whole, false, true); len(bad) > 0 {
		t.Fatalf("the sanitized output still has %q", bad)
	}
	inOrder(t, "the sanitized output", whole, hostileVisible)
	for _, gone := range []string{"pwned", "cHduZWQ", "example.invalid", "544e", "payload", "never ends"} {
		if strings.Contains(whole, gone) {
			t.Errorf("the body of an escape sequence (%q) was shown as text:\n%s", gone, whole)
		}
	}
	seed := rand.Uint64()
	rng := rand.New(rand.NewPCG(seed, 6))
	for round := 0; round < 200; round++ {
		var b bytes.Buffer
		m := actions.NewMasker("novell-lab-pw")
		w := actions.SafeWriter(&b, m)
		for rest := hostileOutput; rest != ""; {
			n := min(len(rest), 1+rng.IntN(8))
			if round == 0 {
				n = 1 // one byte at a time
			}
			if _, err := w.Write([]byte(rest[:n])); err != nil {
				t.Fatal(err)
			}
			rest = rest[n:]
		}
		w.Close()
		if b.String() != whole {
			t.Fatalf("seed %d, round %d: written in chunks, the output differs from one write:\n%q\nwant\n%q", seed, round, b.String(), whole)
		}
	}
}

// hostileDef prints the hostile output from a file in the lab.
const hostileDef = `id: tui-hostile-output
title: Hostile output test
section: "9.7"
summary: A command whose output tries to drive the terminal.
steps:
  - id: noisy
    ref: "1"
    title: Print hostile output
    run: [cat, /root/hostile-output.txt]
`

// The run view shows the output's text and nothing a terminal would act
// on, on every screen drawn while it runs and after; every screen keeps
// its size. Then the log and the report in each format are as clean.
func TestHostileOutputCannotCorruptTheScreenOrTheReport(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	if err := os.WriteFile(f.lab.Rebase("/root/hostile-output.txt"), []byte(hostileOutput), 0o600); err != nil {
		t.Fatal(err)
	}
	f.addDef(hostileDef)
	const width, height = 100, 30
	h := newHarness(t, f.config(), nil, "tui-hostile-output", width, height)
	frames := 0
	h.each = func(raw string) {
		frames++
		if bad := hostileLeft(raw, true, false); len(bad) > 0 {
			t.Fatalf("screen %d has what a terminal would act on: %q\n%s", frames, bad, raw)
		}
	}
	a := newAsync(h)
	a.press("enter")
	a.until("done", func() bool { return h.m.run.phase == phaseDone })
	h.checkFrame(width, height)
	shown := strings.Join(h.m.run.output.lines, "\n")
	if bad := hostileLeft(shown, false, true); len(bad) > 0 {
		t.Errorf("the output pane holds %q", bad)
	}
	inOrder(t, "the output pane", shown, hostileVisible)
	h.mustSee("HOSTILE-END")
	for _, w := range []int{40, 80, 132} {
		h.resize(w, height)
		h.checkFrame(w, height)
	}

	// The log, as the report and the in-doubt dialog read it.
	runID := h.m.run.runID
	log, err := os.ReadFile(f.store.LogPath(runID))
	if err != nil {
		t.Fatal(err)
	}
	if bad := hostileLeft(string(log), false, true); len(bad) > 0 {
		t.Errorf("the run's log holds %q", bad)
	}
	inOrder(t, "the run's log", string(log), hostileVisible)

	r, err := runner.Report(context.Background(), f.store, runID)
	if err != nil {
		t.Fatal(err)
	}
	theme, err := assetsChecklist()
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"md", "html", "json"} {
		var b bytes.Buffer
		if err := procedures.WriteReport(&b, r, format, theme); err != nil {
			t.Fatalf("report %s: %v", format, err)
		}
		out := b.String()
		if bad := hostileLeft(out, false, true); len(bad) > 0 {
			t.Errorf("the %s report holds %q", format, bad)
		}
		switch format {
		case "md":
			inOrder(t, "the Markdown report", out, hostileVisible)
			checkFenced(t, out)
		case "html":
			if strings.Contains(out, "<script>") {
				t.Errorf("the HTML report holds the output's <script> as markup")
			}
			inOrder(t, "the HTML report", out, []string{"HOSTILE-BEGIN", "&lt;script&gt;alert(1)&lt;/script&gt;", "HOSTILE-END"})
		case "json":
			var v any
			if err := json.Unmarshal(b.Bytes(), &v); err != nil {
				t.Errorf("the JSON report does not parse: %v", err)
			}
			if !strings.Contains(out, "HOSTILE-END") {
				t.Errorf("the JSON report lacks the output")
			}
		}
	}
}

// checkFenced fails unless the command's output in a Markdown report stays
// inside its code fence: no line of it (a line of ``` included) is a
// closing fence, that is backticks at least as many as the opening fence's
// and nothing else.
func checkFenced(t *testing.T, md string) {
	t.Helper()
	lines := strings.Split(md, "\n")
	begin := -1
	for i, l := range lines {
		if strings.Contains(l, "HOSTILE-BEGIN") {
			begin = i
			break
		}
	}
	if begin < 1 {
		t.Fatal("the Markdown report lacks the output")
	}
	open := strings.TrimSpace(lines[begin-1])
	fence := strings.TrimRight(open, "abcdefghijklmnopqrstuvwxyz")
	if len(fence) < 3 || strings.Trim(fence, "`") != "" {
		t.Fatalf("the output does not follow a code fence: %q", open)
	}
	for _, l := range lines[begin:] {
		s := strings.TrimSpace(l)
		if strings.Contains(s, "HOSTILE-END") {
			return
		}
		if len(s) >= len(fence) && strings.Trim(s, "`") == "" {
			t.Fatalf("the output's line %q closes the fence %q early", s, fence)
		}
	}
	t.Fatal("the output's end is not inside the fence")
}

func assetsChecklist() (fs.FS, error) { return fs.Sub(assets.Checklist, "checklist") }

// A step found in doubt shows its last output from the log. A log holding
// raw control sequences (written by hand, or by a zenrecover from before
// output was sanitised) must not drive the terminal from the in-doubt
// dialog either: the report sanitises what it reads from the log again for
// that reason.
func TestInDoubtLastOutputFromALogCannotDriveTheTerminal(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	def := f.addDef(doubtDef)
	ctx := context.Background()
	s, err := runner.Start(ctx, f.config().Options, def, nil)
	if err != nil {
		t.Fatal(err)
	}
	run := s.Run()
	logPath := f.store.LogPath(run.ID)
	if err := os.MkdirAll(filepath.Dir(logPath), 0o700); err != nil {
		t.Fatal(err)
	}
	content := "=== 9.3 step 1 (risky), attempt 1\n" + hostileOutput
	if err := os.WriteFile(logPath, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	detail, _ := json.Marshal(map[string]any{"log": logPath, "log_offset": 0})
	if _, err := f.store.Append(ctx, run.OwnerToken, runner.Event{RunID: run.ID, Kind: runner.EventStarted,
		Step: "risky", PID: os.Getpid(), BootID: runner.BootID(), Detail: string(detail)}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	r, err := f.store.Run(ctx, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, f.config(), &r, "", 100, 40)
	frames := 0
	h.each = func(raw string) {
		frames++
		if bad := hostileLeft(raw, true, false); len(bad) > 0 {
			t.Fatalf("screen %d has what a terminal would act on: %q", frames, bad)
		}
	}
	h.press("enter")
	if h.phase() != phaseInDoubt {
		t.Fatalf("not in doubt:\n%s", h.view())
	}
	h.mustSee("HOSTILE-END")
	h.checkFrame(100, 40)
}
