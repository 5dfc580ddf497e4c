package actions

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Answer is a rule that types a value when the child prompts for it.
type Answer struct {
	Label   string         // names the prompt in descriptions and the journal; never the value
	Pattern *regexp.Regexp // matched against the pending (unfinished) output line
	Value   string         // typed followed by Enter
	Secret  bool           // masked everywhere; typed only once the terminal stops echoing (or after a second)
	Repeat  bool           // may answer more than once, e.g. a passphrase and its confirmation
}

// Command runs a program under a pseudo-terminal, answering its prompts.
type Command struct {
	Argv    []string // argv[0] is looked up on the PATH of the child's environment
	Env     []string // the child's whole environment (NAME=value); nil inherits ours, see childEnv
	Dir     string   // working directory; "" means the current one
	Answers []Answer // tried in order against each pending prompt

	// Rebase, when non-nil, maps each element of Argv and Dir before they are
	// used, both when running and when describing, so the description is
	// what runs; in a lab it moves server paths into the lab directory and
	// must leave anything that is not a path alone.
	Rebase func(string) string

	// Display, when non-nil, is the command as the operator knows it on
	// the server (before a lab rebases it); Describe shows it instead.
	Display []string

	// KillGrace is how long a cancelled command's process group has between
	// SIGTERM and SIGKILL; 0 means 5 seconds.
	KillGrace time.Duration

	// Settle is how long the command must stay silent after an unfinished
	// line that no rule answers before IO.OnWaiting hears that it waits for
	// the operator; 0 means DefaultSettle.
	Settle time.Duration
}

// ExitError reports a command that ran and failed. Its message names the
// program and the status only, so it can be shown and stored.
type ExitError struct {
	Program string // base name of argv[0]
	Code    int    // exit status, or -1 when killed by a signal
	Signal  string // the signal that killed it, if one did
}

func (e *ExitError) Error() string {
	if e.Signal != "" {
		return fmt.Sprintf("%s was killed by signal %s", e.Program, e.Signal)
	}
	return fmt.Sprintf("%s exited with status %d", e.Program, e.Code)
}

const (
	ptyRows          = 40
	ptyCols          = 120
	defaultKillGrace = 5 * time.Second
	// After the command exits, output is read until every holder of the
	// terminal has closed it; a background process that keeps it open
	// (and ignored the SIGHUP the kernel sends when the session leader
	// exits) must not keep the step running.
	drainAfterExit = 2 * time.Second
	// Programs that switch echo off with TCSAFLUSH (glibc getpass,
	// Python's getpass) discard input typed before they did: a secret is
	// typed once echo is off, or after this long if it never goes off.
	secretEchoWait = time.Second
	maxPending     = 4096
	readBufSize    = 32 << 10
)

// secretEnvPrefix names the variables through which the plain front end
// receives secrets; no child ever inherits them.
const secretEnvPrefix = "ZENRECOVER_SECRET_"

func (c *Command) effective() (argv []string, dir string) {
	argv = append([]string(nil), c.Argv...)
	dir = c.Dir
	if c.Rebase != nil {
		for i := range argv {
			argv[i] = c.Rebase(argv[i])
		}
		if dir != "" {
			dir = c.Rebase(dir)
		}
	}
	return argv, dir
}

// Describe says what would run, e.g.
// "run: zman zenserver-backup /root/b.bak (answers 3 prompts: Username "admin", Password ••••••, Passphrase •••••• (repeatable))".
func (c *Command) Describe() string {
	argv, dir := c.effective()
	if c.Display != nil {
		argv = c.Display
	}
	m := NewMasker()
	for _, a := range c.Answers {
		if a.Secret {
			m.Add(a.Value)
		}
	}
	var b strings.Builder
	// The environment is left out: it may be a whole copy of ours, and
	// the program that runs is named by argv[0].
	b.WriteString("run:")
	for _, a := range argv {
		b.WriteString(" " + shellQuote(a))
	}
	if dir != "" {
		b.WriteString(" (in " + shellQuote(dir) + ")")
	}
	if n := len(c.Answers); n > 0 {
		noun := "prompts"
		if n == 1 {
			noun = "prompt"
		}
		fmt.Fprintf(&b, " (answers %d %s:", n, noun)
		for i, a := range c.Answers {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString(" " + a.Label)
			if a.Secret {
				b.WriteString(" " + Mask)
			} else {
				fmt.Fprintf(&b, " %q", a.Value)
			}
			if a.Repeat {
				b.WriteString(" (repeatable)")
			}
		}
		b.WriteString(")")
	}
	return m.String(b.String())
}

