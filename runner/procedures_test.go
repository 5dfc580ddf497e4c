package runner_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"zenrecover/lab"
	"zenrecover/procedures"
	"zenrecover/runner"
	"zenrecover/state"
)

var answers21 = procedures.Values{
	"same_platform": "true", "addon_images": "true", "imaging_bundle": "true", "reporting": "true",
	"extra_rules": "true", "reregister": "true", "move_database": "true", "external_db": "false",
	"multizone_publisher": "true", "internal_ca_here": "true", "embedded_db_here": "true",
	"second_server": "zen-primary-2", "other_primaries": "zen-primary-3", "devices": "sat-1, dev-7",
	"register_url": "https://zen-primary-2.example.com:443", "second_ps_guid": "1F2E3D4C5B6A79881F2E3D4C5B6A7988",
}

// 2.1 with every branch taken runs to its end in a lab, and the simulated
// zone ends as the reference promises: the CA role has left this server.
func TestReplaceFirstPrimaryRunsInALab(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	vals := answers21.Clone()
	before, _ := f.lab.Zone()
	second, _ := before.Server("zen-primary-2")
	vals["second_ps_guid"] = second.GUID // 11d2's inserts run: the lab's server, not an invented one
	s := f.start("2.1", vals)
	var out bytes.Buffer
	need := drive(t, s, map[string]string{"admin_password": adminPW, "ca_passphrase": passphrase,
		"backup_passphrase": passphrase, "archive_passphrase": passphrase}, &out)
	if _, ok := need.(*runner.Done); !ok {
		t.Fatalf("2.1 ended on %T %+v\n%s", need, need, out.String())
	}
	st := s.State()
	for _, key := range []string{"3h", "4g", "6a/export-ca-remove-role", "6b-copy", "6b-import", "8g", "refresh@sat-1", "refresh@dev-7",
		"10a@dev-7", "10b@sat-1", "11c2", "11d2", "reporting-restore", "reporting-uninstall", "uninstall", "multizone", "backup/others@zen-primary-3", "backup/others-content@zen-primary-3",
		"backup/here/certificate-authority/export-ca", "backup/here/zenworks-server/zman-backup"} {
		if ss := st.Steps[key]; ss == nil || (ss.Status != state.StepSucceeded && ss.Status != state.StepConfirmed) {
			t.Errorf("step %s: %+v", key, ss)
		}
	}
	if ss := st.Steps["11a"]; ss != nil {
		t.Error("11a (external database only) ran with the embedded database")
	}
	z, _ := f.lab.Zone()
	if srv, _ := z.Server(f.lab.Hostname()); srv.HasRole(lab.RoleCertAuth) {
		t.Error("the CA role is still on the first Primary Server")
	}
	if !strings.Contains(out.String(), "Removed the certificate authority role") {
		t.Errorf("zman cae -d did not run:\n%s", out.String())
	}
}

func TestCrossPlatformReplacementIsRefusedUpFront(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	vals := answers21.Clone()
	vals["same_platform"] = "false"
	s := f.start("2.1", vals)
	_, err := s.Next(context.Background())
	var refused *runner.RefusedError
	if !errors.As(err, &refused) || !strings.Contains(refused.Reason, "not supported") {
		t.Fatalf("got %v", err)
	}
	if len(s.State().Steps) != 0 {
		t.Error("a step ran before the refusal")
	}
	run, _ := f.store.Run(context.Background(), s.Run().ID)
	if run.Status != state.RunFailed {
		t.Errorf("a refused run is %s; it would stand in the way of the next one", run.Status)
	}
}

// 1.1 archives the content repository (images required); 1.2 restores the
// images from that archive. No passphrase is left on disk.
func TestContentRepoArchiveRoundTripsThroughBackupAndRestore(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	s := f.start("1.1", procedures.Values{"db_on_server": "false", "only_content_server": "true"})
	var out bytes.Buffer
	secrets := map[string]string{"admin_password": adminPW, "backup_passphrase": passphrase, "archive_passphrase": "Archive-Pass-77"}
	if need := drive(t, s, secrets, &out); need == nil {
		t.Fatal()
	} else if _, ok := need.(*runner.Done); !ok {
		t.Fatalf("1.1 ended on %T %+v\n%s", need, need, out.String())
	}
	if !strings.Contains(out.String(), "images") || !strings.Contains(out.String(), "archive complete") {
		t.Errorf("the archive step did not report its images:\n%s", out.String())
	}
	s.Close()
	// A rehearsal seals the set's key with the lab's scrypt work factor
	// (lab.ScryptWorkFactor), not age's default of 18 seconds-long ones.
	ids, _ := filepath.Glob(f.lab.Rebase("/root/zcm_backups/content-repo-*.archive/identity.age"))
	if len(ids) != 1 {
		t.Fatalf("identity.age of the archive set: %v", ids)
	}
	if b, _ := os.ReadFile(ids[0]); !regexp.MustCompile(`(?m)^-> scrypt \S+ ` + strconv.Itoa(lab.ScryptWorkFactor) + `$`).Match(b) {
		t.Errorf("the lab's archive key is not sealed with work factor %d:\n%.200s", lab.ScryptWorkFactor, b)
	}

	images := f.lab.Rebase("/var/opt/novell/zenworks/content-repo/images")
	before, _ := os.ReadDir(images)
	if len(before) == 0 {
		t.Fatal("the lab has no images")
	}
	victim := filepath.Join(images, before[0].Name())
	want, _ := os.ReadFile(victim)
	os.Remove(victim)

	r := f.start("1.2", procedures.Values{"platform": "linux", "db_on_server": "false", "have_image_backups": "true", "images_in_archive": "true"})
	out.Reset()
	if need := drive(t, r, secrets, &out); need == nil {
		t.Fatal()
	} else if _, ok := need.(*runner.Done); !ok {
		t.Fatalf("1.2 ended on %T %+v\n%s", need, need, out.String())
	}
	if got, err := os.ReadFile(victim); err != nil || !bytes.Equal(got, want) {
		t.Errorf("the lost image was not restored from the archive: %v", err)
	}
	r.Close()
	secretsNowhere(t, f.store.Dir(), "Archive-Pass-77", passphrase, adminPW)
}

// An unsupported combination stops the run as soon as its answers are
// known, before the remaining questions are asked.
func TestRefusalComesBeforeTheRemainingQuestions(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	s := f.start("2.1", procedures.Values{"same_platform": "false"})
	_, err := s.Next(context.Background())
	var refused *runner.RefusedError
	if !errors.As(err, &refused) {
		t.Fatalf("with eight questions unanswered, got %v instead of the refusal", err)
	}
}
