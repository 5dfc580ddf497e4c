package cli

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"zenrecover/lab"
	"zenrecover/plain"
	"zenrecover/procedures"
	"zenrecover/remote"
	"zenrecover/runner"
	"zenrecover/state"
	"zenrecover/tui"
)

// runFlags are the flags of run and resume.
type runFlags struct {
	labDir      string
	dryRun      bool
	answers     string
	plain       bool
	yes         bool
	confirmHost string
	forceUnlock bool
	adopt       bool     // resume: take the procedure's changed definition
	confirm     bool     // ... including changes to steps not begun
	changes     []string // resume: ID=VALUE corrections of non-secret answers
	reason      string   // ... and why
	target      string   // run: guide mode for this server
	platform    string   // ... which runs this platform
	noSSH       bool     // steps on other hosts are shown and confirmed, never run there over SSH
	labSSH      []string // HOST=[USER@]ADDR[:PORT]: a lab's host reached over SSH
}

func (f *runFlags) add(cmd *cobra.Command, withStart bool) {
	if withStart {
		cmd.Flags().StringVar(&f.labDir, "lab", "", "rehearse against the simulated server in this lab directory")
		cmd.Flags().BoolVar(&f.dryRun, "dry-run", false, "execute nothing; show what would run")
		cmd.Flags().StringVar(&f.answers, "answers", "", "a YAML file of answers to the procedure's questions (never secrets)")
		cmd.Flags().StringVar(&f.target, "target", "", "guide mode: walk the procedure for this server, which zenrecover does not run on (nothing runs here)")
		cmd.Flags().StringVar(&f.platform, "platform", "", "with --target: the server's platform, linux or windows")
	} else {
		// The same file a script gave run: what the run has not asked yet
		// comes from it; what it recorded stays (--change corrects it).
		cmd.Flags().StringVar(&f.answers, "answers", "", "a YAML file of answers to the questions the run has not asked yet (never secrets); the same file as for run")
	}
	cmd.Flags().BoolVar(&f.plain, "plain", false, "line-by-line front end, for scripts, screen readers and dumb terminals")
	cmd.Flags().BoolVar(&f.yes, "yes", false, "plain mode: confirm manual and destructive steps (rehearsals and dry runs only)")
	cmd.Flags().StringVar(&f.confirmHost, "confirm-host", "", "plain mode: the host name that confirms destructive steps on a live server")
	cmd.Flags().BoolVar(&f.forceUnlock, "force-unlock", false, "take the run over from another zenrecover that holds it")
	cmd.Flags().BoolVar(&f.noSSH, "no-ssh", false, "do not reach other Linux hosts over SSH: their steps are shown, done there by hand and confirmed")
	// StringArray: one host a flag, repeatable.
	cmd.Flags().StringArrayVar(&f.labSSH, "lab-ssh", nil, "rehearsal: reach the lab's host HOST over SSH at [USER@]ADDR[:PORT], where the lab's tools run as that host: HOST=ADDR (repeatable; give it to resume too)")
	if !withStart {
		cmd.Flags().BoolVar(&f.adopt, "adopt-definition", false, "go on with the procedure's changed definition instead of the one the run started with")
		cmd.Flags().BoolVar(&f.confirm, "confirm-changes", false, "with --adopt-definition: accept changes to steps the run has not begun")
		// StringArray, not StringSlice: a list value holds commas.
		cmd.Flags().StringArrayVar(&f.changes, "change", nil, "correct a non-secret answer before going on: ID=VALUE (repeatable; never a secret)")
		cmd.Flags().StringVar(&f.reason, "reason", "", "with --change: why (journaled; default \""+runner.DefaultChangeReason+"\")")
	}
}

