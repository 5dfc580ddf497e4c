//go:build !windows

package runner_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"zenrecover/runner"
	"zenrecover/state"
)

// Issue 11, item 1, through the runner: while the state has lost a run
// that its files remember, no run starts and none is taken up, and the
// refused start leaves no file that would tell of another run.
func TestNoRunStartsOrResumesWhileARunIsLost(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	s := f.start("1.3", nil)
	stopped := s.Run().ID
	if err := s.Stop(ctx, "later"); err != nil {
		t.Fatal(err)
	}
	// The log of a run the database has no record of: what a deleted
	// -wal leaves.
	const lostID = "20260102-030405-beef"
	if err := os.WriteFile(f.store.LogPath(lostID), []byte("=== 1.1 step 2, 3, 4 (zman-backup), attempt 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	snaps := func() int {
		m, _ := filepath.Glob(filepath.Join(f.store.Dir(), "snapshots", "*.db"))
		return len(m)
	}
	before := snaps()

	_, err := runner.Start(ctx, f.opts(), f.lib.Get("1.1"), noFacts)
	var lost *state.LostRunsError
	if !errors.As(err, &lost) || !strings.Contains(err.Error(), lostID) {
		t.Fatalf("Start while a run is lost: %v", err)
	}
	if snaps() != before {
		t.Error("the refused start took a copy of the database")
	}
	if _, err := runner.Resume(ctx, f.opts(), stopped); !errors.As(err, &lost) {
		t.Fatalf("Resume while a run is lost: %v", err)
	}
	if _, err := f.store.AcknowledgeLost(ctx, "looked at its log"); err != nil {
		t.Fatal(err)
	}
	r, err := runner.Resume(ctx, f.opts(), stopped)
	if err != nil {
		t.Fatalf("Resume after acknowledging: %v", err)
	}
	r.Close()
}

// Issue 11, item 6: a secret in ZENRECOVER_SECRET_<ID> that the run would
// refuse is refused before the run starts, naming the variable and never
// the value.
func TestSecretInTheEnvironmentIsCheckedUpFront(t *testing.T) {
	t.Parallel()
	def := newFixture(t).lib.Get("1.1")
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	env["ZENRECOVER_SECRET_ADMIN_PASSWORD"] = "novell-lab-pw"
	env["ZENRECOVER_SECRET_BACKUP_PASSPHRASE"] = "Zebra-Quartz-1234"
	if err := runner.CheckSecretEnv(def, getenv); err != nil {
		t.Fatalf("good secrets: %v", err)
	}
	env["ZENRECOVER_SECRET_ADMIN_PASSWORD"] = "novell-lab-pw\nrm -rf /"
	env["ZENRECOVER_SECRET_BACKUP_PASSPHRASE"] = "short"
	err := runner.CheckSecretEnv(def, getenv)
	if err == nil {
		t.Fatal("a secret with a line break was accepted")
	}
	t.Log(err)
	for _, want := range []string{"ZENRECOVER_SECRET_ADMIN_PASSWORD", "a line break", "ZENRECOVER_SECRET_BACKUP_PASSPHRASE", "at least 10 characters"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error lacks %q", want)
		}
	}
	for _, secret := range []string{"novell-lab-pw", "rm -rf", "short"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("the error shows the secret %q", secret)
		}
	}
}
