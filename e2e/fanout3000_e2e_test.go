//go:build !windows

package e2e

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"zenrecover/state"
)

// Issue 16's scale: a lab fan-out of zac ref over 3,000 simulated devices,
// by the real binary (--plain --yes, as a script or Ansible's control node
// would run it), killed with SIGKILL about a third of the way through,
// then resumed. Every device is refreshed once and journaled on its own;
// the resume does only the devices not done (the one cut mid-command may
// run again: zac ref is repeatable); neither process's peak memory grows
// with the fleet. The time per device is the README's benchmark
// (runner's BenchmarkFanOutLabZacRef3000), not measured here.

const fleetDef = `id: fleet-refresh
title: Refresh every managed device
section: "9.7"
summary: zac ref on each managed device of the zone.
platforms: [linux]
inputs:
  - id: devices
    type: list
    prompt: The managed devices (host names, separated by commas)
steps:
  - id: refresh
    ref: "1"
    title: Refresh every managed device
    each: devices
    on: ${target}
    idempotent: true
    run: [zac, ref]
`

// fleetPeakKiB bounds each process's peak resident memory: the journal of
// 3,000 targets is a few megabytes; a front end that kept every output or
// event would pass this long before 3,000.
const fleetPeakKiB = 160 << 10

func TestAFanOutOver3000LabDevicesSurvivesAKillAndResumesWithOnlyTheRest(t *testing.T) {
	slow(t, "the 3,000-device fan-out")
	t.Parallel()
	const devices, killAfter = 3000, 1000
	e := newE2E(t)
	procs := filepath.Join(t.TempDir(), "procedures")
	os.MkdirAll(procs, 0o700)
	if err := os.WriteFile(filepath.Join(procs, "fleet.yaml"), []byte(fleetDef), 0o600); err != nil {
		t.Fatal(err)
	}
	names := make([]string, devices)
	for i := range names {
		names[i] = fmt.Sprintf("dev-%04d", i+1)
	}
	os.WriteFile(e.answers, []byte("devices: "+strings.Join(names, ", ")+"\n"), 0o600)

	// The first run, killed after killAfter devices are done.
	run := e.cmd("", "run", "9.7", "--procedures", procs, "--lab", e.lab, "--plain", "--yes", "--answers", e.answers)
	out, err := run.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	runID, done := "", 0
	idRE := regexp.MustCompile(`run (\d{8}-\d{6}-[0-9a-f]{4})`)
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		line := sc.Text()
		if m := idRE.FindStringSubmatch(line); m != nil && runID == "" {
			runID = m[1]
		}
		if strings.TrimSpace(line) == "Done." {
			if done++; done == killAfter {
				run.Process.Signal(syscall.SIGKILL)
				break
			}
		}
	}
	go func() {
		for sc.Scan() {
		}
	}()
	run.Wait()
	if runID == "" || done < killAfter {
		t.Fatalf("the first run stopped after %d devices without being killed (run %q)", done, runID)
	}
	peak1 := run.ProcessState.SysUsage().(*syscall.Rusage).Maxrss
	e.waitChildGone()

	firstDone := succeededTargets(t, e.stateDB, runID)
	if len(firstDone) < killAfter || len(firstDone) >= devices {
		t.Fatalf("after the kill %d devices are journaled done, want at least %d and not all", len(firstDone), killAfter)
	}

	// The resume: only the rest.
	res := e.cmd("", "resume", runID, "--plain", "--yes")
	resOut, err := res.CombinedOutput()
	if err != nil {
		t.Fatalf("resume: %v\n%s", err, tail(string(resOut), 40))
	}
	peak2 := res.ProcessState.SysUsage().(*syscall.Rusage).Maxrss
	for _, d := range firstDone {
		if strings.Contains(string(resOut), "On "+d+".\n") {
			t.Errorf("the resume refreshed %s again, which the first run had done", d)
			break
		}
	}

	evs := journalOf(t, e.stateDB, runID)
	succeeded, started := map[string]int{}, map[string]int{}
	for _, ev := range evs {
		switch ev.Kind {
		case state.EventSucceeded:
			succeeded[ev.Target]++
		case state.EventStarted:
			started[ev.Target]++
		}
	}
	twice := 0
	for _, d := range names {
		if succeeded[d] != 1 {
			t.Fatalf("%s succeeded %d times in the journal, want once", d, succeeded[d])
		}
		if started[d] > 1 {
			twice++
		}
	}
	if twice > 1 {
		t.Errorf("%d devices were started twice; only the one cut by the kill may be", twice)
	}
	if !strings.Contains(string(resOut), "Completed") {
		t.Errorf("the resume did not complete the run:\n%s", tail(string(resOut), 40))
	}
	t.Logf("3,000 devices: killed after %d, resumed the other %d; peak memory %d MiB (run), %d MiB (resume); %d journal events",
		len(firstDone), devices-len(firstDone), peak1>>10, peak2>>10, len(evs))
	if peak1 > fleetPeakKiB || peak2 > fleetPeakKiB {
		t.Errorf("peak memory %d KiB / %d KiB, over %d KiB for 3,000 devices", peak1, peak2, fleetPeakKiB)
	}
}

func journalOf(t *testing.T, db, runID string) []state.Event {
	t.Helper()
	st, err := state.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	evs, err := st.Journal(context.Background(), runID)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func succeededTargets(t *testing.T, db, runID string) []string {
	var out []string
	for _, ev := range journalOf(t, db, runID) {
		if ev.Kind == state.EventSucceeded {
			out = append(out, ev.Target)
		}
	}
	return out
}
