package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"zenrecover/actions"
	"zenrecover/lab"
	"zenrecover/procedures"
	"zenrecover/remote"
	"zenrecover/state"
)

// Fleets through Ansible (issue 16, item 2): a fan-out step over many
// devices is handed to ansible-playbook in one go, and each device's
// result is journaled on its own. The checkpoint protocol holds per
// target: every host handed over gets started (durable) before
// ansible-playbook starts; each host's outcome is journaled as its
// result line arrives (remote.ResultWriter), so a killed ansible-playbook
// leaves the hosts it reported done or failed and the rest in doubt,
// never done. Running the step again hands over only the hosts not done
// (--limit @FILE): pending, failed, and in doubt (for a step that is not
// idempotent, those only with RetryInDoubt: the operator's decision, as
// a re-run of a step in doubt always is; it is journaled as resolved
// not-done, with the reason).
//
// An unreachable device is journaled failed, its error starting "not
// reached:", so it is retried with the others not done.

// FleetOptions says how a fan-out step is handed to Ansible.
type FleetOptions struct {
	// Dir is where the inventory, playbook and limit file go; "" is
	// ansible/RUN/STEP beside the state database.
	Dir string
	// Program is ansible-playbook; "" looks it up on PATH.
	Program string
	// Vars are inventory variables for every host (a rehearsal on this
	// machine sets ansible_connection=local).
	Vars  map[string]string
	Forks int
	// RetryInDoubt hands over hosts in doubt of a step that is not
	// idempotent too (an idempotent step's are always handed over).
	RetryInDoubt bool
	// OnResult hears each host's result as it is journaled.
	OnResult func(remote.HostResult)
}

// FleetOutcome is what handing a step to Ansible came to.
type FleetOutcome struct {
	Files     remote.FleetFiles
	Command   []string // ansible-playbook's command line (what to type where it is not installed)
	Installed bool
	Hosts     []string // handed over this time
	Done      []string
	Failed    []string // failed or not reached
	// Unreported were handed over but Ansible said nothing of them (it was
	// killed, or stopped early): they are in doubt.
	Unreported []string
	Error      string // ansible-playbook's own failure, masked
}

// FleetPlan writes the inventory and playbook of fan-out step id for the
// targets not done and returns the command that runs them, journaling
// nothing: the export for paper (what Ansible will do) and for an operator
// who runs ansible-playbook elsewhere.
func (s *Session) FleetPlan(id string, o FleetOptions) (*FleetOutcome, error) {
	st, todo, _, err := s.fleetTargets(id, o)
	if err != nil {
		return nil, err
	}
	task, err := s.fleetTask(st, todo, o)
	if err != nil {
		return nil, err
	}
	return s.fleetFiles(st, task, o)
}

func (s *Session) fleetFiles(st *procedures.Step, task *remote.FleetTask, o FleetOptions) (*FleetOutcome, error) {
	dir := o.Dir
	if dir == "" {
		dir = filepath.Join(s.store.Dir(), "ansible", s.run.ID, st.ID)
	}
	files, err := task.Write(dir)
	if err != nil {
		return nil, fmt.Errorf("step %s: cannot write the Ansible files in %s: %w", st.Ref, dir, err)
	}
	prog, installed := o.Program, true
	if prog == "" {
		p, err := exec.LookPath("ansible-playbook")
		prog, installed = p, err == nil
		if !installed {
			prog = "ansible-playbook"
		}
	}
	return &FleetOutcome{Files: files, Command: files.Command(prog, o.Forks), Installed: installed, Hosts: task.Hosts}, nil
}

