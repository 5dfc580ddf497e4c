package procedures

// Checklists. Decisions beyond DESIGN.md:
//
//   - A checklist is drawn from the definition alone: the same sheet comes
//     out on a workstation, on a server without ZENworks, and before any
//     run. It names the definition's hash, so a filed sheet says what it
//     was printed from.
//   - Without answers every step appears, a conditional one with its
//     condition in words, and the questions that decide them are at the top
//     with a box per answer. With an answers file only the steps that apply
//     appear, defaults fill what the file leaves out (as run --answers
//     does), the steps it rules out are named at the top, and a step that
//     reads a value only a run can tell (step 4 changed the file) keeps its
//     condition.
//   - A value not known yet shows as <name> in commands and texts, and has
//     a blank in the Values section. A secret has neither: the sheet says
//     it is typed when asked. The header's passphrase line asks where it is
//     kept, never what it is.
//   - An argument whose condition is not decided is shown in [brackets]
//     with its condition; one that is decided is kept or dropped.
//   - A paragraph with its own line breaks (a YAML literal block: SQL, a
//     list of paths) is set as preformatted text, since its lines are meant.
//   - A fan-out step has a line to tick per target: the targets when the
//     answers list them, else DefaultTargetBlanks blank lines.
//   - Text is ASCII in our own words, at most TextWidth columns; a command
//     too long for the line breaks between arguments with a backslash.

import (
	"fmt"
	"io"
	"io/fs"
	"strings"
)

// Checklist is a procedure laid out for paper: what the Markdown, HTML and
// text renderers draw. It is built from a definition alone, so a checklist
// can be printed before anything runs and on a machine without ZENworks.
type Checklist struct {
	ProcedureID string
	Section     string
	Title       string
	Summary     string
	Platforms   []string
	Hash        string // the definition's canonical hash, so a filed sheet names what it was printed from
	Notes       []Note

	// AnswersFile names the answers file that shaped the checklist; empty
	// for the full checklist, where every conditional step appears.
	AnswersFile string
	Answered    []ChecklistValue    // facts decided by the file, its defaults or the definition
	Questions   []ChecklistQuestion // facts still open: ticked on paper
	Values      []ChecklistValue    // the non-secret inputs the commands use
	Secrets     []string            // prompts of the secrets: typed when asked, never written down
	Passphrases []string            // one "where it is kept" line each
	LeftOut     []string            // steps the answers rule out ("1.2 step 6 Restore the ZENworks database")
	Refusals    []string            // when the procedure must not be used, in words

	Items []ChecklistItem
}

// ChecklistQuestion is a fact the administrator answers on paper.
type ChecklistQuestion struct {
	ID       string
	Question string
	Choices  []string // yes and no for a yes/no fact; empty for free text
}

// ChecklistValue is a value a command or an instruction uses.
type ChecklistValue struct {
	ID      string
	Label   string // the question or the prompt
	Value   string // empty when it is to be written in
	Default string // the procedure's default, shown beside a blank
	From    string // where Value came from: "answers file", "default", "procedure"
}

// Placeholder is how commands show the value while it is not known.
func (v ChecklistValue) Placeholder() string { return "<" + v.ID + ">" }

// ChecklistItem is one step or sub-step: a box to tick.
type ChecklistItem struct {
	ID          string
	Number      string // as the reference writes it: "11c", "2, 3, 4"
	Label       string // as an administrator says it: "2.1 step 11c"
	Title       string
	Depth       int
	Group       bool   // holds sub-steps only: ticked when they are all done
	Includes    string // the section the sub-steps come from ("section 1.3"); empty for a fragment
	IncludesOf  string // its title
	Condition   string // "Only if …"; empty when the step always applies
	Destructive bool
	Text        []string // paragraphs: what to do and why
	Action      string   // what a copy, check or edit-xml step does, in words
	Commands    []ChecklistCommand
	Script      string   // text typed by hand (SQL in the database's editor), exactly
	Asks        []string // what the command prompts for, in order
	Checks      []string // how to tell afterwards that it took effect
	Notes       []Note

	// A step that fans out over servers or devices has a line per target:
	// the known targets, else TargetBlanks lines to fill in.
	FanOut       bool
	TargetsLabel string // what the targets are ("Satellites of this zone")
	Targets      []string
	TargetBlanks int
	// Fleet: a command the wizard runs on each target, so the whole list
	// can be handed to Ansible (FanOutWords says so on paper too).
	Fleet bool
}

