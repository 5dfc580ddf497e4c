package plain

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"zenrecover/procedures"
	"zenrecover/runner"
)

// Plain is the line-by-line front end: for a dumb terminal, a screen
// reader, or a script. It walks the same plan with the same journal as the
// TUI. Anything not preset is read from In, one line an answer, in the order
// the run asks; secrets come from ZENRECOVER_SECRET_<ID> first.
type Plain struct {
	In          io.Reader
	Out         io.Writer
	Preset      procedures.Values // the answers file, if any
	Yes         bool              // confirm manual and destructive steps (rehearsal and dry run only)
	ConfirmHost string            // confirms destructive steps on a live server
	Getenv      func(string) string
	// Terminal: In is a person's terminal. Only then (and without Yes) is
	// a fan-out step offered to Ansible before it runs here (remote.go):
	// a script goes on target by target.
	Terminal bool

	r          *bufio.Reader
	fleetAsked map[string]bool // fan-out steps already offered to Ansible
}

// Exit statuses of Drive: runner's, so every front end means the same.
const (
	ExitCompleted = runner.ExitCompleted
	ExitFailed    = runner.ExitFailed
	ExitUsage     = runner.ExitUsage
	ExitStopped   = runner.ExitStopped
)

func (p *Plain) say(format string, args ...any) { fmt.Fprintf(p.Out, format+"\n", args...) }

// readLine returns the next line of input; ok is false at end of input.
func (p *Plain) readLine() (string, bool) {
	if p.r == nil {
		p.r = bufio.NewReader(p.In)
	}
	line, err := p.r.ReadString('\n')
	if err != nil && line == "" {
		return "", false
	}
	return strings.TrimRight(line, "\r\n"), true
}

// readSecret reads without echo when the input is a terminal.
func (p *Plain) readSecret() (string, bool) {
	if f, ok := p.In.(*os.File); ok && p.r == nil && term.IsTerminal(int(f.Fd())) {
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(p.Out)
		return string(b), err == nil
	}
	line, ok := p.readLine()
	if ok {
		p.say("(read from standard input)")
	}
	return line, ok
}

func (p *Plain) getenv(k string) string {
	if p.Getenv == nil {
		return ""
	}
	return p.Getenv(k)
}

// Drive walks the run to its end or until it must stop; it returns the exit
// status.
func (p *Plain) Drive(ctx context.Context, sess *runner.Session) int {
	run := sess.Run()
	def := sess.Definition()
	mode := "live"
	switch {
	case sess.DryRun():
		mode = "DRY RUN: nothing is executed"
	case sess.Lab() != nil:
		mode = "REHEARSAL in " + sess.Lab().Dir()
	case sess.Guide():
		mode = "GUIDE for " + run.Host + ": nothing runs here; do each step there"
	}
	p.say("zenrecover: run %s: %s %s (%s)", run.ID, def.Section, def.Title, mode)
	if changes, adopted := sess.DefinitionChanges(); len(changes) > 0 {
		if adopted {
			p.say("The procedure's definition changed since this run started; as asked, the run goes on with the new one:")
		} else {
			p.say("The procedure's definition changed since this run started; the run finishes on the one it started with (resume --adopt-definition takes the new one):")
		}
		for _, c := range changes {
			p.say("  %s", c)
		}
	}
	for {
		if ctx.Err() != nil {
			return p.stop(sess, "interrupted")
		}
		need, err := sess.Next(ctx)
		var refused *runner.RefusedError
		if errors.As(err, &refused) {
			p.say("%s", refused.Error())
			sess.Close()
			return ExitUsage
		}
		if err != nil {
			p.say("error: %v", err)
			return p.stop(sess, "error: "+err.Error())
		}
		var code int
		var done bool
		switch n := need.(type) {
		case *runner.NeedFact:
			code, done = p.fact(ctx, sess, n)
		case *runner.NeedInput:
			code, done = p.input(ctx, sess, n)
		case *runner.NeedStep:
			code, done = p.step(ctx, sess, n)
		case *runner.NeedFailed:
			code, done = p.failed(ctx, sess, n)
		case *runner.NeedInDoubt:
			code, done = p.inDoubt(ctx, sess, n)
		case *runner.NeedDestination:
			code, done = p.destination(ctx, sess, n)
		case *runner.NeedHostKey:
			code, done = p.hostKey(ctx, sess, n)
		case *runner.Settled:
			p.say("")
			p.say("Step %s (%s) was in doubt: %s", n.Step.Ref, n.Step.Title, n.Why)
			p.say("  Its verify checks show it took effect (%s); marked done.", n.Verify)
		case *runner.Done:
			p.say("Completed: every step of %s %s is done. Run %s.", def.Section, def.Title, run.ID)
			sess.Close()
			return ExitCompleted
		}
		if done {
			return code
		}
	}
}