// fleetTargets: the step, its targets not done, and those of them in doubt.
func (s *Session) fleetTargets(id string, o FleetOptions) (*procedures.Step, []string, []string, error) {
	st := s.def.Step(id)
	if st == nil {
		return nil, nil, nil, fmt.Errorf("procedure %s has no step %q", s.def.ID, id)
	}
	if st.Each == "" || st.Kind() != "run" {
		return nil, nil, nil, fmt.Errorf("step %s is not a command over a list of hosts: Ansible takes only those", st.Ref)
	}
	list, ok := s.vals[st.Each]
	if !ok {
		return nil, nil, nil, fmt.Errorf("step %s: the list %s is not answered yet", st.Ref, st.Each)
	}
	folded := state.Fold(s.events)
	var todo, doubt []string
	for _, t := range procedures.Targets(list) {
		ss := folded.Steps[state.StepKey(st.ID, t)]
		switch {
		case ss == nil || ss.Status == state.StepPending || ss.Status == state.StepFailed:
			todo = append(todo, t)
		case ss.Status == state.StepInDoubt:
			todo, doubt = append(todo, t), append(doubt, t)
		}
	}
	if len(doubt) > 0 && !st.Idempotent && !o.RetryInDoubt {
		return nil, nil, nil, fmt.Errorf("step %s is in doubt on %d hosts (%s): Ansible may have run it there; check them, or run it again there on purpose (RetryInDoubt)", st.Ref, len(doubt), preview(doubt))
	}
	return st, todo, doubt, nil
}

func preview(hs []string) string {
	if len(hs) <= 5 {
		return strings.Join(hs, ", ")
	}
	return strings.Join(hs[:5], ", ") + fmt.Sprintf(" and %d more", len(hs)-5)
}

// fleetTask resolves the step once per target: the command each host runs
// is the one Next would show for it.
func (s *Session) fleetTask(st *procedures.Step, todo []string, o FleetOptions) (*remote.FleetTask, error) {
	task := &remote.FleetTask{Name: fmt.Sprintf("zenrecover %s step %s: %s", s.def.Section, st.Ref, st.Title),
		Argv: map[string][]string{}, Vars: o.Vars, Forks: o.Forks}
	for i, t := range todo {
		if err := remote.HostName(t); err != nil {
			return nil, fmt.Errorf("step %s: %w", st.Ref, err)
		}
		r, err := s.resolve(st, t)
		if err != nil {
			return nil, err
		}
		argv := r.Argv
		if l := s.opts.Lab; l != nil {
			// In a lab the device is simulated here: its command is the
			// lab's tool, run as that host (lab.HostEnv).
			b, err := s.build(r, true)
			if err != nil {
				return nil, err
			}
			c, ok := b.Action.(*actions.Command)
			if !ok {
				return nil, fmt.Errorf("step %s runs no command", st.Ref)
			}
			argv = c.Argv
			if !strings.Contains(argv[0], "/") {
				if p, err := lookPathIn(argv[0], c.Env); err == nil {
					argv[0] = p
				}
			}
			if i == 0 {
				task.Env, task.HostNameEnv = labFleetEnv(c.Env), lab.HostEnv
			}
			task.Argv[t] = argv
		} else {
			task.Argv[t] = append([]string(nil), argv...)
		}
		for _, a := range argv[1:] {
			if s.masker.Contains(a) {
				return nil, fmt.Errorf("step %s: an argument for %s contains a secret; secrets are typed, never passed", st.Ref, t)
			}
		}
		if i == 0 {
			for _, a := range r.Answers {
				task.Answers = append(task.Answers, remote.FleetAnswer{Prompt: a.Prompt, Secret: a.Secret, Value: a.Value})
			}
		}
		task.Hosts = append(task.Hosts, t)
	}
	return task, nil
}

// labFleetEnv keeps, of a lab command's environment, what makes it the
// lab's: the shims on PATH and the lab. The host it runs as (lab.HostEnv)
// is set per host from Ansible's inventory_hostname (FleetTask.HostNameEnv).
func labFleetEnv(env []string) map[string]string {
	out := map[string]string{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "PATH", "ZENRECOVER_LAB", "ZENWORKS_HOME":
			out[k] = v
		}
	}
	return out
}

func lookPathIn(name string, env []string) (string, error) {
	for _, kv := range env {
		if p, ok := strings.CutPrefix(kv, "PATH="); ok {
			for _, d := range filepath.SplitList(p) {
				f := filepath.Join(d, name)
				if fi, err := os.Stat(f); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
					return f, nil
				}
			}
		}
	}
	return "", errors.New("not found")
}