func newRunCmd(g *globals) *cobra.Command {
	f := &runFlags{}
	cmd := &cobra.Command{
		Use:   "run ID",
		Short: "Run a procedure (by id or section number)",
		Long: `Run a procedure, named by its id or its section number in the reference
(` + "`zenrecover list`" + ` shows both). On a terminal the wizard walks it; with
--plain, or without a terminal, it runs line by line. --lab DIR rehearses it
against a simulated server (` + "`zenrecover lab init DIR`" + `), --dry-run executes
nothing. An interrupted run is taken up with ` + "`zenrecover resume`" + `.`,
		Example: `  zenrecover run 1.1 --lab /tmp/zenlab       # rehearse in a lab (zenrecover lab init /tmp/zenlab first)
  zenrecover run 1.3 --dry-run               # every step shown, nothing executed
  zenrecover run server-backup               # for real, on the Primary Server
  zenrecover run 4.2 --no-ssh                # steps on other servers shown and confirmed, not run there over SSH
  zenrecover run 4.2 --lab /tmp/zenlab --lab-ssh zen-primary-2=127.0.0.1:2222   # rehearse with the second server over SSH
  zenrecover run 1.1 --lab /tmp/zenlab --plain --answers answers.yaml --yes    # from a script`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.run(cmd.Context(), f, args[0])
		},
	}
	f.add(cmd, true)
	return cmd
}

func newResumeCmd(g *globals) *cobra.Command {
	f := &runFlags{}
	cmd := &cobra.Command{
		Use:   "resume [RUN]",
		Short: "Resume an interrupted run (the newest, without RUN)",
		Example: `  zenrecover resume
  zenrecover resume 20260102-030405-abcd --plain
  zenrecover resume 20260102-030405-abcd --change ca_backup_file=/root/zcm_backups/ca-2.bak --reason "disk full"`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id := ""
			if len(args) == 1 {
				id = args[0]
			}
			return g.resume(cmd.Context(), f, id)
		},
	}
	f.add(cmd, false)
	return cmd
}

func (g *globals) run(ctx context.Context, f *runFlags, id string) error {
	lib, err := g.library()
	if err != nil {
		return err
	}
	def, err := g.procedure(lib, id)
	if err != nil {
		return err
	}
	var preset procedures.Values
	if f.answers != "" {
		src, err := procedures.ReadFile(f.answers)
		if err != nil {
			return usageErr("answers file: %v", err)
		}
		if preset, err = procedures.ParseAnswers(f.answers, src, def); err != nil {
			return &exitError{code: exitUsage, err: err}
		}
	}
	opts, err := g.options(f)
	if err != nil {
		return err
	}
	defer opts.Store.Close()
	if len(opts.LabSSH) > 0 && opts.Lab == nil {
		return usageErr("--lab-ssh is for rehearsals: give --lab DIR too")
	}
	if err := opts.Store.CanRecord(ctx); err != nil {
		return &exitError{code: exitFailed, err: err}
	}
	if prev, err := runner.Unfinished(ctx, opts, def.ID); err != nil {
		return err
	} else if prev != nil {
		if le := runner.Holder(opts, *prev); le != nil {
			return usageErr("run %s of %s (%s) is unfinished and another zenrecover is working on it right now: %s [lock file %s]. Wait for it to end; if that zenrecover is gone or hung, take the run over with `%s`",
				prev.ID, def.Section, def.Title, le.Who(), le.Path, state.CommandLine(opts.Store.Path(), "resume", prev.ID, "--force-unlock"))
		}
		return usageErr("run %s of %s (%s) is unfinished; resume it with `%s`, or end it with `%s --reason TEXT`",
			prev.ID, def.Section, def.Title, runner.Command(opts.Store, "resume", prev.ID), runner.Command(opts.Store, "abandon", prev.ID))
	}
	if f.plain || !interactive() {
		if err := runner.CheckSecretEnv(def, os.Getenv); err != nil {
			return usageErr("%v; nothing was started", err)
		}
	}
	if !f.plain && interactive() {
		code, err := tui.RunWizard(ctx, g.tuiConfig(lib, opts, preset), nil, def.ID)
		return exitWith(code, err)
	}
	sess, err := runner.Start(ctx, opts, def, preset)
	if err != nil {
		return sessionErr(err)
	}
	return exitWith(g.plain(f, preset).Drive(ctx, sess), nil)
}

