package runner

import (
	"io"

	"zenrecover/actions"
)

// ExecIO is what a front end gives ExecuteWith for one step: where the
// step's output goes and how the step and the operator talk while it runs.
// Every field may be left zero. The callbacks belong to this one execution:
// they are called from the goroutine running ExecuteWith, never
// concurrently and never after it returns, so they must not block for long
// (the command's output waits meanwhile).
type ExecIO struct {
	// Out receives the step's output, masked and sanitised (it also goes
	// to the run's log); nil shows nothing.
	Out io.Writer
	// Input carries the operator's replies to prompts no rule answers: a
	// line to type, or a suggestion of the last Waiting accepted
	// (actions.Reply). Nil never delivers.
	Input <-chan actions.Reply
	// Progress gets snapshots of a long action's progress (an archive
	// being made or restored), a few times a second at most. The plain
	// front end needs none: those actions also write a progress line to
	// the output every few seconds.
	Progress func(actions.Progress)
	// Waiting hears that the command waits for the operator (the line it
	// asked, masked; whether the reply will be hidden; the known answers
	// the operator may accept), and, with the zero actions.Waiting, that it
	// no longer does. See actions.IO.OnWaiting.
	Waiting func(actions.Waiting)
}