// ChecklistCommand is one command exactly as it is typed.
type ChecklistCommand struct {
	Line string
	// Optional explains each argument shown in [brackets]: present only
	// when its condition holds, which the answers do not decide.
	Optional []string
}

// DefaultTargetBlanks is how many lines a fan-out step gets when its
// targets are not known yet: enough for a small zone, and the margin takes
// the rest.
const DefaultTargetBlanks = 4

// ChecklistOptions says what shapes a checklist.
type ChecklistOptions struct {
	// Answers, when not nil, are the answers file's values: only the steps
	// that apply appear, and the known values are filled in. Facts and
	// inputs the file leaves out take their defaults, as `run --answers`
	// does.
	Answers     Values
	AnswersFile string
	// Platform, when not empty, is the platform the sheet is printed for
	// (zenrecover checklist --platform): every platform fact the answers
	// leave open is decided so (IsPlatformFact: this server's, each host's,
	// the other servers'), so only that platform's steps, paths and
	// defaults appear.
	Platform string
}

// Checklist lays the definition out for paper.
func (d *Definition) Checklist(o ChecklistOptions) *Checklist {
	c := &Checklist{
		ProcedureID: d.ID, Section: d.Section, Title: d.Title, Summary: d.Summary,
		Platforms: d.Platforms, Hash: d.Hash, Notes: d.Notes,
	}
	if o.Platform != "" {
		c.Platforms = []string{o.Platform}
	}
	shaped := o.Answers != nil
	if shaped {
		c.AnswersFile = o.AnswersFile
		if c.AnswersFile == "" {
			c.AnswersFile = "answers"
		}
	}
	vals := Values{}
	for k, v := range o.Answers {
		vals[k] = v
	}
	for _, f := range d.Facts {
		from := "answers file"
		byPlatform := false
		if _, ok := vals[f.ID]; !ok && o.Platform != "" && f.IsPlatformFact() {
			if v, err := f.CheckFact(o.Platform); err == nil {
				vals[f.ID], from, byPlatform = v, "--platform", true
			}
		}
		if _, ok := vals[f.ID]; !ok && shaped && f.Default != "" {
			if v, err := f.CheckFact(f.Default); err == nil {
				vals[f.ID], from = v, "default"
			}
		}
		if v, known := vals[f.ID]; known && (shaped || byPlatform) {
			c.Answered = append(c.Answered, ChecklistValue{ID: f.ID, Label: f.Question, Value: factWords(f, v), From: from})
			continue
		}
		q := ChecklistQuestion{ID: f.ID, Question: f.Question, Choices: f.Choices}
		if f.Type == "bool" {
			q.Choices = []string{"yes", "no"}
		}
		c.Questions = append(c.Questions, q)
	}
	for _, in := range d.Inputs {
		if in.Secret() {
			c.Secrets = append(c.Secrets, in.Prompt)
			if isPassphrase(in) {
				c.Passphrases = append(c.Passphrases, in.Prompt)
			}
			continue
		}
		// A default with the run's date shows it as a blank to fill in
		// (<run.date>): the checklist is printed before any run.
		def := in.DefaultWith(vals)
		cv := ChecklistValue{ID: in.ID, Label: in.Prompt, Default: def}
		if def == "" && in.Defaults.Split() {
			// The platform is open: the sheet shows the default of each,
			// and a run offers the one of the server's.
			var each []string
			for _, pl := range []string{Linux, Windows} {
				if v, ok := in.Defaults.For(pl); ok {
					each = append(each, pl+": "+ExpandOrPlaceholder(v, vals))
				}
			}
			cv.Default = strings.Join(each, "; ")
		}
		if v, ok := vals[in.ID]; ok {
			cv.Value, cv.From = v, "answers file"
		} else if shaped && def != "" {
			vals[in.ID] = def
			cv.Value, cv.From = def, "default"
		}
		c.Values = append(c.Values, cv)
	}
	// A step that no answers could bring in (an include decides it away)
	// is not the answers' doing; only the outermost step they rule out is
	// named, its sub-steps go with it.
	never := map[*Step]bool{}
	for _, p := range d.Plan(Values{}) {
		never[p.Step] = p.Applies == No
	}
	// Nor are the steps of another platform: a sheet for a Linux server
	// does not list the Windows steps it leaves out.
	platforms := Values{}
	for _, f := range d.Facts {
		if v, ok := vals[f.ID]; ok && f.IsPlatformFact() {
			platforms[f.ID] = v
		}
	}
	if len(platforms) > 0 {
		for _, p := range d.Plan(platforms) {
			never[p.Step] = never[p.Step] || p.Applies == No
		}
	}
	out := map[*Step]bool{}
	env := d.env(vals)
	for _, p := range d.Plan(vals) {
		if out[p.Step.Parent] {
			out[p.Step] = true
			continue
		}
		if p.Applies == No {
			out[p.Step] = true
			if shaped && !never[p.Step] {
				c.LeftOut = append(c.LeftOut, d.FullRef(p.Step)+" "+p.Step.Title)
			}
			continue
		}
		own := d.ownApplies(p.Step, env)
		if p.Applies == Undecided && own == No {
			// Under an open question, but its own condition is decided
			// (an include's with: settles it): never done here.
			out[p.Step] = true
			continue
		}
		it := d.checklistItem(p, vals)
		if own == Undecided {
			it.Condition = d.ConditionWords(p.Step)
		}
		c.Items = append(c.Items, it)
	}
	for _, r := range d.Refuse {
		c.Refusals = append(c.Refusals, d.refusalWords(r, vals))
	}
	return c
}

