package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"zenrecover/actions"
	"zenrecover/archive"
	"zenrecover/procedures"
	"zenrecover/state"
)

// NeedDestination stops before a step that creates a file or an archive
// set (its creates:) when that cannot simply be written: its folder does
// not exist (MissingParent: CreateParent, or stop), or something is already
// there (Exists: ChooseDestination keeps both, under NewName, or replaces
// the old one once the new one is complete). Paths are the server's, as the
// step's command shows them.
type NeedDestination struct {
	Step          *procedures.Step
	Key           string // what CreateParent and ChooseDestination take
	Input         string // the input that names the destination (backup_file)
	Path          string // the destination
	Parent        string // its folder
	MissingParent bool
	Exists        bool
	NewName       string // keep both: the free name beside Path the new one gets
	Archive       bool   // Path is an archive set (a folder of parts), not one file
}

func (*NeedDestination) need() {}

// Decisions about destinations are journaled as answers under keys no
// fact or input can have (ids hold no colon), followed by the step's key.
const (
	folderKey  = "create-folder:" // Value: the folder the operator agreed to create
	replaceKey = "replace:"       // Value: the file to replace; Detail: the temporary name
)

// decisionKey reports a journaled answer that is a decision about a
// destination, not a value steps use.
func decisionKey(k string) bool { return strings.Contains(k, ":") }

// dest is where a step writes, here and (in a lab) on disk.
type dest struct {
	key, input         string
	path, parent       string // as the step names them
	real, realParent   string // on this machine (rebased in a lab)
	rebase             func(string) string
	archive, replacing bool
}

// destOf is the destination of step st, or nil when it declares none, has
// no value for it yet, or is done on a machine this wizard cannot see.
func (s *Session) destOf(st *procedures.Step, target string) *dest {
	id := st.CreatesInput()
	if id == "" {
		return nil
	}
	vals := s.valsFor(target)
	p := vals[id]
	if p == "" {
		return nil
	}
	// Where it writes decides the step's values (buildVals), so the place
	// is found before the step is resolved (resolve.go).
	host, env, err := s.placeOf(st, vals)
	if err != nil || host != "" && s.opts.Lab == nil {
		return nil
	}
	rebase := env.Rebase
	if rebase == nil {
		rebase = func(x string) string { return x }
	}
	d := &dest{key: state.StepKey(st.ID, target), input: id, path: p, parent: serverDir(p),
		rebase: rebase, archive: st.Archive != nil}
	d.real, d.realParent = rebase(p), rebase(d.parent)
	if e := s.decision(replaceKey, d.key); e != nil && e.Value == p {
		d.replacing = true
	}
	return d
}

// decision is the last journaled decision of a kind about a step, or nil.
func (s *Session) decision(prefix, key string) *state.Event {
	for i := len(s.events) - 1; i >= 0; i-- {
		if e := &s.events[i]; e.Kind == state.EventAnswered && e.Key == prefix+key {
			return e
		}
	}
	return nil
}

// folderAgreed reports a journaled consent to create folder, for any step.
func (s *Session) folderAgreed(folder string) bool {
	for _, e := range s.events {
		if e.Kind == state.EventAnswered && strings.HasPrefix(e.Key, folderKey) && e.Value == folder {
			return true
		}
	}
	return false
}

func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil || !errors.Is(err, fs.ErrNotExist)
}

// destinationNeed is what the operator must decide before step st writes
// its destination, or nil. A file that another step of this run wrote is
// never replaced: the new one gets a free name, journaled as a changed
// answer, without a question (2.1 exports the CA twice: the copy taken
// with the reliable backup and the one with -d must both stay). A dry run
// asks nothing: it says in the step's output what a real run would ask.
func (s *Session) destinationNeed(ctx context.Context, st *procedures.Step, target string) (Need, error) {
	if s.opts.DryRun || s.opts.Guide {
		return nil, nil
	}
	n := s.destinationQuestion(st, target)
	if n == nil || n.MissingParent {
		return nativeNil(n), nil
	}
	if by := s.writtenBy(n.Path); by != "" && by != n.Key {
		_, err := s.ChangeAnswer(ctx, n.Input, n.NewName, "keep both: "+s.StepLabel(by)+" of this run wrote "+n.Path)
		return nil, err
	}
	return n, nil
}

// nativeNil keeps a nil *NeedDestination from becoming a non-nil Need.
func nativeNil(n *NeedDestination) Need {
	if n == nil {
		return nil
	}
	return n
}

// destinationQuestion is what stands in the way of step st writing its
// destination, or nil.
func (s *Session) destinationQuestion(st *procedures.Step, target string) *NeedDestination {
	d := s.destOf(st, target)
	if d == nil {
		return nil
	}
	n := &NeedDestination{Step: st, Key: d.key, Input: d.input, Path: d.path, Parent: d.parent, Archive: d.archive}
	if !exists(d.realParent) {
		n.MissingParent = true
		return n
	}
	if !exists(d.real) || d.replacing {
		return nil
	}
	n.Exists, n.NewName = true, d.freeName("-", 2)
	return n
}

