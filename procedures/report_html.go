package procedures

import (
	"html/template"
	"io"
	"io/fs"
)

// WriteReportHTML writes the report as one self-contained HTML page with
// print styles, drawn with the theme's report.html.tmpl.
func WriteReportHTML(w io.Writer, r *Report, theme fs.FS) error {
	t, css, err := loadTheme(theme, reportTemplate)
	if err != nil {
		return err
	}
	page := struct {
		*Report
		CSS template.CSS
	}{Report: r, CSS: css}
	return t.Execute(w, page)
}
