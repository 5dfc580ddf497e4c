package tui

import "charm.land/bubbles/v2/key"

// KeyMap is every key the wizard answers to, with the words the footer and
// the full help show: one small key map per screen and per phase of a run,
// as huh gives each field its own, so that a key means one thing where it
// is bound (Enter runs a step in Step, sends a line in Running) and a
// screen lists only its own. Letters are the first letter of what they do
// (r retry, s skip, q stop), so a tired operator can read them off the
// footer.
type KeyMap struct {
	Global  GlobalKeys
	Picker  PickerKeys
	Doctor  DoctorKeys
	Resume  ResumeKeys
	Ask     AskKeys
	Step    StepKeys
	Running RunningKeys
	Failed  FailedKeys
	Doubt   DoubtKeys
	End     EndKeys
	Answers AnswersKeys
	Dialog  DialogKeys
	Dest    DestKeys
	HostKey HostKeyKeys
	Fleet   FleetKeys
}

// GlobalKeys work on every screen (the footer adds them to the screen's).
type GlobalKeys struct {
	Help       key.Binding
	HelpOnly   key.Binding // F1: help while typing, when ? is text
	ForceQuit  key.Binding // ctrl+c: always asks before stopping anything
	ScrollUp   key.Binding
	ScrollDown key.Binding
}

type PickerKeys struct {
	Up, Down key.Binding
	Start    key.Binding // start the selected procedure, or resume its unfinished run
	Rehearse key.Binding // rehearse in a fresh lab
	Export   key.Binding // write the selected procedure's checklist to files
	Doctor   key.Binding // how ready the zone is (doctor.go)
	Quit     key.Binding
}

// DoctorKeys move through the readiness checks.
type DoctorKeys struct {
	Up, Down key.Binding
	Run      key.Binding // pick the procedure the check names
	Back     key.Binding
}

type ResumeKeys struct {
	Resume key.Binding
	New    key.Binding
	Quit   key.Binding
}

// AskKeys answer a question or fill a value.
type AskKeys struct {
	Up, Down, Left, Right key.Binding
	Yes, No               key.Binding
	Choose                key.Binding // Enter on a list or a yes/no
	Next                  key.Binding // Tab to the second field
	Submit                key.Binding // Enter in a text field
}

type StepKeys struct {
	Run        key.Binding
	DoneByHand key.Binding
	Skip       key.Binding
	Answers    key.Binding // review and correct the answers so far
	Abandon    key.Binding
	Stop       key.Binding
	Fleet      key.Binding // a fan-out step: hand its targets not done to Ansible
}

type RunningKeys struct {
	Send      key.Binding // Enter: send the typed line to the command
	Suggest   key.Binding // 1-9: send a known answer the operator picks
	Interrupt key.Binding // ctrl+c: asks, then interrupts
	Help      key.Binding // ? while no reply is being typed
}

type FailedKeys struct {
	Retry      key.Binding
	NewSecrets key.Binding // retry, typing the secrets again
	Skip       key.Binding
	Answers    key.Binding
	Abandon    key.Binding
	Stop       key.Binding
}

type DoubtKeys struct {
	Rerun     key.Binding
	RerunSafe key.Binding // Enter re-runs a step declared safe to repeat
	MarkDone  key.Binding
	Abandon   key.Binding
	Stop      key.Binding
}

// EndKeys: the run is complete, stopped, or cannot go on.
type EndKeys struct {
	Exit     key.Binding
	TryAgain key.Binding
	Stop     key.Binding
}

// AnswersKeys move through the answers so far and pick one to change.
type AnswersKeys struct {
	Up, Down key.Binding
	Change   key.Binding
	Back     key.Binding
}

// DialogKeys answer a dialog over a screen.
type DialogKeys struct {
	Yes, No key.Binding
	Submit  key.Binding
	Back    key.Binding
}

// DestKeys decide about a step's destination file or folder.
type DestKeys struct {
	KeepBoth key.Binding
	Replace  key.Binding
	Create   key.Binding
	Stop     key.Binding
}

// HostKeyKeys decide about the SSH host key of a host a step is on.
type HostKeyKeys struct {
	Accept key.Binding
	Refuse key.Binding
	Stop   key.Binding
}

// FleetKeys: a fan-out step handed to Ansible, running or shown as the
// command to run elsewhere.
type FleetKeys struct {
	Back      key.Binding // the export was read: back to the step
	Interrupt key.Binding // ctrl+c: asks, then interrupts ansible-playbook
}

