package actions

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"zenrecover/procedures"
)

// Env is where a step runs: on the server itself, or in a lab whose paths
// are rebased under its directory.
type Env struct {
	Rebase  func(string) string // identity on a live server
	Environ []string            // the child's environment (never holds a secret)
	// Resolve looks a bare command name up on Environ's PATH when the step
	// is built, so a missing tool is reported before anything starts. A dry
	// run leaves it off: nothing runs, so nothing need be installed.
	Resolve bool
	// Net answers the network checks; nil means the system's.
	Net Network
	// Accounts names users and groups for chown; nil means the system's.
	Accounts Accounts
	// RebaseFrom maps a copy's source when it is on another host (a lab's
	// copy of it); nil means Rebase.
	RebaseFrom func(string) string
}

func (e Env) accounts() Accounts {
	if e.Accounts == nil {
		return SystemAccounts
	}
	return e.Accounts
}

func (e Env) network() Network {
	if e.Net == nil {
		return SystemNetwork{}
	}
	return e.Net
}

func (e Env) rebase(p string) string {
	if e.Rebase == nil {
		return p
	}
	return e.Rebase(p)
}

// Built is a step made ready to run.
type Built struct {
	Action  Action  // nil for a manual step
	Verify  []Check // decide whether the step really took effect
	Changed *bool   // set by an edit-xml action: the value the step provides
	// ByHand: this machine cannot do the step (no database client for an
	// sql step); the operator does it and confirms.
	ByHand bool
}

// Build turns a step of a definition into an action, substituting values
// and rebasing paths. Secrets are used only as answers to prompts.
func Build(d *procedures.Definition, s *procedures.Step, vals procedures.Values, secrets map[string]string, env Env) (*Built, error) {
	b := &Built{}
	verify, err := BuildChecks(s.Verify, vals, env)
	if err != nil {
		return nil, fmt.Errorf("step %s: %w", s.ID, err)
	}
	b.Verify = verify
	switch s.Kind() {
	case "manual", "group", "include":
		return b, nil
	case "run":
		argv, err := d.Argv(s, vals)
		if err != nil {
			return nil, err
		}
		display := append([]string(nil), argv...)
		for i, a := range argv {
			if strings.HasPrefix(a, "/") {
				argv[i] = env.rebase(a)
			}
		}
		if !strings.Contains(argv[0], "/") && env.Resolve {
			p, err := lookPath(argv[0], env.Environ)
			if err != nil {
				return nil, fmt.Errorf("step %s: %s is not installed on this machine (not found on PATH)", s.ID, argv[0])
			}
			argv[0] = p
		}
		cmd := &Command{Argv: argv, Env: env.Environ, Display: display}
		for _, r := range s.Answers {
			if r.Value != "" {
				label := r.Means
				if label == "" {
					label = r.Value
				}
				cmd.Answers = append(cmd.Answers, Answer{Label: label, Pattern: regexp.MustCompile(r.Prompt), Value: r.Value, Repeat: r.Repeat})
				continue
			}
			in := d.InputByID(r.Input)
			v, ok := secrets[r.Input]
			if !in.Secret() {
				v, ok = vals[r.Input]
			}
			if !ok {
				return nil, fmt.Errorf("step %s: no value yet for %s", s.ID, r.Input)
			}
			cmd.Answers = append(cmd.Answers, Answer{
				Label: in.Prompt, Pattern: regexp.MustCompile(r.Prompt), Value: v,
				Secret: in.Secret(), Repeat: r.Repeat,
			})
		}
		b.Action = cmd
	case "check":
		checks, err := BuildChecks(s.Check, vals, env)
		if err != nil {
			return nil, fmt.Errorf("step %s: %w", s.ID, err)
		}
		b.Action = &checkAll{checks: checks}
	case "copy":
		from, err := procedures.Expand(s.Copy.From, vals)
		if err != nil {
			return nil, err
		}
		to, err := procedures.Expand(s.Copy.To, vals)
		if err != nil {
			return nil, err
		}
		src := env.rebase(from)
		if env.RebaseFrom != nil {
			src = env.RebaseFrom(from)
		}
		b.Action = &Copy{From: src, To: env.rebase(to), Overwrite: s.Copy.Overwrite, CreateFolder: s.Copy.CreateFolder}
	case "edit-xml":
		file, err := procedures.Expand(s.EditXML.File, vals)
		if err != nil {
			return nil, err
		}
		// The value is written into the server's own file, so it stays a
		// server path even in a lab.
		val, err := procedures.Expand(s.EditXML.Value, vals)
		if err != nil {
			return nil, err
		}
		b.Changed = new(bool)
		b.Action = &EditXML{File: env.rebase(file), Element: s.EditXML.Element, Value: val, KeepBackup: true, Changed: b.Changed}
	case "archive":
		from, to, err := expandPair(s.Archive.From, s.Archive.To, vals)
		if err != nil {
			return nil, err
		}
		b.Action = &ArchiveCreate{Source: env.rebase(from), Dest: env.rebase(to),
			Require: s.Archive.Require, Passphrase: secrets[s.Archive.Passphrase]}
	case "extract":
		from, to, err := expandPair(s.Extract.From, s.Extract.To, vals)
		if err != nil {
			return nil, err
		}
		b.Action = &ArchiveExtract{Archive: env.rebase(from), Dir: env.rebase(to), Force: s.Extract.Merge,
			Passphrase: secrets[s.Extract.Passphrase]}
	case "sql":
		script, err := procedures.Expand(s.SQL.Script, vals)
		if err != nil {
			return nil, err
		}
		expect, err := procedures.Expand(s.SQL.Expect, vals)
		if err != nil {
			return nil, err
		}
		client := SQLClient
		if env.Resolve {
			p, err := lookPath(SQLClient, env.Environ)
			if err != nil {
				// No client: the operator runs the statements.
				b.ByHand = true
			}
			client = p
		}
		if !b.ByHand {
			b.Action = &SQL{Script: script, Expect: expect,
				Cmd: &Command{Argv: []string{client, "-e", script}, Env: env.Environ, Display: []string{SQLClient, "-e", script}}}
		}
	case "chown":
		user, group, _ := strings.Cut(s.Chown.Owner, ":")
		var paths []string
		for _, p := range s.Chown.Paths {
			x, err := procedures.Expand(p, vals)
			if err != nil {
				return nil, err
			}
			paths = append(paths, env.rebase(x))
		}
		b.Action = &Chown{Paths: paths, User: user, Group: group, Accounts: env.accounts()}
		b.Verify = append(b.Verify, &OwnedBy{Paths: paths, User: user, Group: group, Accounts: env.accounts()})
	default:
		return nil, fmt.Errorf("step %s: nothing to run", s.ID)
	}
	return b, nil
}

