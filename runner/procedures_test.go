package runner_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"zenrecover/actions/lab"
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
	f := newFixture(t)
	s := f.start("2.1", answers21)
	var out bytes.Buffer
	need := drive(t, s, map[string]string{"admin_password": adminPW, "ca_passphrase": passphrase, "backup_passphrase": passphrase}, &out)
	if _, ok := need.(*runner.Done); !ok {
		t.Fatalf("2.1 ended on %T %+v\n%s", need, need, out.String())
	}
	st := s.State()
	for _, key := range []string{"3h", "4g", "6a/export-ca-remove-role", "6b", "8g", "refresh@sat-1", "refresh@dev-7",
		"10a@dev-7", "10b@sat-1", "11c2", "11d2", "reporting-restore", "reporting-uninstall", "uninstall", "multizone", "backup-others@zen-primary-3",
		"backup-here/certificate-authority/export-ca", "backup-here/zenworks-server/zman-backup"} {
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
