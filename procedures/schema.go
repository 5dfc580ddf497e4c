package procedures

import "strings"

// Definition is one procedure as written in a YAML file.
type Definition struct {
	ID      string `yaml:"id" json:"id"`
	Title   string `yaml:"title" json:"title"`
	Section string `yaml:"section" json:"section"`
	Summary string `yaml:"summary" json:"summary"`
	// Fragment marks a definition that is only included by others (a
	// reliable backup): it has no section of its own and is not listed.
	Fragment  bool     `yaml:"fragment" json:"fragment,omitempty"`
	Platforms []string `yaml:"platforms" json:"platforms,omitempty"`
	Notes     []Note   `yaml:"notes" json:"notes,omitempty"`
	Facts     []*Fact  `yaml:"facts" json:"facts,omitempty"`
	Inputs    []*Input `yaml:"inputs" json:"inputs,omitempty"`
	// Refuse lists the combinations the reference does not support; a run
	// whose answers match one stops before any step, with the reason.
	Refuse []*Refusal `yaml:"refuse" json:"refuse,omitempty"`
	Steps  []*Step    `yaml:"steps" json:"steps"`

	// Filled by the loader.
	File   string `yaml:"-" json:"-"`
	Source []byte `yaml:"-" json:"-"`
	Hash   string `yaml:"-" json:"-"`
	// Fixed holds the facts that an include's `with:` decides; they are
	// not asked.
	Fixed    map[string]string `yaml:"-" json:"fixed,omitempty"`
	included []*Definition     // what the include steps brought in, for the bundle
	varies   map[string]bool   // facts decided differently by different includes
	linked   bool
	parsed   *source // the parsed text, kept while linking for positioning its errors
}

// Refusal is an unsupported combination of answers.
type Refusal struct {
	When   string `yaml:"when" json:"when"`
	Reason string `yaml:"reason" json:"reason"`
	cond   *Condition
}

// Refused returns the reason the answers so far are not supported, or "".
func (d *Definition) Refused(vals Values) string {
	env := d.env(vals)
	for _, r := range d.Refuse {
		if ok, decided, err := r.cond.Eval(env); err == nil && decided && ok {
			return r.Reason
		}
	}
	return ""
}

// Note is an IMPORTANT, WARNING or NOTE block of the reference.
type Note struct {
	Kind string `yaml:"kind" json:"kind"`
	Text string `yaml:"text" json:"text"`
}

// Fact is something the procedure branches on.
type Fact struct {
	ID       string    `yaml:"id" json:"id"`
	Type     string    `yaml:"type" json:"type"` // bool, choice, string
	Question string    `yaml:"question" json:"question"`
	Help     string    `yaml:"help" json:"help,omitempty"`
	Choices  []string  `yaml:"choices" json:"choices,omitempty"`
	Default  string    `yaml:"default" json:"default,omitempty"`
	Detect   *Detector `yaml:"detect" json:"detect,omitempty"`
}

// Detector tells a fact's likely value from the machine. Its answer is only
// ever offered as the default.
//
// file-exists may name a file per platform ({linux: ..., windows: ...}):
// the one of the platform the server runs is looked for. Where the machine
// cannot tell (no file named for its platform, guide mode), nothing is
// offered and the operator answers.
type Detector struct {
	// FileExists is the file looked for when it is the same on every
	// platform; FileExistsBy holds the file per platform otherwise.
	FileExists   string        `yaml:"-" json:"file-exists,omitempty"`
	FileExistsBy PlatformValue `yaml:"file-exists" json:"file-exists-by,omitzero"`
	// Platform: the fact is the operating system of the server zenrecover
	// acts on, settled without asking (runner: Options.Platform, the lab's,
	// else this machine's).
	Platform bool `yaml:"platform" json:"platform,omitempty"`
	// PlatformOf names a string input or fact holding a host name: the fact
	// is that host's operating system, settled without asking when the
	// host is the server zenrecover acts on (or a lab's copy of a host),
	// asked otherwise.
	PlatformOf string `yaml:"platform-of" json:"platform-of,omitempty"`
}

