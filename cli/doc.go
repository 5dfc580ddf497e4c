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
//
// Decisions:
//   - `acknowledge-lost --reason TEXT` is how the operator lets zenrecover
//     work again after the state lost runs (state.LostRuns): it
//     acknowledges every loss listed at that moment, one command whatever
//     their number. Until then run, resume and the wizard exit 1 with the
//     message; `runs` lists the lost runs (status lost) and exits 1 too.
//   - `resume --answers FILE` reads the file under run's rules against the
//     definition the run goes on with. Its values answer what the run has
//     not asked yet (and, as for run, make the procedure's defaults taken
//     without asking); a value the run recorded differently is refused
//     (exit 2), since --change is the way to correct an answer.
//   - In plain mode (and without a terminal) every ZENRECOVER_SECRET_
//     variable of the procedure is checked before the run starts or is
//     taken up (runner.CheckSecretEnv): exit 2, nothing started.
//   - `show ID --json` is enough to write an answers file from: each fact
//     and input with its default, help, choices and detector, a secret's
//     minimum length and ZENRECOVER_SECRET_ variable, how to write a list,
//     and the refusals (when, reason). Keys are lower case with
//     underscores (min_length, file_exists), like the rest of its output.
//   - `lab export-reports DIR [--to FOLDER]` plays 2.2 step 4 (done in
//     ZENworks Reporting): it is one of the lab commands that do what the
//     reference has the administrator do outside ZENworks.
//   - `run ID` while another process runs that procedure here names the
//     holder (pid, user, host, since when) and the --force-unlock command,
//     instead of offering to resume a run that is not interrupted.
package cli
