package cli

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// table is what list and runs print without --json: a header row in
// capitals, then one row an item, each column as wide as its widest cell
// (and at least its minimum), two spaces apart, no trailing spaces. A row
// may carry notes (why a run was abandoned, that it was lost): lines under
// it that start where its second column starts, so the eye stays on the
// item they belong to. Plain text, never coloured: it is read by grep and
// awk as often as by a person.
type table struct {
	header []string
	min    []int // minimum widths; the old fixed layout of runs, kept for the eye and for scripts
	rows   [][]string
	notes  [][]string // notes[i]: the lines under rows[i]
}

const tableGap = "  "

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells); t.notes = append(t.notes, nil) }

// note adds a line under the last row added.
func (t *table) note(format string, args ...any) {
	t.notes[len(t.notes)-1] = append(t.notes[len(t.notes)-1], fmt.Sprintf(format, args...))
}

func (t *table) write(w io.Writer) error {
	width := make([]int, len(t.header))
	for i, h := range t.header {
		width[i] = utf8.RuneCountInString(h)
		if i < len(t.min) {
			width[i] = max(width[i], t.min[i])
		}
	}
	for _, r := range t.rows {
		for i, c := range r {
			width[i] = max(width[i], utf8.RuneCountInString(c))
		}
	}
	var b strings.Builder
	line := func(cells []string) {
		for i, c := range cells {
			if i == len(cells)-1 {
				b.WriteString(c)
				break
			}
			b.WriteString(c)
			b.WriteString(strings.Repeat(" ", width[i]-utf8.RuneCountInString(c)))
			b.WriteString(tableGap)
		}
		b.WriteByte('\n')
	}
	line(t.header)
	indent := ""
	if len(width) > 1 {
		indent = strings.Repeat(" ", width[0]+len(tableGap))
	}
	for i, r := range t.rows {
		line(r)
		for _, n := range t.notes[i] {
			b.WriteString(indent + n + "\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
