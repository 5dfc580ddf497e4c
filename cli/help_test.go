package cli

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// commandPaths lists every command a person can call, as args: {"lab",
// "init"}; cobra's help and completion commands included.
func commandPaths(t *testing.T) [][]string {
	t.Helper()
	root := newRootCmd()
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	var out [][]string
	var walk func(c *cobra.Command, path []string)
	walk = func(c *cobra.Command, path []string) {
		if c.Hidden {
			return
		}
		out = append(out, path)
		for _, s := range c.Commands() {
			walk(s, append(append([]string{}, path...), s.Name()))
		}
	}
	walk(root, nil)
	return out
}

// Issue 14, item 5: every command's help has examples.
func TestEveryCommandsHelpHasExamples(t *testing.T) {
	paths := commandPaths(t)
	if len(paths) < 30 {
		t.Fatalf("only %d commands found", len(paths))
	}
	for _, p := range paths {
		out, errs, code := runCLI(t, append(p, "--help")...)
		name := strings.Join(append([]string{"zenrecover"}, p...), " ")
		if code != 0 {
			t.Errorf("%s --help: exit %d %s", name, code, errs)
			continue
		}
		_, ex, _ := strings.Cut(out, "\nExamples:\n")
		ex, _, _ = strings.Cut(ex, "\n\n")
		if !strings.Contains(ex+"\n", "  "+name+" ") && !strings.Contains(ex+"\n", "  "+name+"\n") {
			t.Errorf("%s --help has no example of itself:\n%s", name, out)
		}
	}
}

// shellWords splits an example line as a shell would, as far as examples
// go: quotes, and the line ends at an unquoted #, |, >, < or ;.
func shellWords(line string) []string {
	var words []string
	var cur strings.Builder
	in, quote, have := false, byte(0), false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			} else {
				cur.WriteByte(c)
			}
		case c == '"' || c == '\'':
			quote, have = c, true
		case c == ' ' || c == '\t':
			if have {
				words = append(words, cur.String())
				cur.Reset()
				have = false
			}
		case strings.IndexByte("#|><;", c) >= 0:
			in = true
		default:
			cur.WriteByte(c)
			have = true
		}
		if in {
			break
		}
	}
	if have {
		words = append(words, cur.String())
	}
	return words
}

// Every example line is a command zenrecover takes as written: its
// command exists, its flags are the command's, its arguments are as many
// as the command takes. A command's examples show it at least once.
func TestEveryExampleParses(t *testing.T) {
	for _, p := range commandPaths(t) {
		root := newRootCmd()
		root.InitDefaultHelpCmd()
		root.InitDefaultCompletionCmd()
		fillExamples(root)
		c, _, err := root.Find(p)
		if err != nil {
			t.Fatal(err)
		}
		self := false
		for _, line := range strings.Split(c.Example, "\n") {
			w := shellWords(strings.TrimSpace(line))
			if len(w) == 0 || w[0] != "zenrecover" {
				continue
			}
			r := newRootCmd()
			r.InitDefaultHelpCmd()
			r.InitDefaultCompletionCmd()
			target, rest, err := r.Find(w[1:])
			if err != nil {
				t.Errorf("%q: %v", line, err)
				continue
			}
			self = self || target.CommandPath() == c.CommandPath()
			r.InitDefaultVersionFlag()
			target.InitDefaultHelpFlag()
			if err := target.ParseFlags(rest); err != nil {
				t.Errorf("%q: %v", line, err)
				continue
			}
			if help, _ := target.Flags().GetBool("help"); help {
				continue // cobra checks no argument then
			}
			if err := target.ValidateArgs(target.Flags().Args()); err != nil {
				t.Errorf("%q: %v", line, err)
			}
		}
		if !self && !c.HasSubCommands() {
			t.Errorf("%s: no example runs it:\n%s", c.CommandPath(), c.Example)
		}
	}
}

// Issue 14, item 5: `run` without a procedure says where to find one,
// exit 2, instead of cobra's "accepts 1 arg(s), received 0"; so do the
// other commands that need an argument.
func TestAMissingArgumentSaysWhatAndWhere(t *testing.T) {
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"run"}, []string{"`zenrecover list` shows the procedures", "run one with `zenrecover run ID`"}},
		{[]string{"show"}, []string{"`zenrecover list` shows the procedures", "`zenrecover show ID`"}},
		{[]string{"checklist"}, []string{"`zenrecover list` shows the procedures", "`zenrecover checklist ID`"}},
		{[]string{"report"}, []string{"`zenrecover runs` lists the runs", "`zenrecover report RUN`"}},
		{[]string{"lab", "init"}, []string{"lab init needs DIR", "`zenrecover lab init /tmp/zenlab`"}},
		{[]string{"archive", "create", "/srv"}, []string{"archive create needs DEST", "zenrecover archive create "}},
		{[]string{"lint"}, []string{"lint needs FILE...", "`zenrecover lint "}},
		{[]string{"show", "1.1", "1.2"}, []string{`show takes 1 argument (ID), but was given 2: "1.1" "1.2"`}},
		{[]string{"list", "1.1"}, []string{`list takes no arguments, but was given "1.1"`}},
	} {
		_, errs, code := runCLI(t, c.args...)
		if code != exitUsage || strings.Contains(errs, "arg(s)") {
			t.Errorf("zenrecover %s: exit %d, %q", strings.Join(c.args, " "), code, errs)
		}
		for _, w := range c.want {
			if !strings.Contains(errs, w) {
				t.Errorf("zenrecover %s says %q; want %q in it", strings.Join(c.args, " "), errs, w)
			}
		}
	}
}