// RunFleet hands fan-out step id to ansible-playbook for every target not
// done and journals each host's result. Where ansible-playbook is not
// installed it writes the files, journals nothing and returns the command
// to run (Installed false). Secrets the step's answers name must have been
// given (Answer) first; ansible-playbook asks for them on its terminal and
// they are typed there.
func (s *Session) RunFleet(ctx context.Context, id string, o FleetOptions, out io.Writer) (*FleetOutcome, error) {
	st, todo, doubt, err := s.fleetTargets(id, o)
	if err != nil {
		return nil, err
	}
	if len(todo) == 0 {
		return &FleetOutcome{}, nil
	}
	if n := s.missingInput(st); n != nil {
		return nil, fmt.Errorf("step %s needs %s first", st.Ref, n.Input.Prompt)
	}
	task, err := s.fleetTask(st, todo, o)
	if err != nil {
		return nil, err
	}
	fo, err := s.fleetFiles(st, task, o)
	if err != nil || !fo.Installed || s.opts.DryRun {
		return fo, err
	}
	cmd := &actions.Command{Argv: fo.Command, Env: append(childEnviron(nil), remote.AnsibleEnv...)}
	seen := map[string]bool{}
	for _, a := range task.Answers {
		if a.Secret == "" || seen[a.Secret] {
			continue
		}
		seen[a.Secret] = true
		v, ok := s.secrets[a.Secret]
		if !ok {
			return nil, fmt.Errorf("step %s needs the secret %s first", st.Ref, a.Secret)
		}
		cmd.Answers = append(cmd.Answers, actions.Answer{Label: a.Secret, Pattern: remote.SecretPromptPattern(a.Secret), Value: v, Secret: true})
	}
	// The operator's decision to run the hosts in doubt again.
	for _, t := range doubt {
		if err := s.append(ctx, state.Event{Kind: state.EventResolved, Step: st.ID, Target: t, Value: state.ResolvedNotDone,
			Reason: "handed to Ansible again: ansible-playbook never reported this host"}); err != nil {
			return nil, err
		}
	}
	offset, _ := s.log.Seek(0, io.SeekEnd)
	fmt.Fprintf(s.log, "=== %s step %s through Ansible, %d hosts, %s\n", s.def.Section, st.Ref, len(todo), time.Now().Format(time.RFC3339))
	started := detail{Log: s.log.Name(), LogOffset: offset, Command: s.maskArgv(fo.Command)}
	for _, t := range todo {
		d := started
		d.Command = s.maskArgv(task.Argv[t])
		d.Action = "through Ansible: " + strings.Join(s.maskArgv(fo.Command), " ")
		if err := s.append(ctx, state.Event{Kind: state.EventStarted, Step: st.ID, Target: t, PID: os.Getpid(),
			BootID: state.BootID(), Detail: d.String()}); err != nil {
			return nil, fmt.Errorf("%w; ansible-playbook was not run", err)
		}
	}
	failpoint("after-started", st.ID)
	reported, handed := map[string]bool{}, map[string]bool{}
	for _, t := range todo {
		handed[t] = true
	}
	var journalErr error
	w := newStream(s.masker, s.log, out)
	results := remote.NewResultWriter(func(r remote.HostResult) {
		if reported[r.Host] || !handed[r.Host] || (r.Status != "unreachable" && r.Task != task.OutcomeTask()) {
			return
		}
		reported[r.Host] = true
		ev := state.Event{Step: st.ID, Target: r.Host}
		d := detail{Log: s.log.Name(), LogOffset: offset, ExitCode: r.RC}
		switch r.Status {
		case "ok":
			ev.Kind = state.EventSucceeded
			fo.Done = append(fo.Done, r.Host)
		case "unreachable":
			ev.Kind, d.Error = state.EventFailed, s.masker.String("not reached: "+r.Msg)
			fo.Failed = append(fo.Failed, r.Host)
		default:
			ev.Kind, d.Error = state.EventFailed, s.masker.String(fleetError(r))
			fo.Failed = append(fo.Failed, r.Host)
		}
		ev.Detail = d.String()
		fmt.Fprintf(w, "%s: %s\n", r.Host, fleetWord(r))
		if err := s.append(context.WithoutCancel(ctx), ev); err != nil && journalErr == nil {
			journalErr = err
		}
		if o.OnResult != nil {
			o.OnResult(r)
		}
	}, w)
	// ansible-playbook's output goes through actions' masking first; the
	// results are read from that, so nothing unmasked is journaled.
	ran := false
	runErr := cmd.Run(ctx, actions.IO{Output: results, Secrets: s.masker, OnStart: func(pid int) {
		ran = true
		// Each host's attempt is ansible-playbook's: its pid tells, on
		// resume, whether it still runs. Best effort, as for a command.
		ps, _ := state.ProcStartTime(pid)
		for _, t := range todo {
			_ = s.append(context.WithoutCancel(ctx), state.Event{Kind: state.EventRunning, Step: st.ID, Target: t,
				PID: pid, PIDStart: ps, BootID: state.BootID(), Detail: `{"via":"ansible-playbook"}`})
		}
	}})
	results.Close()
	w.Close()
	if !ran && runErr != nil {
		// ansible-playbook never started: nothing ran anywhere, so each
		// host failed (and is retried), none is in doubt.
		msg := s.masker.String("ansible-playbook did not start: " + runErr.Error())
		for _, t := range todo {
			if err := s.append(context.WithoutCancel(ctx), state.Event{Kind: state.EventFailed, Step: st.ID, Target: t,
				Detail: detail{Error: msg}.String()}); err != nil {
				return fo, err
			}
		}
		fo.Failed, fo.Error = todo, msg
		return fo, nil
	}
	for _, t := range todo {
		if !reported[t] {
			fo.Unreported = append(fo.Unreported, t)
		}
	}
	if runErr != nil {
		var ee *actions.ExitError
		// ansible-playbook exits 2 when a host failed and 4 when one was
		// unreachable: those are per-host outcomes, already journaled.
		if !(errors.As(runErr, &ee) && (ee.Code == 2 || ee.Code == 4) && len(fo.Unreported) == 0) {
			fo.Error = s.masker.String(runErr.Error())
		}
	}
	if journalErr != nil {
		return fo, fmt.Errorf("%w; the hosts not recorded are in doubt", journalErr)
	}
	return fo, nil
}

