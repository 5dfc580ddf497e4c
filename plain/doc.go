// Package plain is zenrecover's line-by-line front end: for a dumb
// terminal, a screen reader, or a script (`--plain`, with `--answers`). It
// walks the same runner.Session as the full-screen wizard in tui, with the
// same journal, and returns the same exit statuses (runner.Exit*).
//
// Imports: cli → plain → runner. plain draws and asks; every decision about
// the run is runner's. Nothing below it imports it.
package plain
