package tui

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	tea "charm.land/bubbletea/v2"

	"zenrecover/assets"
	"zenrecover/atomicfile"
	"zenrecover/procedures"
)

// The picker's export writes the highlighted procedure's full checklist
// (every step, each conditional one with its condition) into the current
// directory, in two files: HTML to print from a workstation's browser, and
// 80-column text for lpr on the server itself. Asking for a path in the
// middle of an outage is one more thing to get wrong; the names are fixed
// and shown, and `zenrecover checklist` takes -o and --answers for the
// rest. An earlier export of the same procedure is replaced.
//
// The page templates come from assets directly rather than through
// Config, which this screen cannot extend.

// exportedMsg reports where the checklist went, or why it did not.
type exportedMsg struct {
	section string
	paths   []string
	err     error
}

func exportCmd(def *procedures.Definition) tea.Cmd {
	return func() tea.Msg {
		dir, err := os.Getwd()
		if err != nil {
			return exportedMsg{section: def.Section, err: err}
		}
		paths, err := exportChecklist(def, dir)
		return exportedMsg{section: def.Section, paths: paths, err: err}
	}
}

// exportChecklist writes def's checklist into dir as HTML and text and
// returns the files' paths.
func exportChecklist(def *procedures.Definition, dir string) ([]string, error) {
	theme, err := fs.Sub(assets.Checklist, "checklist")
	if err != nil {
		return nil, err
	}
	c := def.Checklist(procedures.ChecklistOptions{})
	base := filepath.Join(dir, "zenrecover-checklist-"+def.Section+"-"+def.ID)
	var paths []string
	for _, f := range []struct{ format, ext string }{{"html", ".html"}, {"txt", ".txt"}} {
		var b bytes.Buffer
		if err := procedures.WriteChecklist(&b, c, f.format, theme); err != nil {
			return paths, err
		}
		p := base + f.ext
		if err := writeWhole(p, b.Bytes()); err != nil {
			return paths, fmt.Errorf("cannot write the checklist in %s: %w", dir, err)
		}
		paths = append(paths, p)
	}
	return paths, nil
}

// writeWhole makes the file appear complete or not at all: a half-written
// checklist must not reach a printer.
func writeWhole(path string, data []byte) error {
	return atomicfile.Write(path, data, 0o644)
}

// exportedWords is what the picker says after an export.
func exportedWords(m exportedMsg) string {
	if m.err != nil {
		return "The checklist of " + m.section + " was not written: " + m.err.Error() +
			". `zenrecover checklist " + m.section + " -o FILE` writes it elsewhere."
	}
	s := "Checklist of " + m.section + " written:"
	for _, p := range m.paths {
		s += " " + p
	}
	return s + " (HTML to print from a browser, text for lpr)."
}
