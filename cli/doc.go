// Package cli is zenrecover's command line (cobra): one file per command,
// the global flags (globals.go), and the mapping of errors to the exit
// statuses that runner defines once for every front end.
//
// # Where it sits
//
//	main → cli → {tui, plain} → runner → {procedures, actions, lab, archive, state}
//
// cli parses, opens what a command needs (the state, the library from
// assets.FS and --procedures, a lab) and hands over: a run to tui or plain,
// everything else to the package that owns it. Decisions that both front
// ends need (which run is unfinished here, what a resume asks) live in
// runner, not here. Nothing imports cli.
package cli
