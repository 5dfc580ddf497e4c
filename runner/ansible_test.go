package runner_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"zenrecover/procedures"
	"zenrecover/remote"
	"zenrecover/runner"
	"zenrecover/state"
)

// A fan-out step handed to Ansible (issue 16, item 2), in a lab, against
// thirty inventory hosts dev-01..dev-30 that Ansible reaches with its
// local connection (each device's command runs on this machine, as the
// lab's copy of that device), so the test stays within a minute on two
// cores. The device's command asks for the administrator password with
// echo off, as zac does: the secret goes through the play's vars_prompt
// and ansible.builtin.expect, never a command line or a file.

const fleetSecret = "Fleet-Admin-Passw0rd-77"

const fleetDef = `id: fleet-test
title: A fan-out over the devices
section: "9.9"
summary: Each device runs its command.
platforms: [linux]
inputs:
  - id: devices
    type: list
    prompt: The devices
  - id: admin_password
    type: secret
    prompt: The administrator password
steps:
  - id: touch
    ref: "1"
    title: Touch every device
    each: devices
    on: ${target}
    idempotent: true
    run: [sh, /opt/fleet/device.sh, "${target}", "%s"]
    answers:
      - prompt: '(?i)password: *$'
        input: admin_password
`

// deviceScript checks the password it is typed against its hash, and
// notes each run in ran-HOST beside itself.
const deviceScript = `printf 'Password: '; stty -echo; read p; stty echo; echo
h=$(printf %s "$p" | sha256sum | cut -c1-64)
[ "$h" = "$2" ] || { echo "wrong password on $1"; exit 5; }
echo ran >> "$ZENRECOVER_FLEET_COUNT/ran-$1"
sleep 0.2
echo "refreshed $1"
`

func devices(n int) string {
	var hs []string
	for i := 1; i <= n; i++ {
		hs = append(hs, fmt.Sprintf("dev-%02d", i))
	}
	return strings.Join(hs, ",")
}

type fleetRig struct {
	*fixture
	s    *runner.Session
	dir  string // where each device's runs are counted
	opts runner.FleetOptions
}

