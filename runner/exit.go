package runner

// Exit statuses of the program, of the TUI and of the plain front end: one
// definition, because all three must mean the same by them (README).
const (
	ExitCompleted = 0
	ExitFailed    = 1
	ExitUsage     = 2 // bad usage or bad input, or a case the procedure does not support
	ExitStopped   = 3 // stopped and resumable
)
