package cli

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"zenrecover/assets"
	"zenrecover/atomicfile"
	"zenrecover/procedures"
)

func newChecklistCmd(g *globals) *cobra.Command {
	var format, answers, out, platform string
	cmd := &cobra.Command{
		Use:   "checklist ID",
		Short: "Print a procedure as a checklist for paper (Markdown, HTML or text)",
		Long: `Print a procedure as a checklist to carry into the server room: every step
with a box to tick, its reference number, its condition in words, the exact
commands, and blanks for the zone, the server, the operator, the date, the
change ticket and the sign-off.

With --answers FILE (the same file as run --answers) only the steps that apply
appear and the known values are filled in. Secrets never appear.

With --platform linux|windows the sheet is for servers of that platform: only
its steps, paths and defaults appear (the answers file may still name another
platform for a server of a mixed zone).

Formats: md (task lists for a forge), html (one self-contained page with print
styles for A4 and US Letter), txt (80 columns, for lpr). Without --format the
extension of -o decides, else md.`,
		Example: `  zenrecover checklist 2.1 --format html -o 2.1.html
  zenrecover checklist 1.2 --format txt -o 1.2.txt
  zenrecover checklist 1.2 --answers answers.yaml      # only the steps that apply
  zenrecover checklist 1.1 --platform windows          # a Windows server's paths`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			lib, err := g.library()
			if err != nil {
				return err
			}
			def, err := g.procedure(lib, args[0])
			if err != nil {
				return err
			}
			format, err := checklistFormat(format, out)
			if err != nil {
				return err
			}
			o := procedures.ChecklistOptions{Platform: platform}
			if platform != "" && platform != procedures.Linux && platform != procedures.Windows {
				return usageErr("--platform %q: choose linux or windows", platform)
			}
			if answers != "" {
				src, err := procedures.ReadFile(answers)
				if err != nil {
					return usageErr("answers file: %v", err)
				}
				if o.Answers, err = procedures.ParseAnswers(answers, src, def); err != nil {
					return usageErr("%v", err)
				}
				o.AnswersFile = filepath.Base(answers)
			}
			var b bytes.Buffer
			if err := procedures.WriteChecklist(&b, def.Checklist(o), format, htmlTheme()); err != nil {
				return err
			}
			return writeOutput(cmd.OutOrStdout(), cmd.ErrOrStderr(), out, b.Bytes(), 0o644)
		},
	}
	cmd.Flags().StringVar(&format, "format", "", "md, html or txt (default: from -o's extension, else md)")
	cmd.Flags().StringVar(&answers, "answers", "", "a YAML file of answers (as for run --answers): only the steps that apply")
	cmd.Flags().StringVarP(&out, "output", "o", "", "write to this file instead of standard output")
	cmd.Flags().StringVar(&platform, "platform", "", "linux or windows: print the sheet for servers of that platform")
	return cmd
}

func checklistFormat(format, out string) (string, error) {
	if format == "" {
		switch strings.ToLower(filepath.Ext(out)) {
		case ".html", ".htm":
			return "html", nil
		case ".txt", ".text":
			return "txt", nil
		}
		return "md", nil
	}
	switch format {
	case "md", "markdown":
		return "md", nil
	case "html":
		return "html", nil
	case "txt", "text":
		return "txt", nil
	}
	return "", usageErr("--format %q: choose md, html or txt", format)
}

// htmlTheme is what the HTML exports are drawn with.
func htmlTheme() fs.FS {
	sub, err := fs.Sub(assets.Checklist, "checklist")
	if err != nil {
		panic(err) // the directory is embedded at build time; cannot happen
	}
	return sub
}

// writeOutput writes to standard output, or to a file that appears whole:
// a half-written checklist must not be printed by mistake.
func writeOutput(stdout, stderr io.Writer, path string, data []byte, perm os.FileMode) error {
	if path == "" || path == "-" {
		_, err := stdout.Write(data)
		return err
	}
	if err := atomicfile.Write(path, data, perm); err != nil {
		return &exitError{code: exitFailed, err: err}
	}
	fmt.Fprintf(stderr, "wrote %s\n", path)
	return nil
}
