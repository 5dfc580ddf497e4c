package lab

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const year = 365 * 24 * time.Hour

// runOn runs a tool as the lab's host called host ("" is the lab server).
func runOn(t *testing.T, l *Lab, host, stdin, tool string, args ...string) (int, string, string) {
	t.Helper()
	t.Setenv(HostEnv, host)
	defer os.Setenv(HostEnv, "")
	return run(t, l, stdin, tool, args...)
}

func mustRunOn(t *testing.T, l *Lab, host, stdin, tool string, args ...string) string {
	t.Helper()
	code, out, errs := runOn(t, l, host, stdin, tool, args...)
	if code != 0 {
		t.Fatalf("on %s: %s %v: exit %d\nstdout: %s\nstderr: %s", host, tool, args, code, out, errs)
	}
	return out
}

func certs(t *testing.T, l *Lab) Certificates {
	t.Helper()
	z, err := l.Zone()
	if err != nil {
		t.Fatal(err)
	}
	return z.Certs()
}

func newCA(t *testing.T, name string) *ExternalCA {
	t.Helper()
	ca, err := NewExternalCA(name, 5*year)
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

// issue writes a server certificate for host into the lab server's
// /root/zcm_certs and returns its path.
func issue(t *testing.T, l *Lab, ca *ExternalCA, host string) string {
	t.Helper()
	p := l.Rebase("/root/zcm_certs/" + host + ".der")
	if err := ca.IssueServer(host+"."+LabDomain, year, p, ""); err != nil {
		t.Fatal(err)
	}
	return p
}

func login() string { return answers(testAdmin, testPassword) }

// Reference 4.1, tool by tool: the added certificates wait for -c SSL, a
// device that refreshed in between learns the new CA, the servers present
// the new certificates once restarted, and a device that missed the
// refresh cannot contact the zone until zac retr.
func TestInternalToExternalCertificates(t *testing.T) {
	l := newTestLab(t)
	if c := certs(t, l); c.Kind != CertInternal || !c.Trusts("dev-9", c.CA) {
		t.Fatalf("a new lab: %+v", c)
	}
	mustRunOn(t, l, "dev-9", "", ToolZac, "ref")
	ca := newCA(t, "Example Corp Issuing CA")
	p1, p2 := issue(t, l, ca, DefaultHostname), issue(t, l, ca, labPeer)

	out := mustRun(t, l, login(), ToolZman, "sacert", DefaultHostname, p1)
	if !strings.Contains(out, "Example Corp Issuing CA") {
		t.Errorf("sacert said %q", out)
	}
	// The CA changes: every Primary Server needs its certificate first.
	if code, _, errs := run(t, l, "", ToolConfigure, "-c", "SSL", "-Z"); code != 1 || !strings.Contains(errs, labPeer) || !strings.Contains(errs, "zman sacert") {
		t.Errorf("SSL with one server missing: %d %q", code, errs)
	}
	if c := certs(t, l); c.Kind != CertInternal {
		t.Fatal("the zone changed although -c SSL failed")
	}
	mustRun(t, l, login(), ToolZman, "server-add-certificate", "/Devices/Servers/"+labPeer, p2)

	// Step 4: the devices get the added certificates as configuration data.
	mustRunOn(t, l, "sat-1", "", ToolZac, "ref")
	if !certs(t, l).Trusts("sat-1", ca.CA()) {
		t.Error("a refresh did not bring the new CA to sat-1")
	}
	mustRun(t, l, "", ToolConfigure, "-c", "SSL", "-Z")
	c := certs(t, l)
	if c.Kind != CertExternal || !c.CA.Same(ca.CA()) {
		t.Fatalf("after -c SSL: %s, CA %s", c.Kind, c.CA)
	}
	for _, s := range []string{DefaultHostname, labPeer} {
		if sc, _ := c.Server(s); !sc.Issuer.Same(ca.CA()) {
			t.Errorf("%s in force: %+v", s, sc)
		}
		if sc, _ := c.Presenting(s); sc.Issuer.Same(ca.CA()) {
			t.Errorf("%s presents the new certificate before a restart", s)
		}
	}
	mustRun(t, l, answers("3"), ToolConfigure, "-c", "Start")
	mustRunOn(t, l, labPeer, answers("3"), ToolConfigure, "-c", "Start")
	c = certs(t, l)
	for _, s := range []string{DefaultHostname, labPeer} {
		if sc, _ := c.Presenting(s); !sc.Issuer.Same(ca.CA()) {
			t.Errorf("%s presents %+v after its restart", s, sc)
		}
	}
	mustRunOn(t, l, "sat-1", "", ToolZac, "ref")
	code, _, errs := runOn(t, l, "dev-9", "", ToolZac, "ref")
	if code != 1 || !strings.Contains(errs, "does not trust") || !strings.Contains(errs, "zac retr") {
		t.Errorf("a device that missed the refresh: %d %q", code, errs)
	}
	mustRunOn(t, l, "dev-9", login(), ToolZac, "retr")
	mustRunOn(t, l, "dev-9", "", ToolZac, "ref")

	// The lab server merges the zone's CA into its trust store.
	if certs(t, l).Trusts(DefaultHostname, ca.CA()) {
		t.Fatal("the lab server trusts the new CA before MergeTruststore")
	}
	mustRun(t, l, "", ToolConfigure, "-Z", "-c", "MergeTruststore")
	if !certs(t, l).Trusts(DefaultHostname, ca.CA()) {
		t.Error("MergeTruststore did not add the zone's CA")
	}

	// External to internal is not supported.
	code, out, errs = run(t, l, answers("1"), ToolConfigure, "-c", "SSL", "-Z")
	if code != 1 || !strings.Contains(errs, "not support") || strings.Contains(out, PromptSSLOption) {
		t.Errorf("remint on an external zone: %d %q %q", code, out, errs)
	}
	if certs(t, l).Kind != CertExternal {
		t.Error("the zone became internal")
	}
}

func TestSacertRefusesWhatIsNotTheServersCertificate(t *testing.T) {
	l := newTestLab(t)
	ca := newCA(t, "Example Corp Issuing CA")
	dir := l.Rebase("/root/zcm_certs")
	good := issue(t, l, ca, DefaultHostname)
	other := issue(t, l, ca, labPeer)
	expired := filepath.Join(dir, "expired.der")
	if err := ca.IssueServer(DefaultHostname+"."+LabDomain, -time.Hour, expired, ""); err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(dir, "root.der")
	if err := ca.WriteCertificate(root); err != nil {
		t.Fatal(err)
	}
	junk := filepath.Join(dir, "junk.der")
	writeFile(t, junk, "not a certificate")
	for _, c := range []struct {
		server, file, want string
	}{
		{DefaultHostname, other, "not to " + DefaultHostname},
		{DefaultHostname, expired, "expired"},
		{DefaultHostname, root, "certificate authority's certificate"},
		{DefaultHostname, junk, "not an X.509 certificate"},
		{DefaultHostname, filepath.Join(dir, "none.der"), "does not exist"},
		{"zen-primary-7", good, "no Primary Server"},
	} {
		code, _, errs := run(t, l, login(), ToolZman, "sacert", c.server, c.file)
		if code != 1 || !strings.Contains(errs, c.want) {
			t.Errorf("sacert %s %s: %d %q, want %q", c.server, filepath.Base(c.file), code, errs, c.want)
		}
	}
	if code, _, errs := run(t, l, answers(testAdmin, "wrong"), ToolZman, "sacert", DefaultHostname, good); code != 1 || !strings.Contains(errs, "Authentication failed") {
		t.Errorf("wrong password: %d %q", code, errs)
	}
	if code, _, _ := run(t, l, login(), ToolZman, "sacert", good); code != 2 {
		t.Errorf("one argument: exit %d", code)
	}
	if c := certs(t, l); len(c.Pending) != 0 {
		t.Errorf("refused certificates were added: %+v", c.Pending)
	}
	// Certificates from two CAs are not one zone's.
	mustRun(t, l, login(), ToolZman, "sacert", DefaultHostname, good)
	other2 := newCA(t, "Another CA")
	p := issue(t, l, other2, labPeer)
	mustRun(t, l, login(), ToolZman, "sacert", labPeer, p)
	if code, _, errs := run(t, l, "", ToolConfigure, "-c", "SSL", "-Z"); code != 1 || !strings.Contains(errs, "two certificate authorities") {
		t.Errorf("SSL with two CAs: %d %q", code, errs)
	}
}

// Reference 4.2: option 1 remints this server's certificate from the same
// CA, which every device still trusts; option 2 remints the CA, and the
// devices need zac retr once the servers restart.
func TestRemintingInternalCertificates(t *testing.T) {
	l := newTestLab(t)
	before := certs(t, l)
	mustRun(t, l, answers(SSLRemintServer), ToolConfigure, "-c", "SSL", "-Z")
	c := certs(t, l)
	mine, _ := c.Server(DefaultHostname)
	old, _ := before.Server(DefaultHostname)
	peerNow, _ := c.Server(labPeer)
	peerOld, _ := before.Server(labPeer)
	if mine.Serial == old.Serial || !mine.Issuer.Same(before.CA) || peerNow.Serial != peerOld.Serial || c.Generation != 1 {
		t.Errorf("option 1: this server %+v (was %+v), peer %s (was %s), generation %d", mine, old, peerNow.Serial, peerOld.Serial, c.Generation)
	}
	mustRun(t, l, answers("3"), ToolConfigure, "-c", "Start")
	mustRunOn(t, l, "dev-7", "", ToolZac, "ref")

	mustRun(t, l, answers(SSLRemintCAServer), ToolConfigure, "-c", "SSL", "-Z")
	c = certs(t, l)
	if c.Generation != 2 || c.CA.Same(before.CA) {
		t.Fatalf("option 2: generation %d, CA %+v", c.Generation, c.CA)
	}
	for _, s := range []string{DefaultHostname, labPeer} {
		if sc, _ := c.Server(s); !sc.Issuer.Same(c.CA) {
			t.Errorf("%s: %+v", s, sc)
		}
	}
	mustRun(t, l, answers("3"), ToolConfigure, "-c", "Start")
	mustRunOn(t, l, labPeer, answers("restart"), ToolConfigure, "-c", "Start")
	if code, _, errs := runOn(t, l, "dev-7", "", ToolZac, "ref"); code != 1 || !strings.Contains(errs, "does not trust") {
		t.Errorf("refresh after the CA changed: %d %q", code, errs)
	}
	mustRunOn(t, l, "dev-7", "", ToolZac, "retr", "-u", testAdmin, "-p", testPassword)
	mustRunOn(t, l, "dev-7", "", ToolZac, "ref")
	// An Authentication Satellite remints from the new CA (rsc on Linux,
	// asr on Windows).
	mustRunOn(t, l, "sat-1", "", ToolZac, "rsc")
	mustRunOn(t, l, "sat-2", "", ToolZac, "asr", "-t", "all")
	c = certs(t, l)
	for _, s := range []string{"sat-1", "sat-2"} {
		if sc, ok := c.Satellite(s); !ok || !sc.Issuer.Same(c.CA) {
			t.Errorf("%s: %+v", s, sc)
		}
	}
}

// Chapter 5: once the certificates have expired, devices cannot contact
// the zone; a server-only remint cannot help while the CA has expired too.
func TestExpiredCertificatesCutTheDevicesOff(t *testing.T) {
	l := newTestLab(t)
	if err := l.ExpireCertificates(true); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := runOn(t, l, "dev-7", "", ToolZac, "ref"); code != 1 || !strings.Contains(errs, "expired") {
		t.Errorf("refresh with expired certificates: %d %q", code, errs)
	}
	if code, _, errs := run(t, l, answers(SSLRemintServer), ToolConfigure, "-c", "SSL"); code != 1 || !strings.Contains(errs, "option 2") {
		t.Errorf("option 1 with an expired CA: %d %q", code, errs)
	}
	if code, _, errs := runOn(t, l, "sat-1", "", ToolZac, "rsc"); code != 1 || !strings.Contains(errs, "expired") {
		t.Errorf("rsc with an expired CA: %d %q", code, errs)
	}
	mustRun(t, l, answers(SSLRemintCAServer), ToolConfigure, "-c", "SSL")
	mustRun(t, l, answers("3"), ToolConfigure, "-c", "Start")
	mustRunOn(t, l, labPeer, answers("3"), ToolConfigure, "-c", "Start")
	mustRunOn(t, l, "dev-7", login(), ToolZac, "retr")
	mustRunOn(t, l, "dev-7", "", ToolZac, "ref")
}

// zac cert-info trusts a root certificate; zac iac gives a Satellite a
// certificate that its CA signed and its key matches.
func TestCertInfoAndImportAuthenticationCert(t *testing.T) {
	l := newTestLab(t)
	sat, err := l.Host("sat-1")
	if err != nil {
		t.Fatal(err)
	}
	ca := newCA(t, "Example Corp Issuing CA")
	root := sat.Rebase("/root/ca.der")
	if err := ca.WriteCertificate(root); err != nil {
		t.Fatal(err)
	}
	crt, key := sat.Rebase("/root/signed-server_certificate.der"), sat.Rebase("/root/private-key.der")
	if err := ca.IssueServer("sat-1."+LabDomain, year, crt, key); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := runOn(t, l, "sat-1", login(), ToolZac, "cert-info", crt); code != 1 || !strings.Contains(errs, "root certificate") {
		t.Errorf("cert-info of a server certificate: %d %q", code, errs)
	}
	mustRunOn(t, l, "sat-1", login(), ToolZac, "cert-info", root)
	if !certs(t, l).Trusts("sat-1", ca.CA()) || certs(t, l).Trusts("dev-7", ca.CA()) {
		t.Error("cert-info trusted the wrong device")
	}

	other := newCA(t, "Another CA")
	otherRoot := sat.Rebase("/root/other.der")
	if err := other.WriteCertificate(otherRoot); err != nil {
		t.Fatal(err)
	}
	otherKey := sat.Rebase("/root/other-key.der")
	if err := other.IssueServer("sat-1."+LabDomain, year, sat.Rebase("/root/other-cert.der"), otherKey); err != nil {
		t.Fatal(err)
	}
	iac := func(k, c, a string) (int, string) {
		code, _, errs := runOn(t, l, "sat-1", "", ToolZac, "iac", "-pk", k, "-c", c, "-ca", a,
			"-ks", "keystore.jks", "-ksp", "ks-secret", "-a", "signed-cert-alias", "-ks", "cert-secret", "-rc")
		return code, errs
	}
	if code, errs := iac(key, crt, otherRoot); code != 1 || !strings.Contains(errs, "not signed") {
		t.Errorf("iac with the wrong CA: %d %q", code, errs)
	}
	if code, errs := iac(otherKey, crt, root); code != 1 || !strings.Contains(errs, "does not belong") {
		t.Errorf("iac with the wrong key: %d %q", code, errs)
	}
	if _, ok := certs(t, l).Satellite("sat-1"); ok {
		t.Fatal("a refused iac recorded a certificate")
	}
	if code, errs := iac(key, crt, root); code != 0 {
		t.Fatalf("iac: %d %q", code, errs)
	}
	if sc, ok := certs(t, l).Satellite("sat-1"); !ok || !sc.Issuer.Same(ca.CA()) {
		t.Errorf("sat-1: %+v", sc)
	}
	zone, _ := os.ReadFile(filepath.Join(l.Dir(), zoneFile))
	for _, secret := range []string{"ks-secret", "cert-secret", testPassword} {
		if strings.Contains(string(zone), secret) {
			t.Errorf("the zone file holds %q", secret)
		}
	}
}
