// Package assets holds the files zenrecover embeds: the procedure
// definitions, and the page templates and style sheet of the HTML
// checklists and reports (and, later, the lab's fixtures).
package assets

import "embed"

// FS is read-only; main hands it to whoever loads from it.
//
//go:embed procedures/*.yaml
var FS embed.FS

// Checklist holds checklist/checklist.html.tmpl, checklist/report.html.tmpl
// and checklist/sheet.css: what the HTML exports are drawn with.
//
//go:embed checklist
var Checklist embed.FS
