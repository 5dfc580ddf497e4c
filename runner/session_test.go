package runner_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"zenrecover/actions"
	"zenrecover/assets"
	"zenrecover/lab"
	"zenrecover/lab/labtest"
	"zenrecover/procedures"
	"zenrecover/runner"
	"zenrecover/state"
)

const (
	adminPW    = lab.DefaultAdminPassword
	passphrase = "Zebra-Quartz-1234"
)

type fixture struct {
	t     *testing.T
	store *state.Store
	lab   *lab.Lab
	lib   *procedures.Library
	dir   string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	return newFixtureWith(t, lab.Options{})
}

// newFixtureWith is newFixture with a lab built from o (an external
// database, Reporting).
func newFixtureWith(t *testing.T, o lab.Options) *fixture {
	t.Helper()
	dir := t.TempDir()
	st, err := state.Open(filepath.Join(dir, "state", "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	l := labtest.NewWith(t, o)
	// The tests' zones name a third Primary Server, which the lab does not
	// build: it gets what 2.1's backup of it reads and writes there (zman
	// does not make the backup folder; the content repository has images).
	h, err := l.Host("zen-primary-3")
	if err != nil {
		t.Fatal(err)
	}
	y := h.Layout()
	for _, d := range []string{y.BackupDir, y.ImagesDir} {
		if err := os.MkdirAll(h.Rebase(d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(h.Rebase(y.ImagesDir), "image.zmg"), []byte("image"), 0o600); err != nil {
		t.Fatal(err)
	}
	lib, err := procedures.LoadFS(assets.FS, "procedures")
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, store: st, lab: l, lib: lib, dir: dir}
}

func (f *fixture) opts() runner.Options {
	return runner.Options{Store: f.store, Lab: f.lab, Version: "test"}
}

func (f *fixture) start(id string, preset procedures.Values) *runner.Session {
	f.t.Helper()
	s, err := runner.Start(context.Background(), f.opts(), f.lib.Get(id), preset)
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(s.Close)
	return s
}

// drive answers every need with the given answers and confirms and runs
// every step, until the run needs something else.
func drive(t *testing.T, s *runner.Session, answers map[string]string, out *bytes.Buffer) runner.Need {
	t.Helper()
	return driveDoing(t, s, answers, out, nil)
}

// driveDoing is drive with the operator's own work: byHand runs before each
// manual step is confirmed.
func driveDoing(t *testing.T, s *runner.Session, answers map[string]string, out *bytes.Buffer, byHand func(*runner.NeedStep)) runner.Need {
	t.Helper()
	ctx := context.Background()
	for i := 0; i < 100; i++ {
		need, err := s.Next(ctx)
		if err != nil {
			t.Fatal(err)
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
				if byHand != nil {
					byHand(n)
				}
				if err := s.Confirm(ctx, n.Key, n.ConfirmWord); err != nil {
					t.Fatal(err)
				}
				continue
			}
			o, err := s.ExecuteWith(ctx, n.Key, n.ConfirmWord, runner.ExecIO{Out: out})
			if err != nil {
				t.Fatal(err)
			}
			if !o.OK {
				continue // shows up as NeedFailed
			}
		default:
			return need
		}
	}
	t.Fatal("the run did not settle")
	return nil
}

func secretsNowhere(t *testing.T, dir string, secrets ...string) {
	t.Helper()
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := os.ReadFile(p)
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s contains a secret", p)
			}
		}
		return nil
	})
}

