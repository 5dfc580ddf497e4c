//go:build !windows

package runner_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"zenrecover/archive"
	"zenrecover/lab"
	"zenrecover/procedures"
	"zenrecover/runner"
	"zenrecover/state"
)

// Section 2.2 moves the zone's only Primary Server to a new device with the
// same host name and IP address. In a lab the one simulated host plays both
// devices: steps 1 to 7 run on it as the old device; before step 8 is
// confirmed the run is stopped, the test turns the host into a freshly
// installed one (new server identity, new CA, empty content repository,
// services running), and the run is resumed there, as the operator resumes
// it on the new device.

var secrets22 = map[string]string{"admin_password": adminPW, "backup_passphrase": passphrase,
	"archive_passphrase": "Archive-Pass-22", "ca_passphrase": "Ca-Pass-2222",
	"restore_passphrase": passphrase, "restore_archive_passphrase": "Archive-Pass-22"}

func facts22(over map[string]string) procedures.Values {
	v := procedures.Values{"same_platform": "true", "platform": "linux", "ca_here": "true",
		"embedded_db": "true", "external_db_here": "false", "reporting": "false", "install_reporting": "false"}
	for k, x := range over {
		v[k] = x
	}
	return v
}

// driveTo is drive, stopping when the step (or fan-out key) stop is next.
func driveTo(t *testing.T, s *runner.Session, answers map[string]string, out *bytes.Buffer, stop string) runner.Need {
	t.Helper()
	ctx := context.Background()
	for i := 0; i < 100; i++ {
		need, err := s.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n, ok := need.(*runner.NeedStep); ok && n.Key == stop {
			return n
		}
		switch n := need.(type) {
		case *runner.NeedFact:
			v, ok := answers[n.Fact.ID]
			if !ok {
				return n
			}
			if err := s.Answer(ctx, n.Fact.ID, v); err != nil {
				t.Fatal(err)
			}
		case *runner.NeedInput:
			v, ok := answers[n.Input.ID]
			if !ok {
				v = n.Input.Default
			}
			if v == "" {
				return n
			}
			if err := s.Answer(ctx, n.Input.ID, v); err != nil {
				t.Fatal(err)
			}
		case *runner.NeedStep:
			if n.Manual {
				if err := s.Confirm(ctx, n.Key, n.ConfirmWord); err != nil {
					t.Fatal(err)
				}
				continue
			}
			if _, err := s.ExecuteWith(ctx, n.Step.ID, n.ConfirmWord, runner.ExecIO{Out: out}); err != nil {
				t.Fatal(err)
			}
		default:
			return need
		}
	}
	t.Fatal("the run did not settle")
	return nil
}

// tree reads every file under dir: relative path to contents.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// installNewDevice makes the lab host look like step 8's fresh install: its
// own server GUID and CA keystore, an empty content repository, services
// running.
func installNewDevice(t *testing.T, l *lab.Lab) {
	t.Helper()
	y := l.Layout() // a Linux or a Windows server's paths
	repo := l.Rebase(y.ContentRepo)
	if err := os.RemoveAll(repo); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(repo, 0o755)
	os.WriteFile(l.Rebase(y.Join(y.ConfDir, "DeviceGuid")), []byte("0000000000000000000000000000fe11\n"), 0o644)
	os.WriteFile(l.Rebase(y.Keystore), []byte("a new install's own certificate authority"), 0o600)
	var errb bytes.Buffer
	tool, args := y.InitScript, []string{"start"}
	if y.InitScript == "" {
		tool, args = lab.ToolNet, []string{"start", lab.ServiceDisplayName}
	}
	if code := lab.Exec(l.Dir(), tool, args, nil, nil, &errb); code != 0 {
		t.Fatalf("starting the new device's services: %d %s", code, errb.String())
	}
}

type run22 struct {
	f        *fixture
	out      bytes.Buffer
	st       state.RunState
	original map[string]string // the content repository before the run, plus what step 1's backup missed
	guid     string
	keystore string
	stopped  lab.Zone // the zone as step 8 found it
	date     string   // the run's ${run.date}
}

