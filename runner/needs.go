package runner

import (
	"time"

	"zenrecover/procedures"
	"zenrecover/state"
)

// Need is what the run needs from the operator next.
type Need interface{ need() }

// NeedFact asks a question the procedure branches on.
type NeedFact struct {
	Fact      *procedures.Fact
	Suggested string // the default, or what the machine told ("" if nothing)
	Detected  bool   // Suggested came from looking at the machine
	// Number counts this question among the facts answered so far; Total
	// adds those still to ask, as far as the answers so far tell (it can
	// only shrink: a scenario chosen drops the others' questions).
	Number, Total int
}

// NeedInput asks for a value a step uses.
type NeedInput struct {
	Input *procedures.Input
	Step  *procedures.Step
	Again bool // a secret asked again after a resume: secrets are never stored
	// Refused: asked again because the value typed last was refused (the
	// operator chose RetryWithNewSecrets after the step failed).
	Refused bool
}

// NeedStep is a step ready to run (or, for a manual step, to be done by
// the operator and confirmed).
type NeedStep struct {
	Step        *procedures.Step
	Target      string          // the target of a fan-out step ("" otherwise)
	Key         string          // what Confirm and Skip take: the step id, with "@target" for a fan-out step
	Command     []string        // a command the operator runs by hand (on the target), expanded
	Script      string          // text the operator types by hand (SQL), expanded
	Targets     []string        // every target of a fan-out step, in order
	TargetsDone map[string]bool // which of them are finished
	Number      int             // position among the steps that apply, from 1
	Total       int
	Describe    string // what will run, secrets masked
	// Instructions are the step's instructions, resolved with the rest of
	// it (${target} included): a front end shows these, not the
	// definition's text.
	Instructions string
	// Argv is the command the wizard runs for the step, as the server
	// names it, secrets masked; nil when it runs none (a manual step, a
	// local action). The started event journals the same (resolve.go).
	Argv        []string
	Manual      bool
	Host        string // the other machine the step is done on ("" for here); in a lab, simulated
	Destructive bool
	ConfirmWord string // the host name to type before a destructive step
	Condition   string // the condition in words, "" when unconditional
	// Checks are the step's verify checks in words, in a guided run
	// (guide.go): the operator looks at the target and answers each.
	Checks []string
	// OverSSH: the step runs on Host over SSH (remote.go).
	OverSSH bool
	// Fleet: a fan-out step the front end may hand to Ansible for all its
	// targets not done (RunFleet; FleetPlan without ansible-playbook).
	// AnsibleInstalled: ansible-playbook is on PATH, so RunFleet runs it.
	Fleet, AnsibleInstalled bool
}

// NeedFailed is a step whose last attempt failed.
type NeedFailed struct {
	Step     *procedures.Step
	Key      string // what Retry and Skip take (step id, "@target" for a fan-out)
	Target   string
	Error    string
	Attempts int
	// Secrets are the secret inputs the step reads: RetryWithNewSecrets
	// asks them again. Empty when it reads none.
	Secrets []*procedures.Input
	// AuthFailure: the error or the step's last output reads like a
	// refused credential (AuthFailure in secrets_again.go), so typing the
	// secrets again is the likely way forward.
	AuthFailure bool
}

// NeedInDoubt is a step that was started and never finished.
type NeedInDoubt struct {
	Step          *procedures.Step
	Key           string // what Resolve takes
	Target        string
	Reason        state.DoubtReason
	Why           string
	Started       time.Time
	Describe      string
	LastOutput    string
	Verify        string // what the verify checks said, "" when there are none
	VerifyFailed  bool
	Idempotent    bool
	Count         int  // how many times this step has been found in doubt
	NeedsOverride bool // too many in-doubt findings: a re-run must be forced
	StillRunning  bool
	PID           int
	// Host is the other host the step's command ran on over SSH (PID is
	// that host's), "" for this machine.
	Host string
}

// Settled reports an in-doubt step that its verify checks showed done; it
// is already journaled as resolved, so the front end only tells the operator
// and asks Next again.
type Settled struct {
	Step    *procedures.Step
	Key     string
	Target  string
	Why     string
	Verify  string
	Started time.Time
}

// Done means every step that applies is finished.
type Done struct{}

func (*NeedFact) need()    {}
func (*NeedInput) need()   {}
func (*NeedStep) need()    {}
func (*NeedFailed) need()  {}
func (*NeedInDoubt) need() {}
func (*Done) need()        {}
func (*Settled) need()     {}

// RefusedError is an unsupported combination of answers: the procedure
// does not apply here, and no step runs.
type RefusedError struct{ Reason string }

func (e *RefusedError) Error() string { return "not supported: " + e.Reason }

// MaxInDoubt is how many times a step may be found in doubt before a re-run
// needs an explicit override.
const MaxInDoubt = 3