// parseChanges reads --change ID=VALUE flags.
func parseChanges(flags []string) ([]plain.Change, error) {
	var out []plain.Change
	for _, c := range flags {
		id, v, ok := strings.Cut(c, "=")
		if !ok || strings.TrimSpace(id) == "" {
			return nil, usageErr("--change %q: write ID=VALUE (`zenrecover show ID --json` lists the ids)", c)
		}
		out = append(out, plain.Change{ID: strings.TrimSpace(id), Value: v})
	}
	return out, nil
}

func (g *globals) resume(ctx context.Context, f *runFlags, id string) error {
	changes, err := parseChanges(f.changes)
	if err != nil {
		return err
	}
	if f.reason != "" && len(changes) == 0 {
		return usageErr("--reason goes with --change ID=VALUE")
	}
	opts, err := g.options(f)
	if err != nil {
		return err
	}
	defer opts.Store.Close()
	// Before "nothing to resume": the run to resume may be the one the
	// state lost.
	if err := opts.Store.CanRecord(ctx); err != nil {
		return &exitError{code: exitFailed, err: err}
	}
	if id == "" {
		runs, err := opts.Store.Unfinished(ctx)
		if err != nil {
			return err
		}
		if len(runs) == 0 {
			return usageErr("no interrupted run to resume; `zenrecover runs` lists them all")
		}
		id = runs[0].ID
	}
	run, err := opts.Store.Run(ctx, id)
	if err != nil {
		if lost := lostRun(ctx, opts.Store, id); lost != nil {
			return usageErr("run %s cannot be resumed: the state database lost its records (acknowledged by %s on %s: %s); start a new run of %s from its first step",
				id, lost.Ack.User, lost.Ack.At.Local().Format("2006-01-02 15:04"), lost.Ack.Reason, defaultOr(lost.ProcedureID, "the procedure"))
		}
		return usageErr("%v", err)
	}
	if run.LabDir != "" {
		if opts.Lab, err = openLab(run.LabDir); err != nil {
			return err
		}
	}
	if len(opts.LabSSH) > 0 && opts.Lab == nil {
		return usageErr("--lab-ssh is for rehearsals: run %s is not one", run.ID)
	}
	// The procedure as it is now, to tell the operator how it changed since
	// the run started (the run finishes on its recorded copy unless
	// --adopt-definition). A library that no longer loads changes nothing.
	lib, libErr := g.library()
	if libErr == nil {
		opts.Current = lib.Get(run.ProcedureID)
	}
	opts.AdoptDefinition, opts.ConfirmChanges = f.adopt, f.confirm
	preset, err := resumeAnswers(ctx, f, opts, run)
	if err != nil {
		return err
	}
	if f.plain || !interactive() {
		defs := []*procedures.Definition{}
		if d, err := procedures.ParseBundle(run.ProcedureID, run.DefText); err == nil {
			defs = append(defs, d)
		}
		if f.adopt && opts.Current != nil {
			defs = append(defs, opts.Current)
		}
		for _, d := range defs {
			if err := runner.CheckSecretEnv(d, os.Getenv); err != nil {
				return usageErr("%v; run %s was not taken up", err, run.ID)
			}
		}
	}
	if !f.plain && interactive() {
		if libErr != nil {
			return libErr
		}
		if len(changes) > 0 {
			// The TUI opens the run itself: the corrections are made here,
			// in a session of their own, before it does.
			sess, err := runner.Resume(ctx, opts, id)
			if err != nil {
				return sessionErr(err)
			}
			err = g.plain(f, nil).ApplyChanges(ctx, sess, changes, f.reason)
			sess.Close()
			if err != nil {
				return &exitError{code: exitUsage, err: err}
			}
		}
		code, err := tui.RunWizard(ctx, g.tuiConfig(lib, opts, preset), &run, "")
		return exitWith(code, err)
	}
	sess, err := runner.Resume(ctx, opts, id)
	if err != nil {
		return sessionErr(err)
	}
	p := g.plain(f, preset)
	if len(changes) > 0 {
		if err := p.ApplyChanges(ctx, sess, changes, f.reason); err != nil {
			sess.Close()
			return &exitError{code: exitUsage, err: err}
		}
	}
	return exitWith(p.Drive(ctx, sess), nil)
}