// writtenBy is the key of the step of this run that last wrote path (its
// creates: named it when it succeeded), or "".
func (s *Session) writtenBy(path string) string {
	vals := procedures.Values{}
	by := ""
	for _, e := range s.events {
		switch e.Kind {
		case state.EventAnswered, state.EventChanged:
			vals[e.Key] = e.Value
		case state.EventSucceeded:
			if st := s.def.Step(e.Step); st != nil && st.CreatesInput() != "" && vals[st.CreatesInput()] == path {
				by = state.StepKey(e.Step, e.Target)
			}
		}
	}
	return by
}

// freeName is a name beside the destination that nothing uses (nor an
// interrupted archive set): the stem, sep and a number from first, the
// extension ("zone_backup-2026-12-02-2.bak").
func (d *dest) freeName(sep string, first int) string {
	dir, base := serverDir(d.path), serverBase(d.path) // env.go: a Windows path too
	ext := filepath.Ext(base)
	stem := strings.TrimSuffix(base, ext)
	for i := first; ; i++ {
		name := fmt.Sprintf("%s%s%d%s", stem, sep, i, ext)
		if i == 0 {
			name = stem + sep + ext
		}
		p := serverJoin(dir, name)
		r := d.rebase(p)
		if !exists(r) && !exists(archive.PartialDir(r)) && !exists(archive.EscrowPath(r)) {
			return p
		}
	}
}

// CreateParent creates the missing folder of the file a step is about to
// write (key as in NeedDestination.Key), readable by its owner only: the
// backups hold the zone's secrets. The consent is journaled first; a dry
// run journals it and creates nothing.
func (s *Session) CreateParent(ctx context.Context, key string) error {
	st, target, err := s.stepByKey(key)
	if err != nil {
		return err
	}
	d := s.destOf(st, target)
	if d == nil {
		return fmt.Errorf("step %s writes no file this wizard can see", st.Ref)
	}
	if exists(d.realParent) || s.opts.DryRun && s.folderAgreed(d.parent) {
		return nil
	}
	if err := s.append(ctx, state.Event{Kind: state.EventAnswered, Key: folderKey + d.key, Value: d.parent,
		Reason: "create the folder for step " + st.Ref}); err != nil {
		return err
	}
	if s.opts.DryRun {
		return nil
	}
	if err := os.MkdirAll(d.realParent, 0o700); err != nil {
		return fmt.Errorf("cannot create the folder %s: %w", d.parent, err)
	}
	return nil
}

// ChooseDestination decides about a file already where a step is about to
// write (key as in NeedDestination.Key). keepBoth: the step's input is
// answered anew with a free name beside the old file, journaled as a
// changed answer (ChangeAnswer), so the command, the screen and the journal name the same file.
// Otherwise the old file is replaced, but only once the new one is
// complete: a command writes under a temporary name beside it, renamed over
// the old one when the step has succeeded and its checks passed; an archive
// set is replaced by package archive once the new set is complete.
func (s *Session) ChooseDestination(ctx context.Context, key string, keepBoth bool) error {
	st, target, err := s.stepByKey(key)
	if err != nil {
		return err
	}
	d := s.destOf(st, target)
	if d == nil {
		return fmt.Errorf("step %s writes no file this wizard can see", st.Ref)
	}
	if !exists(d.real) {
		return nil // nothing there any more: nothing to decide
	}
	if keepBoth {
		// A corrected answer like any other (change.go): journaled with the
		// old value, who and why.
		_, err := s.ChangeAnswer(ctx, d.input, d.freeName("-", 2), "keep both: "+d.path+" is already there")
		return err
	}
	tmp := ""
	if !d.archive {
		tmp = d.freeName(".new", 0)
	}
	return s.append(ctx, state.Event{Kind: state.EventAnswered, Key: replaceKey + d.key, Value: d.path, Detail: tmp,
		Reason: "replace " + d.path + " once the new one is complete"})
}

// buildVals are the values a step is built with: for a command replacing
// a file, its destination is the temporary name.
func (s *Session) buildVals(st *procedures.Step, target string) procedures.Values {
	vals := s.valsFor(target)
	d := s.destOf(st, target)
	if d == nil || !d.replacing || d.archive || !exists(d.real) {
		return vals
	}
	if e := s.decision(replaceKey, d.key); e != nil && e.Detail != "" {
		vals = vals.Clone()
		vals[d.input] = e.Detail
	}
	return vals
}

// replacing makes an archive step that replaces a set replace it (once the
// new one is complete).
func (s *Session) replacing(st *procedures.Step, target string, b *actions.Built) {
	if b == nil {
		return
	}
	a, ok := b.Action.(*actions.ArchiveCreate)
	if d := s.destOf(st, target); ok && d != nil && d.replacing && d.archive {
		a.Force = true
	}
}

