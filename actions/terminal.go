package actions

import (
	"context"
	"errors"
	"time"
)

// Terminal is the far end of a command's terminal, as the prompt loop
// drives it: a local pseudo-terminal (Command), or one on another host
// (package remote's SSH session). Answer rules, the waiting cue, masking
// and cancelling are the same for both because they live in the loop, not
// in a Terminal.
type Terminal interface {
	// Read returns the command's output; io.EOF once it has ended (every
	// holder of the terminal closed it, or the session closed).
	Read(p []byte) (int, error)
	// Write types into the terminal.
	Write(p []byte) (int, error)
	// Close ends a pending Read or Write; called once, after WaitExited
	// has returned (or the command was killed), before Wait.
	Close() error
	// Modes reports the terminal's ECHO and ICANON flags, or
	// ErrModesUnknown where they cannot be read (the SSH protocol does not
	// carry a remote terminal's modes).
	Modes() (echo, canon bool, err error)
	// Signal asks the command and what it started to stop: SIGTERM, or
	// SIGKILL when kill is set. It may do nothing once the command exited.
	Signal(kill bool)
	// WaitExited blocks until the command has exited. A local one is not
	// reaped yet, so its pid and process group stay reserved for Signal.
	WaitExited()
	// Wait collects the command's status once the loop is done with it.
	Wait() error
}

// ErrModesUnknown says a terminal's modes cannot be read. The loop then
// treats a prompt as hidden (a reply typed there becomes a secret of the
// run) and types a Secret answer secretEchoWait after its prompt, since it
// cannot see echo go off.
var ErrModesUnknown = errors.New("the terminal's modes cannot be read")

// RunTerminal drives a command that already runs behind t exactly as
// Command.Run drives a local one: answers matched and typed, the operator's
// replies, the waiting cue, output masked and sanitized into rio.Output,
// cancelling ctx signals it (SIGTERM, SIGKILL after grace; 0 means
// KillGrace's default). settle 0 means DefaultSettle. It returns when the
// command has exited and its output has been read to its end (or
// drainAfterExit after it exited), with whether ctx cancelled it and what
// t.Wait said. The caller reads the exit status from its Terminal.
func RunTerminal(ctx context.Context, t Terminal, answers []Answer, settle, grace time.Duration, rio IO) (cancelled bool, waitErr error) {
	secrets := rio.secretsOf()
	for _, a := range answers {
		if a.Secret {
			secrets.Add(a.Value)
		}
	}
	return driveTerminal(ctx, t, answers, settle, grace, rio, secrets)
}

func driveTerminal(ctx context.Context, t Terminal, answers []Answer, settle, grace time.Duration, rio IO, secrets *Masker) (bool, error) {
	s := &ptySession{
		term:    t,
		rio:     rio,
		secrets: secrets,
		answers: answers,
		used:    make([]bool, len(answers)),
		grace:   grace,
		settle:  settle,
	}
	if s.grace <= 0 {
		s.grace = defaultKillGrace
	}
	if s.settle <= 0 {
		s.settle = DefaultSettle
	}
	cancelled := s.loop(ctx)
	return cancelled, s.waitErr
}

// ValidateAnswers refuses answer rules the terminal would act on rather
// than pass on (a control character in a value) or that match nothing, as
// Command.Run does before it starts anything.
func ValidateAnswers(prog string, answers []Answer) error {
	c := &Command{Answers: answers}
	return c.validate(prog, nil, NewMasker())
}
