package runner_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"zenrecover/procedures"
	"zenrecover/runner"
	"zenrecover/state"
)

// Issue 6, power loss and reboot, through the runner. A reboot cannot be
// had in a test, so the journal is given what one leaves behind: a started
// row written under another boot id (the end-to-end test in the main
// package has a real zenrecover write it, under a boot id bind-mounted in
// a mount namespace).

// interrupted starts 1.3 up to its export step, then leaves the run as a
// crash would, and returns the run id and a token that owns it, for the
// test to write what the crash left.
func interrupted(t *testing.T, f *fixture) (string, string) {
	t.Helper()
	ctx := context.Background()
	s := f.start("1.3", procedures.Values{"remove_ca_role": "false"})
	for _, kv := range [][2]string{{"admin_user", "Administrator"}, {"ca_backup_file", "/root/zcm_backups/ca.bak"}} {
		if err := s.Answer(ctx, kv[0], kv[1]); err != nil {
			t.Fatal(err)
		}
	}
	id := s.Run().ID
	s.Close()
	tok, err := f.store.TakeOver(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return id, tok
}

func appendEv(t *testing.T, f *fixture, tok string, e state.Event) {
	t.Helper()
	if _, err := f.store.Append(context.Background(), tok, e); err != nil {
		t.Fatal(err)
	}
}

func resumeToDoubt(t *testing.T, f *fixture, id string) (*runner.Session, *runner.NeedInDoubt) {
	t.Helper()
	r, err := runner.Resume(context.Background(), f.opts(), id)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	need, err := r.Next(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	n, ok := need.(*runner.NeedInDoubt)
	if !ok {
		t.Fatalf("on resume: %T %+v, want the step in doubt", need, need)
	}
	return r, n
}

// A step started under another boot id was interrupted by a reboot, even
// when the pid it recorded belongs to a live process now: after a reboot
// pids are handed out afresh.
func TestStepStartedBeforeARebootIsReportedAsSuch(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id, tok := interrupted(t, f)
	self, err := state.ProcStartTime(os.Getpid())
	if err != nil {
		t.Skipf("no /proc here: %v", err)
	}
	boot := "00000000-0000-4000-8000-000000000000"
	appendEv(t, f, tok, state.Event{RunID: id, Step: "export-ca", Kind: state.EventStarted, PID: os.Getpid(), PIDStart: self, BootID: boot})
	appendEv(t, f, tok, state.Event{RunID: id, Step: "export-ca", Kind: state.EventRunning, PID: os.Getpid(), PIDStart: self, BootID: boot})

	r, n := resumeToDoubt(t, f, id)
	if n.Reason != state.DoubtRebooted || n.StillRunning || !strings.Contains(n.Why, "rebooted") {
		t.Errorf("in doubt: reason %s, still running %v, why %q; want a reboot", n.Reason, n.StillRunning, n.Why)
	}
	// Its verify check runs: the backup was not written, so it is offered
	// again (an idempotent step).
	if !n.VerifyFailed || !n.Idempotent {
		t.Errorf("verify after the reboot: %+v", n)
	}
	// Nothing of another boot is waited for.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := r.WaitInDoubt(ctx, n.Key); err != nil {
		t.Errorf("WaitInDoubt after a reboot: %v; want at once", err)
	}
}

// A step whose command is still running (the same pid with the same start
// time, in this boot) is reported as such and can be waited for; then it
// is diagnosed afresh.
func TestStillRunningCommandCanBeWaitedFor(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id, tok := interrupted(t, f)
	child := exec.Command("sleep", "300")
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { child.Wait(); close(exited) }()
	t.Cleanup(func() { child.Process.Kill(); <-exited })
	start, err := state.ProcStartTime(child.Process.Pid)
	if err != nil {
		t.Skipf("no /proc here: %v", err)
	}
	boot := state.BootID()
	// The zenrecover that started it is gone (a pid no process has).
	appendEv(t, f, tok, state.Event{RunID: id, Step: "export-ca", Kind: state.EventStarted, PID: 1 << 30, PIDStart: 1, BootID: boot})
	appendEv(t, f, tok, state.Event{RunID: id, Step: "export-ca", Kind: state.EventRunning, PID: child.Process.Pid, PIDStart: start, BootID: boot})

	r, n := resumeToDoubt(t, f, id)
	if !n.StillRunning || n.Reason != state.DoubtStillRunning || n.PID != child.Process.Pid || !strings.Contains(n.Why, "still running") {
		t.Fatalf("in doubt: %+v; want still running, pid %d", n, child.Process.Pid)
	}

	// Waiting is cancellable.
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	err = r.WaitInDoubt(ctx, n.Key)
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("WaitInDoubt while the command runs: %v; want the context's deadline", err)
	}

	// It returns once the command ends.
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		done <- r.WaitInDoubt(ctx, n.Key)
	}()
	select {
	case err := <-done:
		t.Fatalf("WaitInDoubt returned before the command ended: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	child.Process.Kill()
	<-exited
	if err := <-done; err != nil {
		t.Fatalf("WaitInDoubt after the command ended: %v", err)
	}

	// Asked again, the step is diagnosed afresh: the command has ended, and
	// its verify check says the backup was not written.
	need, err := r.Next(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	n2, ok := need.(*runner.NeedInDoubt)
	if !ok || n2.StillRunning || n2.Reason != state.DoubtWizardDied || !strings.Contains(n2.Why, "has ended") || !n2.VerifyFailed {
		t.Fatalf("after waiting: %T %+v", need, need)
	}
	if err := r.WaitInDoubt(context.Background(), "no-such-step"); err == nil {
		t.Error("WaitInDoubt of a step that is not in doubt succeeded")
	}
}
