package procedures

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// TextWidth is the widest line of a text checklist: it goes to lpr from
// the server itself, and a line printer's page is 80 columns.
const TextWidth = 80

// WriteChecklistText writes the checklist as plain text, at most TextWidth
// columns, in ASCII wherever our own words are concerned: a printer queue on
// a server rarely knows typographic quotes.
func WriteChecklistText(w io.Writer, c *Checklist) error {
	t := &textSheet{}
	rule := strings.Repeat("=", TextWidth-1)
	t.line(0, rule)
	t.para(0, 0, "ZENworks 11 SP3 Disaster Recovery - checklist")
	t.para(0, 5, c.Section+"  "+c.Title)
	t.line(0, rule)
	t.para(0, 0, c.Summary)
	t.para(0, 0, fmt.Sprintf("Procedure %s, definition %s.%s", c.ProcedureID, shortHash(c.Hash), platformWords(c.Platforms)))
	t.para(0, 0, shapeWords(c))
	t.blank()

	for _, l := range []string{"Zone", "Server", "Operator", "Date", "Change ticket"} {
		t.blankLine(l, 15)
	}
	for _, p := range passphraseLabels(c) {
		t.para(0, 0, p+" (the place, never the passphrase):")
		t.blankLine("", 15)
	}

	if len(c.Notes) > 0 || len(c.Refusals) > 0 {
		t.heading("Before you start")
		for _, r := range c.Refusals {
			t.note(0, Note{Kind: "not supported", Text: r})
		}
		for _, n := range c.Notes {
			t.note(0, n)
		}
	}
	if len(c.Answered) > 0 {
		t.heading(answeredHeading(c))
		for _, a := range c.Answered {
			t.para(2, 4, "* "+a.Label+" "+strings.ToUpper(a.Value)+fromWords(a.From))
		}
	}
	if len(c.LeftOut) > 0 {
		t.para(0, 2, "Left out, their conditions being false: "+strings.Join(c.LeftOut, "; ")+".")
	}
	if len(c.Questions) > 0 {
		t.heading("Questions")
		t.para(0, 0, "Tick one answer each: they decide which steps apply.")
		for _, q := range c.Questions {
			t.para(2, 0, q.Question)
			if len(q.Choices) == 0 {
				t.blankLine("", 6)
				continue
			}
			var opts []string
			for _, ch := range q.Choices {
				opts = append(opts, "[ ] "+ch)
			}
			t.para(6, 0, strings.Join(opts, "   "))
		}
	}
	if len(c.Values) > 0 || len(c.Secrets) > 0 {
		t.heading("Values")
		if c.OpenValues() {
			t.para(0, 0, "Commands show a value not known yet as <name>; write it here first.")
		}
		for _, v := range c.Values {
			if v.Value != "" {
				t.para(2, 4, fmt.Sprintf("%s: %s%s", v.Label, v.Value, fromWords(v.From)))
				continue
			}
			label := v.Placeholder() + "  " + v.Label
			if v.Default != "" {
				label += " (default: " + v.Default + ")"
			}
			t.para(2, 4, label)
			t.blankLine("", 6)
		}
		if len(c.Secrets) > 0 {
			t.para(2, 2, "Typed when asked, never written on this sheet: "+strings.Join(c.Secrets, "; ")+".")
		}
	}

	t.heading("Steps")
	for _, it := range c.Items {
		t.item(it)
	}

	t.heading("Sign-off")
	t.para(0, 0, "Result:  [ ] completed   [ ] stopped, to be resumed   [ ] abandoned")
	t.para(0, 0, "Deviations, problems, zenrecover run id:")
	for range 3 {
		t.line(0, strings.Repeat("_", TextWidth-1))
	}
	t.blank()
	t.line(0, "Done by     ____________________  Date/time ______________  Signature _________")
	t.blank()
	t.line(0, "Checked by  ____________________  Date/time ______________  Signature _________")
	t.blank()
	t.para(0, 0, fmt.Sprintf("-- end of checklist %s, definition %s --", c.Section, shortHash(c.Hash)))
	_, err := io.WriteString(w, t.b.String())
	return err
}

