package runner

import (
	"context"

	"zenrecover/actions"
)

// A front end that shows progress bars attaches its callback to the
// context it gives Execute, as net/http/httptrace attaches its hooks: the
// callback belongs to that one execution, and Execute's signature (an
// io.Writer for the output) stays as every caller knows it.

type progressKey struct{}

// WithProgress returns a context whose Execute reports the progress of
// long actions (an archive being made or restored) to fn: from the
// goroutine running the step, a few times a second at most, never after
// Execute returns. The plain front end prints nothing extra for it, since
// those actions already write a progress line every few seconds to the
// output (and so to the run's log).
func WithProgress(ctx context.Context, fn func(actions.Progress)) context.Context {
	return context.WithValue(ctx, progressKey{}, fn)
}

// progressFrom is the callback WithProgress attached, or nil.
func progressFrom(ctx context.Context) func(actions.Progress) {
	fn, _ := ctx.Value(progressKey{}).(func(actions.Progress))
	return fn
}
