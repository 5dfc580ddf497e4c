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
package procedures