// Input is a value the steps need.
type Input struct {
	ID     string `yaml:"id" json:"id"`
	Type   string `yaml:"type" json:"type"` // string, path, list, secret
	Prompt string `yaml:"prompt" json:"prompt"`
	Help   string `yaml:"help" json:"help,omitempty"`
	// Default is offered when it is the same on every platform; Defaults
	// holds it when it differs by platform (a YAML map linux:/windows:),
	// picked by the answer to DefaultPlatformFact (DefaultFor).
	Default  string        `yaml:"-" json:"default,omitempty"`
	Defaults PlatformValue `yaml:"default" json:"defaults,omitzero"`
	// PlatformFact names the fact whose answer picks a default given per
	// platform, when it is not this server's platform (1.5: the source
	// server's backup file follows source_platform).
	PlatformFact string `yaml:"platform-fact" json:"platform-fact,omitempty"`
	New          bool   `yaml:"new" json:"new,omitempty"` // a secret being created: typed twice
	MinLength    int    `yaml:"min-length" json:"min-length,omitempty"`
	Escrow       bool   `yaml:"escrow" json:"escrow,omitempty"`
}

// Targets splits a list input's value into its targets.
func Targets(v string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == '\n' || r == ' ' || r == '\t' }) {
		out = append(out, f)
	}
	return out
}

// Secret reports whether the input is never shown or stored.
func (in *Input) Secret() bool { return in.Type == "secret" }

// Step is one numbered (or lettered) step of the reference.
type Step struct {
	ID           string `yaml:"id" json:"id"`
	Ref          string `yaml:"ref" json:"ref"`
	Title        string `yaml:"title" json:"title"`
	When         string `yaml:"when" json:"when,omitempty"`
	Instructions string `yaml:"instructions" json:"instructions,omitempty"`
	Notes        []Note `yaml:"notes" json:"notes,omitempty"`
	Destructive  bool   `yaml:"destructive" json:"destructive,omitempty"`
	Idempotent   bool   `yaml:"idempotent" json:"idempotent,omitempty"`
	Provides     string `yaml:"provides" json:"provides,omitempty"`

	// Each fans the step out over the targets of a list input (every
	// Primary Server, every Satellite); each target is done and journaled
	// on its own, and ${target} names it in the step's texts.
	Each string `yaml:"each" json:"each,omitempty"`
	// On is the host the step is done on (a name, or ${input} / ${target}).
	// Empty, or this machine's name, means here. On a live server a step on
	// another host is shown with what to do there and confirmed by the
	// operator; in a lab it runs against the lab's copy of that host.
	On string `yaml:"on" json:"on,omitempty"`
	// Command is what the operator runs by hand, elsewhere (on each target
	// of a fan-out, in a database client): shown exactly, never run here.
	Command []string `yaml:"command" json:"command,omitempty"`
	// Script is text the operator types or pastes by hand (SQL for the
	// database's editor, alternative command lines), shown exactly.
	Script string `yaml:"script" json:"script,omitempty"`

	Run     []Arg        `yaml:"run" json:"run,omitempty"`
	Answers []AnswerRule `yaml:"answers" json:"answers,omitempty"`
	Manual  string       `yaml:"manual" json:"manual,omitempty"`
	Check   []CheckSpec  `yaml:"check" json:"check,omitempty"`
	Copy    *CopySpec    `yaml:"copy" json:"copy,omitempty"`
	EditXML *EditXMLSpec `yaml:"edit-xml" json:"edit-xml,omitempty"`
	Archive *ArchiveSpec `yaml:"archive" json:"archive,omitempty"`
	Extract *ExtractSpec `yaml:"extract" json:"extract,omitempty"`
	SQL     *SQLSpec     `yaml:"sql" json:"sql,omitempty"`
	Chown   *ChownSpec   `yaml:"chown" json:"chown,omitempty"`

	Include string            `yaml:"include" json:"include,omitempty"` // another procedure's id: its steps become this step's substeps
	With    map[string]string `yaml:"with" json:"with,omitempty"`       // facts of the included procedure decided here

	Verify []CheckSpec `yaml:"verify" json:"verify,omitempty"`
	// Creates names the file or archive set the step writes, as
	// "${input}" (a path input): before the step, the engine checks that its
	// folder exists and that nothing is there yet, and asks the operator
	// when not (destination.go, runner/destination.go).
	Creates string  `yaml:"creates" json:"creates,omitempty"`
	Steps   []*Step `yaml:"steps" json:"steps,omitempty"`

	// Origin is the section of the procedure an included step comes from
	// ("1.3"); empty for the procedure's own steps.
	Origin string `yaml:"-" json:"origin,omitempty"`

	// Filled by the loader.
	Parent   *Step  `yaml:"-" json:"-"`
	path     string // YAML path, for error positions
	cond     *Condition
	scope    map[string]any // facts an enclosing include's with: decides for this copy
	fragment bool           // copied from a fragment, whose refs are names, not step numbers
}