func expandPair(a, b string, vals procedures.Values) (string, string, error) {
	x, err := procedures.Expand(a, vals)
	if err != nil {
		return "", "", err
	}
	y, err := procedures.Expand(b, vals)
	return x, y, err
}

// BuildChecks makes verify checks from their specs.
func BuildChecks(specs []procedures.CheckSpec, vals procedures.Values, env Env) ([]Check, error) {
	var out []Check
	for _, c := range specs {
		path := func(p string) (string, error) {
			x, err := procedures.Expand(p, vals)
			return env.rebase(x), err
		}
		var chk Check
		var err error
		var p string
		switch {
		case c.FileExists != "":
			p, err = path(c.FileExists)
			chk = &FileExists{Path: p}
		case c.NewerThanStart != "":
			p, err = path(c.NewerThanStart)
			chk = &NewerThanStart{Path: p}
		case c.Writable != "":
			p, err = path(c.Writable)
			chk = &Writable{Path: p}
		case c.ArchiveComplete != "":
			p, err = path(c.ArchiveComplete)
			chk = &ArchiveComplete{Dest: p}
		case c.XMLPathExists != nil:
			p, err = path(c.XMLPathExists.File)
			chk = &XMLPathExists{File: p, Element: c.XMLPathExists.Element, Rebase: env.Rebase}
		case c.ResolvesTo != nil:
			var name, addr string
			name, addr, err = expandPair(c.ResolvesTo.Name, c.ResolvesTo.Address, vals)
			chk = &ResolvesTo{Name: name, Address: addr, Net: env.network()}
		case c.AddressLocal != "":
			var addr string
			addr, err = procedures.Expand(c.AddressLocal, vals)
			chk = &AddressLocal{Address: addr, Net: env.network()}
		}
		if err != nil {
			return nil, err
		}
		out = append(out, chk)
	}
	return out, nil
}

// checkAll is a step whose whole action is a set of checks.
type checkAll struct{ checks []Check }

func (c *checkAll) Describe() string {
	var parts []string
	for _, x := range c.checks {
		parts = append(parts, x.Describe())
	}
	return "check: " + strings.Join(parts, "; ")
}

func (c *checkAll) Run(ctx context.Context, rio IO) error {
	out := SafeWriter(rio.Output, rio.Secrets)
	defer out.Close()
	var failed []string
	for _, x := range c.checks {
		ok, detail, err := x.Check(ctx, time.Time{})
		mark := "ok  "
		switch {
		case err != nil:
			mark, detail = "??  ", err.Error()
			failed = append(failed, detail)
		case !ok:
			mark = "FAIL"
			failed = append(failed, detail)
		}
		line := fmt.Sprintf("%s %s", mark, x.Describe())
		if detail != "" && mark != "ok  " {
			line += ": " + detail
		}
		fmt.Fprintln(out, line)
	}
	if len(failed) > 0 {
		return fmt.Errorf("%s", strings.Join(failed, "; "))
	}
	return nil
}
