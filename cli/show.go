package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"zenrecover/procedures"
	"zenrecover/runner"
)

// `show ID --json` is what a script writes an answers file from: every
// fact and input with what the wizard would offer or require (default,
// help, choices, the detector, a secret's minimum length and the variable
// that carries it), so nothing else needs reading. Keys are lower-case
// words joined by underscores, as in the rest of the output. The refusals
// (refuse: when and reason) say which combinations of answers the
// procedure does not support. As in every --json, a list is never null:
// facts, inputs, refuse and steps are [] when empty; a detail only some
// items have (a fact's choices, a step's command and sub-steps) is left
// out where it is empty.

// factJSON is one fact as `show --json` prints it.
type factJSON struct {
	ID       string      `json:"id"`
	Type     string      `json:"type"`
	Question string      `json:"question"`
	Help     string      `json:"help,omitempty"`
	Choices  []string    `json:"choices,omitempty"`
	Default  string      `json:"default,omitempty"`
	Detect   *detectJSON `json:"detect,omitempty"`
}

// detectJSON says how the wizard guesses a fact's answer (offered as the
// default when it runs on the server, never taken silently).
type detectJSON struct {
	FileExists string `json:"file_exists,omitempty"`
	// FileExistsByPlatform is the file looked for on each platform, when
	// it differs (the database folder, the CA's keystore).
	FileExistsByPlatform map[string]string `json:"file_exists_by_platform,omitempty"`
	Platform             bool              `json:"platform,omitempty"`
	// PlatformOf names the input holding the host whose platform the fact
	// is (settled when that host is the server zenrecover acts on).
	PlatformOf string `json:"platform_of,omitempty"`
}

// inputJSON is one input as `show --json` prints it.
type inputJSON struct {
	ID     string `json:"id"`
	Type   string `json:"type"`
	Prompt string `json:"prompt"`
	Help   string `json:"help,omitempty"`
	// Default is the procedure's default, as written: ${run.date} is the
	// date the run starts. An answers file that leaves the input out
	// takes it.
	Default string `json:"default,omitempty"`
	// DefaultByPlatform is the default on each platform when it differs
	// (a Windows server's backups go to c:\zcm_backups); the answer to
	// PlatformFact picks it.
	DefaultByPlatform map[string]string `json:"default_by_platform,omitempty"`
	PlatformFact      string            `json:"platform_fact,omitempty"`
	Secret            bool              `json:"secret"`
	MinLength         int               `json:"min_length,omitempty"`
	// New: a secret being created (typed twice in the wizard, once in
	// plain mode). Escrow: sealed for the team once its step succeeds.
	New    bool `json:"new,omitempty"`
	Escrow bool `json:"escrow,omitempty"`
	// Env is the variable a script gives a secret in; secrets never go in
	// an answers file.
	Env string `json:"env,omitempty"`
	// Format says how to write a list in an answers file.
	Format string `json:"format,omitempty"`
}

// listFormat is how an answers file gives a list input.
const listFormat = "host names separated by commas (\"zen-primary-2, zen-primary-3\"), or a YAML list"

// refusalJSON is a combination of answers the procedure refuses: its
// condition, as the definition writes it, and why.
type refusalJSON struct {
	When   string `json:"when"`
	Reason string `json:"reason"`
}

// stepJSON is one step as `show --json` prints it.
type stepJSON struct {
	ID          string     `json:"id"`
	Ref         string     `json:"ref"`
	Title       string     `json:"title"`
	Condition   string     `json:"condition,omitempty"`
	Kind        string     `json:"kind"`
	Destructive bool       `json:"destructive,omitempty"`
	Command     []string   `json:"command,omitempty"`
	Steps       []stepJSON `json:"steps,omitempty"`
}

func stepsJSON(steps []*procedures.Step) []stepJSON {
	out := []stepJSON{}
	for _, s := range steps {
		j := stepJSON{ID: s.ID, Ref: s.Ref, Title: s.Title, Condition: s.When, Kind: s.Kind(), Destructive: s.Destructive}
		for _, a := range s.Run {
			j.Command = append(j.Command, a.Value)
		}
		if len(s.Steps) > 0 {
			j.Steps = stepsJSON(s.Steps)
		}
		out = append(out, j)
	}
	return out
}