// Arg is one argv element: a plain string, or {arg, when} for an element
// that is present only when a condition holds (zman cae's -d).
type Arg struct {
	Value string `yaml:"arg" json:"arg"`
	When  string `yaml:"when" json:"when,omitempty"`
	cond  *Condition
}

// UnmarshalYAML accepts both forms of an argv element.
func (a *Arg) UnmarshalYAML(unmarshal func(any) error) error {
	var s string
	if err := unmarshal(&s); err == nil {
		a.Value = s
		return nil
	}
	type plain Arg
	var p plain
	if err := unmarshal(&p); err != nil {
		return err
	}
	*a = Arg(p)
	return nil
}

// AnswerRule answers a command's prompt from an input.
type AnswerRule struct {
	Prompt string `yaml:"prompt" json:"prompt"` // a regular expression matched against the prompt line
	Input  string `yaml:"input" json:"input,omitempty"`
	// Value is a fixed answer the reference prescribes (Restart, for
	// novell-zenworks-configure -c Start), in place of an input.
	Value  string `yaml:"value" json:"value,omitempty"`
	Means  string `yaml:"means" json:"means,omitempty"` // what the fixed answer chooses, for people
	Repeat bool   `yaml:"repeat" json:"repeat,omitempty"`
}

// CheckSpec is one verify check. Exactly one field is set.
type CheckSpec struct {
	FileExists      string        `yaml:"file-exists" json:"file-exists,omitempty"`
	ArchiveComplete string        `yaml:"archive-complete" json:"archive-complete,omitempty"`
	NewerThanStart  string        `yaml:"newer-than-start" json:"newer-than-start,omitempty"`
	Writable        string        `yaml:"writable" json:"writable,omitempty"`
	XMLPathExists   *XMLFileValue `yaml:"xml-path-exists" json:"xml-path-exists,omitempty"`
	ResolvesTo      *NameAddress  `yaml:"resolves-to" json:"resolves-to,omitempty"`
	AddressLocal    string        `yaml:"address-local" json:"address-local,omitempty"`
}

// NameAddress is a DNS name and the address it must resolve to.
type NameAddress struct {
	Name    string `yaml:"name" json:"name"`
	Address string `yaml:"address" json:"address"`
}

// XMLFileValue names an element of an XML file.
type XMLFileValue struct {
	File    string `yaml:"file" json:"file"`
	Element string `yaml:"element" json:"element"`
}

// CopySpec copies a file or a tree.
type CopySpec struct {
	// FromHost is the machine From is on, when it is not the step's own
	// (1.5 copies the CA's files from the source server to the destination).
	FromHost string `yaml:"from-host" json:"from-host,omitempty"`
	// ToHost is the machine To is on, when From is on this one: the step
	// is done there (its on:), with the file sent from here (2.1 step 6b
	// takes the CA export to the second Primary Server). Over SSH it goes
	// by SFTP; by hand, the operator is shown scp.
	ToHost    string `yaml:"to-host" json:"to-host,omitempty"`
	From      string `yaml:"from" json:"from"`
	To        string `yaml:"to" json:"to"`
	Overwrite bool   `yaml:"overwrite" json:"overwrite,omitempty"`
	// CreateFolder makes the folder that receives the copy (a staging
	// folder); without it a missing folder is an error.
	CreateFolder bool `yaml:"create-folder" json:"create-folder,omitempty"`
}

