package tui

import "charm.land/bubbles/v2/key"

// KeyMap is every key the wizard answers to, with the words the footer and
// the full help show. Letters are the first letter of what they do (r
// retry, s skip, q stop), so a tired operator can read them off the footer.
// Bindings that share a key (Enter, r) belong to different screens or
// phases; a screen lists only the ones it acts on.
type KeyMap struct {
	Up     key.Binding
	Down   key.Binding
	Left   key.Binding
	Right  key.Binding
	Choose key.Binding // Enter on a list or a yes/no
	Next   key.Binding // Tab to the second field
	Back   key.Binding // Esc out of a dialog

	Yes key.Binding
	No  key.Binding

	Start    key.Binding // picker: start the selected procedure
	Rehearse key.Binding // picker: rehearse in a fresh lab
	Export   key.Binding // picker: write the selected procedure's checklist to files
	Resume   key.Binding // start screen: resume the unfinished run
	New      key.Binding // start screen: pick a new procedure
	Quit     key.Binding // picker and start screen: leave

	Run        key.Binding // run a step's command
	DoneByHand key.Binding // confirm a manual step
	Skip       key.Binding
	Retry      key.Binding
	Rerun      key.Binding // in-doubt: run the step again
	MarkDone   key.Binding // in-doubt: record that it took effect
	Stop       key.Binding // stop the run, resumable
	Interrupt  key.Binding // ctrl+c while a command runs
	Send       key.Binding // Enter while a command runs: send the typed line
	Submit     key.Binding // Enter in a text field
	Exit       key.Binding // leave after the run completed or stopped
	TryAgain   key.Binding // try Next again after an error

	ScrollUp   key.Binding
	ScrollDown key.Binding

	Help      key.Binding
	HelpOnly  key.Binding // F1: help while typing, when ? is text
	ForceQuit key.Binding
}

// DefaultKeyMap is the wizard's key map.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:     key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:   key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Left:   key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←", "left")),
		Right:  key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("→", "right")),
		Choose: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "answer")),
		Next:   key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next field")),
		Back:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),

		Yes: key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", "yes")),
		No:  key.NewBinding(key.WithKeys("n", "N", "esc"), key.WithHelp("n", "no")),

		Start:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "start")),
		Rehearse: key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "rehearse in a lab")),
		Export:   key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "checklist to file")),
		Resume:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "resume")),
		New:      key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new procedure")),
		Quit:     key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),

		Run:        key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "run step")),
		DoneByHand: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "I have done it")),
		Skip:       key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "skip (with reason)")),
		Retry:      key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "retry")),
		Rerun:      key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "re-run")),
		MarkDone:   key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "mark done")),
		Stop:       key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "stop (resumable)")),
		Interrupt:  key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "interrupt")),
		Send:       key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "send line to command")),
		Submit:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "submit")),
		Exit:       key.NewBinding(key.WithKeys("enter", "q", "ctrl+c"), key.WithHelp("enter", "exit")),
		TryAgain:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "try again")),

		ScrollUp:   key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "scroll up")),
		ScrollDown: key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "scroll down")),

		Help:      key.NewBinding(key.WithKeys("?", "f1"), key.WithHelp("?", "help")),
		HelpOnly:  key.NewBinding(key.WithKeys("f1"), key.WithHelp("f1", "help")),
		ForceQuit: key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "stop")),
	}
}
