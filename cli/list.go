package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"zenrecover/procedures"
)

func newListCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the procedures",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			lib, err := g.library()
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				type item struct {
					ID, Section, Title, Summary string
				}
				var items []item
				for _, d := range lib.All() {
					items = append(items, item{d.ID, d.Section, d.Title, d.Summary})
				}
				return writeJSON(out, items)
			}
			idw := 0
			for _, d := range lib.All() {
				idw = max(idw, len(d.ID))
			}
			for _, d := range lib.All() {
				fmt.Fprintf(out, "%-6s %-*s  %s\n", d.Section, idw, d.ID, d.Title)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
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
	var out []stepJSON
	for _, s := range steps {
		j := stepJSON{ID: s.ID, Ref: s.Ref, Title: s.Title, Condition: s.When, Kind: s.Kind(), Destructive: s.Destructive}
		for _, a := range s.Run {
			j.Command = append(j.Command, a.Value)
		}
		j.Steps = stepsJSON(s.Steps)
		out = append(out, j)
	}
	return out
}

func newShowCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Show a procedure's facts, inputs and steps",
		Args:  cobra.ExactArgs(1),
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
				type factJSON struct {
					ID       string   `json:"id"`
					Type     string   `json:"type"`
					Question string   `json:"question"`
					Choices  []string `json:"choices,omitempty"`
				}
				type inputJSON struct {
					ID     string `json:"id"`
					Type   string `json:"type"`
					Prompt string `json:"prompt"`
					Secret bool   `json:"secret"`
				}
				v := struct {
					ID      string      `json:"id"`
					Section string      `json:"section"`
					Title   string      `json:"title"`
					Summary string      `json:"summary"`
					Facts   []factJSON  `json:"facts"`
					Inputs  []inputJSON `json:"inputs"`
					Steps   []stepJSON  `json:"steps"`
				}{ID: d.ID, Section: d.Section, Title: d.Title, Summary: d.Summary, Steps: stepsJSON(d.Steps)}
				for _, f := range d.Facts {
					v.Facts = append(v.Facts, factJSON{f.ID, f.Type, f.Question, f.Choices})
				}
				for _, in := range d.Inputs {
					v.Inputs = append(v.Inputs, inputJSON{in.ID, in.Type, in.Prompt, in.Secret()})
				}
				return writeJSON(out, v)
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

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