func (t *textSheet) item(it ChecklistItem) {
	in := 4 * it.Depth
	t.blank()
	t.para(in, 4, "[ ] "+it.Label+"  "+it.Title)
	body := in + 4
	if w := it.IncludesWords(); w != "" {
		t.para(body, 0, w)
	}
	if it.Condition != "" {
		t.para(body, 0, it.Condition+".")
	}
	if it.Destructive {
		t.para(body, 0, "CHANGES THE SERVER: make sure you are on the right one before you start.")
	}
	for _, p := range it.Text {
		if !strings.Contains(p, "\n") {
			t.para(body, 0, p)
			continue
		}
		// A literal block: its lines are meant, so they are kept, set in
		// from the text, and wrapped only where the paper ends.
		for _, l := range strings.Split(p, "\n") {
			if strings.TrimSpace(l) == "" {
				t.blank()
				continue
			}
			t.para(body+2, 4, l)
		}
	}
	if it.Action != "" {
		t.para(body, 0, it.Action)
	}
	for _, c := range it.Commands {
		t.command(body+2, c.Line)
		for _, o := range c.Optional {
			t.para(body, 2, o+".")
		}
	}
	if it.Script != "" {
		// Typed by hand as it stands; a line too long for the paper goes
		// on, set further in.
		for _, l := range strings.Split(it.Script, "\n") {
			t.para(body+2, 4, l)
		}
	}
	if len(it.Asks) > 0 {
		t.para(body, 2, "It asks for: "+strings.Join(it.Asks, "; ")+".")
	}
	for _, n := range it.Notes {
		t.note(body, n)
	}
	if len(it.Checks) > 0 {
		t.para(body, 2, "Check afterwards: "+strings.Join(it.Checks, "; ")+".")
	}
	switch {
	case it.FanOut:
		t.para(body, 0, it.FanOutWords())
		for _, target := range it.Targets {
			t.doneLine(body, "[ ] "+target)
		}
		for range targetBlanks(it) {
			t.doneLine(body, "[ ] "+strings.Repeat("_", 24))
		}
	case !it.Group:
		t.doneLine(body, "")
	}
}

func targetBlanks(it ChecklistItem) int {
	if len(it.Targets) > 0 {
		return 0
	}
	if it.TargetBlanks > 0 {
		return it.TargetBlanks
	}
	return DefaultTargetBlanks
}

// textSheet builds the text checklist. Every line goes through line, which
// folds typography to ASCII and never exceeds TextWidth.
type textSheet struct{ b strings.Builder }

func (t *textSheet) blank() { t.b.WriteString("\n") }

func (t *textSheet) line(indent int, s string) {
	s = strings.TrimRight(strings.Repeat(" ", indent)+asciiFold(s), " ")
	t.b.WriteString(s + "\n")
}

// para wraps s to the width, the first line at indent and the rest hang
// columns further in.
func (t *textSheet) para(indent, hang int, s string) {
	first := true
	for _, l := range wrapWords(asciiFold(s), TextWidth-1-indent, TextWidth-1-indent-hang) {
		if first {
			t.line(indent, l)
			first = false
		} else {
			t.line(indent+hang, l)
		}
	}
}

func (t *textSheet) heading(s string) {
	t.blank()
	t.line(0, strings.ToUpper(s))
	t.line(0, strings.Repeat("-", TextWidth-1))
}

func (t *textSheet) blankLine(label string, at int) {
	pad := at - len(label)
	if pad < 1 && label != "" {
		t.line(0, label)
		label, pad = "", at
	}
	t.line(0, label+strings.Repeat(" ", max(pad, 0))+strings.Repeat("_", TextWidth-1-at))
}

func (t *textSheet) doneLine(indent int, left string) {
	right := "Done at ________ by ________"
	gap := TextWidth - 1 - indent - utf8.RuneCountInString(asciiFold(left)) - len(right)
	if gap < 2 {
		t.para(indent, 4, left)
		left, gap = "", TextWidth-1-indent-len(right)
	}
	t.line(indent, asciiFold(left)+strings.Repeat(" ", gap)+right)
}

func (t *textSheet) note(indent int, n Note) {
	label := strings.ToUpper(n.Kind) + ": "
	t.para(indent, len(label), label+n.Text)
}

