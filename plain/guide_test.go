package plain_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"zenrecover/assets"
	"zenrecover/plain"
	"zenrecover/procedures"
	"zenrecover/runner"
)

// The plain front end walks a guided 1.1 for another server: the command
// is shown as typed there, each check is asked, and a check the operator
// says does not hold fails the step instead of confirming it.
func TestAGuidedRunAsksEachCheckAfterDone(t *testing.T) {
	t.Parallel()
	st, err := runner.OpenStore(filepath.Join(t.TempDir(), "state", "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	lib, err := procedures.LoadFS(assets.FS, "procedures")
	if err != nil {
		t.Fatal(err)
	}
	o := runner.Options{Store: st, Version: "test", Guide: true, Target: "zen-old", Platform: "linux"}
	s, err := runner.Start(context.Background(), o, lib.Get("1.1"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	var out bytes.Buffer
	// Facts and inputs from the preset; then: done, the check does not
	// hold; retry; done, it holds.
	in := strings.NewReader("done\nn\nr\ndone\ny\n")
	p := &plain.Plain{In: in, Out: &out, Preset: procedures.Values{"db_on_server": "false", "only_content_server": "false",
		"backup_file": "/root/zcm_backups/zone_backup.bak", "admin_user": "Administrator"}}
	code := p.Drive(context.Background(), s)
	got := out.String()
	if code != runner.ExitCompleted {
		t.Fatalf("exit %d\n%s", code, got)
	}
	for _, want := range []string{"GUIDE for zen-old", "Run there: zman zenserver-backup /root/zcm_backups/zone_backup.bak",
		"? Check on zen-old: /root/zcm_backups/zone_backup.bak was written after the step started. Is it so? [y/n]",
		"the operator found this not so"} {
		if !strings.Contains(got, want) {
			t.Errorf("the output lacks %q:\n%s", want, got)
		}
	}
}
