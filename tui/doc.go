// Package tui is zenrecover's full-screen wizard (Bubble Tea v2) and, in
// plain.go, its line-by-line front end. Both drive a runner.Session; this
// file is about the wizard.
//
// # Shape
//
// One root model (root.go) alone returns a tea.View. It owns the session,
// the options and the screen on show: the resume screen (resume.go), the
// picker (picker.go) or the run view (runview.go, with prompt.go,
// dialog.go, output.go and steplist.go as its parts). It draws the banner,
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
//   - Ctrl+C while a command runs interrupts it (its context is cancelled,
//     the step stays in doubt for the resume to check) and then stops the
//     run. Anywhere else q, or ctrl+c while typing, asks "Stop the run
//     here?"; stopping records a stop and says how to resume.
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
//   - Exit codes are plain.go's: runner.ExitCompleted when the run completed (or
//     the picker was left before anything started), runner.ExitStopped when the run
//     is left resumable (stopped, interrupted, or the resume screen quit),
//     runner.ExitFailed when a stop could not be recorded. However the program
//     ends (a signal, a cancelled context), RunWizard interrupts a running
//     command, stops an unfinished run and prints how to resume after the
//     alternate screen is gone.
package tui
