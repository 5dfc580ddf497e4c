// Package actions executes the steps of a procedure: commands under a
// pseudo-terminal that answer their own prompts, local file actions (copy,
// edit-xml), and the checks that decide whether a step took effect.
//
// # The contract with the run engine
//
// An Action has Describe (one honest line for dry runs and checklists, with
// secrets masked) and Run(ctx, IO). A Check has Describe and Check(ctx,
// stepStart), answering ok=false with a detail when the condition does not
// hold and an error only when it cannot decide.
//
// Build makes an Action from a step the runner has already resolved
// (procedures.Resolve): it rebases paths for a lab and fills in the
// secrets the step names by reference, and expands no template, so what
// runs is what the runner showed and journaled.
//
// Secrets: IO.Secrets is the run's Masker. The engine adds every secret
// input to it before running a step; actions add what they learn (answers
// marked Secret, a line the operator typed while the terminal did not
// echo). Anything may add at any time; the Masker is safe for concurrent
// use.
//
// Output: whatever an action writes to IO.Output has already been through
// SafeWriter: masked, sanitized (no escape sequences or control characters
// other than \n and \t, valid UTF-8), masked again. The engine shows it and
// writes it to the log as it is. Text the engine makes itself from
// untrusted or secret-bearing material goes through SafeWriter (streams) or
// Sanitize(Masker.String(s)) (whole strings) too. Output is written, and
// the IO callbacks are called, only from the goroutine running Run and
// never after Run returns. Errors
// writing Output do not fail the action: a full log disk must not turn a
// completed restore into a failed step; the engine's writer reports its own
// failures.
//
// Errors: no error an action returns contains a secret. A command that
// exits non-zero gives *ExitError{Program, Code, Signal}; a cancelled one
// gives an error wrapping ctx.Err().
//
// # Commands
//
// Command runs Argv directly (never through a shell), under a new
// pseudo-terminal (120x40) as the leader of a new session and so of its own
// process group. Secrets reach it only through the terminal: Run refuses an
// argument that contains a known secret, and drops from its environment
// the ZENRECOVER_SECRET_* variables and any variable holding a known
// secret. TERM is dumb unless the environment given sets it.
//
// The output since the last line break or answer, sanitized, is the pending
// prompt. After each read, the Answers are tried in order against it; the
// first whose Pattern matches types its Value and Enter, once, or each time
// it matches if Repeat. A Secret value is typed once the terminal stops
// echoing (programs that turn echo off with TCSAFLUSH discard what was
// typed before), or after a second if it never does. When no rule matches,
// IO.OnPrompt gets the masked prompt at once (a hint only: it may as well be
// a progress line) and replies from IO.Input are typed as the operator sent
// them.
//
// # When a command waits for the operator
//
// IO.OnWaiting is the reliable cue that the command waits for a reply no
// rule can give. Decisions:
//
//   - Waiting means: the output ends in an unfinished line (no newline
//     after it) that is not blank once sanitized, no rule answered it, and
//     the child has printed nothing visible since for the settle time,
//     DefaultSettle (700 ms; Command.Settle overrides it). Wording, colour
//     and the prompt's last characters (": ", "? ", "> " or none) play no
//     part, so an unfamiliar tool is handled like a familiar one; a
//     prompt that arrives in pieces is announced once, whole, unless a
//     piece is more than the settle time late. A silence after a whole
//     line is never waiting: a tool that asks on a line of its own and
//     reads on the next is indistinguishable from one that is working. A
//     progress line without a newline that pauses longer than the settle
//     time is announced, and ended as soon as it moves; the child's state
//     in the kernel is not inspected, since that is neither portable nor
//     readable for every process.
//   - Waiting.Line is the unfinished line masked, sanitized and trimmed;
//     Waiting.Hidden says the terminal neither echoes nor is in raw mode
//     (what getpass-style prompts read; a line typed then becomes a secret
//     of the run), read from the terminal when the cue is given. When the
//     modes cannot be read it says hidden: better a name typed blind than a
//     password shown.
//   - The zero Waiting says the command no longer waits: sent once, when it
//     prints something visible again (escape sequences alone do not
//     count), when the operator replies, when it exits, and in any case
//     before Run returns, so every cue a front end shows is taken down.
//   - Suggestions are the step's rules that could still answer (not used
//     yet, or Repeat), in the step's order, by label only: a value is never
//     shown, and never typed unless the operator accepts it
//     (Reply.Suggestion, a 1-based index into the last Waiting that had
//     suggestions). An accepted suggestion is typed exactly as the rule
//     would have typed it (a Secret one once echo is off, masked
//     everywhere), marks the rule used and is reported through
//     IO.OnAnswer. An index that was not on offer types nothing.
//
// Cancelling ctx sends SIGTERM to the process group and SIGKILL after
// KillGrace (5s); Run returns only when the child has been reaped and the
// output read to its end (EIO on the master, which is how Linux says every
// holder of the terminal has closed it), or two seconds after the child
// exited when a background process keeps the terminal open. No goroutine
// outlives Run.
//
// # Terminals elsewhere
//
// The prompt loop drives a Terminal (terminal.go): Command's is a local
// pseudo-terminal; package remote supplies an SSH session's, and calls
// RunTerminal, so answer rules, replies, the waiting cue, masking and
// cancelling are one piece of code for both. A Terminal whose modes cannot
// be read (ErrModesUnknown, as over SSH) has its waiting prompts treated
// as hidden, a reply typed there becomes a secret of the run, and a Secret
// answer is typed secretEchoWait after its prompt.
//
// # Local actions and checks
//
// Copy, EditXML, FileExists, NewerThanStart, Writable and XMLPathExists
// document their own behaviour; all writes go to a temporary file in the
// target directory that is synced and renamed over the target, so a
// crash never leaves a half-written file where a good one stood.
//
// Imports: runner → actions → {procedures (the step's model), archive}.
// Neither the lab nor a front end: a lab step reaches actions already
// rebased to the lab's tree.
//
// # Windows
//
// Commands that prompt run under a Windows pseudo-console (ConPTY) through
// github.com/charmbracelet/x/xpty (terminal_windows.go), behind the
// Terminal interface the Linux pty and SSH sessions implement. Of the two
// the issue names, xpty is the maintained one: v0.1.2 of 2025-01, v0.1.3 of
// 2025-09, v0.1.4 of 2026-07-30, on Charm's x/conpty (v0.2.0 of 2025-11),
// and Charm's own tools use it. github.com/aymanbagabas/go-pty is by the
// same author, whose ConPTY work moved to charmbracelet/x; the module
// proxy refuses it ("not available", 403) and `go get` cannot reach it,
// so it could be neither checked nor built here. On Linux creack/pty stays
// (terminal_unix.go): xpty's Unix side is creack/pty itself, with nothing
// more that this package uses, and the pty, the new session and process
// group, termios for echo and waitid without reaping are what the tests
// check. A console's modes cannot be read, so on Windows every prompt
// that waits for the operator is typed as hidden (as over SSH); stopping a
// command kills it (there is no SIGTERM), not what it started. Owners
// (chown, ownership checks) and a link's own time are Unix only. All of it
// is compiled and vetted here (.ci/cross-build), not run: Debian's Wine
// cannot run a current Go binary.
package actions