func (s *Session) maskArgv(argv []string) []string {
	out := make([]string, len(argv))
	for i, a := range argv {
		out[i] = s.masker.String(a)
	}
	return out
}

func fleetError(r remote.HostResult) string {
	msg := strings.TrimSpace(r.Msg)
	if r.RC != nil {
		if msg == "" {
			return fmt.Sprintf("exited with status %d", *r.RC)
		}
		return fmt.Sprintf("exited with status %d: %s", *r.RC, msg)
	}
	if msg == "" {
		return "Ansible reported a failure"
	}
	return msg
}

func fleetWord(r remote.HostResult) string {
	switch r.Status {
	case "ok":
		return "done"
	case "unreachable":
		return "not reached: " + strings.TrimSpace(r.Msg)
	}
	return "failed: " + fleetError(r)
}

// fleetable reports a resolved target of a fan-out step that Ansible can
// take: a command run on the target itself (on: ${target}), in a run that
// executes (not a dry run, not guide mode).
func (s *Session) fleetable(r *resolved) bool {
	return r.Step.Each != "" && r.Step.Kind() == "run" && r.target != "" && !s.opts.DryRun && !s.opts.Guide &&
		r.On != "" && sameHost(r.On, r.target)
}

// AnsibleInstalled reports whether ansible-playbook is on PATH: RunFleet
// runs it; without it, FleetPlan's command is what to run.
func (s *Session) AnsibleInstalled() bool {
	_, err := exec.LookPath("ansible-playbook")
	return err == nil
}

// FleetDefaults are the FleetOptions a front end hands a step over with:
// in a rehearsal every device is the lab's copy on this machine, so
// Ansible's local connection reaches it (with this machine's python3).
func (s *Session) FleetDefaults() FleetOptions {
	o := FleetOptions{Forks: 10}
	if s.opts.Lab != nil {
		o.Vars = map[string]string{"ansible_connection": "local"}
		if p, err := exec.LookPath("python3"); err == nil {
			o.Vars["ansible_python_interpreter"] = p
		}
	}
	return o
}

// FleetResult is one host's result as Ansible reports it (RunFleet's
// FleetOptions.OnResult), under runner's name so front ends need not
// import remote.
type FleetResult = remote.HostResult