var safeShellWord = regexp.MustCompile(`^[A-Za-z0-9_@%+=:,./-]+$`)

func shellQuote(s string) string {
	if safeShellWord.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// validate refuses what would put a secret where other processes can read
// it, and values that the terminal would interpret instead of passing on.
//
// The program (argv[0]) is not searched: it is the definition's tool, never
// an answer (lint refuses a secret there), and a short password may well be
// part of its path (novell in /opt/novell/zenworks/bin/zman).
func (c *Command) validate(prog string, argv []string, secrets *Masker) error {
	for i, a := range argv {
		if i > 0 && secrets.Contains(a) {
			return fmt.Errorf("run %s: argument %d contains a secret; secrets are only typed into the terminal, never passed as arguments", prog, i)
		}
	}
	for i, e := range c.Env {
		if name, _, ok := strings.Cut(e, "="); !ok || name == "" {
			return fmt.Errorf("run %s: environment entry %d is not NAME=value", prog, i)
		}
	}
	for _, a := range c.Answers {
		if a.Pattern == nil {
			return fmt.Errorf("run %s: answer %q has no pattern", prog, a.Label)
		}
		if strings.IndexFunc(a.Value, isControl) >= 0 {
			return fmt.Errorf("run %s: the value for %q contains a control character, which the terminal would act on instead of passing it on", prog, a.Label)
		}
	}
	return nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// childEnv is the child's environment: the explicit one when given, else
// ours, without the variables that carry secrets to the plain front end and
// without any entry that contains a known secret (secrets reach the child
// only through its terminal). TERM is dumb unless explicitly set, since
// output goes to a pane, not a terminal, and colours and cursor movement
// are only noise there.
func childEnv(explicit []string, secrets *Masker) []string {
	base, hasTerm := explicit, false
	if base == nil {
		base = os.Environ()
	}
	var env []string
	for _, e := range base {
		if strings.HasPrefix(e, secretEnvPrefix) || secrets.Contains(e) {
			continue
		}
		if strings.HasPrefix(e, "TERM=") {
			if explicit == nil {
				continue
			}
			hasTerm = true
		}
		env = append(env, e)
	}
	if !hasTerm {
		env = append(env, "TERM=dumb")
	}
	return env
}

// lookPath finds argv0 on the PATH of env (not of this process: a lab puts
// its simulated tools first on the child's PATH). Relative PATH entries are
// skipped so nothing runs from the working directory by accident.
func lookPath(argv0 string, env []string) (string, error) {
	if strings.Contains(argv0, "/") {
		return argv0, nil
	}
	path := ""
	for _, e := range env {
		if v, ok := strings.CutPrefix(e, "PATH="); ok {
			path = v
		}
	}
	for _, dir := range filepath.SplitList(path) {
		if !filepath.IsAbs(dir) {
			continue
		}
		p := filepath.Join(dir, argv0)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s: not found on PATH", argv0)
}

// Run runs the command; see the package documentation for the contract.
func (c *Command) Run(ctx context.Context, rio IO) error {
	secrets := rio.secretsOf()
	for _, a := range c.Answers {
		if a.Secret {
			secrets.Add(a.Value)
		}
	}
	argv, dir := c.effective()
	if len(argv) == 0 || argv[0] == "" {
		return errors.New("run: no command")
	}
	prog := secrets.String(filepath.Base(argv[0]))
	if err := c.validate(prog, argv, secrets); err != nil {
		return err
	}
	env := childEnv(c.Env, secrets)
	path, err := lookPath(argv[0], env)
	if err != nil {
		return fmt.Errorf("run %s", secrets.String(err.Error()))
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s not started: %w", prog, err)
	}
	lt, cmd, stage, err := startInTerminal(path, argv, env, dir)
	if err != nil {
		return fmt.Errorf("%s %s: %s", stage, prog, secrets.String(err.Error()))
	}
	if rio.OnStart != nil {
		rio.OnStart(lt.pid)
	}
	cancelled, waitErr := driveTerminal(ctx, lt, c.Answers, c.Settle, c.KillGrace, rio, secrets)
	if cancelled {
		return fmt.Errorf("%s stopped: %w", prog, ctx.Err())
	}
	if cmd.ProcessState == nil {
		return fmt.Errorf("%s: its exit status could not be read: %s", prog, secrets.String(fmt.Sprint(waitErr)))
	}
	ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
	switch {
	case ok && ws.Signaled():
		return &ExitError{Program: prog, Code: -1, Signal: ws.Signal().String()}
	case cmd.ProcessState.ExitCode() != 0:
		return &ExitError{Program: prog, Code: cmd.ProcessState.ExitCode()}
	}
	return nil
}

type ptySession struct {
	term    Terminal // terminal.go: a local pseudo-terminal, or one on another host
	rio     IO
	secrets *Masker
	answers []Answer
	used    []bool
	grace   time.Duration
	settle  time.Duration
	waitErr error

	pending    string // sanitized, unmasked output since the last line break or answer
	shown      int64  // bytes of sanitized output so far: what the operator could see
	lastPrompt string
	queue      []ptyWrite

	waiting bool  // OnWaiting was told the child waits, and not yet that it stopped
	offered []int // the rules behind the last Waiting's Suggestions
}

type ptyWrite struct {
	text     string
	secret   bool // an answer marked Secret: wait for echo to go off
	operator bool // typed by the operator: secret if typed while echo is off
}

type ptyRead struct {
	b   []byte
	err error
}

// loop drives the child until it has exited and been reaped, and reports
// whether it was cancelled.
func (s *ptySession) loop(ctx context.Context) (cancelled bool) {
	out := SafeWriter(s.rio.Output, s.secrets)
	promptSan := SanitizeWriter(pendingWriter{s})

	stop := make(chan struct{})
	reads := make(chan ptyRead)
	writes := make(chan ptyWrite)
	exited := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(3)
	go func() {
		defer wg.Done()
		s.readLoop(reads, stop)
	}()
	go func() {
		defer wg.Done()
		s.writeLoop(writes, stop)
	}()
	go func() {
		defer wg.Done()
		s.term.WaitExited()
		close(exited)
	}()

	var (
		readsC         = (<-chan ptyRead)(reads)
		exitedC        = (<-chan struct{})(exited)
		doneC          = ctx.Done()
		inputC         = s.rio.Input
		graceC, drainC <-chan time.Time
		graceT, drainT *time.Timer
		settleC        <-chan time.Time
		settleT        *time.Timer
		readsDone      bool
	)
	unsettle := func() {
		if settleT != nil {
			settleT.Stop()
		}
		settleC = nil
	}
	for !(readsDone && exitedC == nil) {
		var sendC chan<- ptyWrite
		var next ptyWrite
		if len(s.queue) > 0 && exitedC != nil {
			sendC, next = writes, s.queue[0]
		}
		select {
		case r := <-readsC:
			if r.err != nil {
				readsDone, readsC = true, nil
				break
			}
			// Errors writing output are the engine's to report: stopping
			// here would block the child and could turn a command that
			// completed into a failed step.
			out.Write(r.b)
			shown := s.shown
			promptSan.Write(r.b)
			s.matchPrompt()
			if s.shown == shown {
				// Only escape sequences (or a part of a character): nothing
				// the operator could see, so nothing changes for them.
				break
			}
			s.endWaiting()
			unsettle()
			if s.pending != "" && exitedC != nil {
				if settleT == nil {
					settleT = time.NewTimer(s.settle)
				} else {
					settleT.Reset(s.settle)
				}
				settleC = settleT.C
			}
		case <-settleC:
			settleC = nil
			if exitedC != nil {
				s.startWaiting()
			}
		case r, ok := <-inputC:
			if !ok {
				// A closed channel delivers nothing more; reading it again
				// would type empty lines for ever.
				inputC = nil
				break
			}
			unsettle()
			s.reply(r)
		case sendC <- next:
			s.queue = s.queue[1:]
		case <-doneC:
			doneC = nil
			if exitedC == nil {
				// The command has finished and its status stands; only
				// what it left holding the terminal goes.
				s.term.Signal(true)
				break
			}
			cancelled = true
			s.term.Signal(false)
			graceT = time.NewTimer(s.grace)
			graceC = graceT.C
		case <-graceC:
			graceC = nil
			s.term.Signal(true)
		case <-exitedC:
			exitedC = nil
			unsettle()
			s.endWaiting()
			if cancelled {
				// The leader is a zombie until reaped below, so its
				// process group id cannot have been reused yet.
				s.term.Signal(true)
			}
			if !readsDone {
				drainT = time.NewTimer(drainAfterExit)
				drainC = drainT.C
			}
		case <-drainC:
			drainC = nil
			readsDone = true
		}
	}
	unsettle()
	s.endWaiting()
	for _, t := range []*time.Timer{graceT, drainT} {
		if t != nil {
			t.Stop()
		}
	}
	close(stop)
	s.term.Close() // ends a pending Read or Write
	wg.Wait()
	s.waitErr = s.term.Wait() // reaps; the status is in cmd.ProcessState
	promptSan.Close()
	out.Close()
	return cancelled
}

func (s *ptySession) readLoop(reads chan<- ptyRead, stop <-chan struct{}) {
	for {
		buf := make([]byte, readBufSize)
		n, err := s.term.Read(buf)
		if n > 0 {
			select {
			case reads <- ptyRead{b: buf[:n]}:
			case <-stop:
				return
			}
		}
		if err != nil {
			// EIO is how Linux reports that every holder of the terminal
			// side has closed it: the normal end of the output.
			if err == io.EOF || errors.Is(err, syscall.EIO) || errors.Is(err, os.ErrClosed) {
				err = io.EOF
			}
			select {
			case reads <- ptyRead{err: err}:
			case <-stop:
			}
			return
		}
	}
}

func (s *ptySession) writeLoop(writes <-chan ptyWrite, stop <-chan struct{}) {
	for {
		select {
		case w := <-writes:
			if w.secret {
				s.waitNoEcho(stop)
			}
			if w.operator {
				// A line typed while the terminal neither echoes nor is in
				// raw mode is what getpass-style prompts read: treat it as
				// a secret before the child can print it back.
				// Where the modes cannot be read (a terminal on another
				// host), the line was asked as hidden (startWaiting): it is
				// a secret too.
				if echo, canon, err := s.term.Modes(); (err == nil && !echo && canon) || errors.Is(err, ErrModesUnknown) {
					s.secrets.Add(w.text)
				}
			}
			// A failed write means the child has gone; its exit status
			// says what happened.
			s.term.Write([]byte(w.text + "\r"))
		case <-stop:
			return
		}
	}
}

func (s *ptySession) waitNoEcho(stop <-chan struct{}) {
	deadline := time.NewTimer(secretEchoWait)
	defer deadline.Stop()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		echo, _, err := s.term.Modes()
		if (err != nil && !errors.Is(err, ErrModesUnknown)) || (err == nil && !echo) {
			// Where echo cannot be seen (a terminal on another host), the
			// secret is typed after secretEchoWait.
			return
		}
		select {
		case <-tick.C:
		case <-deadline.C:
			return
		case <-stop:
			return
		}
	}
}

// matchPrompt answers the pending prompt with the first rule that matches,
// or tells the engine that a prompt may be waiting for the operator.
func (s *ptySession) matchPrompt() {
	p := s.pending
	if p == "" {
		return
	}
	for i, a := range s.answers {
		if s.used[i] && !a.Repeat {
			continue
		}
		if !a.Pattern.MatchString(p) {
			continue
		}
		s.used[i] = true
		s.queue = append(s.queue, ptyWrite{text: a.Value, secret: a.Secret})
		s.pending, s.lastPrompt = "", ""
		if s.rio.OnAnswer != nil {
			s.rio.OnAnswer(a.Label)
		}
		return
	}
	if p != s.lastPrompt {
		s.lastPrompt = p
		if s.rio.OnPrompt != nil {
			s.rio.OnPrompt(s.secrets.String(p))
		}
	}
}

// pendingWriter keeps the unfinished last line of the sanitized output.
type pendingWriter struct{ s *ptySession }

func (w pendingWriter) Write(p []byte) (int, error) {
	w.s.shown += int64(len(p))
	text := string(p)
	if i := strings.LastIndexByte(text, '\n'); i >= 0 {
		w.s.pending = text[i+1:]
	} else {
		w.s.pending += text
	}
	if n := len(w.s.pending); n > maxPending {
		w.s.pending = w.s.pending[n-maxPending:]
	}
	return len(p), nil
}
