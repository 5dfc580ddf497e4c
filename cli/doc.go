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
//   - Releases (release/build.sh) are built with -buildvcs=false, so the
//     binary carries no VCS stamp; the script stamps the version, the
//     commit and the commit's date with -ldflags -X (stampedVersion,
//     stampedCommit, stampedDate). `version` calls that date the build
//     date: the commit's, not the clock's, so two builds of one commit are
//     the same bytes. A VCS stamp, where a build has one, wins.
//   - Other hosts over SSH (issue 16): run and resume of a live run reach
//     the other Linux hosts a step is on over SSH by default
//     (runner.Options.SSH = &remote.Config{}: the operator's ssh-agent,
//     ~/.ssh keys and known_hosts); --no-ssh turns it off, and those steps
//     are shown and confirmed as before. A rehearsal reaches no host over
//     SSH unless --lab-ssh HOST=[USER@]ADDR[:PORT] (repeatable) names one:
//     the lab's HOST is then reached at ADDR, where the lab's tools run as
//     that host (it must be this machine or see the lab's directory at the
//     same path, as sshd on loopback does). The mapping is not recorded
//     with the run, so resume takes --lab-ssh again; without it the host
//     is simulated here again. --lab-ssh without a lab, with --no-ssh or in
//     guide mode is exit 2. A dry run and guide mode connect to nothing.
//     Plain mode offers a fan-out step to Ansible only when standard input
//     is a terminal and --yes is not given (plain.Plain.Terminal).
//   - Every --json (list, show, runs, report --format json, version) keeps
//     one convention: keys are lower case, words joined by underscores;
//     null never appears. A list that every object has (list's items,
//     show's facts, inputs, refuse and steps, report's answers, steps and
//     remaining) is always there, [] when empty; a detail only some items
//     have (a fact's choices, a step's command or sub-steps, a lost run's
//     evidence, a run's ended, lab_dir, reason) is left out when empty.
//     The listing commands are list and runs; both have --json.
//   - list and runs print a table with a header row (SECTION ID TITLE; RUN
//     PROCEDURE MODE STATUS STARTED), plain text, columns two spaces apart
//     and as wide as their widest cell. runs keeps its old column widths
//     as minimums, so a narrow listing reads as before; a note (abandoned
//     by whom and why, lost) goes on the line under its run, from the
//     PROCEDURE column.
//   - A missing or extra argument is exit 2 with what is missing and where
//     to find it (run, show, checklist: `zenrecover list`; report:
//     `zenrecover runs`), else the command's first example; cobra's
//     "accepts 1 arg(s)" never reaches the operator (help.go wraps every
//     command's check, so commands added later get it too). A group (lab,
//     archive, escrow) given an unknown subcommand is exit 2 with cobra's
//     suggestion; alone it prints its help, exit 0.
//   - Every command has Example lines; TestEveryExampleParses checks that
//     each is a command zenrecover accepts as written. Commands defined in
//     files this decision could not touch (lab.go) and cobra's own (help,
//     completion) take theirs from the examples table in help.go.
//   - Completion (complete.go; `zenrecover completion SHELL` is cobra's):
//     run, show and checklist offer every procedure by section and by id,
//     each described; resume and abandon the runs that can be resumed,
//     report every run, newest first, from the state database that
//     --state names (TAB never creates one); --format the command's
//     formats; --lab, --procedures, man -o and lab DIRs directories;
//     --answers, --state and -o any file (an answers file may be named
//     anything, so no extension filter).
//   - `zenrecover man` is visible: on a server that got the binary alone,
//     it is how the pages get there. Without -o it prints zenrecover(1);
//     with -o DIR a page a command. Pages are drawn by cobra's doc package
//     (go-md2man, which reads the help as Markdown, so man.go escapes it),
//     dated with the build's date, and name the team's recipients file as
//     the documentation does rather than as this user's home spells it.
package cli