func (p *Plain) stop(sess *runner.Session, reason string) int {
	if err := sess.Stop(context.Background(), reason); err != nil {
		p.say("error: %v", err)
	}
	p.say("Stopped. Resume with: %s", sess.Command("resume"))
	return ExitStopped
}

func (p *Plain) fact(ctx context.Context, sess *runner.Session, n *runner.NeedFact) (int, bool) {
	f := n.Fact
	if v, ok := p.Preset[f.ID]; ok {
		return p.answer(ctx, sess, f.ID, v, f.Question)
	}
	if p.Preset != nil && f.Default != "" {
		p.say("%s %s (the procedure's default)", f.Question, f.Default)
		return p.answer(ctx, sess, f.ID, f.Default, f.Question)
	}
	choices := "yes/no"
	if f.Type == "choice" {
		choices = strings.Join(f.Choices, "/")
	} else if f.Type == "string" {
		choices = "text"
	}
	hint := ""
	if n.Suggested != "" {
		s := n.Suggested
		if f.Type == "bool" {
			if yn, ok := map[string]string{"true": "yes", "false": "no"}[s]; ok {
				s = yn // a default may be written yes or no already
			}
		}
		how := "default"
		if n.Detected {
			how = "detected"
		}
		hint = fmt.Sprintf(" (%s: %s; Enter takes it)", how, s)
	}
	for {
		fmt.Fprintf(p.Out, "? %s [%s]%s: ", f.Question, choices, hint)
		line, ok := p.readLine()
		if !ok {
			p.say("")
			p.say("No answer for %q (end of input).", f.Question)
			return p.stop(sess, "no answer for "+f.ID), true
		}
		if strings.TrimSpace(line) == "" {
			line = n.Suggested
		}
		if err := sess.Answer(ctx, f.ID, line); err != nil {
			p.say("  %v", err)
			continue
		}
		return 0, false
	}
}

func (p *Plain) answer(ctx context.Context, sess *runner.Session, id, v, what string) (int, bool) {
	if err := sess.Answer(ctx, id, v); err != nil {
		p.say("error: %v", err)
		return p.stop(sess, "bad answer for "+id), true
	}
	return 0, false
}

func (p *Plain) input(ctx context.Context, sess *runner.Session, n *runner.NeedInput) (int, bool) {
	in := n.Input
	if !in.Secret() {
		if v, ok := p.Preset[in.ID]; ok {
			return p.answer(ctx, sess, in.ID, v, in.Prompt)
		}
		if p.Preset != nil && in.Default != "" {
			p.say("%s: %s (the procedure's default)", in.Prompt, in.Default)
			return p.answer(ctx, sess, in.ID, in.Default, in.Prompt)
		}
	}
	env := runner.SecretEnvPrefix + strings.ToUpper(in.ID)
	// A secret refused by the command is typed again, not taken again from
	// the variable that held the refused one.
	if in.Secret() && !n.Refused {
		if v := p.getenv(env); v != "" {
			if err := sess.Answer(ctx, in.ID, v); err != nil {
				p.say("error: %s from %s: %v", in.Prompt, env, err)
				return p.stop(sess, "bad secret for "+in.ID), true
			}
			p.say("%s: taken from %s", in.Prompt, env)
			return 0, false
		}
	}
	for {
		hint := ""
		if in.Default != "" {
			hint = fmt.Sprintf(" (default %s; Enter takes it)", in.Default)
		}
		if n.Again {
			hint = " (asked again: secrets are never stored)"
		}
		if n.Refused {
			hint = " (asked again: the last one was refused)"
		}
		fmt.Fprintf(p.Out, "? %s%s: ", in.Prompt, hint)
		var line string
		var ok bool
		if in.Secret() {
			line, ok = p.readSecret()
		} else {
			line, ok = p.readLine()
		}
		if !ok {
			p.say("")
			p.say("No value for %q (end of input).", in.Prompt)
			return p.stop(sess, "no value for "+in.ID), true
		}
		if line == "" && in.Default != "" {
			line = in.Default
		}
		if err := sess.Answer(ctx, in.ID, line); err != nil {
			p.say("  %v", err)
			continue
		}
		return 0, false
	}
}

// rehearsal reports whether --yes may stand in for the operator.
func (p *Plain) rehearsal(sess *runner.Session) bool {
	return sess.Lab() != nil || sess.DryRun()
}

