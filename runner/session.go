package runner

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"time"

	"zenrecover/actions"
	"zenrecover/lab"
	"zenrecover/procedures"
	"zenrecover/remote"
	"zenrecover/state"
)

// Options says how to run.
type Options struct {
	Store       *state.Store
	Lab         *lab.Lab // nil on a live server
	DryRun      bool
	Version     string
	ForceUnlock bool // take the run over from another zenrecover
	// Guide walks the procedure for Target, a server zenrecover does not
	// run on (guide.go): nothing executes here; every step is shown as it
	// is done there and confirmed by the operator.
	Guide  bool
	Target string
	// Platform is the target's platform (linux, windows) when zenrecover
	// does not run on it (guide mode); "" means this machine's (or the
	// lab's).
	Platform string
	// Current is the procedure's definition now, for Resume to compare with
	// the one the run started with (nil: no comparison). A resumed run
	// finishes on its recorded copy unless AdoptDefinition; adopting is
	// refused when a begun step changed, and needs ConfirmChanges when only
	// pending steps did (DESIGN.md).
	Current         *procedures.Definition
	AdoptDefinition bool
	ConfirmChanges  bool
	// SSH reaches the other Linux hosts steps are on (remote.go); nil
	// leaves them shown and confirmed. remote.Config{} is the operator's
	// own setup: ssh-agent, ~/.ssh keys and known_hosts. A dry run and
	// guide mode connect to nothing whatever it says.
	SSH *remote.Config
	// LabSSH: in a rehearsal, the lab's hosts reached over SSH, each at
	// its address ([user@]address[:port]); the command there runs the
	// lab's tools as that host. The lab's other hosts stay simulated here.
	// It needs SSH.
	LabSSH map[string]string
	// Self is this zenrecover's binary, which an archive step on another
	// host copies there to run its archiver (remote/archive.go);
	// os.Executable() when "". Tests, whose executable is the test binary,
	// name a built zenrecover.
	Self string
}

// Session is one run being walked by this process.
type Session struct {
	opts    Options
	store   *state.Store
	def     *procedures.Definition
	run     state.Run
	token   string
	lock    *state.Lock
	vals    procedures.Values
	secrets map[string]string
	masker  *actions.Masker
	events  []state.Event
	log     *os.File
	host    string
	asked   map[string]bool // secrets asked in this process
	refused map[string]bool // secrets forgotten by RetryWithNewSecrets, until typed again
	resumed bool            // this process took the run up after an interruption
	changes []DefChange     // how the procedure changed since the run started
	adopted bool            // ... and the run took the new definition
	ssh     *sshHosts       // remote.go; nil: no host is reached over SSH
}

// DefinitionChanges says how the procedure's definition differs from the
// one the run started with, and whether the run took the new one.
func (s *Session) DefinitionChanges() (changes []DefChange, adopted bool) {
	return s.changes, s.adopted
}

func (o Options) mode() state.Mode {
	switch {
	case o.Guide:
		return state.ModeGuide
	case o.DryRun:
		return state.ModeDryRun
	case o.Lab != nil:
		return state.ModeLab
	}
	return state.ModeLive
}

// Hostname is the name of the server a run acts on: the lab's simulated
// host in a rehearsal.
func (o Options) Hostname() string {
	if o.Guide {
		return o.Target
	}
	if o.Lab != nil {
		return o.Lab.Hostname()
	}
	h, err := os.Hostname()
	if err != nil {
		return "localhost"
	}
	return h
}

// lockHost keeps a rehearsal from blocking a live run of the same procedure.
func lockHost(o Options, labDir string) string { return lockHostOf(o.Hostname(), labDir) }

func lockHostOf(h, labDir string) string {
	if labDir != "" {
		sum := sha256.Sum256([]byte(labDir))
		h += "-lab-" + hex.EncodeToString(sum[:4])
	}
	return h
}

func currentUser() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return fmt.Sprint(os.Getuid())
}

func (o Options) labDir() string {
	if o.Lab != nil {
		return o.Lab.Dir()
	}
	return ""
}

