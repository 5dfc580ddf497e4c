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
	// ScryptWorkFactor seals an archive set's key for a passphrase (age's
	// default, 18, when 0); a lab's lower one keeps rehearsals quick.
	ScryptWorkFactor int
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

// Build turns a resolved step (procedures.Resolve: every template already
// expanded) into an action, rebasing its paths for env. It expands
// nothing. secrets holds the values of the secret inputs the step names by
// reference: they are used only as answers to prompts and as passphrases.
func Build(r *procedures.Resolved, secrets map[string]string, env Env) (*Built, error) {
	s := r.Step
	b := &Built{Verify: BuildChecks(r.Verify, env)}
	switch s.Kind() {
	case "manual", "group", "include":
		return b, nil
	case "run":
		argv := append([]string(nil), r.Argv...)
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
		cmd := &Command{Argv: argv, Env: env.Environ, Display: r.Argv}
		for _, a := range r.Answers {
			v := a.Value
			if a.Secret != "" {
				var ok bool
				if v, ok = secrets[a.Secret]; !ok {
					return nil, fmt.Errorf("step %s: no value yet for %s", s.ID, a.Secret)
				}
			}
			cmd.Answers = append(cmd.Answers, Answer{Label: a.Label, Pattern: regexp.MustCompile(a.Prompt), Value: v,
				Secret: a.Secret != "", Repeat: a.Repeat})
		}
		b.Action = cmd
	case "check":
		b.Action = &checkAll{checks: BuildChecks(r.Check, env)}
	case "copy":
		src := env.rebase(r.Copy.From)
		if env.RebaseFrom != nil {
			src = env.RebaseFrom(r.Copy.From)
		}
		b.Action = &Copy{From: src, To: env.rebase(r.Copy.To), Overwrite: r.Copy.Overwrite, CreateFolder: r.Copy.CreateFolder}
	case "edit-xml":
		// The value is written into the server's own file, so it stays a
		// server path even in a lab.
		b.Changed = new(bool)
		b.Action = &EditXML{File: env.rebase(r.EditXML.File), Element: r.EditXML.Element, Value: r.EditXML.Value, KeepBackup: true, Changed: b.Changed}
	case "archive":
		a := r.Archive
		b.Action = &ArchiveCreate{Source: env.rebase(a.From), Dest: env.rebase(a.To),
			Require: a.Require, Passphrase: secrets[a.Passphrase], ScryptWorkFactor: env.ScryptWorkFactor}
	case "extract":
		x := r.Extract
		b.Action = &ArchiveExtract{Archive: env.rebase(x.From), Dir: env.rebase(x.To), Force: x.Merge,
			Passphrase: secrets[x.Passphrase]}
	case "sql":
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
			b.Action = &SQL{Script: r.SQL.Script, Expect: r.SQL.Expect, OnlyIn: r.SQL.OnlyIn,
				Cmd: &Command{Argv: []string{client, "-e", r.SQL.Script}, Env: env.Environ, Display: SQLArgv(r.SQL)}}
		}
	case "chown":
		user, group, _ := strings.Cut(r.Chown.Owner, ":")
		var paths []string
		for _, p := range r.Chown.Paths {
			paths = append(paths, env.rebase(p))
		}
		b.Action = &Chown{Paths: paths, User: user, Group: group, Accounts: env.accounts()}
		b.Verify = append(b.Verify, &OwnedBy{Paths: paths, User: user, Group: group, Accounts: env.accounts()})
	default:
		return nil, fmt.Errorf("step %s: nothing to run", s.ID)
	}
	return b, nil
}

// SQLArgv is the command an sql step runs its statements through, as the
// operator would type it.
func SQLArgv(q *procedures.SQLSpec) []string { return []string{SQLClient, "-e", q.Script} }

// BuildChecks makes checks from resolved specs, rebasing their paths.
func BuildChecks(specs []procedures.CheckSpec, env Env) []Check {
	var out []Check
	for _, c := range specs {
		var chk Check
		switch {
		case c.FileExists != "":
			chk = &FileExists{Path: env.rebase(c.FileExists)}
		case c.NewerThanStart != "":
			chk = &NewerThanStart{Path: env.rebase(c.NewerThanStart)}
		case c.Writable != "":
			chk = &Writable{Path: env.rebase(c.Writable)}
		case c.ArchiveComplete != "":
			chk = &ArchiveComplete{Dest: env.rebase(c.ArchiveComplete)}
		case c.XMLPathExists != nil:
			chk = &XMLPathExists{File: env.rebase(c.XMLPathExists.File), Element: c.XMLPathExists.Element, Rebase: env.Rebase}
		case c.ResolvesTo != nil:
			chk = &ResolvesTo{Name: c.ResolvesTo.Name, Address: c.ResolvesTo.Address, Net: env.network()}
		case c.AddressLocal != "":
			chk = &AddressLocal{Address: c.AddressLocal, Net: env.network()}
		}
		out = append(out, chk)
	}
	return out
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
