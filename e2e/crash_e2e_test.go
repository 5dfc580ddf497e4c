//go:build !windows

package e2e

import (
	"context"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"zenrecover/state"
)

// Kill -9 at every crash point of a step: before started is committed,
// between that commit and the action, mid-action, between the action's end
// and the outcome's commit, and after it. Each time, resume completes the
// run; a completed step is never re-run; an in-doubt step is re-run only
// after its verify check said it had not taken effect.
func TestKillAtEveryCrashPointThenResume(t *testing.T) {
	slow(t, "the kill matrix")
	bin := binary(t, "failpoints")
	cases := []struct {
		point    string
		attempts int  // zman-backup's started events once the run is complete
		settled  bool // the in-doubt step was settled by its verify check, not re-run
	}{
		{"before-started", 1, false},
		{"after-started", 2, false},
		{"mid-action", 2, false},
		{"after-action", 1, true},
		{"after-outcome", 1, false},
	}
	for _, c := range cases {
		t.Run(c.point, func(t *testing.T) {
			e := newE2E(t)
			e.bin = bin
			os.WriteFile(e.answers, []byte("db_on_server: no\nonly_content_server: no\n"), 0o600)
			secrets := labAdminPassword + "\n" + knownPassphrase + "\n"

			first := e.cmd(secrets, "run", "1.1", "--lab", e.lab, "--plain", "--answers", e.answers, "--yes")
			first.Env = append(first.Env, "ZENRECOVER_FAILPOINT="+c.point+":zman-backup")
			out, err := first.CombinedOutput()
			if ws, ok := first.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
				t.Fatalf("the wizard was not killed at %s (%v):\n%s", c.point, err, out)
			}
			e.waitCommandsGone()

			res, err := e.cmd(secrets, "resume", "--plain", "--yes").CombinedOutput()
			if code := exitCode(err); code != 0 {
				t.Fatalf("resume exited %d:\n%s", code, res)
			}
			evs := e.journal()
			started, resolved := 0, ""
			for _, ev := range evs {
				if ev.Step != "zman-backup" {
					continue
				}
				switch ev.Kind {
				case state.EventStarted:
					started++
				case state.EventResolved:
					resolved = ev.Value
				}
			}
			if started != c.attempts {
				t.Errorf("zman-backup started %d times, want %d\n%s", started, c.attempts, res)
			}
			if c.settled && (resolved != state.ResolvedDone || !strings.Contains(string(res), "checks show it took effect")) {
				t.Errorf("the in-doubt step was not settled by its verify check (%q):\n%s", resolved, res)
			}
			if _, err := labFile(e.lab, "root/zcm_backups/zone_backup-*.bak"); err != nil {
				t.Errorf("no backup after the resumed run: %v", err)
			}
			st, err := state.Open(e.stateDB)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if err := st.Check(context.Background()); err != nil {
				t.Errorf("integrity check after the kill: %v", err)
			}
			e.assertNowhere(e.stateDir, knownPassphrase)
		})
	}
}

func (e *e2e) journal() []state.Event {
	e.t.Helper()
	st, err := state.Open(e.stateDB)
	if err != nil {
		e.t.Fatal(err)
	}
	defer st.Close()
	runs, err := st.Runs(context.Background())
	if err != nil || len(runs) != 1 {
		e.t.Fatalf("runs: %v %v", runs, err)
	}
	evs, err := st.Journal(context.Background(), runs[0].ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return evs
}

// waitCommandsGone waits until every command the killed wizard started has
// exited (its terminal closed under it).
func (e *e2e) waitCommandsGone() {
	for _, ev := range e.journal() {
		if ev.Kind != state.EventRunning {
			continue
		}
		deadline := time.Now().Add(30 * time.Second)
		for syscall.Kill(ev.PID, 0) == nil {
			if time.Now().After(deadline) {
				e.t.Fatalf("the command (pid %d) outlived its wizard by 30 s", ev.PID)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}