// replace22 runs 2.2 with facts from start to end in two sessions, the
// device swap between them, and returns what it saw.
func replace22(t *testing.T, f *fixture, facts procedures.Values) *run22 {
	t.Helper()
	r := &run22{f: f}
	l := f.lab
	y := l.Layout()
	r.guid = tree(t, l.Rebase(y.ConfDir))["DeviceGuid"]
	r.keystore = tree(t, l.Rebase(y.SecurityDir))["zenca.keystore"]

	s := f.start("2.2", facts)
	r.date = runDate(s)
	// Content arrives after step 1's backup, while the server still runs.
	if n, ok := driveTo(t, s, secrets22, &r.out, "stop-services-"+facts["platform"]).(*runner.NeedStep); !ok || n.Step.Ref != "5" {
		t.Fatalf("2.2 did not reach step 5:\n%s", r.out.String())
	}
	late := l.Rebase(y.Join(y.ContentRepo, "content/7c/late-bundle"))
	os.MkdirAll(filepath.Dir(late), 0o755)
	os.WriteFile(late, []byte("published after step 1"), 0o644)
	r.original = tree(t, l.Rebase(y.ContentRepo))

	n, ok := driveTo(t, s, secrets22, &r.out, "install-new").(*runner.NeedStep)
	if !ok {
		t.Fatalf("2.2 did not reach step 8:\n%s", r.out.String())
	}
	if n.Step.Ref != "8" || !n.Manual {
		t.Fatalf("step 8 is %+v", n)
	}
	r.stopped, _ = l.Zone()
	id := s.Run().ID
	s.Close()

	installNewDevice(t, l)
	ctx := context.Background()
	res, err := runner.Resume(ctx, f.opts(), id)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(res.Close)
	if need := drive(t, res, secrets22, &r.out); need == nil {
		t.Fatal("nil need")
	} else if _, ok := need.(*runner.Done); !ok {
		t.Fatalf("2.2 ended on %T %+v\n%s", need, need, r.out.String())
	}
	r.st = res.State()
	res.Close()
	secretsNowhere(t, f.store.Dir(), passphrase, adminPW, "Archive-Pass-22", "Ca-Pass-2222")
	return r
}

func (r *run22) done(t *testing.T, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if ss := r.st.Steps[k]; ss == nil || (ss.Status != state.StepSucceeded && ss.Status != state.StepConfirmed) {
			t.Errorf("step %s: %+v", k, ss)
		}
	}
}

func (r *run22) notRun(t *testing.T, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if ss := r.st.Steps[k]; ss != nil {
			t.Errorf("step %s is not for this branch, yet: %+v", k, ss)
		}
	}
}

func configured(z lab.Zone) []string {
	var out []string
	for _, c := range z.ConfigureRuns {
		out = append(out, c.Action+"/"+c.Option)
	}
	return out
}

