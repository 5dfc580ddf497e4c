package plain_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"zenrecover/assets"
	"zenrecover/lab"
	"zenrecover/lab/labtest"
	"zenrecover/plain"
	"zenrecover/procedures"
	"zenrecover/runner"
	"zenrecover/state"
)

// 1.1 three times in a rehearsal with its defaults, line by line: --yes
// keeps both; k keeps both; r replaces. Each run completes, and the
// folder ends with three backup files, the third replacing the second.
func TestPlainAsksAboutAnExistingBackup(t *testing.T) {
	l := labtest.New(t)
	st, err := state.Open(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	lib, err := procedures.LoadFS(assets.FS, "procedures")
	if err != nil {
		t.Fatal(err)
	}
	secrets := map[string]string{
		"ZENRECOVER_SECRET_ADMIN_PASSWORD":    lab.DefaultAdminPassword,
		"ZENRECOVER_SECRET_BACKUP_PASSPHRASE": "Zebra-Quartz-1234",
	}
	run := func(yes bool, input string) string {
		t.Helper()
		s, err := runner.Start(context.Background(), runner.Options{Store: st, Lab: l, Version: "test"}, lib.Get("1.1"),
			procedures.Values{"db_on_server": "false", "only_content_server": "false"})
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		p := &plain.Plain{In: strings.NewReader(input), Out: &out, Preset: procedures.Values{}, Yes: yes,
			Getenv: func(k string) string { return secrets[k] }}
		if code := p.Drive(context.Background(), s); code != plain.ExitCompleted {
			t.Fatalf("exit %d:\n%s", code, out.String())
		}
		return out.String()
	}
	run(true, "")
	out := run(true, "")
	if !strings.Contains(out, "Keeping both, by --yes (rehearsal).") {
		t.Errorf("--yes did not keep both:\n%s", out)
	}
	out = run(false, "x\nr\ndone\n")
	if !strings.Contains(out, "? Type k (keep both), r (replace), or q (stop): ") {
		t.Errorf("no question:\n%s", out)
	}
	files, _ := filepath.Glob(l.Rebase("/root/zcm_backups/zone_backup-*.bak"))
	if len(files) != 2 {
		t.Errorf("backup files %q; want two (kept both, then replaced one)", files)
	}
}