// resumeAnswers reads resume's --answers file against the definition the
// run goes on with, under run's rules. An answer the run already recorded
// differently is refused: resuming never changes a recorded answer
// silently, and --change is the way to correct one.
func resumeAnswers(ctx context.Context, f *runFlags, opts runner.Options, run state.Run) (procedures.Values, error) {
	if f.answers == "" {
		return nil, nil
	}
	def, err := procedures.ParseBundle(run.ProcedureID+" (as recorded in run "+run.ID+")", run.DefText)
	if err != nil {
		return nil, &exitError{code: exitFailed, err: fmt.Errorf("run %s: its recorded definition no longer loads: %w", run.ID, err)}
	}
	if f.adopt && opts.Current != nil {
		def = opts.Current
	}
	src, err := procedures.ReadFile(f.answers)
	if err != nil {
		return nil, usageErr("answers file: %v", err)
	}
	preset, err := procedures.ParseAnswers(f.answers, src, def)
	if err != nil {
		return nil, &exitError{code: exitUsage, err: err}
	}
	events, err := opts.Store.Journal(ctx, run.ID)
	if err != nil {
		return nil, err
	}
	recorded := state.Fold(events).Answers
	changing := map[string]bool{}
	for _, c := range f.changes {
		id, _, _ := strings.Cut(c, "=")
		changing[strings.TrimSpace(id)] = true
	}
	for _, id := range slices.Sorted(maps.Keys(preset)) {
		old, ok := recorded[id]
		if ok && !changing[id] && old != strings.TrimSpace(preset[id]) {
			return nil, usageErr("answers file %s gives %s: %s, but run %s recorded %q; a resumed run keeps the answers it recorded: correct it with --change %s=VALUE, or give the recorded value in the file",
				f.answers, id, preset[id], run.ID, old, id)
		}
	}
	return preset, nil
}

// lostRun is the acknowledged lost run with this id, or nil.
func lostRun(ctx context.Context, st *state.Store, id string) *state.LostRun {
	lost, err := st.LostRuns(ctx)
	if err != nil {
		return nil
	}
	for _, l := range lost {
		if l.RunID == id && !l.Partial && l.Ack != nil {
			return &l
		}
	}
	return nil
}

func (g *globals) options(f *runFlags) (runner.Options, error) {
	st, err := g.openStore()
	if err != nil {
		return runner.Options{}, err
	}
	o := runner.Options{Store: st, DryRun: f.dryRun, Version: version(), ForceUnlock: f.forceUnlock}
	if f.target != "" || f.platform != "" {
		if err := f.checkGuide(); err != nil {
			st.Close()
			return o, err
		}
		o.Guide, o.Target, o.Platform = true, f.target, f.platform
	}
	if f.labDir != "" {
		if o.Lab, err = openLab(f.labDir); err != nil {
			st.Close()
			return o, err
		}
	}
	if err := f.sshOptions(&o); err != nil {
		st.Close()
		return o, err
	}
	return o, nil
}