func (p *Plain) step(ctx context.Context, sess *runner.Session, n *runner.NeedStep) (int, bool) {
	st := n.Step
	def := sess.Definition()
	p.say("")
	p.say("Step %d of %d (%s): %s", n.Number, n.Total, def.FullRef(st), st.Title)
	if n.Target != "" {
		p.say("  On %s.", n.Target)
	}
	if n.Condition != "" {
		p.say("  %s.", n.Condition)
	}
	if n.Instructions != "" {
		p.say("  %s", n.Instructions)
	}
	for _, note := range st.Notes {
		p.say("  %s: %s", strings.ToUpper(note.Kind), note.Text)
	}
	confirm := ""
	if n.Destructive {
		var ok bool
		if confirm, ok = p.confirmHost(sess, n); !ok {
			return p.stop(sess, "destructive step not confirmed"), true
		}
	}
	if n.Manual {
		p.say("  To do: %s", n.Describe)
		if len(n.Command) > 0 {
			p.say("  Run there: %s", strings.Join(n.Command, " "))
		}
		if n.Script != "" {
			p.say("  Type exactly:")
			(&indented{w: p.Out}).Write([]byte(strings.TrimRight(n.Script, "\n") + "\n"))
		}
		if p.Yes && p.rehearsal(sess) {
			p.say("  Confirmed by --yes (rehearsal).")
			return p.check(sess.Confirm(ctx, n.Key, confirm), sess)
		}
		prompt := "? Type done when it is done, skip REASON to skip it, or stop: "
		if n.Fleet {
			prompt = fmt.Sprintf("? Type done when it is done, skip REASON to skip it, ansible to hand the %d targets not done to Ansible, or stop: ", notDone(n))
		}
		for {
			fmt.Fprint(p.Out, prompt)
			line, ok := p.readLine()
			if !ok {
				p.say("")
				return p.stop(sess, "manual step not confirmed"), true
			}
			switch verb, rest := splitVerb(line); verb {
			case "ansible":
				if !n.Fleet {
					continue
				}
				if handled, code, done := p.fleet(ctx, sess, n); handled {
					return code, done
				}
			case "done":
				if code, done, ok := p.seen(ctx, sess, n); !ok {
					return code, done
				}
				return p.check(sess.Confirm(ctx, n.Key, confirm), sess)
			case "skip":
				if err := sess.Skip(ctx, n.Key, rest); err != nil {
					p.say("  %v", err)
					continue
				}
				return 0, false
			case "stop":
				return p.stop(sess, "stopped by the operator"), true
			}
		}
	}
	if handled, code, done := p.offerFleet(ctx, sess, n); handled {
		return code, done
	}
	p.say("  $ %s", n.Describe)
	rs := p.startReplies()
	out, err := sess.ExecuteWith(ctx, n.Key, confirm, rs.io(&indented{w: p.Out}))
	rs.finish()
	if err != nil {
		p.say("error: %v", err)
		if ctx.Err() != nil {
			return p.stop(sess, "interrupted during step "+st.ID), true
		}
		return p.stop(sess, err.Error()), true
	}
	if out.OK {
		p.say("  Done.")
	} else {
		p.say("  Failed: %s", out.Error)
	}
	return 0, false
}

func (p *Plain) check(err error, sess *runner.Session) (int, bool) {
	if err != nil {
		p.say("error: %v", err)
		return p.stop(sess, err.Error()), true
	}
	return 0, false
}

func (p *Plain) confirmHost(sess *runner.Session, n *runner.NeedStep) (string, bool) {
	p.say("  This step changes the server (%s).", n.ConfirmWord)
	if sess.DryRun() || (p.Yes && p.rehearsal(sess)) {
		return n.ConfirmWord, true
	}
	if p.ConfirmHost != "" {
		return p.ConfirmHost, true
	}
	fmt.Fprintf(p.Out, "? Type the host name %s to go ahead: ", n.ConfirmWord)
	line, ok := p.readLine()
	return strings.TrimSpace(line), ok
}

func (p *Plain) failed(ctx context.Context, sess *runner.Session, n *runner.NeedFailed) (int, bool) {
	p.say("")
	p.say("Step %s (%s) failed: %s", n.Step.Ref, n.Step.Title, n.Error)
	prompt := "? Type retry, skip REASON, or stop: "
	if len(n.Secrets) > 0 {
		var names []string
		for _, in := range n.Secrets {
			names = append(names, in.Prompt)
		}
		p.say("  It read: %s.", strings.Join(names, "; "))
		prompt = "? Type retry (r, as it was), new (n, retry with the secrets typed again), skip REASON (s), or stop (q): "
		if n.AuthFailure {
			p.say("  A password or passphrase looks refused: Enter (or new) types the secrets again, then retries.")
			prompt = "? Type retry (r, as it was), new (n, retry with the secrets typed again; the default), skip REASON (s), or stop (q): "
		}
	}
	for {
		fmt.Fprint(p.Out, prompt)
		line, ok := p.readLine()
		if !ok {
			p.say("")
			// Stopped, and resumable like any stop: ExitStopped, not
			// ExitFailed (a failed run is one that cannot go on).
			return p.stop(sess, "step "+n.Step.ID+" failed"), true
		}
		verb, rest := splitVerb(line)
		if verb == "" && n.AuthFailure && len(n.Secrets) > 0 {
			verb = "n"
		}
		switch verb {
		case "retry", "r":
			return p.check(sess.Retry(ctx, n.Key), sess)
		case "n", "new":
			if len(n.Secrets) == 0 {
				p.say("  Step %s reads no secret: type retry to run it as it was.", n.Step.Ref)
				continue
			}
			return p.check(sess.RetryWithNewSecrets(ctx, n.Key), sess)
		case "skip", "s":
			if err := sess.Skip(ctx, n.Key, rest); err != nil {
				p.say("  %v", err)
				continue
			}
			return 0, false
		case "stop", "q":
			return p.stop(sess, "stopped after step "+n.Step.ID+" failed"), true
		}
	}
}

