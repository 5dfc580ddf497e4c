package runner_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"zenrecover/archive"
	"zenrecover/runner"
	"zenrecover/state"
)

// backupAnswers are 1.1's answers but for its paths: those stay the
// defaults, as an operator pressing Enter takes them.
var backupAnswers = map[string]string{
	"db_on_server": "no", "only_content_server": "yes",
	"admin_password": adminPW, "backup_passphrase": passphrase, "archive_passphrase": passphrase,
}

// runDate is ${run.date} of a run: the local date it started.
func runDate(s *runner.Session) string { return s.Run().StartedAt.Local().Format("2006-01-02") }

// backupOnce runs 1.1 with its defaults to the end, deciding each
// destination question with decide.
func backupOnce(t *testing.T, f *fixture, o runner.Options, decide func(*runner.Session, *runner.NeedDestination)) (*runner.Session, string) {
	t.Helper()
	s, err := runner.Start(context.Background(), o, f.lib.Get("1.1"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	var out bytes.Buffer
	for i := 0; i < 10; i++ {
		need := drive(t, s, backupAnswers, &out)
		switch n := need.(type) {
		case *runner.Done:
			return s, out.String()
		case *runner.NeedDestination:
			if decide == nil {
				t.Fatalf("unexpected question about %s (%+v)", n.Path, n)
			}
			decide(s, n)
		default:
			t.Fatalf("run ended on %T %+v\noutput:\n%s", need, need, out.String())
		}
	}
	t.Fatal("the run did not settle")
	return nil, ""
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func complete(t *testing.T, set string) {
	t.Helper()
	if st, err := archive.Inspect(set); err != nil || st.State != archive.StateComplete {
		t.Errorf("%s is not a complete archive set: %+v %v", set, st, err)
	}
}

// answered is the last journaled answer of key.
func answered(t *testing.T, f *fixture, s *runner.Session, key string) state.Event {
	t.Helper()
	evs, err := f.store.Journal(context.Background(), s.Run().ID)
	if err != nil {
		t.Fatal(err)
	}
	var last state.Event
	for _, e := range evs {
		if (e.Kind == state.EventAnswered || e.Kind == state.EventChanged) && e.Key == key {
			last = e
		}
	}
	return last
}

// Issue 10 item 5: the reference's step 6 says to repeat the backup; 1.1
// twice with its defaults completes both times, and keeping both leaves two
// backup files and two archive sets, the second under a free name that the
// journal, the run's values and the command all use.
func TestSecondBackupWithDefaultsKeepsBoth(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	first, _ := backupOnce(t, f, f.opts(), nil)
	date := runDate(first)
	file := "/root/zcm_backups/zone_backup-" + date + ".bak"
	set := "/root/zcm_backups/content-repo-" + date + ".archive"
	if got := first.Values()["backup_file"]; got != file {
		t.Fatalf("the default backup file is %q, want %q (the reference's name with the run's date)", got, file)
	}
	if got := first.Values()["content_archive"]; got != set {
		t.Fatalf("the default archive set is %q, want %q", got, set)
	}
	firstBytes := mustRead(t, f.lab.Rebase(file))
	first.Close()

	var asked []string
	second, out := backupOnce(t, f, f.opts(), func(s *runner.Session, n *runner.NeedDestination) {
		if !n.Exists || n.MissingParent {
			t.Fatalf("question %+v; want a file already there", n)
		}
		asked = append(asked, n.Path+" -> "+n.NewName)
		if err := s.ChooseDestination(ctx, n.Key, true); err != nil {
			t.Fatal(err)
		}
	})
	file2 := "/root/zcm_backups/zone_backup-" + date + "-2.bak"
	set2 := "/root/zcm_backups/content-repo-" + date + "-2.archive"
	if want := []string{file + " -> " + file2, set + " -> " + set2}; !slices.Equal(asked, want) {
		t.Errorf("asked %q, want %q", asked, want)
	}
	if got := second.Values()["backup_file"]; got != file2 {
		t.Errorf("the run's backup_file is %q, want %q", got, file2)
	}
	if e := answered(t, f, second, "backup_file"); e.Value != file2 || !strings.Contains(e.Reason, "keep both") {
		t.Errorf("journal: backup_file answered %q (%q), want %q, keep both", e.Value, e.Reason, file2)
	}
	if !strings.Contains(out, "to "+f.lab.Rebase(file2)) {
		t.Errorf("zman did not write the new name:\n%s", out)
	}
	if !bytes.Equal(mustRead(t, f.lab.Rebase(file)), firstBytes) {
		t.Error("the first backup file changed")
	}
	mustRead(t, f.lab.Rebase(file2))
	complete(t, f.lab.Rebase(set))
	complete(t, f.lab.Rebase(set2))
}

// Replace leaves one file, the new one, and no temporary file: the command
// wrote beside the old one and the new file was renamed over it only once
// the step had succeeded. An archive set is replaced the same way.
func TestSecondBackupReplacesOnlyOnceComplete(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	first, _ := backupOnce(t, f, f.opts(), nil)
	date := runDate(first)
	file := f.lab.Rebase("/root/zcm_backups/zone_backup-" + date + ".bak")
	old := mustRead(t, file)
	first.Close()

	second, out := backupOnce(t, f, f.opts(), func(s *runner.Session, n *runner.NeedDestination) {
		if err := s.ChooseDestination(ctx, n.Key, false); err != nil {
			t.Fatal(err)
		}
	})
	if bytes.Equal(mustRead(t, file), old) {
		t.Error("the old backup file is still there, not replaced")
	}
	if !strings.Contains(out, "zone_backup-"+date+".new.bak") {
		t.Errorf("zman did not write under the temporary name:\n%s", out)
	}
	entries, _ := os.ReadDir(filepath.Dir(file))
	var names []string
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), archive.EscrowExt) {
			names = append(names, e.Name())
		}
	}
	want := []string{"content-repo-" + date + ".archive", "zone_backup-" + date + ".bak"}
	if !slices.Equal(names, want) {
		t.Errorf("backup folder holds %q, want only %q", names, want)
	}
	complete(t, f.lab.Rebase("/root/zcm_backups/content-repo-"+date+".archive"))
	if got := second.Values()["backup_file"]; got != "/root/zcm_backups/zone_backup-"+date+".bak" {
		t.Errorf("replace changed the answer to %q", got)
	}
	if e := answered(t, f, second, "replace:zman-backup"); e.Value == "" {
		t.Error("the decision to replace is not journaled")
	}
}