// Linux, internal CA and embedded database on the server: the new device
// ends up as the old server, with the content taken after the services
// stopped.
func TestReplacePrimaryLinuxWithCAAndEmbeddedDatabase(t *testing.T) {
	f := newFixture(t)
	r := replace22(t, f, facts22(nil))
	l := f.lab

	if r.stopped.Running {
		t.Error("step 5 left the old server's services running")
	}
	if !slices.Contains(configured(r.stopped), "Start/Stop") {
		t.Errorf("step 5 did not stop the services with novell-zenworks-configure -c Start: %v", configured(r.stopped))
	}
	if st, err := archive.Inspect(l.Rebase(r.st.Answers["stopped_archive"])); err != nil || st.State != archive.StateComplete {
		t.Errorf("step 6's archive: %+v %v", st, err)
	}

	got := tree(t, l.Rebase(lab.ServerContentRepo))
	for p, want := range r.original {
		if got[p] != want {
			t.Errorf("content-repo/%s was not restored", p)
		}
	}
	if len(got) != len(r.original) {
		t.Errorf("content-repo has %d files, the old server had %d", len(got), len(r.original))
	}
	if g := tree(t, l.Rebase(lab.ServerConfDir))["DeviceGuid"]; g != r.guid {
		t.Errorf("zman zsr did not give the new device the old server's identity: %q", g)
	}
	if k := tree(t, l.Rebase(lab.ServerSecurityDir))["zenca.keystore"]; k != r.keystore {
		t.Error("the old certificate authority is not back")
	}

	z, _ := l.Zone()
	srv, _ := z.Server(l.Hostname())
	if !srv.HasRole(lab.RoleCertAuth) {
		t.Error("the CA role is not on the server after 9c")
	}
	cfg := configured(z)
	for _, want := range []string{"CreateExtractorPacks/", "RebuildCustomPacks/", "ZenProbe/"} {
		if !slices.Contains(cfg, want) {
			t.Errorf("novell-zenworks-configure %s did not run: %v", strings.TrimSuffix(want, "/"), cfg)
		}
	}
	if !slices.Contains(z.PermissionsFixed, l.Hostname()) {
		t.Error("permissions.sh did not run after the content was restored")
	}
	if !z.Running || z.Restarts < 2 {
		t.Errorf("the new server was not restarted at step 10: running %v, restarts %d", z.Running, z.Restarts)
	}
	for _, want := range []string{"Successfully backed up", "Successfully restored", "Successfully imported"} {
		if !strings.Contains(r.out.String(), want) {
			t.Errorf("the output lacks %q", want)
		}
	}
	r.done(t, "backup-server/content-repo", "backup-server/zenworks-server/zman-backup", "backup-ca/export-ca",
		"backup-embedded-db", "stop-services-linux", "backup-content-linux", "disconnect", "install-new",
		"9a-check", "9a", "9b-embedded", "9c/import-ca", "9c/keystore-path-linux", "9d-default", "9d-custom",
		"9e-linux", "9e-permissions", "restart-linux", "probe-linux", "check-zone", "uninstall-old")
	r.notRun(t, "backup-server/certificate-authority/export-ca", "backup-server/embedded-database",
		"backup-external-db", "9b-external", "backup-reports", "9f", "9g", "9h",
		"stop-services-windows", "backup-content-windows", "9e-windows", "restart-windows")
}

// An external database on this device and no internal CA here: the
// database is backed up and restored by hand, the CA is left alone.
func TestReplacePrimaryExternalDatabaseWithoutCA(t *testing.T) {
	f := newFixtureWith(t, lab.Options{ExternalDatabase: true})
	r := replace22(t, f, facts22(map[string]string{"ca_here": "false", "embedded_db": "false", "external_db_here": "true"}))
	r.done(t, "backup-external-db", "9b-external", "9a", "9e-linux", "probe-linux")
	r.notRun(t, "backup-ca", "backup-ca/export-ca", "backup-embedded-db", "9b-embedded", "9c/import-ca")
	if _, err := os.Stat(f.lab.Rebase("/root/zcm_backups/ca.bak")); err == nil {
		t.Error("the CA was backed up though it is not on this server")
	}
	if strings.Contains(r.out.String(), "certificate authority credentials") {
		t.Error("a CA was imported though it is not on this server")
	}
	got := tree(t, f.lab.Rebase(lab.ServerContentRepo))
	if got["content/7c/late-bundle"] != "published after step 1" || len(got) != len(r.original) {
		t.Errorf("content-repo not restored from step 6's archive: %d files", len(got))
	}
}

