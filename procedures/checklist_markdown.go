package procedures

import (
	"fmt"
	"io"
	"strings"
)

// WriteChecklistMarkdown writes the checklist as GitHub-flavoured Markdown:
// task lists ("- [ ]") nested as the steps are, commands in fenced blocks,
// blanks as table cells. It renders alike on GitHub, GitLab and Gitea.
func WriteChecklistMarkdown(w io.Writer, c *Checklist) error {
	m := &mdSheet{}
	m.printf("# %s %s\n\n", c.Section, md(c.Title))
	m.printf("**ZENworks 11 SP3 Disaster Recovery — checklist.** %s\n\n", md(c.Summary))
	m.printf("Procedure `%s`, definition `%s`.%s\n\n", c.ProcedureID, shortHash(c.Hash), md(platformWords(c.Platforms)))
	m.printf("%s\n\n", md(shapeWords(c)))

	m.printf("| | |\n|:--|:--|\n")
	for _, l := range []string{"Zone", "Server", "Operator", "Date", "Change ticket"} {
		m.printf("| **%s** | |\n", l)
	}
	for _, p := range passphraseLabels(c) {
		m.printf("| **%s** (the place, never the passphrase) | |\n", md(p))
	}
	m.printf("\n")

	if len(c.Notes) > 0 || len(c.Refusals) > 0 {
		m.printf("## Before you start\n\n")
		for _, r := range c.Refusals {
			m.note("", Note{Kind: "not supported", Text: r})
		}
		for _, n := range c.Notes {
			m.note("", n)
		}
	}
	if len(c.Answered) > 0 {
		m.printf("## %s\n\n", answeredHeading(c))
		for _, a := range c.Answered {
			m.printf("- %s **%s**%s\n", md(a.Label), md(a.Value), md(fromWords(a.From)))
		}
		m.printf("\n")
	}
	if len(c.LeftOut) > 0 {
		m.printf("Left out, their conditions being false: %s.\n\n", md(strings.Join(c.LeftOut, "; ")))
	}
	if len(c.Questions) > 0 {
		m.printf("## Questions\n\nTick one answer each: they decide which steps apply.\n\n")
		for _, q := range c.Questions {
			m.printf("- %s\n", md(q.Question))
			if len(q.Choices) == 0 {
				m.printf("  - answer: %s\n", mdBlank(24))
			}
			for _, ch := range q.Choices {
				m.printf("  - [ ] %s\n", md(ch))
			}
		}
		m.printf("\n")
	}
	if len(c.Values) > 0 || len(c.Secrets) > 0 {
		m.printf("## Values\n\n")
		if len(c.Values) > 0 {
			if c.OpenValues() {
				m.printf("Commands show a value not known yet as `<name>`; write it here first.\n\n")
			}
			m.printf("| Value | In commands | Default | Written in |\n|:--|:--|:--|:--|\n")
			for _, v := range c.Values {
				written := ""
				if v.Value != "" {
					written = "`" + v.Value + "`" + md(fromWords(v.From))
				}
				def := ""
				if v.Default != "" {
					def = "`" + v.Default + "`"
				}
				m.printf("| %s | `%s` | %s | %s |\n", md(v.Label), v.Placeholder(), def, written)
			}
			m.printf("\n")
		}
		if len(c.Secrets) > 0 {
			m.printf("Typed when asked, never written here: %s.\n\n", md(strings.Join(c.Secrets, "; ")))
		}
	}

	m.printf("## Steps\n\n")
	for _, it := range c.Items {
		m.item(it)
	}

	m.printf("## Sign-off\n\n")
	m.printf("- [ ] completed\n- [ ] stopped, to be resumed\n- [ ] abandoned\n\n")
	m.printf("Deviations, problems, zenrecover run id:\n\n")
	m.printf("| | Name | Date and time | Signature |\n|:--|:--|:--|:--|\n| **Done by** | | | |\n| **Checked by** | | | |\n\n")
	m.printf("*End of checklist %s (`%s`), definition `%s`.*\n", c.Section, c.ProcedureID, shortHash(c.Hash))
	_, err := io.WriteString(w, m.b.String())
	return err
}