// tempOf is the temporary file a command replacing its destination writes
// (on this machine), or "" when b does not write one.
func (s *Session) tempOf(st *procedures.Step, target string, b *actions.Built) (*dest, string) {
	d := s.destOf(st, target)
	if d == nil || !d.replacing || d.archive || b == nil {
		return nil, ""
	}
	e := s.decision(replaceKey, d.key)
	cmd, ok := b.Action.(*actions.Command)
	if e == nil || e.Detail == "" || !ok || !slices.Contains(cmd.Argv, d.rebase(e.Detail)) {
		return nil, ""
	}
	return d, d.rebase(e.Detail)
}

// beforeWrite readies a step's destination just before the step runs. It
// removes what an earlier attempt left under the temporary name (the name
// was free when the operator chose to replace, so it is ours). A dry run,
// which asks nothing about destinations, says what a real run would ask.
func (s *Session) beforeWrite(st *procedures.Step, target string, b *actions.Built, out io.Writer) {
	if s.opts.DryRun {
		if n := s.destinationQuestion(st, target); n != nil && out != nil {
			if n.MissingParent {
				fmt.Fprintf(out, "dry run: the folder %s does not exist; a real run asks to create it\n", n.Parent)
			} else {
				fmt.Fprintf(out, "dry run: %s is already there; a real run asks to keep both (as %s) or replace it\n", n.Path, n.NewName)
			}
		}
		return
	}
	if _, tmp := s.tempOf(st, target, b); tmp != "" {
		os.Remove(tmp)
	}
}

// finishReplace renames the new file over the old once the step has
// succeeded and its checks passed, and points b at where the file now is
// (its escrow goes beside it).
func (s *Session) finishReplace(st *procedures.Step, target string, b *actions.Built, out io.Writer) error {
	d, tmp := s.tempOf(st, target, b)
	if tmp == "" || s.opts.DryRun {
		return nil
	}
	if err := os.Rename(tmp, d.real); err != nil {
		return fmt.Errorf("the new file is complete under %s, but it could not replace %s: %w", s.masker.String(filepath.Base(tmp)), d.path, err)
	}
	cmd := b.Action.(*actions.Command)
	for i, a := range cmd.Argv {
		if a == tmp {
			cmd.Argv[i] = d.real
		}
	}
	for _, c := range b.Verify {
		if n, ok := c.(*actions.NewerThanStart); ok && n.Path == tmp {
			n.Path = d.real
		}
	}
	fmt.Fprintf(out, "the new file replaced %s\n", d.path)
	return nil
}

// offered is an input as the operator is asked for it before step st: its
// default with the run's values (the date) filled in. A default that is a
// pattern (a restore's /root/zcm_backups/zone_backup-*.bak) offers the
// newest file that matches it where the step runs, or the pattern itself
// when none does.
func (s *Session) offered(in *procedures.Input, st *procedures.Step) *procedures.Input {
	if in == nil || (!in.Defaults.Split() && !strings.ContainsAny(in.Default, "$*?[")) {
		return in
	}
	c := *in
	c.Default = in.DefaultWith(s.vals)
	if strings.ContainsAny(c.Default, "*?[") && s.opts.Guide {
		// The files are on the other server: zenrecover cannot pick the
		// newest, and a pattern is no file name zman takes.
		c.Help = strings.TrimSpace(c.Help + " Type the name of the file on " + s.host + ": the newest that matches " + c.Default + ".")
		c.Default = ""
	} else if strings.ContainsAny(c.Default, "*?[") {
		c.Default = s.newest(c.Default, st)
	}
	return &c
}

// newest is the most recently written match of pattern (a server path),
// as a server path; pattern itself when nothing matches.
func (s *Session) newest(pattern string, st *procedures.Step) string {
	if s.opts.Guide {
		return pattern // the files are on the other server
	}
	rebase := func(x string) string { return x }
	if _, env, err := s.placeOf(st, s.vals); err == nil && env.Rebase != nil {
		rebase = env.Rebase
	}
	matches, _ := filepath.Glob(rebase(pattern))
	best, bestTime := "", int64(0)
	for _, m := range matches {
		fi, err := os.Stat(m)
		// A replace's temporary file is not a backup to offer.
		if err != nil || strings.Contains(filepath.Base(m), ".new.") {
			continue
		}
		if t := fi.ModTime().UnixNano(); best == "" || t > bestTime {
			best, bestTime = m, t
		}
	}
	if best == "" {
		return pattern
	}
	return serverJoin(serverDir(pattern), filepath.Base(best))
}

// decisionLabel words a journaled answer that is no fact or input for a
// report: a decision about a destination, or the key itself.
func decisionLabel(key string) string {
	switch {
	case strings.HasPrefix(key, folderKey):
		return "Create the missing folder before step " + strings.TrimPrefix(key, folderKey)
	case strings.HasPrefix(key, replaceKey):
		return "Replace the file already there at step " + strings.TrimPrefix(key, replaceKey) + " (once the new one is complete)"
	}
	return key
}
