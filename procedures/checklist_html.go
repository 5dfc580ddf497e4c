package procedures

import (
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"strings"
)

// The HTML exports are drawn with a page template and a style sheet that
// main reads from assets (this package imports nothing of ours):
// checklist.html.tmpl, report.html.tmpl and sheet.css at the top of the
// theme. The style sheet is copied into the page, so the file needs
// nothing else to print: no fonts, scripts or images are fetched.
const (
	checklistTemplate = "checklist.html.tmpl"
	reportTemplate    = "report.html.tmpl"
	styleSheet        = "sheet.css"
)

// WriteChecklistHTML writes the checklist as one self-contained HTML page
// with print styles.
func WriteChecklistHTML(w io.Writer, c *Checklist, theme fs.FS) error {
	t, css, err := loadTheme(theme, checklistTemplate)
	if err != nil {
		return err
	}
	page := struct {
		*Checklist
		CSS             template.CSS
		ShortHash       string
		PlatformWords   string
		Shape           string
		AnsweredHeading string
		Blanks          []string
		PassphraseLines []string
	}{
		Checklist: c, CSS: css, ShortHash: shortHash(c.Hash), PlatformWords: platformWords(c.Platforms),
		Shape:           shapeWords(c),
		AnsweredHeading: answeredHeading(c),
		Blanks:          []string{"Zone", "Server", "Operator", "Date", "Change ticket"},
		PassphraseLines: passphraseLabels(c),
	}
	return t.Execute(w, page)
}

func loadTheme(theme fs.FS, name string) (*template.Template, template.CSS, error) {
	if theme == nil {
		return nil, "", fmt.Errorf("no page templates to draw HTML with")
	}
	css, err := fs.ReadFile(theme, styleSheet)
	if err != nil {
		return nil, "", fmt.Errorf("HTML style sheet: %w", err)
	}
	t, err := template.New(name).Funcs(htmlFuncs()).ParseFS(theme, name)
	if err != nil {
		return nil, "", fmt.Errorf("HTML template: %w", err)
	}
	// The style sheet is ours, embedded in the binary: it is trusted CSS.
	return t, template.CSS(css), nil
}

func htmlFuncs() template.FuncMap {
	return template.FuncMap{
		"join": strings.Join,
		"from": fromWords,
		// A paragraph with its own line breaks is a literal block of the
		// definition (SQL, a list of paths): its lines are meant.
		"literal": func(s string) bool { return strings.Contains(s, "\n") },
		// breakable lets a long path wrap after a slash rather than
		// anywhere in a name.
		"breakable": func(s string) template.HTML {
			return template.HTML(strings.ReplaceAll(template.HTMLEscapeString(s), "/", "/<wbr>"))
		},
		"indent": func(depth int) template.CSS {
			return template.CSS(fmt.Sprintf("margin-left: %dmm", 7*depth))
		},
		// The report's; a template is parsed with every function it
		// could call.
		"time":     reportTime,
		"duration": reportDuration,
		"status":   StatusWords,
		"lower":    lowerFirst,
	}
}