func TestServerBackupRunsToCompletionInALab(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	s := f.start("1.1", nil)
	var out bytes.Buffer
	need := drive(t, s, map[string]string{
		"db_on_server": "yes", "only_content_server": "no",
		"admin_password": adminPW, "backup_passphrase": passphrase,
	}, &out)
	if _, ok := need.(*runner.Done); !ok {
		t.Fatalf("run ended on %T %+v\noutput:\n%s", need, need, out.String())
	}
	if _, err := os.Stat(f.lab.Rebase("/root/zcm_backups/zone_backup-" + runDate(s) + ".bak")); err != nil { // the default, dated
		t.Fatalf("no backup file: %v", err)
	}
	if !strings.Contains(out.String(), "Successfully backed up") {
		t.Errorf("zman's output did not stream:\n%s", out.String())
	}
	if strings.Contains(out.String(), passphrase) || strings.Contains(out.String(), adminPW) {
		t.Error("a secret reached the output")
	}
	st := s.State()
	for _, id := range []string{"backup-database", "zman-backup", "schedule"} {
		if ss := st.Steps[id]; ss == nil || (ss.Status != state.StepSucceeded && ss.Status != state.StepConfirmed) {
			t.Errorf("step %s: %+v", id, ss)
		}
	}
	if ss := st.Steps["backup-content"]; ss != nil {
		t.Errorf("a step whose condition is false ran: %+v", ss)
	}
	run, _ := f.store.Run(context.Background(), s.Run().ID)
	if run.Status != state.RunCompleted {
		t.Errorf("status %s", run.Status)
	}
	s.Close()
	secretsNowhere(t, f.store.Dir(), passphrase, adminPW)
}

func TestWrongPasswordFailsTheStepAndRetryWorks(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	s := f.start("1.3", nil)
	var out bytes.Buffer
	need := drive(t, s, map[string]string{"remove_ca_role": "no", "admin_password": "wrong-password", "ca_passphrase": passphrase}, &out)
	failed, ok := need.(*runner.NeedFailed)
	if !ok {
		t.Fatalf("got %T, want a failed step", need)
	}
	if !strings.Contains(failed.Error, "exit") {
		t.Errorf("the failure does not say why: %q", failed.Error)
	}
	if strings.Contains(failed.Error, "wrong-password") {
		t.Error("the error repeats the password")
	}
	// Secrets stay in memory for the session: the retry uses a corrected one.
	ctx := context.Background()
	if err := s.Answer(ctx, "admin_password", adminPW); err != nil {
		t.Fatal(err)
	}
	if err := s.Retry(ctx, failed.Step.ID); err != nil {
		t.Fatal(err)
	}
	if need := drive(t, s, nil, &out); need == nil {
		t.Fatal("nil need")
	} else if _, ok := need.(*runner.Done); !ok {
		t.Fatalf("after the retry: %T %+v\n%s", need, need, out.String())
	}
}

func TestDestructiveStepNeedsTheHostName(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	s := f.start("1.3", procedures.Values{"remove_ca_role": "true"})
	s.Answer(ctx, "admin_password", adminPW)
	s.Answer(ctx, "ca_passphrase", passphrase)
	s.Answer(ctx, "admin_user", "Administrator")
	s.Answer(ctx, "ca_backup_file", "/root/zcm_backups/ca.bak")
	need, err := s.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n, ok := need.(*runner.NeedStep)
	if !ok || !n.Destructive || n.ConfirmWord != f.lab.Hostname() {
		t.Fatalf("need %T %+v", need, need)
	}
	if _, err := s.ExecuteWith(ctx, n.Step.ID, "y", runner.ExecIO{}); err == nil || !strings.Contains(err.Error(), f.lab.Hostname()) {
		t.Fatalf("a plain y went through: %v", err)
	}
	if ss := s.State().Steps[n.Step.ID]; ss != nil {
		t.Fatalf("the refused step was journaled: %+v", ss)
	}
	o, err := s.ExecuteWith(ctx, n.Step.ID, f.lab.Hostname(), runner.ExecIO{})
	if err != nil || !o.OK {
		t.Fatalf("with the host name: %v %+v", err, o)
	}
	z, _ := f.lab.Zone()
	if srv, _ := z.Server(f.lab.Hostname()); srv.HasRole(lab.RoleCertAuth) {
		t.Error("cae -d left the CA role on the server")
	}
}

