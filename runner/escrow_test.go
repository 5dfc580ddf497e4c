package runner_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"zenrecover/actions"
	"zenrecover/archive"
	"zenrecover/procedures"
	"zenrecover/runner"
	"zenrecover/state"
)

// Secrets these tests look for everywhere afterwards.
const (
	escrowBackupPass  = "Escrow-Backup-Secret-7391"
	escrowArchivePass = "Escrow-Archive-Secret-4518"
	escrowCAPass      = "Escrow-CA-Secret-2604"
)

// teamKey configures the team's recipients file (XDG_CONFIG_HOME) with a
// fresh age key and returns the configuration folder and the identity
// file the team would open escrows with.
func teamKey(t *testing.T) (config, identity string) {
	t.Helper()
	config = t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", config)
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(config, "zenrecover"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(config, "zenrecover", "recipients"), []byte("# the team\n"+id.Recipient().String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	identity = filepath.Join(t.TempDir(), "team.key")
	if err := os.WriteFile(identity, []byte(id.String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return config, identity
}

// openEscrow does what `zenrecover escrow open FILE --identity KEY` does.
func openEscrow(t *testing.T, file, identity string) *archive.Escrow {
	t.Helper()
	ids, err := archive.LoadIdentities(identity, nil)
	if err != nil {
		t.Fatal(err)
	}
	e, err := archive.OpenEscrow(archive.EscrowPath(file), ids)
	if err != nil {
		t.Fatalf("open the escrow of %s: %v", file, err)
	}
	return e
}

// outcomeDetail is the journal's record of a step's outcome.
func outcomeDetail(t *testing.T, s *runner.Session, key string) string {
	t.Helper()
	ss := s.State().Steps[key]
	if ss == nil || ss.Outcome == nil {
		t.Fatalf("step %s has no outcome: %+v", key, ss)
	}
	return ss.Outcome.Detail
}

// 1.1 and 1.3 seal every escrow input, once the step that wrote a file
// with it succeeded, beside that file; the team's key opens each to the
// secret typed, and the secrets are nowhere in plain text: not in the
// state (journal, logs), the lab, the configuration or the output.
func TestEscrowInputsAreSealedBesideWhatTheStepsWrote(t *testing.T) {
	config, identity := teamKey(t)
	f := newFixture(t)
	var out bytes.Buffer
	s := f.start("1.1", procedures.Values{"db_on_server": "false", "only_content_server": "true"})
	need := drive(t, s, map[string]string{"admin_password": adminPW,
		"backup_passphrase": escrowBackupPass, "archive_passphrase": escrowArchivePass}, &out)
	if _, ok := need.(*runner.Done); !ok {
		t.Fatalf("1.1 ended on %T %+v\n%s", need, need, out.String())
	}
	backup := f.lab.Rebase(s.Values()["backup_file"]) // the defaults, dated (destination_test.go)
	set := f.lab.Rebase(s.Values()["content_archive"])
	for file, want := range map[string]string{backup: escrowBackupPass, set: escrowArchivePass} {
		e := openEscrow(t, file, identity)
		if e.Secret != want || e.For != file || e.Label == "" {
			t.Errorf("escrow of %s: %+v", file, e)
		}
		if fi, err := os.Stat(archive.EscrowPath(file)); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("escrow file of %s: %v %v", file, fi.Mode(), err)
		}
	}
	if d := outcomeDetail(t, s, "zman-backup"); !strings.Contains(d, "sealed: "+archive.EscrowPath(backup)) {
		t.Errorf("the journal does not say where the backup passphrase went: %s", d)
	}
	if d := outcomeDetail(t, s, "backup-content"); !strings.Contains(d, "sealed: "+archive.EscrowPath(set)) {
		t.Errorf("the journal does not say where the archive passphrase went: %s", d)
	}
	if !strings.Contains(out.String(), "zenrecover escrow open "+backup) {
		t.Errorf("the output does not say how to open the escrow:\n%s", out.String())
	}
	s.Close()

	c := f.start("1.3", procedures.Values{"remove_ca_role": "no"})
	if need := drive(t, c, map[string]string{"admin_password": adminPW, "ca_passphrase": escrowCAPass}, &out); need == nil {
		t.Fatal()
	} else if _, ok := need.(*runner.Done); !ok {
		t.Fatalf("1.3 ended on %T %+v\n%s", need, need, out.String())
	}
	if e := openEscrow(t, f.lab.Rebase(c.Values()["ca_backup_file"]), identity); e.Secret != escrowCAPass {
		t.Errorf("CA escrow: %+v", e)
	}
	c.Close()

	for _, secret := range []string{escrowBackupPass, escrowArchivePass, escrowCAPass, adminPW} {
		if strings.Contains(out.String(), secret) {
			t.Errorf("a secret is in the output")
		}
	}
	for _, dir := range []string{f.dir, f.lab.Dir(), config} {
		secretsNowhere(t, dir, escrowBackupPass, escrowArchivePass, escrowCAPass, adminPW)
	}
}

// Without team recipients nothing is sealed, and the run says so: how to
// configure them once, then one line a secret.
func TestWithoutTeamRecipientsTheRunSaysOnceThatNothingIsEscrowed(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	f := newFixture(t)
	var out bytes.Buffer
	s := f.start("1.1", procedures.Values{"db_on_server": "false", "only_content_server": "true"})
	need := drive(t, s, map[string]string{"admin_password": adminPW,
		"backup_passphrase": escrowBackupPass, "archive_passphrase": escrowArchivePass}, &out)
	if _, ok := need.(*runner.Done); !ok {
		t.Fatalf("1.1 ended on %T %+v\n%s", need, need, out.String())
	}
	if n := strings.Count(out.String(), "is not escrowed: no team recipients"); n != 2 {
		t.Errorf("said %d times that a passphrase is not escrowed, want once for each of 2:\n%s", n, out.String())
	}
	if n := strings.Count(out.String(), "public keys, one a line, in"); n != 1 {
		t.Errorf("said %d times how to configure recipients, want once:\n%s", n, out.String())
	}
	matches, _ := filepath.Glob(f.lab.Rebase("/root/zcm_backups/*" + archive.EscrowExt))
	if len(matches) != 0 {
		t.Errorf("escrows written without recipients: %v", matches)
	}
	s.Close()
	secretsNowhere(t, f.dir, escrowBackupPass, escrowArchivePass, adminPW)
	secretsNowhere(t, f.lab.Dir(), escrowBackupPass, escrowArchivePass, adminPW)
}

// Ctrl+C during the content repository's archive leaves it resumable:
// the step is in doubt, its checks say it did not finish, the run resumes
// it from its last part, refuses a passphrase other than the one it was
// started with, and seals the right one once it is complete.
func TestAnInterruptedArchiveStepResumesAndIsEscrowedOnceComplete(t *testing.T) {
	_, identity := teamKey(t)
	f := newFixture(t)
	big := make([]byte, 8<<20)
	rand.Read(big)
	if err := os.WriteFile(f.lab.Rebase("/var/opt/novell/zenworks/content-repo/images/big.zmg"), big, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var out bytes.Buffer
	s := f.start("1.1", procedures.Values{"db_on_server": "false", "only_content_server": "true"})
	set := f.lab.Rebase("/root/zcm_backups/content-repo-" + runDate(s) + ".archive") // the default, dated
	secrets := map[string]string{"admin_password": adminPW, "backup_passphrase": escrowBackupPass, "archive_passphrase": escrowArchivePass}
	var interrupted error
	for interrupted == nil {
		need, err := s.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		switch n := need.(type) {
		case *runner.NeedInput:
			v, ok := secrets[n.Input.ID]
			if !ok {
				v = n.Input.Default
			}
			if err := s.Answer(ctx, n.Input.ID, v); err != nil {
				t.Fatal(err)
			}
		case *runner.NeedStep:
			if n.Key != "backup-content" {
				if o, err := s.ExecuteWith(ctx, n.Key, "", runner.ExecIO{Out: &out}); err != nil || !o.OK {
					t.Fatalf("step %s: %v %+v\n%s", n.Key, err, o, out.String())
				}
				continue
			}
			// The operator presses Ctrl+C once the archive is under way.
			sctx, cancel := context.WithCancel(ctx)
			prog := func(p actions.Progress) {
				if p.Phase != actions.PhaseArchive {
					return
				}
				if p.Bytes > 0 {
					cancel()
					return
				}
				time.Sleep(120 * time.Millisecond) // let the next snapshot through
			}
			o, err := s.ExecuteWith(sctx, n.Key, "", runner.ExecIO{Out: &out, Progress: prog})
			cancel()
			if err == nil {
				t.Fatalf("the archive step was not interrupted: %+v\n%s", o, out.String())
			}
			interrupted = err
		default:
			t.Fatalf("unexpected %T %+v", need, need)
		}
	}
	if !strings.Contains(interrupted.Error(), "interrupted") {
		t.Errorf("interruption: %v", interrupted)
	}
	if st, _ := archive.Inspect(set); st.State != archive.StatePartial {
		t.Fatalf("after Ctrl+C the archive is %s, want partial (resumable)", st.State)
	}
	if _, err := os.Stat(archive.EscrowPath(set)); !os.IsNotExist(err) {
		t.Errorf("an unfinished archive's passphrase was escrowed: %v", err)
	}
	if err := s.Stop(ctx, "interrupted by the operator"); err != nil {
		t.Fatal(err)
	}

	r, err := runner.Resume(ctx, f.opts(), s.Run().ID)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	need, err := r.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	doubt, ok := need.(*runner.NeedInDoubt)
	if !ok || doubt.Key != "backup-content" || !doubt.VerifyFailed || !doubt.Idempotent {
		t.Fatalf("after resume: %T %+v", need, need)
	}
	if err := r.Resolve(ctx, doubt.Key, runner.MarkNotDone, "its checks say it did not finish"); err != nil {
		t.Fatal(err)
	}
	if need, _ := r.Next(ctx); need == nil {
		t.Fatal()
	} else if in, ok := need.(*runner.NeedInput); !ok || in.Input.ID != "archive_passphrase" {
		t.Fatalf("after resume, want the archive passphrase asked again: %T %+v", need, need)
	}
	// A different passphrase would leave an archive it does not open.
	if err := r.Answer(ctx, "archive_passphrase", "Another-Passphrase-0000"); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	o, err := r.ExecuteWith(ctx, "backup-content", "", runner.ExecIO{Out: &out})
	if err != nil || o.OK || !strings.Contains(o.Error, "not the one the interrupted archive was started with") {
		t.Fatalf("resumed with another passphrase: %v %+v\n%s", err, o, out.String())
	}
	if _, err := os.Stat(archive.EscrowPath(set)); !os.IsNotExist(err) {
		t.Errorf("a wrong passphrase was escrowed: %v", err)
	}
	if err := r.Answer(ctx, "archive_passphrase", escrowArchivePass); err != nil {
		t.Fatal(err)
	}
	if err := r.Retry(ctx, "backup-content"); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	var last actions.Progress
	o, err = r.ExecuteWith(ctx, "backup-content", "", runner.ExecIO{Out: &out, Progress: func(p actions.Progress) { last = p }})
	if err != nil || !o.OK {
		t.Fatalf("resumed archive: %v %+v\n%s", err, o, out.String())
	}
	if !strings.Contains(out.String(), "resuming the interrupted archive") {
		t.Errorf("the step did not resume the archive:\n%s", out.String())
	}
	if last.Phase != actions.PhaseDone || last.Fraction() != 1 || last.BytesTotal < int64(len(big)) {
		t.Errorf("last progress: %+v", last)
	}
	if e := openEscrow(t, set, identity); e.Secret != escrowArchivePass {
		t.Errorf("escrow: %+v", e)
	}
	if len(o.Escrow) != 1 || !strings.HasPrefix(o.Escrow[0], "Sealed the passphrase to encrypt the content repository archive for the team (1 recipient): "+archive.EscrowPath(set)) {
		t.Errorf("the outcome does not tell the operator: %q", o.Escrow)
	}
	rep, err := archive.Verify(ctx, set, archive.OpenOptions{Passphrase: func() (string, error) { return escrowArchivePass, nil }})
	if err != nil || rep.Files < 2 {
		t.Fatalf("verify: %v %+v", err, rep)
	}
	if ss := r.State().Steps["backup-content"]; ss == nil || ss.Status != state.StepSucceeded {
		t.Errorf("step: %+v", ss)
	}
	r.Close()
	secretsNowhere(t, f.dir, escrowBackupPass, escrowArchivePass, adminPW)
	secretsNowhere(t, f.lab.Dir(), escrowBackupPass, escrowArchivePass, adminPW)
}

// A dry run seals nothing and says what it would seal.
func TestADryRunSaysWhatItWouldEscrow(t *testing.T) {
	teamKey(t)
	f := newFixture(t)
	o := f.opts()
	o.DryRun = true
	s, err := runner.Start(context.Background(), o, f.lib.Get("1.3"), procedures.Values{"remove_ca_role": "no"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	var out bytes.Buffer
	drive(t, s, map[string]string{}, &out)
	if !strings.Contains(out.String(), "dry run: would seal the passphrase to encrypt the CA backup file") {
		t.Errorf("output:\n%s", out.String())
	}
	if _, err := os.Stat(archive.EscrowPath(f.lab.Rebase(s.Values()["ca_backup_file"]))); !os.IsNotExist(err) {
		t.Errorf("a dry run wrote an escrow: %v", err)
	}
}
