//go:build !windows

package runner_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"zenrecover/lab"
	"zenrecover/procedures"
	"zenrecover/runner"
	"zenrecover/state"
)

func answers15(src, dst string) procedures.Values {
	return procedures.Values{"source_platform": src, "destination_platform": dst,
		"source_server": lab.DefaultHostname, "destination_server": "zen-primary-2",
		"move_source_ca_files": "false"}
}

var secrets15 = map[string]string{"admin_password": adminPW,
	"source_backup_passphrase": passphrase, "destination_backup_passphrase": passphrase + "-2"}

// Linux to Linux in a lab: every step runs on the server it belongs to, and
// the zone ends as 1.5 promises: the CA role has moved to the destination,
// whose security folder has the CA's files, owned by zenworks:zmanusers.
func TestMigrateCARoleLinuxToLinux(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	s := f.start("1.5", answers15("linux", "linux"))
	var out bytes.Buffer
	need := drive(t, s, secrets15, &out)
	if _, ok := need.(*runner.Done); !ok {
		t.Fatalf("1.5 ended on %T %+v\n%s", need, need, out.String())
	}
	z, _ := f.lab.Zone()
	if got := z.CertificateAuthority(); len(got) != 1 || got[0] != "zen-primary-2" {
		t.Errorf("CA role on %v, want only zen-primary-2", got)
	}
	dst, _ := f.lab.Host("zen-primary-2")
	ks := dst.Rebase(lab.ServerKeystore)
	fi, err := os.Stat(ks)
	if err != nil {
		t.Fatal(err)
	}
	if st := fi.Sys().(*syscall.Stat_t); int(st.Uid) != os.Getuid() {
		t.Errorf("keystore owned by %d", st.Uid)
	}
	srcKS, _ := os.ReadFile(f.lab.Rebase(lab.ServerKeystore))
	dstKS, _ := os.ReadFile(ks)
	if !bytes.Equal(srcKS, dstKS) {
		t.Error("the destination's keystore is not the source's")
	}
	// Step 5 checked <Keystore> first: the source's file already names the
	// same default path, so nothing was rewritten and no backup was kept.
	if !strings.Contains(out.String(), "already") {
		t.Errorf("step 5 did not say that <Keystore> was already right:\n%s", out.String())
	}
	if baks, _ := filepath.Glob(dst.Rebase("/etc/opt/novell/zenworks/security/CaConfig.xml.*.bak")); len(baks) > 0 {
		t.Errorf("step 5 rewrote a right <Keystore>: %v", baks)
	}
	// Step 10 ran the query again and saw the destination.
	if !strings.Contains(out.String(), "zen-primary-2\tCertAuth") {
		t.Errorf("the step 10 query did not show the destination:\n%s", out.String())
	}
	servers := map[string]bool{}
	for _, r := range z.ConfigureRuns {
		if r.Action == "Start" && r.Option == "Restart" {
			servers[r.Server] = true
		}
	}
	if !servers[lab.DefaultHostname] || !servers["zen-primary-2"] {
		t.Errorf("services restarted on %v, want both servers", servers)
	}
	for _, p := range []string{"/root/zcm_backups/zone_backup-" + runDate(s) + ".bak"} { // the default, dated
		if _, err := os.Stat(f.lab.Rebase(p)); err != nil {
			t.Errorf("source backup: %v", err)
		}
		if _, err := os.Stat(dst.Rebase(p)); err != nil {
			t.Errorf("destination backup: %v", err)
		}
	}
	secretsNowhere(t, f.dir, adminPW, passphrase)
}

// If the CA-role query does not show the server the step expects, the step
// fails and says so: here the "source" named does not hold the role.
func TestMigrateCARoleStopsWhenTheQueryShowsAnotherServer(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	vals := answers15("linux", "linux")
	vals["source_server"], vals["destination_server"] = "zen-primary-2", lab.DefaultHostname
	s := f.start("1.5", vals)
	var out bytes.Buffer
	need := drive(t, s, secrets15, &out)
	nf, ok := need.(*runner.NeedFailed)
	if !ok || nf.Step.ID != "find-ca" || !strings.Contains(nf.Error, "does not show zen-primary-2") {
		t.Fatalf("got %T %+v", need, need)
	}
}

