//go:build !windows

package e2e

import (
	"os"
	"strings"
	"testing"

	"zenrecover/lab"
	"zenrecover/runner"
)

// Rehearsing 4.1 end to end as an administrator would from a shell: an
// external CA made in one process issues the servers' certificates in
// others, the root certificate goes on every device, a failure injected in
// zman sacert stops the run, and a retry takes it to completion. The zone
// ends external, and a device can still contact it.
func TestRehearse41WithLabCertificates(t *testing.T) {
	e := newE2E(t)
	sh := func(wantCode int, args ...string) string {
		t.Helper()
		out, err := e.cmd("", append([]string{"lab"}, args...)...).CombinedOutput()
		if code := exitCode(err); code != wantCode {
			t.Fatalf("lab %s: exit %d, want %d\n%s", strings.Join(args, " "), code, wantCode, out)
		}
		return string(out)
	}
	out := sh(0, "external-ca", e.lab, "corp", "--common-name", "Example Corp Issuing CA")
	if !strings.Contains(out, e.lab+"/.external-cas/corp/ca.der") {
		t.Errorf("external-ca does not say where the root certificate is:\n%s", out)
	}
	const root = "/root/zcm_certs/root-ca.der"
	for _, h := range []string{lab.DefaultHostname, "zen-primary-2"} {
		out := sh(0, "issue-cert", e.lab, "--ca", "corp", "--host", h, "--root", root)
		if !strings.Contains(out, "/root/zcm_certs/"+h+".der") || !strings.Contains(out, h+"."+lab.LabDomain) {
			t.Errorf("issue-cert for %s:\n%s", h, out)
		}
	}
	for _, d := range []string{"sat-1", "dev-7"} {
		sh(0, "issue-cert", e.lab, "--ca", "corp", "--host", d, "--new-host", "--root-only", "--root", root)
	}

	// Mistakes say what was wrong and where.
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"issue-cert", e.lab, "--ca", "crop", "--host", lab.DefaultHostname}, []string{`"crop"`, "it has corp", e.lab, "lab external-ca"}},
		{[]string{"issue-cert", e.lab, "--ca", "corp", "--host", "zen-primary-3"}, []string{"--host", `"zen-primary-3"`, "zen-primary-1, zen-primary-2", "--new-host"}},
		{[]string{"fail", e.lab, "zmann"}, []string{`"zmann"`, "zman, novell-zenserver, net, novell-zenworks-configure, permission.sh, zac, zenrecover-sql"}},
		{[]string{"fail", e.lab, "zman", "sacrt"}, []string{`"sacrt"`}},
		{[]string{"external-ca", e.lab, "corp"}, []string{"already has an external CA called corp"}},
	} {
		out := sh(runner.ExitUsage, c.args...)
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("lab %s says\n%s\nwithout %q", strings.Join(c.args, " "), out, w)
			}
		}
	}

	const injected = "Error: could not reach the ZENworks database (rehearsal)."
	sh(0, "fail", e.lab, "zman", "sacert", "--message", injected)

	os.WriteFile(e.answers, []byte(`only_primary: no
import_root: yes
devices_unreachable: no
has_satellites: no
intel_amt: no
multizone_publisher: no
internal_ca_here: yes
embedded_db_here: yes
root_by_bundle: no
this_server: zen-primary-1
other_primaries: zen-primary-2
devices: sat-1, dev-7
ca_cert: `+root+"\n"), 0o600)
	secrets := []string{"ZENRECOVER_SECRET_ADMIN_PASSWORD=" + labAdminPassword}
	for _, s := range []string{"CA", "BACKUP", "ARCHIVE"} {
		secrets = append(secrets, "ZENRECOVER_SECRET_"+s+"_PASSPHRASE="+knownPassphrase)
	}
	run := e.cmd("", "run", "4.1", "--lab", e.lab, "--plain", "--answers", e.answers, "--yes")
	run.Env = append(run.Env, secrets...)
	rout, err := run.CombinedOutput()
	if code := exitCode(err); code == 0 || !strings.Contains(string(rout), injected) {
		t.Fatalf("4.1 with zman sacert failing: exit %d\n%s", code, rout)
	}
	res := e.cmd("retry\n", "resume", "--plain", "--yes")
	res.Env = append(res.Env, secrets...)
	rout, err = res.CombinedOutput()
	if code := exitCode(err); code != 0 || !strings.Contains(string(rout), "Completed") {
		t.Fatalf("resume after the failure: exit %d\n%s", code, rout)
	}
	if strings.Contains(string(rout), injected) {
		t.Errorf("the injected failure fired twice:\n%s", rout)
	}

	l, err := lab.Open(e.lab)
	if err != nil {
		t.Fatal(err)
	}
	z, err := l.Zone()
	if err != nil {
		t.Fatal(err)
	}
	c := z.Certs()
	if c.Kind != lab.CertExternal || !strings.Contains(c.CA.Subject, "Example Corp Issuing CA") {
		t.Fatalf("after 4.1 the zone is %s, from %s", c.Kind, c.CA)
	}
	for _, s := range []string{lab.DefaultHostname, "zen-primary-2"} {
		if sc, _ := c.Presenting(s); !sc.Issuer.Same(c.CA) {
			t.Errorf("%s presents %+v", s, sc)
		}
	}
	for _, d := range []string{"sat-1", "dev-7"} {
		if !c.Trusts(d, c.CA) {
			t.Errorf("%s does not trust %s", d, c.CA)
		}
	}

	// Section 5's starting point: the certificates expire, and a device
	// can no longer refresh.
	out = sh(0, "expire-certs", e.lab)
	if !strings.Contains(out, "expired on") || !strings.Contains(out, "zenrecover run 5 --lab "+e.lab) {
		t.Errorf("expire-certs:\n%s", out)
	}
	zac := e.cmd("", "lab", "exec", "--lab", e.lab, "zac", "ref")
	zac.Env = append(zac.Env, lab.HostEnv+"=dev-7")
	zout, err := zac.CombinedOutput()
	if exitCode(err) != 1 || !strings.Contains(string(zout), "certificate expired on") {
		t.Errorf("zac ref on dev-7 after expire-certs: %v\n%s", err, zout)
	}
}