// On Windows, in a Windows-layout lab: the same steps on the Windows
// server's paths. The services stop with novell-zenworks-configure, the
// content repository under %ZENWORKS_HOME%\work is archived and restored
// by zenrecover, and the service restarts with net stop and net start.
func TestReplacePrimaryWindows(t *testing.T) {
	f := newWinFixture(t)
	r := replace22(t, f, facts22(map[string]string{"platform": "windows"}))
	r.done(t, "backup-server/content-repo-windows", "stop-services-windows", "backup-content-windows", "9a-check-windows", "9a",
		"9c/import-ca", "9c/keystore-path-windows", "9d-default", "9d-custom", "9e-windows",
		"restart-windows-stop", "restart-windows-start", "probe-windows")
	r.notRun(t, "backup-server/content-repo", "stop-services-linux", "backup-content-linux", "9a-check", "9e-linux",
		"9e-permissions", "restart-linux", "probe-linux", "9c/keystore-path-linux")
	l := f.lab
	y := l.Layout()
	if r.stopped.Running || !slices.Contains(configured(r.stopped), "Start/Stop") {
		t.Errorf("step 5 did not stop the services: running %v, %v", r.stopped.Running, configured(r.stopped))
	}
	z, _ := l.Zone()
	if len(z.PermissionsFixed) > 0 {
		t.Errorf("permissions.sh ran on Windows: %v", z.PermissionsFixed)
	}
	if g := tree(t, l.Rebase(y.ConfDir))["DeviceGuid"]; g != r.guid {
		t.Error("zman zsr did not restore the server on Windows")
	}
	got := tree(t, l.Rebase(y.ContentRepo))
	if got["content/7c/late-bundle"] != "published after step 1" || len(got) != len(r.original) {
		t.Errorf("the Windows content-repo was not restored from step 6's archive: %d files, %d before", len(got), len(r.original))
	}
	// Restarted by net start (the new install's start is the first).
	if !z.Running || z.Restarts < 2 {
		t.Errorf("net stop and net start did not restart the service: running %v, restarts %d", z.Running, z.Restarts)
	}
	if _, err := os.Stat(filepath.Join(l.Dir(), "C", "zcm_backups", "zone_backup-"+r.date+".bak")); err != nil {
		t.Errorf("the server backup is not in C:\\zcm_backups: %v", err)
	}
}

// reportingGone checks 9f's work: no server keeps a Reporting role, and of
// zOpaqueData only the rows that are not Reporting's are left.
func reportingGone(t *testing.T, before, after lab.Zone) {
	t.Helper()
	for _, srv := range after.Servers {
		if srv.HasRole(lab.RoleReportCMS) || srv.HasRole(lab.RoleReportApplication) {
			t.Errorf("9f left a Reporting role on %s: %q", srv.Name, srv.Roles)
		}
	}
	var kept, left []string
	for _, d := range before.OpaqueData {
		if d.Name != lab.OpaqueReportingPassword && !strings.Contains(d.Name, "zone.configuration.reports") {
			kept = append(kept, d.Name)
		}
	}
	for _, d := range after.OpaqueData {
		left = append(left, d.Name)
	}
	if len(kept) == 0 || len(kept) == len(before.OpaqueData) || !slices.Equal(left, kept) {
		t.Errorf("zOpaqueData was %+v; after 9f it holds %q, want %q", before.OpaqueData, left, kept)
	}
}

// Reporting installed on the old server: its reports are exported, its
// entries removed from the database (9f), Reporting installed again (9g)
// and the reports loaded (9h).
func TestReplacePrimaryWithReporting(t *testing.T) {
	f := newFixtureWith(t, lab.Options{Reporting: true})
	reports := f.lab.Rebase("/root/zcm_backups/reports")
	os.MkdirAll(reports, 0o700)
	os.WriteFile(filepath.Join(reports, "Device Inventory.xml"), []byte("<report/>"), 0o600)
	before, _ := f.lab.Zone()
	r := replace22(t, f, facts22(map[string]string{"reporting": "true", "install_reporting": "true"}))
	r.done(t, "backup-reports", "9f", "9g", "9h")
	z, _ := f.lab.Zone()
	reportingGone(t, before, z)
	if want := []lab.ReportLoad{{Server: f.lab.Hostname(), Folder: reports, Files: 1}}; !slices.Equal(z.ReportLoads, want) {
		t.Errorf("9h: report loads %+v, want %+v", z.ReportLoads, want)
	}
	if srv, _ := z.Server(f.lab.Hostname()); !srv.HasRole(lab.RoleCertAuth) || !srv.HasRole(lab.RolePrimary) {
		t.Errorf("9f took more than Reporting's roles: %q", srv.Roles)
	}
}