// Issue 12: step 1 expects the source server "and only it": a second
// server with the CA role stops the run there, though the source is listed.
func TestMigrateCARoleStopsWhenTwoServersHoldTheCARole(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	zone := filepath.Join(f.lab.Dir(), ".zone.json")
	b, err := os.ReadFile(zone)
	if err != nil {
		t.Fatal(err)
	}
	var z map[string]any
	if err := json.Unmarshal(b, &z); err != nil {
		t.Fatal(err)
	}
	for _, srv := range z["servers"].([]any) {
		if m := srv.(map[string]any); m["name"] == "zen-primary-2" {
			m["roles"] = append(m["roles"].([]any), lab.RoleCertAuth)
		}
	}
	b, _ = json.Marshal(z)
	if err := os.WriteFile(zone, b, 0o600); err != nil {
		t.Fatal(err)
	}
	s := f.start("1.5", answers15("linux", "linux"))
	var out bytes.Buffer
	need := drive(t, s, secrets15, &out)
	nf, ok := need.(*runner.NeedFailed)
	if !ok || nf.Step.ID != "find-ca" || !strings.Contains(nf.Error, "shows CertAuth for another than "+lab.DefaultHostname) {
		t.Fatalf("got %T %+v\n%s", need, need, out.String())
	}
}

// Across platforms: a Windows lab server with a Linux second Primary
// Server, or the other way round (peerOn). The platforms are the lab's,
// never asked. Bringing the CA's files from one platform to the other is
// done by hand (the test does it as the operator would, before confirming);
// zenrecover then checks they are there, points <Keystore> at the
// destination's own path and moves the role.
func TestMigrateCARoleAcrossPlatforms(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		src, dst string
		byHand   []string
		edited   string // the destination's <Keystore> step, which runs
	}{
		{"windows", "linux", []string{"copy-windows", "place-by-hand-linux"}, "keystore-path-linux"},
		{"linux", "windows", []string{"copy-linux-to-windows", "place-windows"}, "keystore-path-windows"},
	} {
		t.Run(tc.src+"-to-"+tc.dst, func(t *testing.T) {
			f := newFixtureWith(t, lab.Options{Platform: tc.src})
			dst := peerOn(t, f.lab, tc.dst)
			s := f.start("1.5", procedures.Values{"source_server": lab.DefaultHostname,
				"destination_server": "zen-primary-2", "move_source_ca_files": "false"})
			var out bytes.Buffer
			need := driveDoing(t, s, secrets15, &out, func(n *runner.NeedStep) {
				if n.Key != "place-by-hand-linux" && n.Key != "place-windows" {
					return
				}
				sy, dy := f.lab.Layout(), dst.Layout()
				for from, to := range map[string]string{sy.Keystore: dy.Keystore, sy.CaConfig: dy.CaConfig} {
					data, err := os.ReadFile(f.lab.Rebase(from))
					if err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(dst.Rebase(to), data, 0o600); err != nil {
						t.Fatal(err)
					}
				}
			})
			if _, ok := need.(*runner.Done); !ok {
				t.Fatalf("ended on %T %+v\n%s", need, need, out.String())
			}
			vals := s.Values()
			if vals["source_platform"] != tc.src || vals["destination_platform"] != tc.dst {
				t.Errorf("platforms %s to %s, want %s to %s", vals["source_platform"], vals["destination_platform"], tc.src, tc.dst)
			}
			confirmed := map[string]bool{}
			for _, ss := range s.State().Steps {
				if ss.Status == state.StepConfirmed {
					confirmed[ss.Step] = true
				}
			}
			for _, id := range tc.byHand {
				if !confirmed[id] {
					t.Errorf("%s was not done by hand: %v", id, confirmed)
				}
			}
			stepDone(t, s, tc.edited, "backup-destination", "enable-ca-destination")
			if _, ok := s.State().Steps["chown-ca-files"]; ok != (tc.dst == "linux") {
				t.Errorf("chown ran=%v for a %s destination", ok, tc.dst)
			}
			// <Keystore> now names the destination's own keystore.
			b, _ := os.ReadFile(dst.Rebase(dst.Layout().CaConfig))
			if !strings.Contains(string(b), "<Keystore>"+dst.Layout().Keystore+"</Keystore>") {
				t.Errorf("the destination's CaConfig.xml:\n%s", b)
			}
			// Each server's backup is at its own platform's default.
			if _, err := os.Stat(dst.Rebase(dst.Layout().Join(dst.Layout().BackupDir, "zone_backup-"+runDate(s)+".bak"))); err != nil {
				t.Errorf("destination backup: %v", err)
			}
			z, _ := f.lab.Zone()
			if got := z.CertificateAuthority(); len(got) != 1 || got[0] != "zen-primary-2" {
				t.Errorf("CA role on %v", got)
			}
		})
	}
}
