//go:build !windows

package runner_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"zenrecover/procedures"
	"zenrecover/runner"
	"zenrecover/state"
)

// Issue 6, disk full, through the runner: the state directory is on a
// small tmpfs, the lab (and so the backup zman writes) elsewhere, and the
// test fills the tmpfs at the moment it chooses.

func smallFS(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	if err := unix.Mount("zenrecover-test", dir, "tmpfs", 0, "size="+size+",mode=0700"); err != nil {
		t.Skipf("disk-full test skipped: cannot mount a small tmpfs on %s (mount -t tmpfs -o size=%s: %v); it needs root or CAP_SYS_ADMIN", dir, size, err)
	}
	t.Cleanup(func() { unix.Unmount(dir, unix.MNT_DETACH) })
	return dir
}

// fillFS writes dir/filler until the file system has no block left; the
// returned function frees it.
func fillFS(dir string) (func() error, error) {
	p := filepath.Join(dir, "filler")
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	for _, n := range []int{1 << 16, 1 << 12, 1} {
		buf := make([]byte, n)
		for {
			if _, err := f.Write(buf); err != nil {
				if !errors.Is(err, syscall.ENOSPC) {
					return nil, err
				}
				break
			}
		}
	}
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil || st.Bavail != 0 {
		return nil, fmt.Errorf("the file system is not full: %d blocks free, %v", st.Bavail, err)
	}
	return func() error { return os.Remove(p) }, nil
}

