// Package assets holds the files zenrecover embeds: the procedure
// definitions (and, later, checklist templates and the lab's fixtures).
package assets

import "embed"

// FS is read-only; main hands it to whoever loads from it.
//
//go:embed procedures/*.yaml
var FS embed.FS