// ArchiveSpec backs a tree up as an encrypted, resumable archive set
// (zenrecover archive create).
type ArchiveSpec struct {
	From       string   `yaml:"from" json:"from"`
	To         string   `yaml:"to" json:"to"`
	Require    []string `yaml:"require" json:"require,omitempty"`       // folders that must be in it ("images")
	Passphrase string   `yaml:"passphrase" json:"passphrase,omitempty"` // a secret input's id
}

// ExtractSpec restores an archive set (zenrecover archive extract).
type ExtractSpec struct {
	From       string `yaml:"from" json:"from"`
	To         string `yaml:"to" json:"to"`
	Passphrase string `yaml:"passphrase" json:"passphrase,omitempty"` // a secret input's id
	Merge      bool   `yaml:"merge" json:"merge,omitempty"`           // into a folder that is not empty
}

// SQLSpec is statements for the zone database, exactly as the reference
// gives them. They run through the database client when there is one and
// are otherwise shown for the operator to run; Expect is what the result
// must show (a server's name in the CA-role query).
type SQLSpec struct {
	Script string `yaml:"script" json:"script"`
	Expect string `yaml:"expect" json:"expect,omitempty"`
	// OnlyIn makes Expect exclusive: every line of the result that holds
	// this word (a row of the CA role: CertAuth) must show Expect, so a
	// second server holding the role fails the check (1.5 steps 1 and 10:
	// "the source server and only it").
	OnlyIn string `yaml:"only-in-rows-with" json:"only-in-rows-with,omitempty"`
}

// ChownSpec gives files to a user and group.
type ChownSpec struct {
	Paths []string `yaml:"paths" json:"paths"`
	Owner string   `yaml:"owner" json:"owner"` // user:group
}

// EditXMLSpec sets one element's text, keeping the rest of the file.
type EditXMLSpec struct {
	File    string `yaml:"file" json:"file"`
	Element string `yaml:"element" json:"element"`
	Value   string `yaml:"value" json:"value"`
}

// Kind names what the step does.
// OnHost is the host the step is done on as written: its on:, or the
// host a copy is sent to (copy.to-host).
func (s *Step) OnHost() string {
	if s.Copy != nil && s.Copy.ToHost != "" {
		return s.Copy.ToHost
	}
	return s.On
}

func (s *Step) Kind() string {
	switch {
	case len(s.Run) > 0:
		return "run"
	case s.Manual != "":
		return "manual"
	case len(s.Check) > 0:
		return "check"
	case s.Copy != nil:
		return "copy"
	case s.EditXML != nil:
		return "edit-xml"
	case s.Archive != nil:
		return "archive"
	case s.Extract != nil:
		return "extract"
	case s.SQL != nil:
		return "sql"
	case s.Chown != nil:
		return "chown"
	case s.Include != "":
		return "include"
	case len(s.Steps) > 0:
		return "group"
	}
	return ""
}

// Actionable reports whether the step itself is done (run, confirmed,
// checked) rather than only holding substeps.
func (s *Step) Actionable() bool {
	k := s.Kind()
	return k != "group" && k != "include" && k != ""
}

// Condition returns the step's compiled condition, or nil.
func (s *Step) Condition() *Condition { return s.cond }

// FactByID returns the fact with that id, or nil.
func (d *Definition) FactByID(id string) *Fact {
	for _, f := range d.Facts {
		if f.ID == id {
			return f
		}
	}
	return nil
}

// InputByID returns the input with that id, or nil.
func (d *Definition) InputByID(id string) *Input {
	for _, in := range d.Inputs {
		if in.ID == id {
			return in
		}
	}
	return nil
}

// Walk visits every step depth-first, in reference order.
func (d *Definition) Walk(fn func(*Step)) {
	var walk func([]*Step)
	walk = func(steps []*Step) {
		for _, s := range steps {
			fn(s)
			walk(s.Steps)
		}
	}
	walk(d.Steps)
}

// Step returns the step with that id, or nil.
func (d *Definition) Step(id string) *Step {
	var found *Step
	d.Walk(func(s *Step) {
		if s.ID == id && found == nil {
			found = s
		}
	})
	return found
}