// fullFixture is a fixture whose state database is on a small tmpfs.
func fullFixture(t *testing.T) (*fixture, string) {
	f := newFixture(t)
	fsdir := smallFS(t, "8m")
	st, err := state.Open(filepath.Join(fsdir, "state", "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f.store = st
	return f, fsdir
}

// toStep answers what 1.1 asks until it offers the zman step.
func toZmanStep(t *testing.T, s *runner.Session) *runner.NeedStep {
	t.Helper()
	ctx := context.Background()
	answers := map[string]string{"admin_password": adminPW, "backup_passphrase": passphrase}
	for i := 0; i < 20; i++ {
		need, err := s.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		switch n := need.(type) {
		case *runner.NeedInput:
			v, ok := answers[n.Input.ID]
			if !ok {
				v = n.Input.Default
			}
			if err := s.Answer(ctx, n.Input.ID, v); err != nil {
				t.Fatal(err)
			}
		case *runner.NeedStep:
			if n.Step.ID != "zman-backup" {
				t.Fatalf("first step %s, want zman-backup", n.Step.ID)
			}
			return n
		default:
			t.Fatalf("unexpected need %T %+v", need, need)
		}
	}
	t.Fatal("1.1 never offered its zman step")
	return nil
}

func journalOf(t *testing.T, st *state.Store, runID, step string) map[state.EventKind]int {
	t.Helper()
	evs, err := st.Journal(context.Background(), runID)
	if err != nil {
		t.Fatal(err)
	}
	n := map[state.EventKind]int{}
	for _, e := range evs {
		if e.Step == step {
			n[e.Kind]++
		}
	}
	return n
}

var noFacts = procedures.Values{"db_on_server": "false", "only_content_server": "false"}

// When started cannot be committed, zman never runs.
func TestFullDiskBeforeStartedRunsNothing(t *testing.T) {
	t.Parallel()
	f, fsdir := fullFixture(t)
	ctx := context.Background()
	s := f.start("1.1", noFacts)
	n := toZmanStep(t, s)

	free, err := fillFS(fsdir)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	o, err := s.ExecuteWith(ctx, n.Key, n.ConfirmWord, runner.ExecIO{Out: &out})
	if err == nil {
		t.Fatalf("the step ran on a full state disk: %+v\n%s", o, out.String())
	}
	t.Log(err)
	for _, want := range []string{"cannot record started", "is full", "free space there", "the step was not run"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error lacks %q: %v", want, err)
		}
	}
	if out.Len() != 0 {
		t.Errorf("zman ran (it wrote %q)", out.String())
	}
	backup := f.lab.Rebase(s.Values()["backup_file"]) // the default, dated (destination_test.go)
	if _, err := os.Stat(backup); err == nil {
		t.Error("zman ran: the backup file exists")
	}
	if got := journalOf(t, f.store, s.Run().ID, "zman-backup"); len(got) != 0 {
		t.Errorf("journal rows for a step that never started: %v", got)
	}

	// Space back: the step is simply pending (never started, so not in
	// doubt) and runs now.
	if err := free(); err != nil {
		t.Fatal(err)
	}
	n = toZmanStep(t, s)
	if o, err := s.ExecuteWith(ctx, n.Key, n.ConfirmWord, runner.ExecIO{Out: &out}); err != nil || !o.OK {
		t.Fatalf("after freeing space: %+v %v\n%s", o, err, out.String())
	}
	if got := journalOf(t, f.store, s.Run().ID, "zman-backup"); got[state.EventStarted] != 1 || got[state.EventSucceeded] != 1 {
		t.Errorf("journal of zman-backup: %v", got)
	}
}

// fillOnWrite fills the file system the first time the step writes
// anything, that is, once started is committed and zman is under way.
type fillOnWrite struct {
	dir  string
	once sync.Once
	free func() error
	err  error
	buf  bytes.Buffer
	mu   sync.Mutex
}

func (w *fillOnWrite) Write(p []byte) (int, error) {
	w.once.Do(func() { w.free, w.err = fillFS(w.dir) })
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

// When the outcome cannot be committed, the step is in doubt on resume,
// never succeeded; here its verify check then settles it.
func TestFullDiskBeforeTheOutcomeLeavesTheStepInDoubt(t *testing.T) {
	t.Parallel()
	f, fsdir := fullFixture(t)
	ctx := context.Background()
	s := f.start("1.1", noFacts)
	n := toZmanStep(t, s)
	w := &fillOnWrite{dir: fsdir}
	o, err := s.ExecuteWith(ctx, n.Key, n.ConfirmWord, runner.ExecIO{Out: w})
	if w.err != nil || w.free == nil {
		t.Fatalf("filling the disk: %v", w.err)
	}
	if err == nil {
		t.Fatalf("the outcome was recorded on a full disk: %+v", o)
	}
	t.Log(err)
	for _, want := range []string{"cannot record succeeded", "is full", "in doubt on resume"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error lacks %q: %v", want, err)
		}
	}
	if _, err := os.Stat(f.lab.Rebase(s.Values()["backup_file"])); err != nil {
		t.Fatalf("zman did not finish its work: %v\n%s", err, w.buf.String())
	}
	runID := s.Run().ID
	s.Close()
	if err := w.free(); err != nil {
		t.Fatal(err)
	}

	got := journalOf(t, f.store, runID, "zman-backup")
	if got[state.EventStarted] != 1 || got[state.EventSucceeded] != 0 {
		t.Fatalf("journal of zman-backup after the full disk: %v; want started and no outcome", got)
	}
	r, err := runner.Resume(ctx, f.opts(), runID)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	need, err := r.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	settled, ok := need.(*runner.Settled)
	if !ok || settled.Step.ID != "zman-backup" {
		t.Fatalf("on resume: %T %+v; want zman-backup in doubt, settled by its check", need, need)
	}
	got = journalOf(t, f.store, runID, "zman-backup")
	if got[state.EventSucceeded] != 0 || got[state.EventResolved] != 1 {
		t.Errorf("journal after resume: %v; want resolved by the check, never succeeded", got)
	}
}

// Issue 11, item 5: the stop of a run on a full disk said `cannot record
// stopped of step ""`; it says what could not be recorded, in words.
func TestFullDiskWhenStoppingSaysTheRunStopped(t *testing.T) {
	t.Parallel()
	f, fsdir := fullFixture(t)
	s := f.start("1.1", noFacts)
	free, err := fillFS(fsdir)
	if err != nil {
		t.Fatal(err)
	}
	defer free()
	err = s.Stop(context.Background(), "interrupted")
	if err == nil {
		t.Fatal("the stop was recorded on a full disk")
	}
	t.Log(err)
	for _, want := range []string{"cannot record that the run stopped", "is full", "free space there"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error lacks %q: %v", want, err)
		}
	}
	if strings.Contains(err.Error(), `step ""`) {
		t.Errorf("the error names an empty step: %v", err)
	}
}