func TestSecondSessionOnTheSameProcedureIsRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	s := f.start("1.1", nil)
	_, err := runner.Start(context.Background(), f.opts(), f.lib.Get("1.1"), nil)
	var le *state.LockedError
	if !errors.As(err, &le) {
		t.Fatalf("second start: %v", err)
	}
	if !strings.Contains(err.Error(), "--force-unlock") || !strings.Contains(err.Error(), s.Run().ID) {
		t.Errorf("the refusal does not say who holds it and how to take over: %v", err)
	}
}

// A step interrupted after started was committed is in doubt on resume;
// its verify check decides it when it can.
func TestInDoubtStepIsSettledByItsVerifyCheck(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	s := f.start("1.3", procedures.Values{"remove_ca_role": "false"})
	for _, kv := range [][2]string{{"admin_user", "Administrator"}, {"ca_backup_file", "/root/zcm_backups/ca.bak"},
		{"admin_password", adminPW}, {"ca_passphrase", passphrase}} {
		if err := s.Answer(ctx, kv[0], kv[1]); err != nil {
			t.Fatal(err)
		}
	}
	// Cancel the step while zman waits at its first prompt: the action was
	// under way, so the step must be left in doubt, not failed.
	cctx, cancel := context.WithCancel(ctx)
	in := make(chan actions.Reply)
	w := &cancelOnWrite{cancel: cancel}
	_, err := s.ExecuteWith(cctx, "export-ca", "", runner.ExecIO{Out: w, Input: in})
	_ = err
	if ss := s.State().Steps["export-ca"]; ss == nil || ss.Status != state.StepInDoubt {
		t.Fatalf("after cancelling: %+v", ss)
	}
	runID := s.Run().ID
	s.Close()

	r, err := runner.Resume(ctx, f.opts(), runID)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	need, err := r.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n, ok := need.(*runner.NeedInDoubt)
	if !ok {
		t.Fatalf("resume: %T", need)
	}
	if !n.VerifyFailed || n.Reason != state.DoubtWizardDied || !n.Idempotent || n.Count != 1 {
		t.Errorf("in doubt: %+v", n)
	}
	// Had the file been written after the start, the check settles it.
	p := f.lab.Rebase("/root/zcm_backups/ca.bak")
	os.MkdirAll(filepath.Dir(p), 0o700)
	os.WriteFile(p, []byte("x"), 0o600)
	need, err = r.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st, ok := need.(*runner.Settled); !ok || st.Step.ID != "export-ca" || !strings.Contains(st.Verify, "ok") {
		t.Fatalf("verify passing did not settle the step: %T %+v", need, need)
	}
	if need, _ = r.Next(ctx); need == nil {
		t.Fatal("nil")
	} else if _, ok := need.(*runner.Done); !ok {
		t.Fatalf("after settling: %T", need)
	}
	ss := r.State().Steps["export-ca"]
	if ss.Outcome == nil || ss.Outcome.Kind != state.EventResolved || !strings.Contains(ss.Outcome.Reason, "verify") {
		t.Errorf("resolution not journaled with its reason: %+v", ss.Outcome)
	}
}

// cancelOnWrite cancels as soon as the command writes anything: the step is
// then certainly under way.
type cancelOnWrite struct{ cancel func() }

func (c *cancelOnWrite) Write(p []byte) (int, error) { c.cancel(); return len(p), nil }

