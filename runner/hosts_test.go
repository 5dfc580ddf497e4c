package runner_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"zenrecover/lab"
	"zenrecover/procedures"
	"zenrecover/runner"
	"zenrecover/state"
)

const onHostsDef = `
id: on-hosts
title: Restart ZENworks on every Primary Server
section: "9.9"
summary: A test of steps done on other hosts.
inputs:
  - id: servers
    type: list
    prompt: Primary Servers
steps:
  - id: restart
    ref: "1"
    title: Restart ZENworks there
    each: servers
    on: ${target}
    idempotent: true
    run: [/etc/init.d/novell-zenserver, restart]
`

func parseDef(t *testing.T, src string) *procedures.Definition {
	t.Helper()
	d, err := procedures.Parse("test.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// In a lab, a step fanned out over servers with on: ${target} runs on each
// server's simulated copy, and each target is journaled on its own.
func TestStepsOnOtherHostsRunThereInALab(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	s, err := runner.Start(context.Background(), f.opts(), parseDef(t, onHostsDef),
		procedures.Values{"servers": "zen-primary-1, zen-primary-2"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var out bytes.Buffer
	ctx := context.Background()
	n, _ := s.Next(ctx)
	ns, ok := n.(*runner.NeedStep)
	if !ok || ns.Manual || ns.Host != "" || ns.Key != "restart@zen-primary-1" {
		t.Fatalf("first target: %#v", n)
	}
	if need := drive(t, s, nil, &out); need == nil {
		t.Fatal("no end")
	} else if _, done := need.(*runner.Done); !done {
		t.Fatalf("ended on %T %+v\n%s", need, need, out.String())
	}
	z, _ := f.lab.Zone()
	peer, _ := z.Server("zen-primary-2")
	if z.Restarts != 1 || peer.Restarts != 1 {
		t.Errorf("restarts: lab server %d, zen-primary-2 %d", z.Restarts, peer.Restarts)
	}
	for _, k := range []string{"restart@zen-primary-1", "restart@zen-primary-2"} {
		if ss := s.State().Steps[k]; ss == nil || ss.Status != state.StepSucceeded {
			t.Errorf("%s: %+v", k, ss)
		}
	}
}

// A failed target is retried on its own: the target that succeeded is not
// run again.
func TestAFailedTargetIsRetriedAlone(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	if err := f.lab.InjectFailure(lab.ToolZenserver, "restart", 1, "port 443 busy"); err != nil {
		t.Fatal(err)
	}
	s, err := runner.Start(context.Background(), f.opts(), parseDef(t, onHostsDef),
		procedures.Values{"servers": "zen-primary-1, zen-primary-2"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var out bytes.Buffer
	need := drive(t, s, nil, &out)
	nf, ok := need.(*runner.NeedFailed)
	if !ok || nf.Key != "restart@zen-primary-1" {
		t.Fatalf("got %T %+v", need, need)
	}
	if err := s.Retry(context.Background(), nf.Key); err != nil {
		t.Fatal(err)
	}
	if _, done := drive(t, s, nil, &out).(*runner.Done); !done {
		t.Fatal("not done after the retry")
	}
	z, _ := f.lab.Zone()
	peer, _ := z.Server("zen-primary-2")
	if z.Restarts != 1 || peer.Restarts != 1 {
		t.Errorf("restarts: lab server %d, zen-primary-2 %d", z.Restarts, peer.Restarts)
	}
}

// On a live server, a step on another machine cannot be run from here: it
// is shown with the exact command to run there, and only a confirmation
// finishes it.
func TestStepsOnOtherHostsAreConfirmedOnALiveServer(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	opts := f.opts()
	opts.Lab = nil
	opts.DryRun = false
	s, err := runner.Start(context.Background(), opts, parseDef(t, onHostsDef),
		procedures.Values{"servers": "zen-far-away-1"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	n, err := s.Next(ctx)
	ns, ok := n.(*runner.NeedStep)
	if err != nil || !ok || !ns.Manual || ns.Host != "zen-far-away-1" {
		t.Fatalf("got %#v %v", n, err)
	}
	if got := strings.Join(ns.Command, " "); got != "/etc/init.d/novell-zenserver restart" {
		t.Errorf("command shown: %q", got)
	}
	if _, err := s.ExecuteWith(ctx, ns.Key, "", runner.ExecIO{Out: &bytes.Buffer{}}); err == nil || !strings.Contains(err.Error(), "zen-far-away-1") {
		t.Errorf("executed a step meant for another machine: %v", err)
	}
	if err := s.Confirm(ctx, ns.Key, ""); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.Next(ctx); n == nil {
		t.Fatal("nil need")
	} else if _, done := n.(*runner.Done); !done {
		t.Errorf("after confirming: %T", n)
	}
}

// A destructive step done on another server asks for that server's name,
// not this one's: the name typed is the one about to change.
func TestDestructiveStepElsewhereAsksForThatHostsName(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	def := strings.Replace(onHostsDef, "    idempotent: true\n", "    destructive: true\n", 1)
	s, err := runner.Start(context.Background(), f.opts(), parseDef(t, def), procedures.Values{"servers": "zen-primary-2"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	n, _ := s.Next(ctx)
	ns, ok := n.(*runner.NeedStep)
	if !ok || ns.ConfirmWord != "zen-primary-2" {
		t.Fatalf("confirm word: %#v", n)
	}
	if _, err := s.ExecuteWith(ctx, ns.Key, lab.DefaultHostname, runner.ExecIO{Out: &bytes.Buffer{}}); err == nil {
		t.Error("this server's name confirmed a change to zen-primary-2")
	}
	if o, err := s.ExecuteWith(ctx, ns.Key, "zen-primary-2", runner.ExecIO{Out: &bytes.Buffer{}}); err != nil || !o.OK {
		t.Errorf("%v %+v", err, o)
	}
}