// Reporting on the old server but not on the new one: its database
// entries still go; nothing is installed or loaded.
func TestReplacePrimaryDroppingReporting(t *testing.T) {
	f := newFixtureWith(t, lab.Options{Reporting: true})
	if _, err := f.lab.ExportReports(""); err != nil { // step 4, by hand
		t.Fatal(err)
	}
	before, _ := f.lab.Zone()
	r := replace22(t, f, facts22(map[string]string{"reporting": "true"}))
	r.done(t, "backup-reports", "9f")
	r.notRun(t, "9g", "9h")
	for _, want := range []string{"2 row(s) deleted", "1 row(s) deleted", "3 row(s) deleted", "(committed)"} {
		if !strings.Contains(r.out.String(), want) {
			t.Errorf("9f's output lacks %q:\n%s", want, r.out.String())
		}
	}
	z, _ := f.lab.Zone()
	reportingGone(t, before, z)
	if len(z.ReportLoads) != 0 {
		t.Errorf("reports were loaded though Reporting is not installed again: %+v", z.ReportLoads)
	}
}

func TestReplacePrimaryAcrossPlatformsIsRefused(t *testing.T) {
	f := newFixture(t)
	s := f.start("2.2", facts22(map[string]string{"same_platform": "false"}))
	_, err := s.Next(context.Background())
	var refused *runner.RefusedError
	if !errors.As(err, &refused) || !strings.Contains(refused.Reason, "not supported") {
		t.Fatalf("got %v", err)
	}
	if len(s.State().Steps) != 0 {
		t.Error("a step ran before the refusal")
	}
}

// A dry run shows what the reporting branch does: 9f's statements for the zone database and 9h's zman rpld
// on the folder step 4 exported to; 9g and 9h only when Reporting is
// installed again.
func TestReplacePrimaryReportingInADryRun(t *testing.T) {
	for _, again := range []string{"true", "false"} {
		f := newFixture(t)
		o := f.opts()
		o.DryRun, o.Lab = true, nil
		s, err := runner.Start(context.Background(), o, f.lib.Get("2.2"),
			facts22(map[string]string{"reporting": "true", "install_reporting": again}))
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if need := drive(t, s, map[string]string{}, &out); need == nil {
			t.Fatal("nil need")
		} else if _, ok := need.(*runner.Done); !ok {
			t.Fatalf("dry run stopped on %T %+v\n%s", need, need, out.String())
		}
		for _, want := range []string{
			"would run in the zone database: delete from zzenserverroles where Roles = 'ReportCMSServer' or Roles = 'ReportApplicationServer'; " +
				"delete from zopaquedata where name = 'boe.mysql.database.pwd'; delete from zopaquedata where name like '%zone.configuration.reports%'; commit;",
		} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("install_reporting=%s: the dry run lacks %q:\n%s", again, want, out.String())
			}
		}
		rpld := strings.Contains(out.String(), "would run: zman rpld /root/zcm_backups/reports")
		if rpld != (again == "true") {
			t.Errorf("install_reporting=%s: zman rpld shown: %v", again, rpld)
		}
		st := s.State()
		if ss := st.Steps["backup-reports"]; ss == nil || ss.Status != state.StepConfirmed {
			t.Errorf("step 4: %+v", ss)
		}
		if (st.Steps["9g"] != nil) != (again == "true") {
			t.Errorf("install_reporting=%s: step 9g %+v", again, st.Steps["9g"])
		}
		s.Close()
	}
}