func TestKeystoreEditDecidesTheRestart(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	// The CA backup to import comes from 1.3 on the same lab.
	s := f.start("1.3", procedures.Values{"remove_ca_role": "false"})
	drive(t, s, map[string]string{"admin_password": adminPW, "ca_passphrase": passphrase}, &bytes.Buffer{})
	s.Close()
	// The keystore lives elsewhere on this server, so step 4 must edit
	// CaConfig.xml, and step 5 then restarts the server.
	moved := "/etc/opt/novell/zenworks/security/moved/zenca.keystore"
	os.MkdirAll(filepath.Dir(f.lab.Rebase(moved)), 0o700)
	b, _ := os.ReadFile(f.lab.Rebase("/etc/opt/novell/zenworks/security/zenca.keystore"))
	os.WriteFile(f.lab.Rebase(moved), b, 0o600)

	r := f.start("1.4", procedures.Values{"platform": "linux"})
	var out bytes.Buffer
	need := drive(t, r, map[string]string{"admin_password": adminPW, "ca_passphrase": passphrase, "keystore_path": moved}, &out)
	if _, ok := need.(*runner.Done); !ok {
		t.Fatalf("1.4 ended on %T %+v\n%s", need, need, out.String())
	}
	st := r.State()
	if st.Answers["keystore_edited"] != "true" || st.Steps["restart-linux"] == nil || st.Steps["restart-linux"].Status != state.StepSucceeded {
		t.Errorf("restart did not follow the edit: answers %v, restart %+v", st.Answers, st.Steps["restart-linux"])
	}
	cfg, _ := os.ReadFile(f.lab.Rebase("/etc/opt/novell/zenworks/security/CaConfig.xml"))
	if !bytes.Contains(cfg, []byte("<Keystore>"+moved+"</Keystore>")) {
		t.Errorf("CaConfig.xml not edited:\n%s", cfg)
	}
	z, _ := f.lab.Zone()
	if z.Restarts == 0 {
		t.Error("the simulated server was not restarted")
	}
}

func TestKeystoreAlreadyRightSkipsTheRestart(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	s := f.start("1.3", procedures.Values{"remove_ca_role": "false"})
	drive(t, s, map[string]string{"admin_password": adminPW, "ca_passphrase": passphrase}, &bytes.Buffer{})
	s.Close()
	r := f.start("1.4", procedures.Values{"platform": "linux"})
	need := drive(t, r, map[string]string{"admin_password": adminPW, "ca_passphrase": passphrase}, &bytes.Buffer{})
	if _, ok := need.(*runner.Done); !ok {
		t.Fatalf("1.4 ended on %T %+v", need, need)
	}
	st := r.State()
	if st.Answers["keystore_edited"] != "false" || st.Steps["restart-linux"] != nil {
		t.Errorf("restart ran though nothing changed: %v %+v", st.Answers, st.Steps["restart-linux"])
	}
}

func TestDryRunAsksNoSecretAndChangesNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	o := f.opts()
	o.DryRun = true
	o.Lab = nil // a dry run on a machine without ZENworks still shows the commands
	s, err := runner.Start(context.Background(), o, f.lib.Get("1.3"), procedures.Values{"remove_ca_role": "true"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var out bytes.Buffer
	need := drive(t, s, map[string]string{}, &out)
	if _, ok := need.(*runner.Done); !ok {
		t.Fatalf("dry run stopped on %T %+v", need, need)
	}
	want := "dry run: would run: zman certificate-authority-export -d /root/zcm_backups/ca-" + runDate(s) + ".bak" // the default, dated
	if !strings.Contains(out.String(), want) {
		t.Errorf("dry run output lacks %q:\n%s", want, out.String())
	}
	if _, err := os.Stat("/root/zcm_backups/ca-" + runDate(s) + ".bak"); err == nil {
		t.Error("a dry run wrote the backup")
	}
}

func TestIncludedStepsRunAndResumeFromTheRecordedBundle(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "demo.yaml"), []byte(`id: replace-demo
title: Replace (demo)
section: "9.2"
summary: Includes 1.3 with -d decided.
steps:
  - id: backup-ca
    ref: "6a"
    title: Back up the CA, removing the role here
    include: ca-backup
    with:
      remove_ca_role: "yes"
  - id: after
    ref: "7"
    title: Then this
    manual: Carry on.
`), 0o644)
	if err := f.lib.AddDir(dir); err != nil {
		t.Fatal(err)
	}
	s := f.start("9.2", nil)
	ctx := context.Background()
	need := drive(t, s, map[string]string{"admin_password": adminPW, "ca_passphrase": passphrase}, &bytes.Buffer{})
	if _, ok := need.(*runner.Done); !ok {
		t.Fatalf("ended on %T %+v", need, need)
	}
	if ss := s.State().Steps["backup-ca/export-ca-remove-role"]; ss == nil || ss.Status != state.StepSucceeded {
		t.Fatalf("included step: %+v", ss)
	}
	if _, asked := s.State().Answers["remove_ca_role"]; asked {
		t.Error("a fact decided by with: was journaled as an answer")
	}
	z, _ := f.lab.Zone()
	if srv, _ := z.Server(f.lab.Hostname()); srv.HasRole(lab.RoleCertAuth) {
		t.Error("the included export did not run with -d")
	}
	id := s.Run().ID
	s.Close()
	// The run was recorded with every definition it used.
	r, err := runner.Resume(ctx, f.opts(), id)
	if err == nil {
		r.Close()
		t.Fatal("a completed run resumed")
	}
	run, _ := f.store.Run(ctx, id)
	d, err := procedures.ParseBundle("recorded", run.DefText)
	if err != nil || d.Step("backup-ca/export-ca") == nil || d.Hash != run.DefHash {
		t.Fatalf("recorded bundle: %v", err)
	}
}