// DefaultKeyMap is the wizard's key map.
func DefaultKeyMap() KeyMap {
	b := func(keys []string, k, help string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(k, help))
	}
	ks := func(k ...string) []string { return k }
	stop := b(ks("q"), "q", "stop (resumable)")
	return KeyMap{
		Global: GlobalKeys{
			Help:       b(ks("?", "f1"), "?", "help"),
			HelpOnly:   b(ks("f1"), "f1", "help"),
			ForceQuit:  b(ks("ctrl+c"), "ctrl+c", "stop"),
			ScrollUp:   b(ks("pgup"), "pgup", "scroll up"),
			ScrollDown: b(ks("pgdown"), "pgdn", "scroll down"),
		},
		Picker: PickerKeys{
			Up:       b(ks("up", "k"), "↑/k", "up"),
			Down:     b(ks("down", "j"), "↓/j", "down"),
			Start:    b(ks("enter"), "enter", "start"),
			Rehearse: b(ks("r"), "r", "rehearse in a lab"),
			Export:   b(ks("e"), "e", "checklist to file"),
			Doctor:   b(ks("d"), "d", "readiness"),
			// Nothing runs here, so nothing is lost: ctrl+c leaves at once.
			Quit: b(ks("q", "ctrl+c"), "q", "quit"),
		},
		Doctor: DoctorKeys{
			Up:   b(ks("up", "k"), "↑/k", "up"),
			Down: b(ks("down", "j"), "↓/j", "down"),
			Run:  b(ks("enter"), "enter", "go to its procedure"),
			Back: b(ks("esc", "q"), "esc", "back"),
		},
		Resume: ResumeKeys{
			Resume: b(ks("enter"), "enter", "resume"),
			New:    b(ks("n"), "n", "new procedure"),
			Quit:   b(ks("q", "ctrl+c"), "q", "quit"),
		},
		Ask: AskKeys{
			Up:     b(ks("up", "k"), "↑/k", "up"),
			Down:   b(ks("down", "j"), "↓/j", "down"),
			Left:   b(ks("left", "h"), "←", "left"),
			Right:  b(ks("right", "l"), "→", "right"),
			Yes:    b(ks("y", "Y"), "y", "yes"),
			No:     b(ks("n", "N"), "n", "no"),
			Choose: b(ks("enter"), "enter", "answer"),
			Next:   b(ks("tab"), "tab", "next field"),
			Submit: b(ks("enter"), "enter", "submit"),
		},
		Step: StepKeys{
			Run:        b(ks("enter"), "enter", "run step"),
			DoneByHand: b(ks("enter"), "enter", "I have done it"),
			Skip:       b(ks("s"), "s", "skip (with reason)"),
			Answers:    b(ks("c"), "c", "check/correct answers"),
			Abandon:    b(ks("a"), "a", "abandon the run"),
			Stop:       stop,
			Fleet:      b(ks("f"), "f", "hand to Ansible"),
		},
		Running: RunningKeys{
			Send:      b(ks("enter"), "enter", "send line to command"),
			Suggest:   b(ks("1", "2", "3", "4", "5", "6", "7", "8", "9"), "1-9", "send a known answer"),
			Interrupt: b(ks("ctrl+c"), "ctrl+c", "interrupt"),
			Help:      b(ks("?", "f1"), "?", "help"),
		},
		Failed: FailedKeys{
			Retry:      b(ks("r"), "r", "retry"),
			NewSecrets: b(ks("n"), "n", "retry, new secret"),
			Skip:       b(ks("s"), "s", "skip (with reason)"),
			Answers:    b(ks("c"), "c", "check/correct answers"),
			Abandon:    b(ks("a"), "a", "abandon the run"),
			Stop:       stop,
		},
		Doubt: DoubtKeys{
			Rerun:     b(ks("r"), "r", "re-run"),
			RerunSafe: b(ks("enter"), "enter", "re-run"),
			MarkDone:  b(ks("d"), "d", "mark done"),
			Abandon:   b(ks("a"), "a", "abandon the run"),
			Stop:      stop,
		},
		End: EndKeys{
			Exit:     b(ks("enter", "q"), "enter", "exit"),
			TryAgain: b(ks("enter"), "enter", "try again"),
			Stop:     stop,
		},
		Answers: AnswersKeys{
			Up:     b(ks("up", "k"), "↑/k", "up"),
			Down:   b(ks("down", "j"), "↓/j", "down"),
			Change: b(ks("enter"), "enter", "change"),
			Back:   b(ks("esc", "q"), "esc", "back"),
		},
		Dialog: DialogKeys{
			Yes:    b(ks("y", "Y"), "y", "yes"),
			No:     b(ks("n", "N", "esc"), "n", "no"),
			Submit: b(ks("enter"), "enter", "submit"),
			Back:   b(ks("esc"), "esc", "back"),
		},
		Dest: DestKeys{
			KeepBoth: b(ks("k"), "k", "keep both"),
			Replace:  b(ks("r"), "r", "replace the old one"),
			Create:   b(ks("y"), "y", "create the folder"),
			Stop:     stop,
		},
		HostKey: HostKeyKeys{
			Accept: b(ks("y", "Y"), "y", "trust this key"),
			Refuse: b(ks("n", "N"), "n", "do its steps by hand"),
			Stop:   stop,
		},
		Fleet: FleetKeys{
			Back:      b(ks("enter", "esc"), "enter", "back to the step"),
			Interrupt: b(ks("ctrl+c"), "ctrl+c", "interrupt"),
		},
	}
}
