package runner

import "zenrecover/state"

// The state types and values a front end meets, under runner's name, so
// that tui and plain never import state: runner owns how a run is kept.

// Mode says what a run does to the machine.
type Mode = state.Mode

const (
	ModeLive   = state.ModeLive
	ModeLab    = state.ModeLab
	ModeDryRun = state.ModeDryRun
	ModeGuide  = state.ModeGuide
)

// Run is one execution of one procedure, as the store records it.
type Run = state.Run

// RunStatus is the status of a run as a whole.
type RunStatus = state.RunStatus

const (
	RunActive    = state.RunActive
	RunCompleted = state.RunCompleted
	RunFailed    = state.RunFailed
	RunStopped   = state.RunStopped
	RunAbandoned = state.RunAbandoned
)

// RunState is the fold of a run's journal.
type RunState = state.RunState

// StepState is where one step (or one target of it) stands.
type StepState = state.StepState

// StepStatus is a step's status in a RunState.
type StepStatus = state.StepStatus

const (
	StepPending   = state.StepPending
	StepInDoubt   = state.StepInDoubt
	StepSucceeded = state.StepSucceeded
	StepFailed    = state.StepFailed
	StepSkipped   = state.StepSkipped
	StepConfirmed = state.StepConfirmed
)

// Store is the checkpoint database.
type Store = state.Store

// Event is one journal row; EventKind what it records.
type (
	Event     = state.Event
	EventKind = state.EventKind
)

const (
	EventPlanned   = state.EventPlanned
	EventStarted   = state.EventStarted
	EventRunning   = state.EventRunning
	EventOutput    = state.EventOutput
	EventSucceeded = state.EventSucceeded
	EventFailed    = state.EventFailed
	EventSkipped   = state.EventSkipped
	EventConfirmed = state.EventConfirmed
	EventAnswered  = state.EventAnswered
	EventResolved  = state.EventResolved
	EventStopped   = state.EventStopped
	EventChanged   = state.EventChanged
	EventRedo      = state.EventRedo
	EventAbandoned = state.EventAbandoned
)

// The values of a resolved event.
const (
	ResolvedDone    = state.ResolvedDone
	ResolvedNotDone = state.ResolvedNotDone
)

// DoubtReason says why a step is in doubt (NeedInDoubt.Reason).
type DoubtReason = state.DoubtReason

const (
	DoubtRebooted     = state.DoubtRebooted
	DoubtStillRunning = state.DoubtStillRunning
	DoubtWizardDied   = state.DoubtWizardDied
)

// LockedError is a run held by another zenrecover.
type LockedError = state.LockedError

// ErrNotFound: no run with that id.
var ErrNotFound = state.ErrNotFound

// StepKey is the key of a step, or of one target of a fan-out step, in
// RunState.Steps: what Confirm, Skip, Retry and Redo take.
func StepKey(step, target string) string { return state.StepKey(step, target) }

// Fold computes the state of a run from its journal.
func Fold(events []Event) RunState { return state.Fold(events) }

// BootID identifies this boot of the machine ("" where it cannot be told).
func BootID() string { return state.BootID() }

// OpenStore opens (creating if needed) the state database at path.
func OpenStore(path string) (*Store, error) { return state.Open(path) }