// `zenrecover lab foo` printed lab's help and exited 0, as if it had
// worked; now it is refused with a suggestion, like `zenrecover lsit`.
func TestAnUnknownSubcommandIsRefusedWithASuggestion(t *testing.T) {
	for args, want := range map[string]string{
		"lab exprie-certs": `unknown command "exprie-certs" for "zenrecover lab"; did you mean expire-certs?`,
		"archive creat":    `did you mean create?`,
		"lsit":             `unknown command "lsit" for "zenrecover"; did you mean`,
	} {
		_, errs, code := runCLI(t, strings.Fields(args)...)
		if code != exitUsage || !strings.Contains(errs, want) {
			t.Errorf("zenrecover %s: exit %d, %q; want exit 2 and %q", args, code, errs, want)
		}
	}
	if out, _, code := runCLI(t, "lab"); code != 0 || !strings.Contains(out, "Available Commands:") {
		t.Errorf("zenrecover lab alone: exit %d\n%s", code, out)
	}
}

// column is where header's word starts in a table's first line.
func column(t *testing.T, header, word string) int {
	t.Helper()
	i := strings.Index(header, word)
	if i < 0 {
		t.Fatalf("no %s column in %q", word, header)
	}
	return i
}

// Issue 14, item 5: list and runs print tables with a header row, every
// column aligned under its heading.
func TestListAndRunsPrintHeadedTables(t *testing.T) {
	out, _, code := runCLI(t, "list")
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if code != 0 || strings.Join(strings.Fields(lines[0]), " ") != "SECTION ID TITLE" {
		t.Fatalf("list: exit %d, header %q", code, lines[0])
	}
	id, title := column(t, lines[0], "ID"), column(t, lines[0], "TITLE")
	for _, l := range lines[1:] {
		if l[id-1] != ' ' || l[id] == ' ' || l[title-1] != ' ' || l[title] == ' ' {
			t.Errorf("list row not under its headings:\n%s\n%s", lines[0], l)
		}
	}
	if !strings.Contains(out, "server-backup") || len(lines) != 16 || strings.HasSuffix(lines[1], " ") {
		t.Errorf("list:\n%s", out)
	}

	path := filepath.Join(t.TempDir(), "state.db")
	if out, _, _ := runCLIAt(t, path, "runs"); out != "No runs yet.\n" {
		t.Errorf("runs with none: %q", out)
	}
	id1 := interruptedDryRun(t, path)
	if _, errs, code := runCLIAt(t, path, "abandon", id1, "--reason", "wrong CA"); code != 0 {
		t.Fatal(errs)
	}
	if _, _, code := runCLIAt(t, path, "run", "ca-backup", "--dry-run", "--plain"); code != exitStopped {
		t.Fatalf("second run: exit %d", code)
	}
	out, _, _ = runCLIAt(t, path, "runs")
	lines = strings.Split(strings.TrimRight(out, "\n"), "\n")
	if strings.Join(strings.Fields(lines[0]), " ") != "RUN PROCEDURE MODE STATUS STARTED" || len(lines) != 4 {
		t.Fatalf("runs:\n%s", out)
	}
	cols := []int{0}
	for _, w := range []string{"PROCEDURE", "MODE", "STATUS", "STARTED"} {
		cols = append(cols, column(t, lines[0], w))
	}
	for _, l := range []string{lines[1], lines[2]} {
		for _, c := range cols[1:] {
			if l[c-1] != ' ' || l[c] == ' ' {
				t.Errorf("runs row not under its headings:\n%s\n%s", lines[0], l)
			}
		}
	}
	if !strings.HasPrefix(lines[2], id1) || !strings.Contains(lines[2], "abandoned") ||
		!strings.HasPrefix(lines[3], strings.Repeat(" ", cols[1])+"abandoned") || !strings.HasSuffix(lines[3], ": wrong CA") {
		t.Errorf("the abandoned run and its reason, under the procedure column:\n%s", out)
	}
}
