package state

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"strings"
	"testing"
	"time"
)

// A zenrecover killed mid-step leaves a durable started and no outcome: on
// reopening, the step is in doubt and the diagnosis is that the wizard died.
func TestCrashMidStepLeavesStepInDoubt(t *testing.T) {
	ctx := context.Background()
	path := newStorePath(t)
	h := startHelper(t, "crash", helperEnvFor(path))
	h.expect(t, "READY")
	h.kill()

	s := mustOpen(t, path)
	runs, err := s.Unfinished(ctx)
	if err != nil || len(runs) != 1 {
		t.Fatalf("Unfinished: %d runs, %v; want the crashed run", len(runs), err)
	}
	st := foldRun(t, s, runs[0].ID)
	if one := st.Steps["1"]; one == nil || one.Status != StepSucceeded {
		t.Errorf("step 1 = %+v, want succeeded", one)
	}
	two := st.Steps["2"]
	if two == nil || two.Status != StepInDoubt || two.InDoubtCount != 1 || two.Started.PID != h.cmd.Process.Pid {
		t.Fatalf("step 2 = %+v, want in doubt, started by the child", two)
	}
	reason, msg := Diagnose(*two, BootID())
	if reason != DoubtWizardDied {
		t.Errorf("Diagnose = %s (%s), want wizard-died", reason, msg)
	}
	if !strings.Contains(msg, "step 2") || !strings.Contains(msg, "may or may not have taken effect") {
		t.Errorf("diagnosis sentence: %q", msg)
	}
	if err := s.Check(ctx); err != nil {
		t.Errorf("integrity_check after the crash: %v", err)
	}
}

func TestDiagnoseStillRunning(t *testing.T) {
	s := mustOpen(t, newStorePath(t))
	r := mustCreateRun(t, s, Run{})
	// The "wizard" that started the step is a fake pid, long gone; its
	// child is a real process.
	mustAppend(t, s, r.OwnerToken, Event{RunID: r.ID, Step: "2", Kind: EventStarted, PID: 1 << 30, PIDStart: 1, BootID: BootID()})
	child := startHelper(t, "block")
	child.expect(t, "READY")
	pid := child.cmd.Process.Pid
	start, err := ProcStartTime(pid)
	if err != nil {
		t.Fatal(err)
	}
	mustAppend(t, s, r.OwnerToken, Event{RunID: r.ID, Step: "2", Kind: EventRunning, PID: pid, PIDStart: start, BootID: BootID()})

	st := foldRun(t, s, r.ID).Steps["2"]
	reason, msg := Diagnose(*st, BootID())
	if reason != DoubtStillRunning || !strings.Contains(msg, "still running") {
		t.Errorf("Diagnose with the child alive = %s, %q; want still-running", reason, msg)
	}

	// The same pid with another start time is another process (pid reuse).
	other := *st
	run := *st.Running
	run.PIDStart = start + 1
	other.Running = &run
	if reason, _ := Diagnose(other, BootID()); reason != DoubtWizardDied {
		t.Errorf("Diagnose with a reused pid = %s, want wizard-died", reason)
	}

	child.kill()
	if reason, msg := Diagnose(*st, BootID()); reason != DoubtWizardDied || !strings.Contains(msg, "has ended") {
		t.Errorf("Diagnose after the child died = %s, %q; want wizard-died", reason, msg)
	}
}

func TestDiagnoseRebooted(t *testing.T) {
	s := mustOpen(t, newStorePath(t))
	r := mustCreateRun(t, s, Run{})
	mustAppend(t, s, r.OwnerToken, Event{RunID: r.ID, Step: "2", Kind: EventStarted,
		PID: os.Getpid(), BootID: "00000000-0000-0000-0000-000000000000"})
	st := foldRun(t, s, r.ID).Steps["2"]
	current := "11111111-1111-1111-1111-111111111111"
	reason, msg := Diagnose(*st, current)
	if reason != DoubtRebooted || !strings.Contains(msg, "rebooted") || !strings.Contains(msg, st.Started.At.Local().Format("15:04")) {
		t.Errorf("Diagnose = %s, %q; want rebooted, with the start time", reason, msg)
	}
}

func TestDiagnoseNotInDoubt(t *testing.T) {
	st := Fold([]Event{{Seq: 1, Step: "1", Kind: EventStarted, At: time.Now()}, {Seq: 2, Step: "1", Kind: EventSucceeded}}).Steps["1"]
	if reason, msg := Diagnose(*st, BootID()); reason != "" || msg != "" {
		t.Errorf("Diagnose of a succeeded step = %q, %q", reason, msg)
	}
}

func TestProcStartTimeAndBootID(t *testing.T) {
	if BootID() == "" {
		t.Skip("no /proc/sys/kernel/random/boot_id")
	}
	a, err := ProcStartTime(os.Getpid())
	if err != nil || a == 0 {
		t.Fatalf("ProcStartTime(self) = %d, %v", a, err)
	}
	if b, _ := ProcStartTime(os.Getpid()); b != a {
		t.Errorf("start time changed: %d then %d", a, b)
	}
	if _, err := ProcStartTime(1 << 30); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ProcStartTime of no process: %v, want ErrNotExist", err)
	}
}
