package tui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// fit makes s exactly h lines, none wider than w: longer text is cut, not
// wrapped, so a screen never pushes the footer off a small terminal.
func fit(s string, w, h int) string {
	if h <= 0 {
		return ""
	}
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		lines[i] = clip(l, w)
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// clip cuts one line to w cells, marking the cut with an ellipsis.
func clip(line string, w int) string {
	if w <= 0 {
		return ""
	}
	if ansi.StringWidth(line) <= w {
		return line
	}
	return ansi.Truncate(line, w, "…")
}

// pad fills a line with spaces to w cells (after clipping it to w).
func pad(line string, w int) string {
	line = clip(line, w)
	if n := w - ansi.StringWidth(line); n > 0 {
		return line + strings.Repeat(" ", n)
	}
	return line
}

// wrap word-wraps plain text to w cells, keeping the paragraph breaks and
// every space of the text: a command or a path is shown exactly, and is
// broken only at spaces (not at hyphens, as host names have them), or in
// the middle when a single word is wider than the screen.
func wrap(text string, w int) []string {
	if w < 1 {
		w = 1
	}
	text = strings.TrimRight(text, "\n")
	if text == "" {
		return nil
	}
	var out []string
	for _, para := range strings.Split(text, "\n") {
		line, lw := "", 0
		flush := func() {
			out = append(out, line)
			line, lw = "", 0
		}
		for i, word := range strings.Split(para, " ") {
			ww := ansi.StringWidth(word)
			if i > 0 {
				if lw+1+ww <= w {
					line += " " + word
					lw += 1 + ww
					continue
				}
				flush()
			}
			for ww > w {
				out = append(out, ansi.Cut(word, 0, w))
				word = ansi.Cut(word, w, ww)
				ww = ansi.StringWidth(word)
			}
			line, lw = word, ww
		}
		out = append(out, line)
	}
	return out
}

// lines splits a rendered block into lines, dropping one trailing newline.
func lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// styled renders each line with render, so a style never spans a line
// break (cutting a line then never leaves a colour open).
func styled(ls []string, render func(...string) string) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = render(l)
	}
	return out
}
