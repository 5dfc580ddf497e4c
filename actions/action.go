package actions

import (
	"context"
	"errors"
	"io"
	"time"
)

// IO is what an action gets from the run engine. Every field may be left
// zero: a nil Output discards, a nil Secrets knows no secrets, nil funcs are
// not called and a nil Input never delivers.
type IO struct {
	// Output receives the action's output, already sanitized and masked
	// (see SafeWriter): the engine may show and store it as it is. It is
	// written from the goroutine that called Run, never concurrently, and
	// never after Run returns.
	Output io.Writer

	// Secrets knows every secret value of the run. Actions add to it what
	// they learn to be secret (answers marked Secret; a line the operator
	// typed while the terminal was not echoing).
	Secrets *Masker

	// OnStart is called once a child process exists, with its pid, before
	// any of its output is read; the engine journals it.
	OnStart func(pid int)

	// Input delivers the operator's replies to prompts no rule answers: a
	// line typed as it is, or a Suggestion of the last Waiting accepted
	// (see Reply). Run stops receiving when it returns; the channel is
	// never closed by an action, and one closed by the engine is no longer
	// read.
	Input <-chan Reply

	// OnPrompt is called when the child's output ends in an unfinished line
	// that no rule answers, with that line (masked). It is a hint that the
	// child may be waiting for the operator: the child may as well be
	// printing a progress line, so a front end should offer input rather
	// than demand it.
	OnPrompt func(prompt string)

	// OnWaiting is called when the command is waiting for the operator:
	// its output ends in an unfinished line that no rule answers and it
	// has been silent since for Command.Settle. It is called with the zero
	// Waiting, once, when the command no longer waits (it printed again,
	// the operator replied, it exited), and always before Run returns.
	OnWaiting func(Waiting)

	// OnAnswer is called after a rule answered a prompt, with the rule's
	// Label (never its value); the engine journals "answered".
	OnAnswer func(label string)

	// OnProgress, when set, gets snapshots of a long action's progress
	// (an archive being made, verified or restored) for a progress bar:
	// from the goroutine that called Run, a few times a second at most,
	// and never after Run returns. Current is masked and sanitized.
	// Actions that cannot tell their progress never call it.
	OnProgress func(Progress)
}

// Action is one executable step.
type Action interface {
	// Describe is an honest one-line description of what Run would do,
	// with secrets masked; dry runs and checklists show it.
	Describe() string
	// Run does it. Cancelling ctx stops it (a child process group gets
	// SIGTERM, then SIGKILL) and Run returns an error wrapping ctx.Err().
	Run(ctx context.Context, io IO) error
}

// Check decides whether a step took effect.
type Check interface {
	Describe() string
	// Check returns ok=false with a detail a person can act on when the
	// condition does not hold; err only when it cannot decide (e.g.
	// permission denied while looking).
	Check(ctx context.Context, stepStart time.Time) (ok bool, detail string, err error)
}

// SafeWriter returns the writer actions put their output through: it masks
// the secrets that m knows, sanitizes (SanitizeWriter), and masks again, so
// that a secret split by an escape sequence the sanitizer removes is still
// masked, and one that the sanitizer would alter (a secret containing a
// control character) is masked before it is altered. Close flushes what is
// held back (a possible start of a secret, an incomplete UTF-8 sequence)
// and does not close w. A nil w discards.
func SafeWriter(w io.Writer, m *Masker) io.WriteCloser {
	if w == nil {
		w = io.Discard
	}
	outer := m.Writer(w)
	san := SanitizeWriter(outer)
	inner := m.Writer(san)
	return &chainCloser{Writer: inner, closers: []io.Closer{inner, san, outer}}
}

type chainCloser struct {
	io.Writer
	closers []io.Closer // in order: upstream first
}

func (c *chainCloser) Close() error {
	var errs []error
	for _, cl := range c.closers {
		errs = append(errs, cl.Close())
	}
	return errors.Join(errs...)
}

// secretsOf returns the run's Masker, or a fresh one when the engine gave
// none, so that actions can always add to and mask with it.
func (x IO) secretsOf() *Masker {
	if x.Secrets != nil {
		return x.Secrets
	}
	return NewMasker()
}