// sshOptions: a live run reaches the other Linux hosts its steps are on
// over SSH, with the operator's own agent, keys and known_hosts, unless
// --no-ssh; a rehearsal only the hosts --lab-ssh names. Guide mode and a
// dry run connect to nothing (runner).
func (f *runFlags) sshOptions(o *runner.Options) error {
	if f.noSSH {
		if len(f.labSSH) > 0 {
			return usageErr("--lab-ssh and --no-ssh contradict each other: give one")
		}
		return nil
	}
	o.SSH = &remote.Config{}
	if len(f.labSSH) == 0 {
		return nil
	}
	if f.target != "" {
		return usageErr("--lab-ssh is for rehearsals: guide mode (--target) connects to nothing")
	}
	o.LabSSH = map[string]string{}
	for _, m := range f.labSSH {
		host, addr, ok := strings.Cut(m, "=")
		host, addr = strings.TrimSpace(host), strings.TrimSpace(addr)
		if !ok || host == "" || addr == "" {
			return usageErr("--lab-ssh %q: write HOST=[USER@]ADDR[:PORT], e.g. zen-primary-2=127.0.0.1:2222", m)
		}
		if err := remote.HostName(host); err != nil {
			return usageErr("--lab-ssh %q: %v", m, err)
		}
		o.LabSSH[host] = addr
	}
	return nil
}

func (g *globals) plain(f *runFlags, preset procedures.Values) *plain.Plain {
	if interactive() && runner.SessionAtRisk(os.Getenv) {
		fmt.Fprintln(os.Stderr, "zenrecover: not in tmux or screen: if this SSH session drops, the run stops (resumable).")
		fmt.Fprintln(os.Stderr, "zenrecover: to ride out a drop, start it as: tmux new -A -s zenrecover zenrecover")
	}
	return &plain.Plain{In: os.Stdin, Out: os.Stdout, Preset: preset, Yes: f.yes, ConfirmHost: f.confirmHost, Getenv: os.Getenv,
		Terminal: term.IsTerminal(int(os.Stdin.Fd()))}
}

func (g *globals) tuiConfig(lib *procedures.Library, o runner.Options, preset procedures.Values) tui.Config {
	return tui.Config{
		Library: lib, Options: o, Preset: preset, NoColor: g.colorOff(), Version: version(),
		ZENworksInstalled: runner.ZENworksInstalled(),
		AtRisk:            runner.SessionAtRisk(os.Getenv),
		Readiness:         g.readinessFor(lib, o),
		NewLab: func() (string, error) {
			dir := filepath.Join(o.Store.Dir(), "labs", time.Now().Format("20060102-150405"))
			l, err := lab.Init(dir, lab.Options{})
			if err != nil {
				return "", err
			}
			return dir, installShims(l)
		},
	}
}

// sessionErr gives a refused start its exit status: another zenrecover
// holding the run is not a failure of this one.
func sessionErr(err error) error {
	var le *state.LockedError
	var dc *runner.DefinitionChangedError
	if errors.As(err, &le) || errors.As(err, &dc) {
		return &exitError{code: exitUsage, err: err}
	}
	return &exitError{code: exitFailed, err: err}
}

func exitWith(code int, err error) error {
	if code == exitCompleted && err == nil {
		return nil
	}
	if code == exitCompleted {
		code = exitFailed
	}
	return &exitError{code: code, err: err}
}

// wizard is zenrecover without arguments: resume or pick.
func (g *globals) wizard(ctx context.Context, labDir string) error {
	if !interactive() {
		return usageErr("the wizard needs a terminal; without one use `zenrecover run ID --plain` (see `zenrecover --help`)")
	}
	lib, err := g.library()
	if err != nil {
		return err
	}
	opts, err := g.options(&runFlags{labDir: labDir})
	if err != nil {
		return err
	}
	defer opts.Store.Close()
	if err := opts.Store.CanRecord(ctx); err != nil {
		return &exitError{code: exitFailed, err: err}
	}
	runs, err := opts.Store.Unfinished(ctx)
	if err != nil {
		return err
	}
	var resume *state.Run
	if len(runs) > 0 {
		resume = &runs[0]
		if resume.LabDir != "" {
			if opts.Lab, err = openLab(resume.LabDir); err != nil {
				return fmt.Errorf("run %s: %w", resume.ID, err)
			}
		}
	}
	code, err := tui.RunWizard(ctx, g.tuiConfig(lib, opts, nil), resume, "")
	return exitWith(code, err)
}
