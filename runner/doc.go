// Package runner walks a procedure's plan for one run, keeping the
// checkpoint protocol: every fact and answer journaled, "started" durable
// before an action begins, the outcome after, in-doubt steps resolved by
// their verify checks or by the operator.
//
// It is the orchestration that the TUI and the plain front end share, so it
// draws nothing: a front end asks Next what the run needs (a fact, an input,
// a step to run or confirm, a decision about a failed or in-doubt step) and
// answers with Answer, ExecuteWith, Confirm, Skip, Resolve, Retry,
// RetryWithNewSecrets or Stop. Between steps it may review and correct
// answers (Answers, ChangeAnswer, Redo) or end the run for good (Abandon).
//
// Both front ends (tui and plain) keep one protocol through it and it can be
// tested without a terminal. Imports: {tui, plain} → runner → {procedures,
// actions, lab, archive, state}. The exit statuses every front end returns
// are defined here (exit.go).
//
// Decisions:
//   - What travels while a step runs is in ExecuteWith's ExecIO, not in the
//     context: the output, the operator's replies, progress, and the
//     "waiting for you" cue (actions.Waiting) with its suggestions.
//   - Facts are asked first, all of them, so the operator sees the whole
//     plan; inputs are asked just before the first step that uses them, so a
//     resumed run asks again only for the secrets its remaining steps need.
//   - A destructive step needs the server's host name typed, in a live run
//     and in a rehearsal alike (a rehearsal practises the real thing).
//   - A step found in doubt whose verify checks all pass is marked done
//     (journaled as resolved, with the checks' words as the reason). When they
//     fail, the step did not take effect: the operator is offered a re-run.
//     After three in-doubt findings of one step, a re-run needs an override.
//   - A secret in ZENRECOVER_SECRET_<ID> is removed from every child's
//     environment, so it never reaches another process.
//   - Abandon ends a run for good: the reason is required (masked, like
//     every reason), and the reason and the user are journaled with the new
//     status in one transaction (state.Store.Abandon), so neither exists
//     without the other. Abandon of a run not open here takes its lock like
//     Resume, so a run another zenrecover walks is refused with who holds
//     it; a run whose lab was removed can still be abandoned. Completed,
//     failed and abandoned runs are refused. An abandoned run cannot be
//     resumed and no longer blocks a new run (Unfinished).
//   - ChangeAnswer corrects a non-secret fact or input with Answer's checks
//     and errors. The reason is optional: an empty one is journaled as
//     "corrected by the operator", because the command line and a tired
//     operator should not be stopped by a form, and who and when are
//     journaled anyway. A change is refused while a step is in doubt (its
//     fate comes first) and when it makes an unsupported combination (the
//     definition's refuse: rules), since the run would otherwise fail for
//     good on the next Next. It returns, and AnswerInfo.UsedBy lists, the
//     step keys (StepKey: id, or id@target) of the succeeded or confirmed
//     steps that read the answer: in a ${…} of any of their texts, as an
//     input they need, as the list they fan out over, or in a condition
//     (their own, an enclosing step's, a conditional argument's). Keys,
//     not refs, so that Redo takes them as they are; StepLabel words them.
//   - Redo journals a redo event per step; the fold makes the step pending
//     and state lets it be confirmed or succeed once more. Nothing else
//     changes: a destructive step still needs its host name typed.
//   - RetryWithNewSecrets forgets, in memory, every secret the failed step
//     reads (procedures' Needs), not only the one that was refused: a
//     command rarely says which one it refused. The forgotten values stay in
//     the masker. The words that mean a refused credential are one list
//     (secrets_again.go), matched case-insensitively in the error and the
//     step's last output; "Access is denied" (Windows, also said for
//     permissions) is not among them.
//   - The decisions both front ends draw are here: Unfinished and
//     UnfinishedHere (one recovery at a time per procedure and place: live,
//     one lab, dry run), WhereStopped and ResumeInfo. types.go names the
//     state types a front end meets, so tui and plain need not import state.
//   - Destinations (destination.go). Before a step with creates: runs on
//     this machine (or a lab's copy of a host), Next looks where it writes.
//     A missing folder is NeedDestination{MissingParent}: CreateParent
//     journals the consent and creates the folder 0700 (backups hold the
//     zone's secrets); a dry run journals it, creates nothing and does not
//     ask twice. Something already there (a file, or an archive set) is
//     NeedDestination{Exists}: keep both answers the step's input anew with
//     NewName, a free name beside it (stem-2.ext, -3, ...; an interrupted
//     set or an escrow file counts as taken), journaled as an answer with
//     the reason, so the command, the screen and the journal agree. Replace
//     never removes the old file first: a command writes under a temporary
//     name beside it (stem.new.ext, chosen when the operator decides and
//     journaled, so a resume uses the same one), which is renamed over the
//     old file only after the step succeeded and its verify checks passed
//     (the escrow then goes beside the real name); zman writes a file
//     wherever it is told, so this works with its own writing. An archive
//     set is replaced by package archive's Force, once the new set is
//     complete. A step in doubt whose checks pass on the temporary file is
//     finished the same way. Decisions are journaled as answers whose keys
//     hold a colon (create-folder:STEP, replace:STEP), which no fact or
//     input can have, and are kept out of the values steps use. A step on
//     a machine the wizard cannot reach is not looked at: the operator does
//     it there.
//   - ${run.date} and ${run.id} (procedures.RunValues) come from the run's
//     recorded id and start time, so they are the same in every process
//     that takes the run up; NeedInput carries the input with its default
//     filled in, so a front end offers zone_backup-2026-12-02.bak as is.
//   - Start and Resume refuse while the state has lost runs nobody
//     acknowledged, or cannot be written (state.Store.CanRecord); Start
//     checks before it locks or copies anything, and removes its copy when
//     the run cannot be created, so a refused start leaves nothing that
//     looks like a lost run. Resume journals a resumed event and writes its
//     time into the lock (state: Lost runs).
//   - CheckSecretEnv checks the ZENRECOVER_SECRET_ variables before a run
//     starts: a control character (a line break) or a value shorter than
//     the input's policy is refused then, by the variable's name.
//   - A step is resolved once (resolve.go): procedures.Resolve expands
//     every template of it (argv, on:, paths, copy, edit-xml, sql,
//     archive, chown, checks, texts) with the run's values and journaled
//     decisions (a replacing command's temporary name), and resolve adds
//     the host (here, elsewhere, or a lab's copy) and the scp a live run
//     shows for files on another machine. Secrets stay references (an
//     answer rule's input, a passphrase's input) until actions.Build fills
//     them in to execute. NeedStep (Describe, Argv, Command, Script), the
//     started event's detail (action and command, masked) and the action
//     executed are all rendered from that one value; actions.Build expands
//     nothing. It is recomputed from the same inputs when needed rather
//     than cached, so Next and ExecuteWith agree and a changed answer
//     leaves nothing stale. A template that cannot be expanded is one
//     error at resolution, naming the step, where in it and the value (a
//     failed event when ExecuteWith meets it). Only placeOf, asking where
//     a step runs before its inputs are all known (a destination, the
//     newest backup offered), reads on: alone.
//   - Other hosts and fleets (issue 16): steps on another Linux host over
//     SSH (remote.go, package remote) and fan-outs handed to Ansible
//     (ansible.go: RunFleet, FleetPlan) say their decisions at the top of
//     their files. A front end meets them as NeedHostKey (AcceptHostKey,
//     RefuseHostKey), NeedStep.OverSSH, NeedStep.Fleet (with
//     AnsibleInstalled: RunFleet, else FleetPlan, with FleetDefaults) and
//     NeedInDoubt.Host. Next asks about an unknown host key just before
//     the step it stands in front of, after its inputs and destination.
//
// Platforms (issue 13), decided here:
//   - The platform of the server a run acts on is a fact, never a guess:
//     Options.Platform when the run is given one (guide mode's --platform),
//     else the lab's layout (lab.Lab.Platform) in a rehearsal, else the
//     machine zenrecover runs on (runtime.GOOS). A fact with `detect:
//     platform: true` is settled from it without asking, at Start and by
//     Next before any question, and journaled as an answer whose reason
//     says how it was known; the answers list (AnswerInfo.Settled) and the
//     report (its note) show it. An answer that says otherwise (an answers
//     file, a correction) is refused, naming what was detected: it cannot
//     be typed wrong.
//   - A per-host platform (`detect: platform-of: INPUT`, 1.5) is settled
//     when its host is the server the run acts on, or any host of a lab
//     (each has its layout); for another machine of a live or guided run it
//     is asked, with nothing suggested. When the fact is needed and its
//     host is not named yet, Next asks that input first (NeedInput, with
//     the first step that reads it), so the fact can be settled.
//   - A file-exists detector looks for the file of the platform the run's
//     platform fact names (a Windows path has its %NAME% expanded from
//     this machine's environment, or rebased in a lab). In guide mode it
//     looks at nothing: the server is another machine, so nothing is
//     suggested; nor when the detector names no file for the platform or a
//     variable is not set.
//   - When a step is resolved for a Windows server the run reaches (this
//     one, or a lab's copy of a host with a Windows layout), %NAME% in its
//     paths and argv is expanded from the environment its command gets
//     there (never a secret: those variables are removed first), so the
//     screen, the journal and the action name C:\Program Files
//     (x86)\Novell\ZENworks\... In guide mode, and for a step the operator
//     does on another machine, it is shown as written.
//   - Destinations of Windows paths (c:\zcm_backups\x.bak) are split at \
//     and / (serverDir), on any machine, for the folder check, the free
//     name beside a file and the newest backup offered.
package runner
