package procedures_test

import (
	"strings"
	"testing"
	"time"

	"zenrecover/procedures"
)

// The run's own values are known names; a typo in one is a load error
// with the file, line and column, like any other unknown name.
func TestRunValuesInTemplates(t *testing.T) {
	ok := strings.Replace(minimal, "default: /root/x.bak", "default: /root/x-${run.date}.bak", 1)
	ok = strings.Replace(ok, "    manual: Do it.", "    manual: Keep ${file} (run ${run.id}).", 1)
	d, err := procedures.Parse("demo.yaml", []byte(ok))
	if err != nil {
		t.Fatalf("a default and a text using the run's values were refused: %v", err)
	}
	vals := procedures.RunValues("20261202-141503-ab12", time.Date(2026, 12, 2, 14, 15, 3, 0, time.Local))
	if got := d.InputByID("file").DefaultWith(vals); got != "/root/x-2026-12-02.bak" {
		t.Errorf("default offered as %q, want /root/x-2026-12-02.bak", got)
	}
	if got := d.InputByID("file").DefaultWith(nil); got != "/root/x-<run.date>.bak" {
		t.Errorf("default without a run (a checklist) reads %q, want a placeholder", got)
	}

	cases := []struct{ name, replace, with, want string }{
		{"typo in a default", "default: /root/x.bak", "default: /root/x-${run.dat}.bak", `demo.yaml:16:14: ${run.dat} is not a value of the run`},
		{"typo in a text", "    manual: Do it.", "    manual: Keep ${run.dat}.", `demo.yaml:22:13: ${run.dat} is not a value of the run`},
		{"answer in a default", "default: /root/x.bak", "default: /root/${db_local}.bak", `demo.yaml:16:14: a default may use only ${run.date} or ${run.id}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := strings.Replace(minimal, c.replace, c.with, 1)
			_, err := procedures.Parse("demo.yaml", []byte(src))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error\n%v\ndoes not contain\n%s", err, c.want)
			}
		})
	}
}

// creates: names one path input that the step's own command or archive
// writes; anything else is a load error at the field.
func TestCreatesIsCheckedAtLoad(t *testing.T) {
	good := strings.Replace(minimal, "    manual: Do it.", "    creates: ${file}\n    run: [zman, zsb, \"${file}\"]", 1)
	d, err := procedures.Parse("demo.yaml", []byte(good))
	if err != nil {
		t.Fatalf("a step creating its file was refused: %v", err)
	}
	if got := d.Step("one").CreatesInput(); got != "file" {
		t.Errorf("CreatesInput = %q, want file", got)
	}
	cases := []struct{ name, with, want string }{
		{"not an input", "    creates: ${fil}\n    run: [zman, zsb, \"${file}\"]", `demo.yaml:22:14: creates: names "fil", which is not an input`},
		{"a secret", "    creates: ${pw}\n    run: [zman, zsb, \"${file}\"]", `creates: names "pw", a secret input`},
		{"not a single input", "    creates: /root/${file}\n    run: [zman, zsb, \"${file}\"]", `creates: names one path input`},
		{"not written by the step", "    creates: ${file}\n    run: [zman, zsb, /root/other.bak]", `creates: ${file} must be what the step writes`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := strings.Replace(minimal, "    manual: Do it.", c.with, 1)
			_, err := procedures.Parse("demo.yaml", []byte(src))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error\n%v\ndoes not contain\n%s", err, c.want)
			}
		})
	}
}

// Every step that writes a backup file or archive by default declares it,
// and every such default carries the run's date: a second backup never
// meets the first (issue 10).
func TestBackupDefaultsCarryTheDate(t *testing.T) {
	lib := library(t)
	for _, id := range []string{"1.1", "1.3", "1.5", "2.1", "2.2"} {
		d := lib.Get(id)
		n := 0
		d.Walk(func(s *procedures.Step) {
			in := s.CreatesInput()
			if in == "" {
				return
			}
			n++
			for _, pl := range []string{"linux", "windows"} {
				def := d.InputByID(in).DefaultFor(pl)
				if !strings.Contains(def, "${run.date}") {
					t.Errorf("%s step %s creates %s, whose default on %s %q lacks ${run.date}", id, s.ID, in, pl, def)
				}
			}
		})
		if n == 0 {
			t.Errorf("%s: no step declares what it creates", id)
		}
	}
	// The reference's names stay recognisable, on each platform.
	for _, c := range []struct{ sec, id, linux, windows string }{
		{"1.1", "backup_file", "/root/zcm_backups/zone_backup-${run.date}.bak", `c:\zcm_backups\zone_backup-${run.date}.bak`},
		{"1.1", "content_archive", "/root/zcm_backups/content-repo-${run.date}.archive", `c:\zcm_backups\content-repo-${run.date}.archive`},
		{"1.3", "ca_backup_file", "/root/zcm_backups/ca-${run.date}.bak", `c:\zcm_backups\ca-${run.date}.bak`},
	} {
		in := lib.Get(c.sec).InputByID(c.id)
		if got := in.DefaultFor("linux"); got != c.linux {
			t.Errorf("%s %s default on Linux %q, want %q", c.sec, c.id, got, c.linux)
		}
		if got := in.DefaultFor("windows"); got != c.windows {
			t.Errorf("%s %s default on Windows %q, want %q", c.sec, c.id, got, c.windows)
		}
	}
}