// Start begins a new run of def. preset holds answers given up front (an
// answers file); they are journaled like any other answer.
func Start(ctx context.Context, o Options, def *procedures.Definition, preset procedures.Values) (*Session, error) {
	// Not while the state lost runs nobody acknowledged, nor where nothing
	// can be recorded; before the lock and the copy, which would be more
	// files telling of a run that never was.
	if err := o.Store.CanRecord(ctx); err != nil {
		return nil, err
	}
	info := state.LockInfo{PID: os.Getpid(), User: currentUser(), Host: o.Hostname()}
	lock, err := o.Store.Lock(def.ID, lockHost(o, o.labDir()), info)
	if err != nil {
		return nil, err
	}
	labDir := o.labDir()
	if labDir != "" {
		labDir, _ = filepath.Abs(labDir)
	}
	// A copy of the journal as it was, in case the database is damaged
	// during this run. If even that cannot be written, the state disk is
	// in trouble and the run would not be recorded safely either.
	snap, err := o.Store.Snapshot(ctx, time.Now().UTC().Format("20060102-150405.000")+"-before-"+def.ID)
	if err != nil {
		lock.Release()
		return nil, fmt.Errorf("%w; free space in %s, or use --state to put the state elsewhere", err, o.Store.Dir())
	}
	run, err := o.Store.CreateRun(ctx, state.Run{
		ProcedureID: def.ID, DefHash: def.Hash, StepHashes: def.StepHashes(), DefText: def.Bundle(),
		Mode: o.mode(), LabDir: labDir, Host: o.Hostname(), User: info.User,
		BootID: state.BootID(), Version: o.Version,
	})
	if err != nil {
		os.Remove(snap) // the copy of a start that never was; see state.LostRuns
		lock.Release()
		return nil, err
	}
	if err := lock.SetRunAt(run.ID, run.StartedAt); err != nil {
		lock.Release()
		return nil, err
	}
	s := newSession(o, def, run, run.OwnerToken, lock)
	if err := s.openLog(); err != nil {
		s.Close()
		return nil, err
	}
	var ids []string
	def.Walk(func(st *procedures.Step) { ids = append(ids, st.ID) })
	if err := s.append(ctx, state.Event{Kind: state.EventPlanned, Detail: fmt.Sprint(ids)}); err != nil {
		s.Close()
		return nil, err
	}
	for _, f := range def.Facts {
		if v, ok := preset[f.ID]; ok {
			if err := s.Answer(ctx, f.ID, v); err != nil {
				s.Close()
				return nil, err
			}
		}
	}
	for _, in := range def.Inputs {
		if v, ok := preset[in.ID]; ok && !in.Secret() {
			if err := s.Answer(ctx, in.ID, v); err != nil {
				s.Close()
				return nil, err
			}
		}
	}
	// The platforms zenrecover can tell are journaled from the start, and
	// a preset that says otherwise is refused now (next.go).
	if _, err := s.settlePlatforms(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Resume takes up an unfinished run where it stopped, on the definition it
// was started with.
func Resume(ctx context.Context, o Options, runID string) (*Session, error) {
	if err := o.Store.CanRecord(ctx); err != nil {
		return nil, err
	}
	run, err := o.Store.Run(ctx, runID)
	if err != nil {
		return nil, err
	}
	if run.Status == state.RunCompleted {
		return nil, fmt.Errorf("run %s is already completed; `zenrecover report %s` shows what it did", run.ID, run.ID)
	}
	if run.Status == state.RunAbandoned {
		return nil, fmt.Errorf("run %s was abandoned and cannot be resumed; start a new one with `zenrecover run %s` (`zenrecover report %s` shows what it did)", run.ID, run.ProcedureID, run.ID)
	}
	def, err := procedures.ParseBundle(run.ProcedureID+" (as recorded in run "+run.ID+")", run.DefText)
	if err != nil {
		return nil, fmt.Errorf("run %s: its recorded definition no longer loads: %w", run.ID, err)
	}
	if o.Lab == nil && run.LabDir != "" {
		l, err := lab.Open(run.LabDir)
		if err != nil {
			return nil, fmt.Errorf("run %s is a rehearsal in %s: %w", run.ID, run.LabDir, err)
		}
		o.Lab = l
	}
	o.DryRun = run.Mode == state.ModeDryRun
	if run.Mode == state.ModeGuide {
		o.Guide, o.Target = true, run.Host
	}
	info := state.LockInfo{PID: os.Getpid(), User: currentUser(), Host: o.Hostname(), RunID: run.ID}
	var lock *state.Lock
	var token string
	if o.ForceUnlock {
		lock, token, err = o.Store.ForceUnlock(ctx, def.ID, lockHost(o, run.LabDir), run.ID, info)
		if err != nil {
			return nil, err
		}
	} else {
		lock, err = o.Store.Lock(def.ID, lockHost(o, run.LabDir), info)
		if err != nil {
			return nil, err
		}
		// The lock proves no other zenrecover works on this run now; taking
		// the token over makes that so for any leftover writer too.
		token, err = o.Store.TakeOver(ctx, run.ID)
		if err != nil {
			lock.Release()
			return nil, err
		}
	}
	s := newSession(o, def, run, token, lock)
	s.resumed = true
	s.events, err = o.Store.Journal(ctx, run.ID)
	if err != nil {
		s.Close()
		return nil, err
	}
	if err := s.openLog(); err != nil {
		s.Close()
		return nil, err
	}
	if o.Current != nil {
		rs := state.Fold(s.events)
		if o.AdoptDefinition {
			s.changes, err = adopt(run.ID, def, o.Current, rs, o.ConfirmChanges)
			if err == nil && len(s.changes) > 0 {
				err = o.Store.AdoptDefinition(ctx, run.ID, token, o.Current.Hash, o.Current.StepHashes(), o.Current.Bundle())
				s.def, s.adopted = o.Current, true
			}
			if err != nil {
				s.Close()
				return nil, err
			}
		} else {
			s.changes = CompareDefinitions(def, o.Current, rs)
		}
	}
	for k, v := range state.Fold(s.events).Answers {
		if !decisionKey(k) { // a decision about a destination (destination.go) is no value
			s.vals[k] = v
		}
	}
	if run.Status != state.RunActive {
		if err := o.Store.SetStatus(ctx, run.ID, token, state.RunActive); err != nil {
			s.Close()
			return nil, err
		}
	}
	// Journaled, and its time written into the lock, so that a database
	// that later lacks this record is seen to have lost what followed.
	detail, _ := json.Marshal(map[string]any{"user": info.User, "pid": info.PID, "forced": o.ForceUnlock})
	if err := s.append(ctx, state.Event{Kind: state.EventResumed, Detail: string(detail)}); err != nil {
		s.Close()
		return nil, err
	}
	if err := lock.SetRunAt(run.ID, s.events[len(s.events)-1].At); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func newSession(o Options, def *procedures.Definition, run state.Run, token string, lock *state.Lock) *Session {
	vals := procedures.RunValues(run.ID, run.StartedAt) // ${run.date}, fixed for the run's life
	s := &Session{
		opts: o, store: o.Store, def: def, run: run, token: token, lock: lock,
		vals: vals, secrets: map[string]string{}, masker: actions.NewMasker(),
		host: o.Hostname(), asked: map[string]bool{}, refused: map[string]bool{},
	}
	if o.SSH != nil && !o.DryRun && !o.Guide && (o.Lab == nil || len(o.LabSSH) > 0) {
		s.ssh = newSSHHosts(*o.SSH)
		for h, a := range o.LabSSH {
			s.ssh.addrs[strings.ToLower(h)] = a
		}
	}
	return s
}

func (s *Session) openLog() error {
	f, err := s.store.OpenLog(s.run.ID)
	if err != nil {
		return fmt.Errorf("cannot open the run's log: %w", err)
	}
	s.log = f
	return nil
}

// append journals one event; it returns only once the event is durable.
func (s *Session) append(ctx context.Context, e state.Event) error {
	e.RunID = s.run.ID
	got, err := s.store.Append(ctx, s.token, e)
	if err != nil {
		if errors.Is(err, state.ErrNotOwner) {
			return fmt.Errorf("run %s: %w", s.run.ID, err)
		}
		return fmt.Errorf("run %s: cannot record %s: %w", s.run.ID, recordWhat(e), err)
	}
	s.events = append(s.events, got)
	return nil
}

// recordWhat words what an event records, for an error saying it could not
// be: a step's event by its kind and step, the run's own in words.
func recordWhat(e state.Event) string {
	if e.Step != "" {
		return fmt.Sprintf("%s of step %q", e.Kind, e.Step)
	}
	switch e.Kind {
	case state.EventStopped:
		return "that the run stopped"
	case state.EventResumed:
		return "that the run was resumed"
	case state.EventPlanned:
		return "the run's plan"
	case state.EventAnswered, state.EventChanged:
		return fmt.Sprintf("the answer to %s", e.Key)
	}
	return fmt.Sprintf("the run's %s event", e.Kind)
}

// Run returns the run's record.
func (s *Session) Run() state.Run { return s.run }

// Definition returns the definition the run follows.
func (s *Session) Definition() *procedures.Definition { return s.def }

// Values returns the answers so far (never secrets).
func (s *Session) Values() procedures.Values { return s.vals.Clone() }

// Lab returns the lab of a rehearsal, or nil.
func (s *Session) Lab() *lab.Lab { return s.opts.Lab }

// DryRun reports whether nothing is executed.
func (s *Session) DryRun() bool { return s.opts.DryRun }

// Masker masks every secret typed in this process.
func (s *Session) Masker() *actions.Masker { return s.masker }

// State folds the journal.
func (s *Session) State() state.RunState { return state.Fold(s.events) }

// Plan is the plan for the answers so far.
func (s *Session) Plan() []procedures.PlanStep { return s.def.Plan(s.vals) }

// Stop ends this process's work on the run, leaving it resumable.
func (s *Session) Stop(ctx context.Context, reason string) error {
	err := s.append(ctx, state.Event{Kind: state.EventStopped, Reason: reason})
	if err2 := s.store.SetStatus(ctx, s.run.ID, s.token, state.RunStopped); err == nil {
		err = err2
	}
	s.Close()
	return err
}

// Close releases the lock and the log without journaling anything, as a
// crash would.
func (s *Session) Close() {
	if s.ssh != nil {
		s.ssh.close()
	}
	if s.log != nil {
		s.log.Close()
		s.log = nil
	}
	if s.lock != nil {
		s.lock.Release()
		s.lock = nil
	}
}