// A destination in a folder that does not exist is offered, created (for
// its owner only) once the operator agrees, and the run completes; a dry
// run creates nothing and says what a real run would ask.
func TestMissingBackupFolderIsOfferedAndCreated(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	dir := f.lab.Rebase("/root/zcm_backups")
	if err := os.Remove(dir); err != nil {
		t.Fatal(err)
	}

	dry := f.opts()
	dry.DryRun = true
	drySess, dryOut := backupOnce(t, f, dry, nil) // a dry run asks nothing about it
	drySess.Close()
	if !strings.Contains(dryOut, "dry run: the folder /root/zcm_backups does not exist; a real run asks to create it") {
		t.Errorf("the dry run does not say what a real run would ask:\n%s", dryOut)
	}
	if _, err := os.Stat(dir); err == nil {
		t.Fatal("a dry run created the folder")
	}

	var asked []string
	s, _ := backupOnce(t, f, f.opts(), func(s *runner.Session, n *runner.NeedDestination) {
		if !n.MissingParent || n.Exists {
			t.Fatalf("question %+v; want the missing folder", n)
		}
		asked = append(asked, n.Step.ID+": "+n.Parent)
		if err := s.CreateParent(ctx, n.Key); err != nil {
			t.Fatal(err)
		}
	})
	if want := []string{"zman-backup: /root/zcm_backups"}; !slices.Equal(asked, want) {
		t.Errorf("asked %q, want %q (once: the folder then exists)", asked, want)
	}
	fi, err := os.Stat(dir)
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("folder: %v %v; want it created, 0700", fi, err)
	}
	mustRead(t, f.lab.Rebase(s.Values()["backup_file"]))
	if e := answered(t, f, s, "create-folder:zman-backup"); e.Value != "/root/zcm_backups" {
		t.Errorf("the consent is not journaled: %+v", e)
	}
}