type mdSheet struct{ b strings.Builder }

func (m *mdSheet) printf(format string, args ...any) { fmt.Fprintf(&m.b, format, args...) }

// item is one task; sub-steps nest two spaces deeper, which is where a
// list item's content starts after "- ".
func (m *mdSheet) item(it ChecklistItem) {
	ind := strings.Repeat("  ", it.Depth)
	body := ind + "  "
	m.printf("%s- [ ] **%s · %s**\n\n", ind, md(it.Label), md(it.Title))
	para := func(s string) { m.printf("%s%s\n\n", body, s) }
	if w := it.IncludesWords(); w != "" {
		para(md(w))
	}
	if it.Condition != "" {
		para("*" + md(it.Condition) + ".*")
	}
	if it.Destructive {
		para("**CHANGES THE SERVER:** make sure you are on the right one before you start.")
	}
	for _, p := range it.Text {
		if strings.Contains(p, "\n") {
			m.literal(body, p)
			continue
		}
		para(md(p))
	}
	if it.Action != "" {
		para(md(it.Action))
	}
	for _, c := range it.Commands {
		fence := mdFence(c.Line)
		m.printf("%s%ssh\n%s%s\n%s%s\n\n", body, fence, body, c.Line, body, fence)
		for _, o := range c.Optional {
			para(md(o) + ".")
		}
	}
	if it.Script != "" {
		m.literal(body, it.Script)
	}
	if len(it.Asks) > 0 {
		para(md("It asks for: " + strings.Join(it.Asks, "; ") + "."))
	}
	for _, n := range it.Notes {
		m.note(body, n)
	}
	if len(it.Checks) > 0 {
		para(md("Check afterwards: " + strings.Join(it.Checks, "; ") + "."))
	}
	if it.FanOut {
		para(md(it.FanOutWords()))
		for _, t := range it.Targets {
			m.printf("%s- [ ] %s\n", body, md(t))
		}
		for range targetBlanks(it) {
			m.printf("%s- [ ] %s\n", body, mdBlank(24))
		}
		m.printf("\n")
	}
}

func (m *mdSheet) note(indent string, n Note) {
	m.printf("%s> **%s:** %s\n\n", indent, strings.ToUpper(n.Kind), md(n.Text))
}

// literal sets a literal block of the definition (SQL, a list of paths)
// in a code block: its lines are meant as written.
func (m *mdSheet) literal(indent, p string) {
	fence := mdFence(p)
	m.printf("%s%s\n", indent, fence)
	for _, l := range strings.Split(p, "\n") {
		m.printf("%s%s\n", indent, l)
	}
	m.printf("%s%s\n\n", indent, fence)
}

func mdBlank(n int) string { return strings.Repeat(`\_`, n) }

// md escapes text so that a forge shows it as written: "<Keystore>" must
// not vanish as an HTML tag, nor "Novell\ZENworks" lose its backslash.
func md(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune("\\`*_[]<>|&~#", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return escapeListStart(b.String())
}

// escapeListStart keeps a text that begins like a list item or a heading
// ("- ", "1. ", "=") from becoming one.
func escapeListStart(s string) string {
	if s == "" {
		return s
	}
	spaceAt := func(i int) bool { return i >= len(s) || s[i] == ' ' || s[i] == '\t' }
	if s[0] == '=' || (s[0] == '-' || s[0] == '+') && spaceAt(1) || strings.HasPrefix(s, "---") {
		return "\\" + s
	}
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i > 0 && i < len(s) && (s[i] == '.' || s[i] == ')') && spaceAt(i+1) {
		return s[:i] + "\\" + s[i:]
	}
	return s
}