func newFleetRig(t *testing.T, n int) *fleetRig {
	t.Helper()
	f := newFixture(t)
	sum := sha256.Sum256([]byte(fleetSecret))
	def, err := procedures.Parse("fleet-test.yaml", []byte(fmt.Sprintf(fleetDef, hex.EncodeToString(sum[:]))))
	if err != nil {
		t.Fatal(err)
	}
	// The tool, on each device's copy; its runs are counted in one place.
	dir := t.TempDir()
	for i := 1; i <= n; i++ {
		h, err := f.lab.Host(fmt.Sprintf("dev-%02d", i))
		if err != nil {
			t.Fatal(err)
		}
		os.MkdirAll(h.Rebase("/opt/fleet"), 0o755)
		os.WriteFile(h.Rebase("/opt/fleet/device.sh"), []byte(deviceScript), 0o755)
	}
	t.Setenv("ZENRECOVER_FLEET_COUNT", dir)
	s, err := runner.Start(context.Background(), f.opts(), def, procedures.Values{"devices": devices(n)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	if err := s.Answer(context.Background(), "admin_password", fleetSecret); err != nil {
		t.Fatal(err)
	}
	return &fleetRig{fixture: f, s: s, dir: dir, opts: runner.FleetOptions{
		Dir:   filepath.Join(t.TempDir(), "ansible"),
		Vars:  map[string]string{"ansible_connection": "local", "ansible_python_interpreter": "/usr/bin/python3"},
		Forks: 10,
	}}
}

func (r *fleetRig) runs(host string) int {
	b, _ := os.ReadFile(filepath.Join(r.dir, "ran-"+host))
	return strings.Count(string(b), "ran\n")
}

func TestTheAnsibleExportListsWhatAnsibleWillDoAndNoSecret(t *testing.T) {
	r := newFleetRig(t, 3)
	fo, err := r.s.FleetPlan("touch", r.opts)
	if err != nil {
		t.Fatal(err)
	}
	inv, _ := os.ReadFile(fo.Files.Inventory)
	play, _ := os.ReadFile(fo.Files.Playbook)
	limit, _ := os.ReadFile(fo.Files.Limit)
	for _, h := range []string{"dev-01", "dev-02", "dev-03"} {
		if !strings.Contains(string(inv), "    "+h+":\n      zr_argv: [") || !strings.Contains(string(inv), `!unsafe "`+h+`"`) {
			t.Errorf("the inventory lacks %s's exact command:\n%s", h, inv)
		}
	}
	if string(limit) != "dev-01\ndev-02\ndev-03\n" {
		t.Errorf("limit file %q", limit)
	}
	for _, want := range []string{"vars_prompt:", "name: zr_secret_admin_password", "private: true", "ansible.builtin.expect:", "no_log: true", `"{{ zr_secret_admin_password }}"`} {
		if !strings.Contains(string(play), want) {
			t.Errorf("the playbook lacks %q:\n%s", want, play)
		}
	}
	if !slices.Equal(fo.Command[len(fo.Command)-1:], []string{fo.Files.Playbook}) || !slices.Contains(fo.Command, "@"+fo.Files.Limit) {
		t.Errorf("command %q", fo.Command)
	}
	// Nothing was journaled: an export runs nothing.
	if ss := r.s.State().Steps["touch@dev-01"]; ss != nil {
		t.Errorf("the export journaled %+v", ss)
	}
	assertNoSecret(t, fleetSecret, r.opts.Dir, r.store.Dir())
}

func TestAFanOutThroughAnsibleIsJournaledPerHostAndResumesAfterAKillWithOnlyTheRest(t *testing.T) {
	if _, err := exec.LookPath("ansible-playbook"); err != nil {
		t.Skip("ansible-playbook is not installed (.ci/deps/ansible.sh installs Debian's ansible); the export and the import are tested without it")
	}
	if err := exec.Command("/usr/bin/python3", "-c", "import pexpect").Run(); err != nil {
		t.Skip("python3-pexpect is not installed (.ci/deps/ansible.sh installs it): ansible.builtin.expect needs it")
	}
	const n = 30
	r := newFleetRig(t, n)
	ctx, cancel := context.WithCancel(context.Background())
	var mu sync.Mutex
	var heard []string
	o := r.opts
	o.OnResult = func(h remote.HostResult) {
		mu.Lock()
		defer mu.Unlock()
		heard = append(heard, h.Host)
		if len(heard) == 8 {
			cancel() // ansible-playbook is killed mid-fleet
		}
	}
	var out bytes.Buffer
	fo, err := r.s.RunFleet(ctx, "touch", o, &out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if !fo.Installed || len(fo.Hosts) != n {
		t.Fatalf("handed %d hosts (installed %v)", len(fo.Hosts), fo.Installed)
	}
	if len(fo.Done) < 8 || len(fo.Done) == n || len(fo.Failed) != 0 {
		t.Fatalf("before the kill: done %v, failed %v, unreported %v (error %q)\n%s", fo.Done, fo.Failed, fo.Unreported, fo.Error, out.String())
	}
	// The journal says done exactly for the hosts Ansible reported; the
	// others are in doubt, never done.
	rs := r.s.State()
	done := map[string]bool{}
	for _, h := range fo.Done {
		done[h] = true
	}
	for i := 1; i <= n; i++ {
		h := fmt.Sprintf("dev-%02d", i)
		ss := rs.Steps["touch@"+h]
		switch {
		case ss == nil:
			t.Errorf("%s was handed to Ansible without a started event", h)
		case done[h] && ss.Status != state.StepSucceeded:
			t.Errorf("%s: reported ok, journaled %s", h, ss.Status)
		case !done[h] && ss.Status != state.StepInDoubt:
			t.Errorf("%s: never reported, journaled %s", h, ss.Status)
		}
		if done[h] && r.runs(h) != 1 {
			t.Errorf("%s reported done after %d runs", h, r.runs(h))
		}
	}

	// Again: only the hosts not done are handed over, and all finish.
	out.Reset()
	fo2, err := r.s.RunFleet(context.Background(), "touch", r.opts, &out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	limit, _ := os.ReadFile(fo2.Files.Limit)
	if len(fo2.Hosts) != n-len(fo.Done) || strings.Count(string(limit), "\n") != len(fo2.Hosts) {
		t.Errorf("the re-run handed over %d hosts (limit file %d lines), want the %d not done", len(fo2.Hosts), strings.Count(string(limit), "\n"), n-len(fo.Done))
	}
	for _, h := range fo2.Hosts {
		if done[h] {
			t.Errorf("the re-run handed over %s, done before the kill", h)
		}
	}
	if len(fo2.Done) != len(fo2.Hosts) || fo2.Error != "" {
		t.Fatalf("the re-run: done %d of %d, failed %v, unreported %v, error %q\n%s", len(fo2.Done), len(fo2.Hosts), fo2.Failed, fo2.Unreported, fo2.Error, out.String())
	}
	for h := range done {
		if r.runs(h) != 1 {
			t.Errorf("%s, done before the kill, ran %d times", h, r.runs(h))
		}
	}
	need, err := r.s.Next(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := need.(*runner.Done); !ok {
		t.Errorf("after the fleet, the run needs %T, want it done", need)
	}
	if !strings.Contains(out.String(), "dev-") || !strings.Contains(out.String(), ": done") {
		t.Errorf("the operator saw no per-host result:\n%s", out.String())
	}
	// Nor where Ansible keeps its temporary files (the module and its
	// arguments go through the connection: pipelining).
	home, _ := os.UserHomeDir()
	assertNoSecret(t, fleetSecret, r.opts.Dir, r.store.Dir(), r.lab.Dir(), filepath.Join(home, ".ansible"))
}

func TestAFailedDeviceIsJournaledFailedOnItsOwn(t *testing.T) {
	if _, err := exec.LookPath("ansible-playbook"); err != nil {
		t.Skip("ansible-playbook is not installed (.ci/deps/ansible.sh)")
	}
	if err := exec.Command("/usr/bin/python3", "-c", "import pexpect").Run(); err != nil {
		t.Skip("python3-pexpect is not installed (.ci/deps/ansible.sh)")
	}
	r := newFleetRig(t, 3)
	// dev-02's copy of the tool is broken.
	h, _ := r.lab.Host("dev-02")
	os.WriteFile(h.Rebase("/opt/fleet/device.sh"), []byte("echo broken; exit 7\n"), 0o755)
	fo, err := r.s.RunFleet(context.Background(), "touch", r.opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(fo.Failed, []string{"dev-02"}) || len(fo.Done) != 2 || fo.Error != "" {
		t.Fatalf("done %v failed %v unreported %v error %q", fo.Done, fo.Failed, fo.Unreported, fo.Error)
	}
	ss := r.s.State().Steps["touch@dev-02"]
	if ss.Status != state.StepFailed || !strings.Contains(ss.Outcome.Detail, "status 7") {
		t.Errorf("dev-02: %s %s", ss.Status, ss.Outcome.Detail)
	}
}

// assertNoSecret fails when secret is in any file under dirs.
func assertNoSecret(t *testing.T, secret string, dirs ...string) {
	t.Helper()
	for _, d := range dirs {
		filepath.Walk(d, func(p string, fi os.FileInfo, err error) error {
			if err != nil || fi.IsDir() {
				return nil
			}
			b, _ := os.ReadFile(p)
			if bytes.Contains(b, []byte(secret)) {
				t.Errorf("the secret is in %s", p)
			}
			return nil
		})
	}
}

func TestWithoutAnsibleTheStepSaysWhatToRunAndJournalsNothing(t *testing.T) {
	r := newFleetRig(t, 3)
	t.Setenv("PATH", t.TempDir()) // no ansible-playbook here
	fo, err := r.s.RunFleet(context.Background(), "touch", r.opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	if fo.Installed || fo.Command[0] != "ansible-playbook" || !slices.Contains(fo.Command, "@"+fo.Files.Limit) {
		t.Errorf("without Ansible: installed %v, command %q", fo.Installed, fo.Command)
	}
	if len(r.s.State().Steps) != 0 {
		t.Errorf("journaled without running anything: %v", r.s.State().Steps)
	}
}

func TestAnAnsibleThatDoesNotStartLeavesNoHostInDoubt(t *testing.T) {
	r := newFleetRig(t, 3)
	o := r.opts
	o.Program = filepath.Join(t.TempDir(), "ansible-playbook") // not there
	fo, err := r.s.RunFleet(context.Background(), "touch", o, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(fo.Failed) != 3 || !strings.Contains(fo.Error, "did not start") {
		t.Fatalf("failed %v, error %q", fo.Failed, fo.Error)
	}
	for k, ss := range r.s.State().Steps {
		if ss.Status != state.StepFailed {
			t.Errorf("%s is %s: nothing ran, so it failed", k, ss.Status)
		}
	}
}
