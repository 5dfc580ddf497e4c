// Package runner walks a procedure's plan for one run, keeping the
// checkpoint protocol: every fact and answer journaled, "started" durable
// before an action begins, the outcome after, in-doubt steps resolved by
// their verify checks or by the operator.
//
// It is the orchestration that the TUI and the plain front end share, so it
// draws nothing: a front end asks Next what the run needs (a fact, an input,
// a step to run or confirm, a decision about a failed or in-doubt step) and
// answers with Answer, Execute, Confirm, Skip, Resolve or Stop.
//
// Both front ends (tui and plain) keep one protocol through it and it can be
// tested without a terminal. Imports: {tui, plain} → runner → {procedures,
// actions, lab, archive, state}. The exit statuses every front end returns
// are defined here (exit.go).
//
// Decisions:
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
package runner