// ownApplies decides a step by its own condition alone, as the step sees
// the answers (with what its includes decide); Plan stops deciding below a
// step that is undecided.
func (d *Definition) ownApplies(s *Step, env map[string]any) Applies {
	if s.cond == nil {
		return Yes
	}
	switch ok, decided, err := s.cond.Eval(envAt(s, env)); {
	case err == nil && !decided && d.alwaysFalse(s.cond, envAt(s, env)):
		return No // false whatever the open questions' answers (a platform the sheet is for)
	case err != nil || !decided:
		return Undecided
	case !ok:
		return No
	}
	return Yes
}

// refusalWords says when the procedure must not be used, or that these
// answers are such a case.
func (d *Definition) refusalWords(r *Refusal, vals Values) string {
	reason := strings.TrimSpace(r.Reason)
	if r.cond != nil {
		if ok, decided, err := r.cond.Eval(d.env(vals)); err == nil && decided && ok {
			return "These answers are not supported; do not go on. " + reason
		}
	}
	return "Stop if" + strings.TrimPrefix(d.WhenWords(r.When), "Only if") + ": " + reason
}

func (d *Definition) checklistItem(p PlanStep, vals Values) ChecklistItem {
	s := p.Step
	it := ChecklistItem{
		ID: s.ID, Number: s.Ref, Label: d.FullRef(s), Title: s.Title, Depth: p.Depth,
		Destructive: s.Destructive, Notes: s.Notes,
	}
	switch s.Kind() {
	case "group":
		it.Group = true
	case "include":
		it.Group = true
		for _, inc := range d.included {
			if inc.ID == s.Include {
				it.IncludesOf = inc.Title
				if inc.Section != "" {
					it.Includes = "section " + inc.Section
				}
			}
		}
	}
	it.Text = paragraphs(ExpandOrPlaceholder(s.Instructions, vals))
	it.Text = append(it.Text, paragraphs(ExpandOrPlaceholder(s.Manual, vals))...)
	if len(s.Run) > 0 {
		it.Commands = append(it.Commands, d.checklistCommand(s, vals))
		it.Asks = d.asks(s)
	}
	if a := s.Archive; a != nil {
		it.Commands = append(it.Commands, ChecklistCommand{Line: "zenrecover archive create --passphrase " + shellWord(ExpandOrPlaceholder(a.From, vals)) + " " + shellWord(ExpandOrPlaceholder(a.To, vals))})
	}
	if x := s.Extract; x != nil {
		it.Commands = append(it.Commands, ChecklistCommand{Line: "zenrecover archive extract " + shellWord(ExpandOrPlaceholder(x.From, vals)) + " " + shellWord(ExpandOrPlaceholder(x.To, vals))})
	}
	if len(s.Command) > 0 {
		var words []string
		for _, a := range s.Command {
			words = append(words, shellWord(ExpandOrPlaceholder(a, vals)))
		}
		it.Commands = append(it.Commands, ChecklistCommand{Line: strings.Join(words, " ")})
	}
	it.Script = strings.Trim(ExpandOrPlaceholder(s.Script, vals), "\n")
	if s.SQL != nil {
		it.Script = strings.Trim(ExpandOrPlaceholder(s.SQL.Script, vals), "\n")
	}
	if s.Each != "" {
		it.FanOut = true
		it.Fleet = len(s.Run) > 0
		if in := d.InputByID(s.Each); in != nil {
			it.TargetsLabel = in.Prompt
		}
		if v, ok := vals[s.Each]; ok {
			it.Targets = Targets(v)
		}
	}
	it.Action = actionWords(s, vals)
	for _, c := range s.Verify {
		it.Checks = append(it.Checks, checkWords(c, vals, true))
	}
	return it
}

