package runner_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"zenrecover/assets"
	"zenrecover/procedures"
	"zenrecover/runner"
	"zenrecover/state"
)

// guideStart starts a guided run of id for zen-old, a server zenrecover
// does not run on.
func guideStart(t *testing.T, id, platform string, preset procedures.Values) (*runner.Session, *state.Store) {
	t.Helper()
	st, err := state.Open(filepath.Join(t.TempDir(), "state", "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	lib, err := procedures.LoadFS(assets.FS, "procedures")
	if err != nil {
		t.Fatal(err)
	}
	s, err := runner.Start(context.Background(), runner.Options{Store: st, Version: "test", Guide: true, Target: "zen-old", Platform: platform}, lib.Get(id), preset)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s, st
}

// A guided 1.1 shows zman's command as it is typed on the other server,
// asks for no secret (they are typed there), puts the backup's check to the
// operator, and runs nothing here: the backup file does not appear.
func TestAGuidedRunShowsEachStepForTheOtherServerAndRunsNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	backup := filepath.Join(t.TempDir(), "zone_backup.bak")
	s, st := guideStart(t, "1.1", "linux", procedures.Values{"db_on_server": "false", "only_content_server": "false", "backup_file": backup, "admin_user": "Administrator"})
	if s.Run().Mode != state.ModeGuide || s.Run().Host != "zen-old" {
		t.Fatalf("run = %s on %s, want a guide on zen-old", s.Run().Mode, s.Run().Host)
	}
	need, err := s.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n, ok := need.(*runner.NeedStep)
	if !ok {
		t.Fatalf("first need = %T %+v, want the zman step (no secret asked here)", need, need)
	}
	if !n.Manual || strings.Join(n.Command, " ") != "zman zenserver-backup "+backup {
		t.Fatalf("zman step: manual %v, command %q", n.Manual, n.Command)
	}
	if len(n.Checks) == 0 || !strings.Contains(n.Checks[0], backup) {
		t.Fatalf("checks = %q, want the backup file's", n.Checks)
	}
	if err := s.Confirm(ctx, n.Key, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(backup); !os.IsNotExist(err) {
		t.Errorf("a guided run wrote %s here (stat: %v)", backup, err)
	}
	if need, err = s.Next(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok := need.(*runner.Done); !ok {
		t.Fatalf("after the zman step: %T %+v", need, need)
	}
	evs, err := st.Journal(ctx, s.Run().ID)
	if err != nil {
		t.Fatal(err)
	}
	var confirmed string
	for _, e := range evs {
		if e.Kind == state.EventConfirmed && e.Step == "zman-backup" {
			confirmed = e.Detail
		}
		if e.Kind == state.EventStarted {
			t.Errorf("a guided run journaled a start of %s: it executes nothing", e.Step)
		}
	}
	if !strings.Contains(confirmed, "zenserver-backup") || !strings.Contains(confirmed, "seen on zen-old") {
		t.Errorf("the confirmation records %q, want the command shown and the checks seen there", confirmed)
	}
}

// A check the operator finds not so on the other server fails the step, so
// it is done again or skipped with a reason, as after any failure.
func TestAGuidedCheckNotSeenFailsTheStep(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := guideStart(t, "1.1", "linux", procedures.Values{"db_on_server": "false", "only_content_server": "false", "backup_file": "/root/zcm_backups/zone_backup.bak", "admin_user": "Administrator"})
	need, err := s.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n := need.(*runner.NeedStep)
	if err := s.NotDone(ctx, n.Key, n.Checks[0]); err != nil {
		t.Fatal(err)
	}
	need, err = s.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	f, ok := need.(*runner.NeedFailed)
	if !ok || !strings.Contains(f.Error, "zen-old") || !strings.Contains(f.Error, "zone_backup.bak") {
		t.Fatalf("after a check not seen: %T %+v", need, need)
	}
}

// A restore's default is a pattern standing for the newest backup; in a
// guide the files are on the other server, so the pattern is no default:
// the operator types the file's name, told which pattern to look for.
func TestAGuideAsksForTheFileAPatternStoodFor(t *testing.T) {
	t.Parallel()
	s, _ := guideStart(t, "1.4", "windows", nil)
	need, err := s.Next(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	n, ok := need.(*runner.NeedInput)
	if !ok || n.Input.ID != "ca_backup_file" {
		t.Fatalf("first need %T %+v, want the CA backup file", need, need)
	}
	if n.Input.Default != "" || !strings.Contains(n.Input.Help, `c:\zcm_backups\ca-*.bak`) || !strings.Contains(n.Input.Help, "zen-old") {
		t.Errorf("default %q, help %q: want no default and the pattern to look for on zen-old", n.Input.Default, n.Input.Help)
	}
}

// A step zenrecover would do itself (an XML edit) says in the guide what
// to do there, in the action's own words, not what zenrecover would do.
func TestAGuidedActionStepSaysWhatToDoThere(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := guideStart(t, "1.4", "windows", procedures.Values{"ca_backup_file": `c:\zcm_backups\ca.bak`, "admin_user": "Administrator",
		"keystore_path": `%ZENWORKS_HOME%\conf\security\zenca.keystore`})
	need, err := s.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Confirm(ctx, need.(*runner.NeedStep).Key, "zen-old"); err != nil {
		t.Fatal(err)
	}
	need, err = s.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n, ok := need.(*runner.NeedStep)
	if !ok {
		t.Fatalf("after the import: %T %+v", need, need)
	}
	if !strings.Contains(n.Describe, `edit %ZENWORKS_HOME%\conf\security\CaConfig.xml: set <Keystore>`) || n.Instructions != "" {
		t.Errorf("describe %q, instructions %q", n.Describe, n.Instructions)
	}
}
