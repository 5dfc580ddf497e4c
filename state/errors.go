package state

import "errors"

// Sentinel errors, always returned wrapped with the run or step they concern,
// so callers test them with errors.Is and show the message as it is.
var (
	// ErrNotFound: no run with that id in this state database.
	ErrNotFound = errors.New("no such run")

	// ErrNotOwner: the token no longer owns the run. Another zenrecover took
	// the run over with --force-unlock, and this process must stop writing.
	ErrNotOwner = errors.New("this zenrecover no longer owns the run: another one took it over with --force-unlock")

	// ErrRunFinished: the run is completed, failed or abandoned; its journal
	// is closed.
	ErrRunFinished = errors.New("the run is finished; its journal is closed")

	// ErrNoOpenAttempt: a running event names a step whose last started
	// already has an outcome, or that was never started: a child pid must
	// belong to the attempt in flight.
	ErrNoOpenAttempt = errors.New("the step has no attempt in progress")

	// ErrAlreadyDone: a succeeded, failed or confirmed event names a step
	// that is already succeeded or confirmed, with no started since.
	// Refusing it is what makes an outcome, in particular the confirmation
	// of a manual step, happen exactly once.
	ErrAlreadyDone = errors.New("the step is already done")
)