// checklistCommand shows argv as it is typed at a shell. An argument whose
// condition the answers decide is kept or dropped; one they do not decide
// is shown in brackets with its condition.
func (d *Definition) checklistCommand(s *Step, vals Values) ChecklistCommand {
	env := envAt(s, d.env(vals))
	var words []string
	var cmd ChecklistCommand
	for _, a := range s.Run {
		w := shellWord(ExpandOrPlaceholder(a.Value, vals))
		if a.cond != nil {
			ok, decided, err := a.cond.Eval(env)
			switch {
			case err == nil && decided && !ok:
				continue
			case err != nil || !decided:
				cmd.Optional = append(cmd.Optional, fmt.Sprintf("[%s]: %s", w, lowerFirst(d.WhenWords(a.When))))
				w = "[" + w + "]"
			}
		}
		words = append(words, w)
	}
	cmd.Line = strings.Join(words, " ")
	return cmd
}

// asks lists what a command prompts for; the answers are typed there, never
// written on the sheet.
func (d *Definition) asks(s *Step) []string {
	var out []string
	seen := map[string]bool{}
	for _, a := range s.Answers {
		if a.Value != "" {
			w := "answer " + a.Value
			if a.Means != "" {
				w += " (" + a.Means + ")"
			}
			out = append(out, w)
			continue
		}
		in := d.InputByID(a.Input)
		if in == nil || seen[in.ID] {
			continue
		}
		seen[in.ID] = true
		w := in.Prompt
		if in.New {
			w += " (twice)"
		}
		out = append(out, w)
	}
	return out
}

func actionWords(s *Step, vals Values) string {
	x := func(t string) string { return ExpandOrPlaceholder(t, vals) }
	switch {
	case s.Copy != nil:
		policy := "an existing file that differs stops the copy"
		if s.Copy.Overwrite {
			policy = "existing files that differ are replaced"
		}
		from := x(s.Copy.From)
		if s.Copy.FromHost != "" {
			from += " on " + x(s.Copy.FromHost)
		}
		to := x(s.Copy.To)
		if s.Copy.ToHost != "" {
			return fmt.Sprintf("Copy %s from this server to %s on %s (%s).", from, to, x(s.Copy.ToHost), policy)
		}
		return fmt.Sprintf("Copy %s to %s (%s).", from, to, policy)
	case s.EditXML != nil:
		return fmt.Sprintf("In %s, make <%s> hold %s.", x(s.EditXML.File), strings.TrimLeft(s.EditXML.Element, "/"), x(s.EditXML.Value))
	case s.Archive != nil:
		w := fmt.Sprintf("zenrecover archives %s into the encrypted archive set %s (it resumes where it stopped if interrupted).", x(s.Archive.From), x(s.Archive.To))
		if len(s.Archive.Require) > 0 {
			w += " It checks that " + strings.Join(s.Archive.Require, ", ") + " is in it."
		}
		return w
	case s.Extract != nil:
		return fmt.Sprintf("zenrecover restores the archive set %s into %s, checking every file against its manifest.", x(s.Extract.From), x(s.Extract.To))
	case s.SQL != nil:
		w := "Run these statements against the zone database (zenrecover runs them where it has a database client)."
		if s.SQL.Expect != "" {
			w += " The result must show " + x(s.SQL.Expect) + "."
		}
		return w
	case s.Chown != nil:
		var ps []string
		for _, p := range s.Chown.Paths {
			ps = append(ps, x(p))
		}
		return fmt.Sprintf("Make %s belong to %s (chown %s).", strings.Join(ps, " and "), s.Chown.Owner, s.Chown.Owner)
	case len(s.Check) > 0:
		var ws []string
		for _, c := range s.Check {
			ws = append(ws, checkWords(c, vals, false))
		}
		return "Check that " + strings.Join(ws, ", and that ") + "."
	}
	return ""
}

