// Package plain is zenrecover's line-by-line front end: for a dumb
// terminal, a screen reader, or a script (`--plain`, with `--answers`). It
// walks the same runner.Session as the full-screen wizard in tui, with the
// same journal, and returns the same exit statuses (runner.Exit*).
//
// Imports: cli → plain → runner. plain draws and asks; every decision about
// the run is runner's. Nothing below it imports it.
//
// Decisions: a failed step that read secrets offers r (retry as it was),
// n (retry with the secrets typed again), s REASON (skip) and q (stop);
// the words retry, skip and stop still work. After an authentication
// failure n is the default (Enter), and the secrets are read from the
// input, never again from the ZENRECOVER_SECRET_ variable that held the
// refused one. ApplyChanges (resume --change) checks every change before it
// makes any, and asks before running finished steps again (--yes accepts
// in a rehearsal or dry run only; end of input declines). Before a step
// that creates a file (destination.go): y/n to create a missing folder;
// k (keep both), r (replace once the new one is complete) or q (stop) when
// a file is already there; --yes in a rehearsal creates and keeps both,
// the choices that lose nothing; end of input stops. Stopping after a failed
// step (q, or end of input) is a stop like any other: the run is resumable
// and Drive returns ExitStopped (3), not ExitFailed.
//
// Other hosts (issue 16, remote.go): before a step on a host reached over
// SSH whose key is not known, the key is shown and only `yes` typed out
// trusts it; no leaves that host's steps to the operator, each saying
// why; end of input stops, and --yes never trusts a key. A fan-out step
// Ansible can take is offered to it (type ansible; Enter goes on target by
// target) only to a person at a terminal without --yes, once per step;
// a manual one takes the verb ansible at its prompt. Each host's result
// is shown as it arrives, then a tally; without ansible-playbook the
// command and files are shown and the step goes on here.
package plain