func TestFanOutIsDoneAndJournaledPerTarget(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "fan.yaml"), []byte(`id: fan-demo
title: Fan out (demo)
section: "9.5"
summary: One step per Satellite.
inputs:
  - id: satellites
    type: list
    prompt: Satellites of this zone
steps:
  - id: iac
    ref: "4"
    title: Import the certificate on each Satellite
    each: satellites
    manual: On ${target}, run the command below.
    command: [zac, iac]
  - id: after
    ref: "5"
    title: Then this
    manual: Carry on.
`), 0o644)
	if err := f.lib.AddDir(dir); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s := f.start("9.5", procedures.Values{"satellites": "sat-a, sat-b, sat-c"})
	need, _ := s.Next(ctx)
	n, ok := need.(*runner.NeedStep)
	if !ok || n.Target != "sat-a" || n.Key != "iac@sat-a" || n.Describe != "On sat-a, run the command below." || strings.Join(n.Command, " ") != "zac iac" {
		t.Fatalf("first target: %T %+v", need, need)
	}
	if err := s.Confirm(ctx, n.Key, ""); err != nil {
		t.Fatal(err)
	}
	need, _ = s.Next(ctx)
	n = need.(*runner.NeedStep)
	if n.Target != "sat-b" || !n.TargetsDone["sat-a"] || n.TargetsDone["sat-b"] {
		t.Fatalf("second target: %+v", n)
	}
	if err := s.Skip(ctx, n.Key, "sat-b is being decommissioned"); err != nil {
		t.Fatal(err)
	}
	id := s.Run().ID
	s.Close()
	// Interrupted here: the resumed run goes on at the third target.
	r, err := runner.Resume(ctx, f.opts(), id)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	need, _ = r.Next(ctx)
	if n = need.(*runner.NeedStep); n.Target != "sat-c" {
		t.Fatalf("resumed at %+v", n)
	}
	if err := r.Confirm(ctx, "iac@sat-x", ""); err == nil {
		t.Error("a target that is not in the list was confirmed")
	}
	r.Confirm(ctx, n.Key, "")
	need, _ = r.Next(ctx)
	if n = need.(*runner.NeedStep); n.Step.ID != "after" {
		t.Fatalf("after the targets: %+v", n)
	}
	st := r.State()
	if st.Steps["iac@sat-a"].Status != state.StepConfirmed || st.Steps["iac@sat-b"].Status != state.StepSkipped || st.Steps["iac@sat-c"].Status != state.StepConfirmed {
		t.Errorf("per-target journal: %+v %+v %+v", st.Steps["iac@sat-a"], st.Steps["iac@sat-b"], st.Steps["iac@sat-c"])
	}
}

func TestEachRunStartsWithACopyOfTheStateDatabase(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.start("1.1", nil).Close()
	f.start("1.3", nil).Close()
	copies, _ := filepath.Glob(filepath.Join(f.store.Dir(), "snapshots", "*-before-*.db"))
	if len(copies) != 2 {
		t.Fatalf("copies: %v", copies)
	}
}
