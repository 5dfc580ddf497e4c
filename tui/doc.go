// Package tui is zenrecover's full-screen wizard (Bubble Tea v2). It and
// the line-by-line front end (package plain) drive a runner.Session; tui
// draws and asks, every decision about the run is runner's. Imports:
// cli → tui → runner (and procedures, lab, actions for their types).
//
// # Shape
//
// One root model (root.go) alone returns a tea.View. It owns the session,
// the options and the screen on show: the resume screen (resume.go), the
// picker (picker.go) or the run view. The run view (runview.go, panel.go,
// act.go) is a frame around one small model per phase of the run, its
// room (rooms.go: room_ask.go, room_step.go, room_running.go,
// room_failed.go, room_doubt.go, room_answers.go, room_dest.go,
// room_hostkey.go, room_fleet.go, room_end.go), each with its own keys (KeyMap has a part per room),
// Update, SetSize and drawing; rooms hand the operator's choice to the
// frame as an intent, and only the frame's Cmds touch the session. It draws the banner,
// the header and the footer around the screen. Screens are concrete types
// with Update(msg) (T, tea.Cmd), View() string and SetSize(w, h); they get
// a pointer to one small shared context (uictx: Styles, KeyMap, the mode the
// banner shows) when they are built. Key and paste messages go only to the
// screen on show; results go to the run view only when their generation
// matches. Screens hand intents (start this, resume that, quit with this
// code) to the root as small messages; the root does the work. No package
// state: RunWizard builds everything and returns.
//
// # The session
//
// A runner.Session is not safe for concurrent use and every call writes the
// journal, so it is called only inside a tea.Cmd, under one mutex, one
// operation (or operation then Next) at a time; never from Update or View.
// Each Cmd hands back a snapshot (plan, folded step states, run record) and
// the screens draw from that. Execute runs in a Cmd of its own; its output
// goes into a buffer that never blocks the command (a slow SSH link must
// not stall zman), drained by a re-armed Cmd. The end of the execution
// travels through the same buffer, so it never overtakes the last output.
//
// # Decisions
//
//   - Input belongs to its screen (input_gate.go): the root keeps when the
//     focused element appeared and drops a key or paste that arrives
//     sooner than a person could have read it (350 ms), and the rest of
//     its burst; the footer says keys were ignored, never which. ctrl+c
//     always passes, since it only asks. Tests drive a fake clock: press
//     is a person's pace, burst is keys typed ahead.
//   - A default is typed over, not appended to: the first character
//     replaces it, a cursor key keeps it to edit.
//   - A skip shows its reason back and needs y; abandoning a run needs a
//     reason and y; a changed answer needs a reason, and the steps that
//     used the old value are offered to run again.
//   - After a failure whose step read secrets, n retries asking them again
//     (Enter does, when the failure looks like a refused credential); r
//     retries with the same ones.
//   - While a command runs, ? is help until a reply is being typed; when
//     the command waits for an answer no rule gave, the screen says so,
//     quotes its line, says whether the reply is hidden, and lists the
//     known answers the operator may send with a digit.
//   - ctrl+c asks everywhere in a run, and says what stopping leaves
//     behind (a running command's step in doubt, checked on resume);
//     pressed again at that question, it stops. In the picker and on the
//     resume screen nothing is running: it leaves at once.
//   - Suggested commands (resume, report) carry the --state the run uses
//     (runner.Command).
//   - Questions: a yes/no with no suggestion has nothing selected, so Enter
//     alone cannot answer it; a detected answer is preselected and labelled
//     as what zenrecover saw on this machine. y and n select, Enter answers.
//     Text inputs are prefilled with their default, so what Enter sends is
//     what is on screen.
//   - Secrets are typed with EchoNone: not even dots, since the length is
//     part of a passphrase. A field is emptied as soon as its value is
//     taken or refused. A new secret is checked for length after the first
//     entry, then must be typed again; a mismatch clears both. The line an
//     operator types for a running command is hidden too: an unknown prompt
//     of these tools is most likely a password.
//   - "Asked again, secrets are never stored" is said only when this process
//     resumed the run (the runner also sets Again in a fresh run once any
//     step has started).
//   - A manual step takes Enter and then an explicit y: one reflexive Enter
//     must not record work as done. A destructive step (manual or not)
//     takes its host name typed; y, yes or a wrong name is refused and
//     nothing is journaled. A dry run asks no host name: nothing runs.
//   - An interrupted command's context is cancelled and the step stays in
//     doubt for the resume to check; then the run stops. q (where it is not
//     text) or ctrl+c asks "Stop the run here?"; stopping records a stop
//     and says how to resume.
//   - A failed step offers r retry, s skip (a reason is required), q stop.
//     An in-doubt step offers r re-run, d mark done (reason required), q
//     stop. Enter re-runs only a step declared idempotent; a step that is
//     not asks for a reason; after runner.MaxInDoubt findings "override"
//     must be typed. A step still running offers stop only.
//   - The picker marks a procedure that has an unfinished run in the same
//     place (live, or the same lab; dry run or not) and Enter resumes that
//     run: one recovery at a time, as `zenrecover run` insists. Without
//     ZENworks on the machine it says so and r rehearses the selected
//     procedure in a fresh lab (Config.NewLab); Enter still runs it for real,
//     because 1.2 starts by reinstalling ZENworks. A procedure named on the
//     command line is then not started until the operator has seen that.
//   - A new procedure picked from the resume screen does not inherit the
//     resumed run's lab. An answers file (Config.Preset) applies only to the
//     procedure it was read for.
//   - Layout: the step list is a sidebar from 72 columns, one line of marks
//     below that. The form follows the text it answers; the output pane
//     shares the column with the current step's text and keeps the last
//     command's output under the next step only where there is room. Every
//     line is cut to the width and the screen to the height, so the footer
//     stays on the last line at any size.
//   - Styles come from the terminal's background (tea.BackgroundColorMsg;
//     dark until it answers) and are built in one place, never in a View.
//     With --no-color or NO_COLOR no style sets a colour (bold, faint and
//     reverse only) and the program's colour profile is ASCII. Step marks
//     are characters (✓ ✗ ? – ▶ ·), so nothing depends on colour.
//   - No blinking cursor and no spinner: nothing repaints on a timer over a
//     slow SSH link, and the tests need no clock.
//   - Other hosts (issue 16): a host key zenrecover does not know has a
//     room of its own before the step (room_hostkey.go): host, address,
//     key type, SHA256 fingerprint, the known_hosts file; y trusts it, n
//     leaves the host's steps to the operator (each says why), Enter does
//     neither. A fan-out step Ansible can take offers f (never the
//     default): the fleet room counts hosts as their results arrive, and
//     the run goes on with what is left; without ansible-playbook f shows
//     the command and files (room_fleet.go).
//   - Exit codes are runner's (runner.Exit*): runner.ExitCompleted when the run completed (or
//     the picker was left before anything started), runner.ExitStopped when the run
//     is left resumable (stopped, interrupted, or the resume screen quit),
//     runner.ExitFailed when a stop could not be recorded. However the program
//     ends (a signal, a cancelled context), RunWizard interrupts a running
//     command, stops an unfinished run and prints how to resume after the
//     alternate screen is gone.
package tui