func checkWords(c CheckSpec, vals Values, after bool) string {
	x := func(t string) string { return ExpandOrPlaceholder(t, vals) }
	switch {
	case c.FileExists != "":
		return x(c.FileExists) + " exists"
	case c.NewerThanStart != "":
		if after {
			return x(c.NewerThanStart) + " was written after the step started"
		}
		return x(c.NewerThanStart) + " is new"
	case c.Writable != "":
		return "files can be created in " + x(c.Writable)
	case c.XMLPathExists != nil:
		return fmt.Sprintf("<%s> in %s names an existing file", strings.TrimLeft(c.XMLPathExists.Element, "/"), x(c.XMLPathExists.File))
	case c.ArchiveComplete != "":
		return x(c.ArchiveComplete) + " is a complete archive set (zenrecover archive verify)"
	case c.ResolvesTo != nil:
		return x(c.ResolvesTo.Name) + " resolves to " + x(c.ResolvesTo.Address)
	case c.AddressLocal != "":
		return x(c.AddressLocal) + " is an address of this server"
	}
	return ""
}

// paragraphs splits a text at blank lines, keeping the line breaks inside a
// paragraph: a literal block (SQL, a list of paths) means its lines.
func paragraphs(t string) []string {
	t = strings.TrimSpace(strings.ReplaceAll(t, "\r\n", "\n"))
	if t == "" {
		return nil
	}
	var out []string
	for _, p := range strings.Split(t, "\n\n") {
		if p = strings.Trim(p, "\n"); strings.TrimSpace(p) != "" {
			out = append(out, p)
		}
	}
	return out
}

func factWords(f *Fact, v string) string {
	if f.Type == "bool" {
		if b, err := ParseBool(v); err == nil {
			return yesNo(b)
		}
	}
	return v
}

// isPassphrase tells a passphrase that someone must keep (it opens a
// backup) from a password the administrator already knows.
func isPassphrase(in *Input) bool {
	return in.Escrow || strings.Contains(strings.ToLower(in.ID+" "+in.Prompt), "passphrase")
}

// shellWord quotes an argument that holds a space or a quote, leaving
// placeholders and paths as they are typed.
func shellWord(w string) string {
	if w == "" {
		return `""`
	}
	if !strings.ContainsAny(w, " \t\"'") {
		return w
	}
	return `"` + strings.ReplaceAll(w, `"`, `\"`) + `"`
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// WriteChecklist writes the checklist in a format: "md", "html" or "txt".
// theme is what HTML is drawn with (see WriteChecklistHTML).
func WriteChecklist(w io.Writer, c *Checklist, format string, theme fs.FS) error {
	switch format {
	case "md", "markdown":
		return WriteChecklistMarkdown(w, c)
	case "html":
		return WriteChecklistHTML(w, c, theme)
	case "txt", "text":
		return WriteChecklistText(w, c)
	}
	return fmt.Errorf("checklist format %q: choose md, html or txt", format)
}

// FanOutWords introduces the target lines of a fan-out step.
func (it ChecklistItem) FanOutWords() string {
	if it.TargetsLabel == "" {
		return "One line per target" + it.fleetWords() + ":"
	}
	label := it.TargetsLabel
	if i := strings.Index(label, " ("); i > 0 {
		label = label[:i] // the prompt's own explanation belongs to the prompt
	}
	return "One line per target (" + lowerFirst(label) + ")" + it.fleetWords() + ":"
}

// fleetWords says that the targets of a command run on each can go to
// Ansible together; what Ansible will do is the command above, per target.
func (it ChecklistItem) fleetWords() string {
	if !it.Fleet {
		return ""
	}
	return ", or hand them all to Ansible (f at this step in the wizard writes an inventory and a playbook that run the command above on each target, and records each target's result)"
}

// BlankTargets is how many empty target lines a fan-out step gets.
func (it ChecklistItem) BlankTargets() int { return targetBlanks(it) }

// IncludesWords says where an include step's sub-steps come from.
func (it ChecklistItem) IncludesWords() string {
	switch {
	case it.IncludesOf == "":
		return ""
	case it.Includes != "":
		return "The steps of " + it.Includes + ", " + it.IncludesOf + ", follow as sub-steps."
	}
	return "The steps of “" + it.IncludesOf + "” follow as sub-steps."
}

// OpenValues reports whether any value is still to be written in.
func (c *Checklist) OpenValues() bool {
	for _, v := range c.Values {
		if v.Value == "" {
			return true
		}
	}
	return false
}