func (p *Plain) inDoubt(ctx context.Context, sess *runner.Session, n *runner.NeedInDoubt) (int, bool) {
	p.say("")
	p.say("Step %s (%s) is in doubt: it started at %s and never finished.", n.Step.Ref, n.Step.Title, n.Started.Local().Format("15:04:05"))
	p.say("  Why: %s", n.Why)
	if n.Describe != "" {
		p.say("  Command: %s", n.Describe)
	}
	if n.LastOutput != "" {
		p.say("  Last output:")
		(&indented{w: p.Out}).Write([]byte(n.LastOutput + "\n"))
	}
	if n.StillRunning {
		if n.Host != "" {
			p.say("  It is still running on %s (pid %d there). zenrecover can wait for it to end, asking %s, then check the step again.", n.Host, n.PID, n.Host)
		} else {
			p.say("  It is still running (pid %d). zenrecover can wait for it to end, then check the step again.", n.PID)
		}
		for {
			fmt.Fprint(p.Out, "? Type wait, or stop (and resume later): ")
			line, ok := p.readLine()
			if !ok {
				p.say("")
				return p.stop(sess, "in-doubt step still running"), true
			}
			switch verb, _ := splitVerb(line); verb {
			case "wait":
				p.say("  Waiting for pid %d to end (Ctrl-C stops; the run stays resumable)...", n.PID)
				if err := sess.WaitInDoubt(ctx, n.Key); err != nil {
					p.say("  %v", err)
					return p.stop(sess, "stopped while waiting for in-doubt step "+n.Step.ID), true
				}
				p.say("  It has ended; checking the step again.")
				return 0, false
			case "stop":
				return p.stop(sess, "in-doubt step still running"), true
			}
		}
	}
	if n.Verify != "" {
		p.say("  Verify checks: %s", n.Verify)
	}
	if n.VerifyFailed && n.Idempotent && !n.NeedsOverride {
		p.say("  The checks say it did not take effect, and it is safe to repeat: running it again.")
		return p.check(sess.Resolve(ctx, n.Key, runner.MarkNotDone, "verify checks say it did not take effect; re-run (idempotent step)"), sess)
	}
	for {
		rerun := "rerun REASON"
		if n.NeedsOverride {
			rerun = "override REASON (it has been in doubt " + fmt.Sprint(n.Count) + " times)"
		}
		fmt.Fprintf(p.Out, "? Type %s, done REASON, or stop: ", rerun)
		line, ok := p.readLine()
		if !ok {
			p.say("")
			return p.stop(sess, "in-doubt step "+n.Step.ID+" not resolved"), true
		}
		verb, rest := splitVerb(line)
		switch {
		case verb == "rerun" && !n.NeedsOverride, verb == "override" && n.NeedsOverride:
			if err := sess.Resolve(ctx, n.Key, runner.MarkNotDone, rest); err != nil {
				p.say("  %v", err)
				continue
			}
			return 0, false
		case verb == "done":
			if err := sess.Resolve(ctx, n.Key, runner.MarkDone, rest); err != nil {
				p.say("  %v", err)
				continue
			}
			return 0, false
		case verb == "stop":
			return p.stop(sess, "stopped at in-doubt step "+n.Step.ID), true
		}
	}
}

func splitVerb(line string) (string, string) {
	line = strings.TrimSpace(line)
	verb, rest, _ := strings.Cut(line, " ")
	return strings.ToLower(verb), strings.TrimSpace(rest)
}

// indented prefixes every line of a command's output, so it stands apart
// from the wizard's own words.
type indented struct {
	w       io.Writer
	midline bool
}

func (in *indented) Write(b []byte) (int, error) {
	var sb strings.Builder
	for _, c := range string(b) {
		if !in.midline {
			sb.WriteString("  | ")
			in.midline = true
		}
		sb.WriteRune(c)
		if c == '\n' {
			in.midline = false
		}
	}
	if _, err := io.WriteString(in.w, sb.String()); err != nil {
		return 0, err
	}
	return len(b), nil
}
