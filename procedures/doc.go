// Package procedures is the procedure model: the schema of a definition,
// loading and validating definitions (with file, line and column in every
// error), conditions, templates, answers files and planning.
//
// Decisions that DESIGN.md leaves open, written down here:
//
//   - Facts and inputs share one namespace: an answers file is a flat map of
//     id to value, and "${id}" in a command or a text names either.
//   - A step's kind is exactly one of run, manual, check, copy, edit-xml; a
//     step with only substeps is a group. Include and fan-out arrive with the
//     procedures that need them (sections 1.5 to 5).
//   - A step may declare `provides: NAME`: a yes/no value that the step's
//     action sets when it runs (edit-xml: whether it changed the file). Later
//     conditions may test it; an earlier one may not (lint says so).
//     This is the only way a step's result decides another step: a check
//     step passes or stops the run. So where the reference says "make sure
//     X holds Y" and a later step depends on it (1.4 step 4 and 5), an
//     edit-xml reads first, writes only a wrong value and provides whether
//     it did; what the engine cannot read is a fact the operator answers
//     (1.4 on Windows: keystore_correct). Each definition says so in a note.
//   - Secret inputs may only answer a command's prompts. Using one in an argv
//     element, a path or any shown text is a load error, because argv is
//     visible to every process on the machine and text ends up on screen and
//     paper.
//   - `ref` is the reference's step number as written there ("2", "11c2");
//     one step that covers several numbered steps lists them comma-separated
//     ("2, 3, 4"), as the zman command of 1.1 answers the prompts of steps 3
//     and 4.
//   - `on: HOST` says which machine an action is done on (a name, ${input}
//     or, in a fan-out, ${target}). The wizard reaches no machine but its
//     own: on a live server a step on another host is shown with exactly
//     what to run there and finished by the operator's confirmation; in a
//     lab, every host is simulated, so the step runs against the lab's copy
//     of that host and a rehearsal practises the whole procedure. A host
//     name matches this machine's regardless of letter case and domain.
//   - A fan-out step is manual (done by hand on each target) or an action
//     with `on: ${target}`; each target is journaled, retried and resolved
//     on its own (its key is step@target).
//   - The run provides two values of its own beside the answers:
//     ${run.date}, the local date the run started (2026-12-02, so names sort
//     and read the same everywhere), and ${run.id}. They are fixed from the
//     run's recorded start, so a resume the next day offers the same names.
//     Input defaults may use only these (a default is offered before
//     anything else is known); any text may use them; a misspelt one
//     (${run.dat}) is a load error at its place. Default backup paths keep
//     the reference's file names as the stem and add the date before the
//     extension: zone_backup-${run.date}.bak, ca-${run.date}.bak,
//     content-repo-${run.date}.archive. The date, not the run id: it is what
//     an administrator looks for, and a second backup on the same day is
//     caught by the destination check (runner) rather than by the name.
//     A checklist, printed before any run, shows it as <run.date>. A
//     restore's default is a pattern (zone_backup-*.bak, ca-*.bak,
//     content-repo-*.archive): the runner offers the newest match where the
//     step runs, since the file to restore was named on another day.
//   - `creates: ${input}` on a run or archive step names the file or
//     archive set the step writes: one path input, which must be an argument
//     of the step's command or its archive's to:, on a step that is not
//     fanned out. It is declared, not guessed from newer-than-start, because
//     the engine acts on it (asks, renames, changes the answer) and an
//     author should say so. Every step that writes a backup by default has
//     it (1.1, 1.3, 1.5, 2.2, the reliable-backup fragment).
//   - FactsToAsk (ask.go) is which facts a run asks: every fact without an
//     answer, except one whose every reader (a step's condition, a
//     conditional argument's, a step's text) is ruled out by the answers
//     so far, a condition of it or of an enclosing step being false for
//     every value the unanswered facts it reads can take (yes/no, each
//     choice; at most 6 of them, else it may be true). So section 5 asks
//     the facts of the chapter 4 procedure its scenario includes, not of
//     all four. A fact a refusal reads, or nothing reads, is always asked.
//   - An answers file may give a list input (host names) as a YAML list as
//     well as one string separated by commas; the items are joined with
//     ", " as typed. An item may not hold a comma, and only a list input
//     takes a list.
//
// Hostile files (issue 11), decided here:
//
//   - Every YAML file read (a definition from the library, `lint`,
//     --procedures DIR or a run's recorded bundle; an answers file) passes
//     limits before the stage that would pay for it (guard.go), because
//     the YAML library needs memory far out of proportion to some small
//     inputs and running out is a fatal error no recover catches. The
//     limits, against the largest shipped definition (measured by
//     TestShippedDefinitionsAreFarInsideTheLimits: 19 KB, 3,500 words, 9
//     levels, 2 aliases):
//     size 512 KiB (27 times it; ReadFile and ReadDefinition read one
//     byte past the limit through an io.LimitReader, never more); 50,000
//     words, counting each YAML indicator character as one more (14
//     times; an upper bound of the lexer's tokens, checked before the
//     lexer runs); nesting 32 levels, one per bracket and per indentation
//     column that opens a block map or list (3.5 times); 100 aliases (50
//     times); and aliases may not expand the file past 512 KiB (a
//     "billion laughs" is counted as what it becomes). 512 KiB rather
//     than 1 MiB because a 1 MiB block scalar, the costliest legal
//     shape, peaks near 64 MB in `zenrecover lint`; at 512 KiB every
//     input peaks under 45 MB (TestPeakMemoryOfHostileInputs). Each
//     refusal gives file:line:column where the limit is crossed.
//   - A file must be UTF-8 throughout (comments too): a byte that is not
//     is refused at its line and column rather than read as U+FFFD into a
//     title or a command.
//   - A definition or answers file is one YAML document: a second non-empty
//     document is refused where it starts, since only the first would be
//     read. An empty one ("---" at the end) holds nothing and is allowed.
//   - Nothing of a file that is not plausibly a definition is quoted. A
//     definition's top level must be a map with at least one of its keys
//     (id, title, section, summary, steps, ...); otherwise the one error
//     is "is not a zenrecover definition", at 1:1, without a word of it.
//     Once it is plausibly one, errors name its keys and values as before
//     ("unknown field"). An answers file's key is named only if it looks
//     like an id (lower-case letters, digits, underscores), and a file
//     with no such key "is not an answers file". Messages of the YAML
//     library are cut at their first line, where it appends an excerpt.
//   - Symbolic links: in a procedures directory (--procedures DIR) a link
//     is followed only if it is relative and stays inside DIR (os.Root);
//     any other is refused by name, with its target's name, and never
//     opened. `lint FILE` reads a file the same way, with the file's own
//     directory as DIR, so that lint refuses what --procedures would.
//     --answers FILE follows links: the operator named that file, and it
//     is read within the limits and never quoted unless it is plausibly
//     an answers file. Only regular files are read (a named pipe would
//     block, /dev/zero never ends).
//   - A shell's script takes no ${...}: in `run:` and `command:`, the
//     script of sh, bash, dash, zsh, ksh, mksh, ash, yash, posh, rbash,
//     fish, csh and tcsh after -c (or a cluster with c: -ec), with the
//     options before it; everything from cmd's /c (/k, /r) on; everything
//     from PowerShell's -Command (any abbreviation) or -EncodedCommand on,
//     and for Windows PowerShell from its first operand on when no -File
//     came first. Any element naming such a shell counts, so `sudo sh -c`
//     is found. Values reach a POSIX shell as positional parameters
//     (run: [sh, -c, 'echo "$1"', sh, "${name}"]), which it never parses
//     as code; cmd and PowerShell have no such form, so the advice there
//     is to run the program directly or a script file with -File. Other
//     interpreters (python -c, perl -e, ssh HOST CMD) are not recognised.
//   - `let` is refused in a condition: the variable reads as a name no
//     fact provides, so the condition never decides. The error points at
//     the variable.
//   - Errors found while linking includes are placed with one parse of
//     the file for all of them, not one each.
//
// Issue 12, our words and mixed zones, decided here:
//
//   - "In our own words" is tested (ourwords_test.go): no step title,
//     summary, note, question, prompt, help, refusal reason, instruction,
//     manual text or answer's meaning may share a run of 10 consecutive
//     words with the reference. A word is letters, digits and apostrophes;
//     a path, file name, option or ${input} is left out without ending the
//     run (a sentence copied around a path is still copied); a '>' of a
//     menu path, a quoted name ("Moving the Internal Sybase Database ...")
//     and a book's name ("ZENworks 11 SP3 Database Management Reference")
//     end it, since names are cited exactly. A definition's own title is
//     its section's heading in the reference, cited so that the reader
//     finds it, and is not checked. 10, because the copied sentences the
//     issue lists share 10 to 30 words, and at 8 or 9 what is found is
//     mostly the product's own phrases ("in the Management Zone Settings
//     panel, click Infrastructure Management").
//   - The reference is Novell documentation with no licence to copy it
//     here, so testdata holds only 48-bit hashes of its 10-word runs,
//     generated by that test from a copy of it (-reference-ngrams-from).
//   - The database-address fragment (3.1, 3.2.1, 3.2.2) asks the platform
//     of the zone's other Primary Servers, not of this one: linux,
//     windows, or mixed, which asks for the Linux ones and the Windows ones
//     by name (two lists, since a list answer may not be empty and a
//     fan-out has no per-target condition). There is no detector: this
//     machine's system says nothing about the others'. Each step says in a
//     note which part of its path is the reference's and which is ours,
//     and that the "Server Address" entry is ours. (Issue 13 renamed the
//     fact from platform to other_primaries_platform: see below.)
//
// Issue 13, Windows Primary Servers, decided here:
//
//   - The fact `platform` is the operating system of the server the
//     procedure acts on, with `detect: platform: true`: the runner settles
//     it without asking (runner's doc says from what). Every definition
//     whose steps, defaults or detectors differ by platform declares it in
//     its own file (1.1 to 1.4, 2.1, 2.2, the chapter 3 and 4 sections,
//     reliable-backup, cert-add-server-certs), since a file is read and
//     linted on its own and facts are shared by id across includes. The
//     database-address fragment's fact about the other servers, which was
//     also called platform, is other_primaries_platform: one id cannot mean
//     two servers. An answers file that gave platform for the other
//     servers now gives this server's, which the runner checks against
//     what it detects.
//   - A platform fact is a choice of linux and windows whose id is
//     platform or ends in _platform (IsPlatformFact). A per-host one
//     (1.5's source_platform, destination_platform) has `detect:
//     platform-of: INPUT`, INPUT being the string input with that host's
//     name: settled when the host is the server zenrecover acts on (or a
//     lab's copy of a host), asked otherwise.
//   - An input's default and a detector's file-exists may be one text or a
//     map {linux: ..., windows: ...} (PlatformValue, which reads itself and
//     reports an unknown key, a list or an empty value at its line and
//     column). The value of the platform the answers name is used: the
//     input's platform-fact, else platform (1.5's backup files follow
//     source_platform or destination_platform). A platform the map leaves
//     out has no value: nothing is offered there. A plain value is kept
//     where it always was (Input.Default, Detector.FileExists), so a
//     definition without maps reads and hashes as before.
//   - No fact that protects data (the database here, the CA here, the only
//     content server) may be offered "no" because a path of the other
//     platform is missing: each such detector names the file of each
//     platform (the Windows database folder, the Windows keystore), and
//     where the machine cannot tell (guide mode, where the server is
//     another machine; a platform with no file named) nothing is suggested
//     and the operator answers.
//   - Windows paths are written as the reference gives them, with
//     %ZENWORKS_HOME% where it says ZENworks_installation_directory or
//     %zenworks_home% (both spellings are kept: Windows variables are
//     read without regard to case). Its Novell\ZENworks\conf and
//     ZENworks_Installation_Directory\Novell\ZENworks\conf\datamodel are
//     %ZENWORKS_HOME%\conf and %ZENWORKS_HOME%\conf\datamodel: there the
//     installation directory is the folder that holds Novell\ZENworks. Where
//     the reference gives no Windows path, the path is ours and follows
//     the same scheme: the embedded database folder is
//     %ZENWORKS_HOME%\database. Defaults: c:\zcm_backups\zone_backup-DATE.bak
//     (the reference's example, dated), c:\zcm_backups\ca-DATE.bak (the
//     reference's example is C:\temp\zenbackup\ca.bak; a temporary folder
//     may be emptied, as /tmp, so it goes beside the server backups),
//     c:\zcm_backups for the archives, images, staging and reports, and
//     c:\zcm_certs for the certificates of chapter 4 (ours, as /root/zcm_certs).
//   - %NAME% in a Windows step's paths and argv is the server's variable,
//     expanded where the step is done (ExpandEnv; runner: on the server,
//     from its environment, in a lab from the lab host's); an unset one is
//     an error rather than a folder named %ZENWORKS_HOME%. Texts for people
//     (instructions, manual steps, notes) and checklists show it as
//     written. A path input's default may start with %NAME%\.
//   - A value after a \ names a file in a folder exactly as one after a /
//     (${staging_dir}\zenca.keystore): it may not hold / or \ or be "..".
//     ${cert_dir}/${target}.der keeps its / on both platforms: Windows and
//     zman take / in a path, and the other servers' platforms are not
//     known there.
//   - A step whose action names a platform's path has a twin for the other
//     platform, each with `platform == "..."` in its condition: the Linux
//     step keeps its id (journals and tests of earlier runs keep their
//     meaning) and the Windows one is ID-windows. Where the Windows branch
//     was done by hand because zenrecover could not reach Windows files
//     (the content repository archive, the images copy, the CA's files,
//     CaConfig.xml, zdm.xml), zenrecover now does it: so 1.4 no longer asks
//     whether <Keystore> is right on Windows (keystore_correct); its edit
//     provides keystore_edited_windows. A copy between platforms (1.5
//     Linux to Windows and back) stays by hand, and a check follows it.
//   - The Windows restart of the Novell ZENworks Server service is two run
//     steps under one: net stop "Novell ZENworks Server", then net start
//     (net takes the service's display name). The reference's way is the
//     Services panel, which a note says. They are not idempotent: net
//     refuses to stop a stopped service or start a started one, so a step
//     in doubt is the operator's to decide. net's question about stopping
//     dependent services is not answered by zenrecover (a fixed answer is
//     only for a numbered menu whose prompt shows its meaning): it is
//     handed to the operator. 2.2 step 5 stops the services on Windows as
//     on Linux, with novell-zenworks-configure -c Start and Stop: the
//     reference sends both to the same "Stopping the ZENworks Services".
//   - A checklist printed for a platform (ChecklistOptions.Platform)
//     decides every platform fact the answers leave open, so only that
//     platform's steps, paths and defaults appear; the other platform's
//     steps are not listed among those the answers leave out. Without a
//     platform, a default given per platform shows each one. A condition
//     that reads facts an include decides among others is worded for what
//     is left (ConditionWords), and a step whose condition is false for
//     every answer still open is left out (the Linux steps of a Windows
//     sheet under an open question).
package procedures