func factsJSON(d *procedures.Definition) []factJSON {
	out := []factJSON{}
	for _, f := range d.Facts {
		j := factJSON{ID: f.ID, Type: f.Type, Question: f.Question, Help: f.Help, Choices: f.Choices, Default: f.Default}
		if det := f.Detect; det != nil {
			j.Detect = &detectJSON{FileExists: det.FileExists, FileExistsByPlatform: det.FileExistsBy.ByPlatform,
				Platform: det.Platform, PlatformOf: det.PlatformOf}
		}
		out = append(out, j)
	}
	return out
}

func refusalsJSON(d *procedures.Definition) []refusalJSON {
	out := []refusalJSON{}
	for _, r := range d.Refuse {
		out = append(out, refusalJSON{When: r.When, Reason: r.Reason})
	}
	return out
}

func inputsJSON(d *procedures.Definition) []inputJSON {
	out := []inputJSON{}
	for _, in := range d.Inputs {
		j := inputJSON{ID: in.ID, Type: in.Type, Prompt: in.Prompt, Help: in.Help, Default: in.Default,
			Secret: in.Secret(), MinLength: in.MinLength, New: in.New, Escrow: in.Escrow}
		if in.Defaults.Split() {
			j.DefaultByPlatform, j.PlatformFact = in.Defaults.ByPlatform, in.DefaultPlatformFact()
		}
		if in.Secret() {
			j.Env = runner.SecretEnvPrefix + strings.ToUpper(in.ID)
		}
		if in.Type == "list" {
			j.Format = listFormat
		}
		out = append(out, j)
	}
	return out
}

func newShowCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Show a procedure's facts, inputs and steps",
		Long: "Shows a procedure's questions (facts), the values its steps need (inputs) and its steps.\n" +
			"--json gives what an answers file (run --answers FILE) is written from: each fact's and\n" +
			"input's id, type, choices, default and help, and for a secret its minimum length and the\n" +
			"ZENRECOVER_SECRET_ variable that carries it (secrets never go in the file).",
		Example: `  zenrecover show 1.4
  zenrecover show ca-restore --json > ca-restore.json    # to write an answers file from`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			lib, err := g.library()
			if err != nil {
				return err
			}
			d, err := g.procedure(lib, args[0])
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				return writeJSON(out, struct {
					ID      string        `json:"id"`
					Section string        `json:"section"`
					Title   string        `json:"title"`
					Summary string        `json:"summary"`
					Facts   []factJSON    `json:"facts"`
					Inputs  []inputJSON   `json:"inputs"`
					Refuse  []refusalJSON `json:"refuse"`
					Steps   []stepJSON    `json:"steps"`
				}{d.ID, d.Section, d.Title, d.Summary, factsJSON(d), inputsJSON(d), refusalsJSON(d), stepsJSON(d.Steps)})
			}
			showText(out, d)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func showText(out io.Writer, d *procedures.Definition) {
	fmt.Fprintf(out, "%s  %s\n%s\n", d.Section, d.Title, d.Summary)
	if len(d.Facts) > 0 {
		fmt.Fprintln(out, "\nQuestions:")
		for _, f := range d.Facts {
			fmt.Fprintf(out, "  %-22s %s\n", f.ID, f.Question)
		}
	}
	fmt.Fprintln(out, "\nSteps:")
	for _, p := range d.Plan(nil) {
		s := p.Step
		indent := strings.Repeat("  ", p.Depth+1)
		fmt.Fprintf(out, "%s%-8s %s", indent, s.Ref, s.Title)
		if w := d.ConditionWords(s); w != "" {
			fmt.Fprintf(out, "  [%s]", w)
		}
		fmt.Fprintln(out)
		if len(s.Run) > 0 {
			var argv []string
			for _, a := range s.Run {
				argv = append(argv, a.Value)
			}
			fmt.Fprintf(out, "%s         $ %s\n", indent, strings.Join(argv, " "))
		}
	}
}
