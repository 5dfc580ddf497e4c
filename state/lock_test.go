package state

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
)

func lockEnv(path, proc, host string) []string {
	return []string{helperEnvFor(path), helperProc + "=" + proc, helperHost + "=" + host}
}

func TestSecondLockIsRefusedWithTheHolder(t *testing.T) {
	path := newStorePath(t)
	s := mustOpen(t, path)
	l, err := s.Lock("1.1", "zen1", LockInfo{User: "alice", RunID: "20261124-153012-4f2a"})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()

	_, err = s.Lock("1.1", "zen1", LockInfo{User: "bob"})
	var le *LockedError
	if !errors.As(err, &le) {
		t.Fatalf("second Lock: %v, want *LockedError", err)
	}
	msg := le.Error()
	for _, want := range []string{"alice", "pid " + strconv.Itoa(os.Getpid()), "zen1", "20261124-153012-4f2a",
		// Issue 11: a command cobra accepts (--force-unlock takes no value),
		// on this state database.
		"`zenrecover resume 20261124-153012-4f2a --force-unlock --state " + path + "`"} {
		if !strings.Contains(msg, want) {
			t.Errorf("LockedError %q does not mention %q", msg, want)
		}
	}
	if le.Holder.PID != os.Getpid() || le.Holder.Since.IsZero() {
		t.Errorf("holder = %+v", le.Holder)
	}

	// Other procedures, and the same procedure on another host, are free.
	for _, pk := range [][2]string{{"1.2", "zen1"}, {"1.1", "zen2"}} {
		other, err := s.Lock(pk[0], pk[1], LockInfo{})
		if err != nil {
			t.Errorf("Lock(%s, %s): %v", pk[0], pk[1], err)
			continue
		}
		other.Release()
	}

	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	again, err := s.Lock("1.1", "zen1", LockInfo{})
	if err != nil {
		t.Fatalf("Lock after Release: %v", err)
	}
	again.Release()
	if err := l.Release(); err != nil {
		t.Errorf("second Release: %v", err)
	}
}

func TestLockFileRecordsTheRun(t *testing.T) {
	s := mustOpen(t, newStorePath(t))
	l, err := s.Lock("2.1", "zen1", LockInfo{User: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	if err := l.SetRun("20261124-153012-aaaa"); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(l.Path())
	if err != nil {
		t.Fatal(err)
	}
	var info LockInfo
	if err := json.Unmarshal(b, &info); err != nil {
		t.Fatalf("lock file %q: %v", b, err)
	}
	if info.RunID != "20261124-153012-aaaa" || info.User != "alice" || info.PID != os.Getpid() || info.Host != "zen1" {
		t.Errorf("lock file says %+v", info)
	}
	fi, _ := os.Stat(l.Path())
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("lock file mode %04o, want 0600", fi.Mode().Perm())
	}
}

func TestLockOfKilledHolderIsFree(t *testing.T) {
	path := newStorePath(t)
	h := startHelper(t, "lock", lockEnv(path, "1.1", "zen1")...)
	runID := h.expect(t, "READY")

	s := mustOpen(t, path)
	_, err := s.Lock("1.1", "zen1", LockInfo{})
	var le *LockedError
	if !errors.As(err, &le) {
		t.Fatalf("Lock while the child holds it: %v", err)
	}
	if le.Holder.PID != h.cmd.Process.Pid || le.Holder.RunID != runID || !strings.Contains(err.Error(), "pid "+strconv.Itoa(h.cmd.Process.Pid)) {
		t.Errorf("LockedError names %+v, want the child (pid %d, run %s)", le.Holder, h.cmd.Process.Pid, runID)
	}

	h.kill() // SIGKILL: no chance to release anything
	l, err := s.Lock("1.1", "zen1", LockInfo{})
	if err != nil {
		t.Fatalf("Lock after the holder was killed: %v", err)
	}
	l.Release()
}

func TestForceUnlockWhileHolderAlive(t *testing.T) {
	ctx := context.Background()
	path := newStorePath(t)
	h := startHelper(t, "lock", lockEnv(path, "1.1", "zen1")...)
	runID := h.expect(t, "READY")

	s := mustOpen(t, path)
	l, tok, err := s.ForceUnlock(ctx, "1.1", "zen1", runID, LockInfo{User: "bob"})
	if err != nil {
		t.Fatalf("ForceUnlock: %v", err)
	}
	defer l.Release()
	if tok == "" {
		t.Fatal("ForceUnlock returned no token")
	}

	// The new holder is who a third instance now hears about.
	_, err = s.Lock("1.1", "zen1", LockInfo{})
	var le *LockedError
	if !errors.As(err, &le) || le.Holder.PID != os.Getpid() || le.Holder.User != "bob" || le.Holder.RunID != runID {
		t.Errorf("Lock after ForceUnlock: %v (holder %+v)", err, le)
	}

	// The old holder, still alive, can no longer write.
	h.send(t, "append")
	h.expect(t, "NOTOWNER")
	evs, err := s.Journal(ctx, runID)
	if err != nil || len(evs) != 0 {
		t.Errorf("journal after the old owner's attempt: %d rows, %v; want none", len(evs), err)
	}
	mustAppend(t, s, tok, Event{RunID: runID, Step: "1", Kind: EventStarted})

	if _, _, err := s.ForceUnlock(ctx, "9.9", "zen1", runID, LockInfo{}); err == nil {
		t.Error("ForceUnlock took over a run of another procedure")
	}
}
