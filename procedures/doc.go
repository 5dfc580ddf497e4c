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
package procedures
