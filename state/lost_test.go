package state

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Issue 11, item 1: a zenrecover killed mid-run, then its -wal (and -shm)
// deleted. SQLite opens the older database file without a word; the run
// must not vanish with it. Its log, its lock file and the copy of the
// database taken at its start are still there, and they tell.

// killedStart runs the "start" helper (runner.Start's order: lock, copy,
// run, log, a step started) on path, kills it mid-step and returns the
// run's id.
func killedStart(t *testing.T, path string) string {
	t.Helper()
	h := startHelper(t, "start", helperEnvFor(path))
	id := h.expect(t, "READY")
	h.kill()
	if fi, err := os.Stat(path + "-wal"); err != nil || fi.Size() == 0 {
		t.Fatalf("the killed process left no -wal: %v", err)
	}
	return id
}

// olderRun leaves a finished run in the database at path, closed cleanly
// (its records are in the file itself, as a day's earlier work is), and
// returns its id.
func olderRun(t *testing.T, path string) string {
	t.Helper()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	l, err := s.Lock("server-backup", "zen1", LockInfo{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Snapshot(ctx, time.Now().UTC().Add(-time.Hour).Format("20060102-150405.000")+"-before-server-backup"); err != nil {
		t.Fatal(err)
	}
	r := mustCreateRun(t, s, Run{ProcedureID: "server-backup"})
	l.SetRunAt(r.ID, r.StartedAt)
	lf, err := s.OpenLog(r.ID)
	if err != nil {
		t.Fatal(err)
	}
	lf.Close()
	mustAppend(t, s, r.OwnerToken, Event{RunID: r.ID, Step: "zman-backup", Kind: EventStarted})
	mustAppend(t, s, r.OwnerToken, Event{RunID: r.ID, Step: "zman-backup", Kind: EventSucceeded})
	if err := s.SetStatus(ctx, r.ID, r.OwnerToken, RunCompleted); err != nil {
		t.Fatal(err)
	}
	l.Release()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return r.ID
}

// lostAfterOpen opens path, which must list only the older runs (the
// database lost the newest), and must report run id as lost, refuse to
// record anything until the loss is acknowledged, and then keep listing it.
func lostAfterOpen(t *testing.T, path, id string, older []string) {
	t.Helper()
	ctx := context.Background()
	s := mustOpen(t, path)
	runs, err := s.Runs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != len(older) {
		t.Fatalf("the database holds %d runs; want the %d older ones (the killed one's records were in the deleted -wal)", len(runs), len(older))
	}
	lost, err := s.LostRuns(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(lost) != 1 || lost[0].RunID != id || lost[0].ProcedureID != "server-backup" || lost[0].Ack != nil {
		t.Fatalf("lost runs: %+v; want run %s of server-backup", lost, id)
	}
	l := lost[0]
	if l.Log != s.LogPath(id) || l.Lock == "" || l.Snapshot == "" || l.LogSteps != 1 || !strings.Contains(l.LogLast, "zman-backup") {
		t.Errorf("the evidence: %+v; want its log (one step begun), lock file and copy", l)
	}

	err = s.CanRecord(ctx)
	var le *LostRunsError
	if !errors.As(err, &le) {
		t.Fatalf("CanRecord with a lost run: %v; want *LostRunsError", err)
	}
	msg := err.Error()
	t.Log(msg)
	for _, want := range []string{path, id, "server-backup", l.Log, l.Lock, l.Snapshot, "zman-backup",
		path + "-wal", "put them back", "acknowledge-lost --reason TEXT --state " + path, "starts or resumes no run"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the message lacks %q", want)
		}
	}
	if _, err := s.AcknowledgeLost(ctx, " "); err == nil {
		t.Error("acknowledged without a reason")
	}
	acked, err := s.AcknowledgeLost(ctx, "checked the backup by hand")
	if err != nil || len(acked) != 1 || acked[0].RunID != id {
		t.Fatalf("AcknowledgeLost: %+v, %v", acked, err)
	}
	if err := s.CanRecord(ctx); err != nil {
		t.Errorf("CanRecord after the loss was acknowledged: %v", err)
	}
	lost, _ = s.LostRuns(ctx)
	if len(lost) != 1 || lost[0].Ack == nil || lost[0].Ack.Reason != "checked the backup by hand" || lost[0].Ack.User == "" {
		t.Errorf("after acknowledging, the lost run is listed as %+v", lost)
	}
	// A new run, which is what the operator does next, does not hide it.
	mustCreateRun(t, s, Run{ProcedureID: "server-backup"})
	if lost, _ := s.LostRuns(ctx); len(lost) != 1 || lost[0].RunID != id {
		t.Errorf("after a new run: %+v", lost)
	}
}

func TestKilledRunWithDeletedWALIsNeverSilentlyLost(t *testing.T) {
	for _, older := range []bool{false, true} {
		name := "first run"
		if older {
			name = "after older runs"
		}
		t.Run(name+"/both -wal and -shm deleted", func(t *testing.T) {
			path := newStorePath(t)
			var olds []string
			if older {
				olds = append(olds, olderRun(t, path), olderRun(t, path))
			} else {
				mustOpen(t, path).Close() // a first `zenrecover runs`, say
			}
			id := killedStart(t, path)
			os.Remove(path + "-wal")
			os.Remove(path + "-shm")
			lostAfterOpen(t, path, id, olds)
		})
		t.Run(name+"/only -wal deleted", func(t *testing.T) {
			path := newStorePath(t)
			if older {
				olderRun(t, path)
			} else {
				mustOpen(t, path).Close()
			}
			id := killedStart(t, path)
			os.Remove(path + "-wal")
			// The -shm still counts the lost commits: refused before SQLite
			// touches anything, naming the run they were about.
			msg := refused(t, path, path, "-wal is missing", "Put "+path+"-wal back", id, "server-backup")
			_ = msg
			// The way forward the message offers, the copy taken as the run
			// started, lacks the run too: taking it still does not lose it
			// silently.
			snap := newestSnapshot(t, path)
			os.Remove(path + "-shm")
			b, _ := os.ReadFile(snap)
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}
			s := mustOpen(t, path)
			if err := s.CanRecord(context.Background()); err == nil || !strings.Contains(err.Error(), id) {
				t.Errorf("on the copy: %v; want the run reported lost", err)
			}
		})
	}
}

func newestSnapshot(t *testing.T, path string) string {
	t.Helper()
	snaps := snapshots(filepath.Dir(path))
	if len(snaps) == 0 {
		t.Fatal("no copy of the database")
	}
	return snaps[len(snaps)-1]
}

// A resumed run keeps its id in the database; what it did after it was
// taken up was in the lost -wal. Its lock file says when it recorded
// being resumed, which the database no longer holds.
func TestResumedRunThatLostItsNewestRecordsIsReported(t *testing.T) {
	path := newStorePath(t)
	ctx := context.Background()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	r := mustCreateRun(t, s, Run{ProcedureID: "server-backup"})
	mustAppend(t, s, r.OwnerToken, Event{RunID: r.ID, Kind: EventStopped})
	s.SetStatus(ctx, r.ID, r.OwnerToken, RunStopped)
	s.Close()

	h := startHelper(t, "resume", helperEnvFor(path), helperRun+"="+r.ID)
	h.expect(t, "READY")
	h.kill()
	os.Remove(path + "-wal")
	os.Remove(path + "-shm")

	s = mustOpen(t, path)
	if st := foldRun(t, s, r.ID).Steps["restore"]; st != nil {
		t.Fatalf("the database still holds the resumed step: %+v", st)
	}
	lost, err := s.LostRuns(ctx)
	if err != nil || len(lost) != 1 || !lost[0].Partial || lost[0].RunID != r.ID {
		t.Fatalf("lost: %+v, %v; want run %s partly lost", lost, err, r.ID)
	}
	err = s.CanRecord(ctx)
	if err == nil || !strings.Contains(err.Error(), "taken up again") || !strings.Contains(err.Error(), r.ID) {
		t.Fatalf("CanRecord: %v", err)
	}
	t.Log(err)
}

// No false alarm: a run in progress in another process, and a run killed
// with its -wal intact, are not lost.
func TestLiveAndKilledRunsWithTheirWALAreNotLost(t *testing.T) {
	path := newStorePath(t)
	olderRun(t, path)
	h := startHelper(t, "start", helperEnvFor(path))
	id := h.expect(t, "READY")
	ctx := context.Background()
	s := mustOpen(t, path)
	if lost, err := s.LostRuns(ctx); err != nil || len(lost) != 0 {
		t.Errorf("with run %s in progress: lost %+v, %v", id, lost, err)
	}
	h.kill()
	s.Close()
	s = mustOpen(t, path)
	if err := s.CanRecord(ctx); err != nil {
		t.Errorf("after a kill with the -wal intact: %v", err)
	}
	if _, err := s.Run(ctx, id); err != nil {
		t.Errorf("the killed run: %v", err)
	}
}

// A copy of the database the database has no record of taking, newer than
// anything in it, tells of a run even when its log and lock are gone; a
// copy it recorded does not.
func TestUnrecordedNewerCopyTellsOfALostRun(t *testing.T) {
	path := newStorePath(t)
	olderRun(t, path)
	s := mustOpen(t, path)
	ctx := context.Background()
	if _, err := s.Snapshot(ctx, time.Now().UTC().Format("20060102-150405.000")+"-before-ca-backup"); err != nil {
		t.Fatal(err)
	}
	if lost, _ := s.LostRuns(ctx); len(lost) != 0 {
		t.Fatalf("a recorded copy taken for a start that never happened: %+v", lost)
	}
	name := time.Now().UTC().Add(time.Minute).Format("20060102-150405.000") + "-before-ca-backup.db"
	stray := filepath.Join(filepath.Dir(path), "snapshots", name)
	if err := os.WriteFile(stray, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	lost, err := s.LostRuns(ctx)
	if err != nil || len(lost) != 1 || lost[0].Snapshot != stray || lost[0].ProcedureID != "ca-backup" || lost[0].RunID != "" {
		t.Fatalf("lost: %+v, %v", lost, err)
	}
	if err := s.CanRecord(ctx); err == nil || !strings.Contains(err.Error(), stray) {
		t.Errorf("CanRecord: %v", err)
	}
}

// Issue 11, item 5: "holds 1 copies".
func TestHistoryCountsInWords(t *testing.T) {
	path, _ := withHistory(t)
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	msg := refused(t, path, "holds 1 copy of it")
	if strings.Contains(msg, "1 copies") {
		t.Errorf("plural for one: %s", msg)
	}
}
