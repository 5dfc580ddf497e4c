package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"zenrecover/readiness"
)

// Issue 15 item 3: the units install writes pass systemd-analyze verify,
// with no warning; the cron line runs the same command; remove takes them
// away and leaves a unit it did not write alone.
func TestScheduleInstallWritesUnitsSystemdAccepts(t *testing.T) {
	_, statePath := doctorLab(t)
	units := t.TempDir()
	out, errs, code := runCLIAt(t, statePath, "schedule", "install", "--unit-dir", units, "--to", "/srv/zcm", "--keep", "3", "--at", "01:15")
	if code != 0 {
		t.Fatalf("schedule install: %d %s", code, errs)
	}
	service := filepath.Join(units, readiness.UnitName+".service")
	timer := filepath.Join(units, readiness.UnitName+".timer")
	svc, _ := os.ReadFile(service)
	tmr, _ := os.ReadFile(timer)
	exe, _ := os.Executable()
	exe, _ = filepath.EvalSymlinks(exe)
	abs, _ := filepath.Abs(statePath)
	want := exe + " --state " + abs + " schedule run --to /srv/zcm --keep 3 --recipients-file " +
		filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "zenrecover", "recipients")
	if !strings.Contains(string(svc), "ExecStart="+want+"\n") || !strings.Contains(string(tmr), "OnCalendar=*-*-* 01:15:00\n") {
		t.Errorf("the units:\n%s\n%s", svc, tmr)
	}
	if !strings.Contains(out, "15 1 * * * "+want+"\n") || !strings.Contains(out, "systemctl enable --now "+readiness.UnitName+".timer") {
		t.Errorf("install's output lacks the cron line or how to enable the timer:\n%s", out)
	}
	if strings.Contains(string(svc)+string(tmr), "passphrase") {
		t.Errorf("a unit mentions a passphrase:\n%s", svc)
	}
	if sa, err := exec.LookPath("systemd-analyze"); err != nil {
		t.Log("systemd-analyze is not installed: the units are not verified")
	} else if b, err := exec.Command(sa, "verify", service, timer).CombinedOutput(); err != nil || len(b) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, b)
	}

	out, _, code = runCLIAt(t, statePath, "schedule", "status", "--unit-dir", units)
	if code != 0 || !strings.Contains(out, service+": installed") || !strings.Contains(out, "No scheduled archive has run yet.") {
		t.Errorf("schedule status: %d\n%s", code, out)
	}
	out, _, code = runCLIAt(t, statePath, "schedule", "remove", "--unit-dir", units)
	if code != 0 || !strings.Contains(out, "Removed "+service) {
		t.Errorf("schedule remove: %d\n%s", code, out)
	}
	if _, err := os.Stat(timer); !os.IsNotExist(err) {
		t.Errorf("the timer is still there: %v", err)
	}
	// A unit of that name that someone else wrote is neither replaced nor removed.
	os.WriteFile(service, []byte("[Service]\nExecStart=/bin/true\n"), 0o644)
	if _, errs, code := runCLIAt(t, statePath, "schedule", "install", "--unit-dir", units); code != exitUsage || !strings.Contains(errs, "not written by zenrecover") {
		t.Errorf("install over a foreign unit: %d %s", code, errs)
	}
	if _, _, code := runCLIAt(t, statePath, "schedule", "remove", "--unit-dir", units); code != exitUsage {
		t.Errorf("remove of a foreign unit: %d", code)
	}
	if b, _ := os.ReadFile(service); string(b) != "[Service]\nExecStart=/bin/true\n" {
		t.Errorf("the foreign unit changed: %s", b)
	}
}

// Without team recipients there is nothing to seal an archive to, and no
// passphrase is ever stored instead: install refuses.
func TestScheduleInstallRefusesWithoutRecipients(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	_, errs, code := runCLIAt(t, filepath.Join(t.TempDir(), "state.db"), "schedule", "install", "--unit-dir", t.TempDir())
	if code != exitUsage || !strings.Contains(errs, "recipients") {
		t.Errorf("install without recipients: %d %s", code, errs)
	}
}

// A scheduled archive is journaled like a procedure's run: doctor counts
// it as the content repository's backup (and asks no escrow for it: it
// has no passphrase), the drill report does not list it as a drill, and
// schedule status shows it.
func TestAScheduledArchiveIsJournaledAndDoctorSeesIt(t *testing.T) {
	labDir, statePath := doctorLab(t)
	r, _ := doctorJSON(t, statePath, "--lab", labDir)
	if c := check(t, r, "backup.content"); c.Level != readiness.Red {
		t.Fatalf("before any archive: %+v", c)
	}
	out, errs, code := runCLIAt(t, statePath, "schedule", "run", "--lab", labDir, "--keep", "2")
	if code != 0 || !strings.Contains(out, "Archived 5 files") {
		t.Fatalf("schedule run: %d %s %s", code, out, errs)
	}
	r, _ = doctorJSON(t, statePath, "--lab", labDir)
	c := check(t, r, "backup.content")
	if c.Level != readiness.Green || c.Backup.Procedure != readiness.ScheduledProcedure || c.Backup.Passphrase ||
		!strings.HasPrefix(c.Backup.Path, "/root/zcm_backups/content-repo-") {
		t.Errorf("doctor after a scheduled archive: %+v %+v", c, c.Backup)
	}
	if e := check(t, r, "escrow.backups"); len(e.Escrow.Backups) != 0 {
		t.Errorf("a scheduled archive has no passphrase to escrow: %+v", e.Escrow)
	}
	for _, x := range r.Checks {
		if x.ID == "rehearsal."+readiness.ScheduledProcedure {
			t.Errorf("a scheduled archive is no rehearsal: %+v", x)
		}
	}
	if md, _, _ := runCLIAt(t, statePath, "report", "--drills"); strings.Contains(md, "Scheduled archive") {
		t.Errorf("the drill report lists the scheduled archive:\n%s", md)
	}
	if out, _, _ := runCLIAt(t, statePath, "schedule", "status", "--unit-dir", t.TempDir()); !strings.Contains(out, "completed") {
		t.Errorf("schedule status does not list the run:\n%s", out)
	}
}