// command prints a command as typed after "$ ", broken between arguments
// with a trailing backslash, as a shell would take it, when it is too long.
func (t *textSheet) command(indent int, line string) {
	width := TextWidth - 1 - indent
	prefix, cur := "$ ", ""
	emit := func(more string) {
		t.line(indent, prefix+cur+more)
		prefix, cur = "    ", ""
	}
	for _, w := range strings.Split(asciiFold(line), " ") {
		for {
			room := width - len(prefix) - 2 // " \" must still fit
			need := utf8.RuneCountInString(w)
			if cur != "" {
				need += utf8.RuneCountInString(cur) + 1
			}
			if need <= room {
				if cur != "" {
					cur += " "
				}
				cur += w
				break
			}
			if cur != "" {
				emit(" \\")
				continue
			}
			// An argument longer than the paper is cut where it must be;
			// the backslash says it goes on.
			r := []rune(w)
			cur, w = string(r[:room]), string(r[room:])
			emit("\\")
		}
	}
	emit("")
}

// wrapWords breaks s at spaces: the first line is at most first columns,
// the others at most rest. Spaces inside a line are kept as written (two
// after a step's number); a word longer than a line is cut.
func wrapWords(s string, first, rest int) []string {
	var out []string
	width := first
	cur := ""
	for _, tok := range wordTokens(s) {
		w := strings.TrimRight(tok, " ")
		for utf8.RuneCountInString(w) > width {
			if cur != "" {
				out = append(out, strings.TrimRight(cur, " "))
				cur, width = "", rest
				continue
			}
			r := []rune(w)
			out = append(out, string(r[:width]))
			w, width = string(r[width:]), rest
			tok = w + tok[len(strings.TrimRight(tok, " ")):]
		}
		if cur != "" && utf8.RuneCountInString(cur+w) > width {
			out = append(out, strings.TrimRight(cur, " "))
			cur, width = "", rest
		}
		cur += tok
	}
	if cur = strings.TrimRight(cur, " "); cur != "" || len(out) == 0 {
		out = append(out, cur)
	}
	return out
}

// wordTokens splits s into words, each with the spaces that follow it.
func wordTokens(s string) []string {
	s = strings.TrimLeft(strings.ReplaceAll(s, "\t", " "), " ")
	var out []string
	for s != "" {
		i := strings.IndexByte(s, ' ')
		if i < 0 {
			out = append(out, s)
			break
		}
		j := i
		for j < len(s) && s[j] == ' ' {
			j++
		}
		out = append(out, s[:j])
		s = s[j:]
	}
	return out
}

// asciiFold replaces the typography of our own words (and of the
// reference's) with ASCII, for printers that know nothing else.
func asciiFold(s string) string {
	if isASCII(s) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '“', '”', '„', '«', '»':
			b.WriteByte('"')
		case '‘', '’', '‚':
			b.WriteByte('\'')
		case '—', '–', '‐', '‑', '−':
			b.WriteByte('-')
		case '…':
			b.WriteString("...")
		case '·', '•':
			b.WriteByte('-')
		case '›', '→':
			b.WriteByte('>')
		case '\u00a0':
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func shortHash(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	if h == "" {
		return "(none)"
	}
	return h
}

func platformWords(ps []string) string {
	if len(ps) == 0 {
		return ""
	}
	return " Platforms: " + strings.Join(ps, ", ") + "."
}

func shapeWords(c *Checklist) string {
	if c.AnswersFile != "" {
		return "Shaped by the answers in " + c.AnswersFile + ": only the steps that apply are listed, with the known values filled in."
	}
	return "Every step is listed. A step marked \"Only if\" is done only when its condition holds; the questions below decide."
}

func fromWords(from string) string {
	switch from {
	case "default":
		return " (the procedure's default)"
	case "procedure":
		return " (decided by the procedure)"
	case "--platform":
		return " (the platform this sheet is for)"
	}
	return ""
}

// passphraseLabels are the "where it is kept" lines of the header: one per
// passphrase, or one for the zone's backup passphrase when the procedure
// itself types none.
func passphraseLabels(c *Checklist) []string {
	if len(c.Passphrases) == 0 {
		return []string{"Where the backup passphrase is kept"}
	}
	if len(c.Passphrases) == 1 {
		return []string{"Where the passphrase is kept"}
	}
	var out []string
	for _, p := range c.Passphrases {
		out = append(out, "Where the "+lowerFirst(p)+" is kept")
	}
	return out
}

func answeredHeading(c *Checklist) string {
	if c.AnswersFile == "" {
		for _, a := range c.Answered {
			if a.From != "--platform" {
				return "Decided by the procedure"
			}
		}
		return "Printed for this platform"
	}
	return "Answers that shaped this checklist"
}
