package lab

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The external CA outlives the call that made it: a second Open of the
// lab (as a second zenrecover process would) issues from the same key, and
// the certificate it puts where 4.1 looks passes zman sacert.
func TestExternalCAPersistsAndIssuesWhatSacertTakes(t *testing.T) {
	l := newTestLab(t)
	created, err := l.CreateExternalCA("corp", "Example Corp Issuing CA", DefaultCALifetime)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(l.Dir(), externalCAsDir, "corp")
	for p, want := range map[string]os.FileMode{dir: 0o700 | os.ModeDir, filepath.Join(dir, caKeyFile): 0o600} {
		if fi, err := os.Stat(p); err != nil || fi.Mode() != want {
			t.Errorf("%s: %v %v, want %v", p, fi.Mode(), err, want)
		}
	}
	if _, err := readCertificate(l.ExternalCARoot("corp")); err != nil {
		t.Errorf("root certificate: %v", err)
	}
	if _, err := l.CreateExternalCA("corp", "", DefaultCALifetime); err == nil || !strings.Contains(err.Error(), "already has an external CA called corp") {
		t.Errorf("a second corp: %v", err)
	}

	again, err := Open(l.Dir())
	if err != nil {
		t.Fatal(err)
	}
	res, err := again.IssueCert(IssueRequest{CA: "corp", Host: DefaultHostname})
	if err != nil {
		t.Fatal(err)
	}
	if res.Cert != "/root/zcm_certs/"+DefaultHostname+".der" || res.LabCert != l.Rebase(res.Cert) || res.Key != "" || res.Root != "" {
		t.Errorf("issued %+v", res)
	}
	if !res.Issuer.Same(created.CA()) {
		t.Errorf("issued by %s, want the CA created earlier %s", res.Issuer, created.CA())
	}
	cert, _ := readCertificate(res.LabCert)
	if err := cert.CheckSignatureFrom(created.Cert); err != nil {
		t.Errorf("not signed by the first CA's key: %v", err)
	}
	out := mustRun(t, l, login(), ToolZman, "sacert", DefaultHostname, res.LabCert)
	if !strings.Contains(out, "Example Corp Issuing CA") {
		t.Errorf("sacert said %q", out)
	}

	// The second Primary Server's copy lands in its own tree, under the
	// FQDN sacert checks there too.
	res, err = again.IssueCert(IssueRequest{CA: "corp", Host: labPeer + "." + LabDomain, Root: "/root/zcm_certs/root-ca.der"})
	if err != nil {
		t.Fatal(err)
	}
	peer, _ := l.Host(labPeer)
	if res.LabCert != peer.Rebase("/root/zcm_certs/"+labPeer+".der") || res.LabRoot != peer.Rebase("/root/zcm_certs/root-ca.der") {
		t.Errorf("peer files: %+v", res)
	}
	mustRunOn(t, l, labPeer, login(), ToolZman, "sacert", labPeer, res.LabCert)
	mustRunOn(t, l, labPeer, answers(testPassword), ToolZac, "cert-info", res.LabRoot, "-u", testAdmin)
	if !certs(t, l).Trusts(labPeer, created.CA()) {
		t.Error("the root certificate written with Root is not the CA's")
	}
}

// A Satellite gets its key, certificate and the CA's root where zac iac
// is told to find them, and iac takes them.
func TestIssuedKeyAndRootSatisfyZacIac(t *testing.T) {
	l := newTestLab(t)
	if _, err := l.CreateExternalCA("corp", "", DefaultCALifetime); err != nil {
		t.Fatal(err)
	}
	r := IssueRequest{CA: "corp", Host: "sat-1", Cert: "/root/signed-server_certificate.der", Key: "/root/private-key.der",
		Root: "/root/signing-authority-public-certificate.der"}
	if _, err := l.IssueCert(r); !errors.Is(err, ErrUnknownHost) {
		t.Fatalf("sat-1 before it is in the lab: %v", err)
	}
	r.NewHost = true
	res, err := l.IssueCert(r)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(res.LabKey); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("private key: %v %v", fi.Mode(), err)
	}
	mustRunOn(t, l, "sat-1", "", ToolZac, "iac", "-pk", res.LabKey, "-c", res.LabCert, "-ca", res.LabRoot, "-u", testAdmin, "-p", testPassword, "-rc")
	if sc, ok := certs(t, l).Satellite("sat-1"); !ok || sc.Subject != "CN=sat-1."+LabDomain {
		t.Errorf("sat-1's certificate: %+v", sc)
	}
	// Now it is a host of the lab.
	if _, err := l.IssueCert(IssueRequest{CA: "corp", Host: "SAT-1", RootOnly: true, Root: "/root/root.der"}); err != nil {
		t.Errorf("sat-1 once in the lab: %v", err)
	}
}

// Mistakes name what was wrong and where.
func TestIssueCertRefusals(t *testing.T) {
	l := newTestLab(t)
	_, err := l.IssueCert(IssueRequest{CA: "corp", Host: DefaultHostname})
	if !errors.Is(err, ErrNoExternalCA) || !strings.Contains(err.Error(), `"corp"`) || !strings.Contains(err.Error(), "has none yet") || !strings.Contains(err.Error(), l.Dir()) {
		t.Errorf("no CA at all: %v", err)
	}
	for _, n := range []string{"corp", "other"} {
		if _, err := l.CreateExternalCA(n, "", DefaultCALifetime); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := l.IssueCert(IssueRequest{CA: "crop", Host: DefaultHostname}); err == nil || !strings.Contains(err.Error(), `"crop"`) || !strings.Contains(err.Error(), "it has corp, other") {
		t.Errorf("misspelt CA: %v", err)
	}
	_, err = l.IssueCert(IssueRequest{CA: "corp", Host: "zen-primary-3"})
	if !errors.Is(err, ErrUnknownHost) || !strings.Contains(err.Error(), `"zen-primary-3"`) || !strings.Contains(err.Error(), DefaultHostname+", "+labPeer) {
		t.Errorf("unknown host: %v", err)
	}
	if _, err := os.Stat(filepath.Join(l.Dir(), hostsDir, "zen-primary-3")); err == nil {
		t.Error("an unknown host got a tree")
	}
	for _, c := range []struct {
		r    IssueRequest
		want string
	}{
		{IssueRequest{CA: "../x", Host: DefaultHostname}, "not a name for an external CA"},
		{IssueRequest{CA: "corp", Host: "bad host"}, "not a host name"},
		{IssueRequest{CA: "corp", Host: DefaultHostname, Cert: "zen.der"}, `certificate's path "zen.der" is not absolute`},
		{IssueRequest{CA: "corp", Host: DefaultHostname, Cert: "/.zone.json"}, "where the lab keeps its own records"},
		{IssueRequest{CA: "corp", Host: DefaultHostname, Key: "/x/../.external-cas/corp/ca.key"}, "where the lab keeps its own records"},
		{IssueRequest{CA: "corp", Host: DefaultHostname, Key: "/root/zcm_certs/" + DefaultHostname + ".der"}, "both be /root/zcm_certs/"},
		{IssueRequest{CA: "corp", Host: DefaultHostname, RootOnly: true}, "not where to put it on " + DefaultHostname},
	} {
		if _, err := l.IssueCert(c.r); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.r, err, c.want)
		}
	}
	if _, err := l.IssueCert(IssueRequest{CA: "corp", Host: "sat-9", NewHost: true, Cert: "sat.der"}); err == nil {
		t.Error("a relative path was taken")
	}
	if _, err := os.Stat(filepath.Join(l.Dir(), hostsDir, "sat-9")); err == nil {
		t.Error("a refused request gave a new host a tree")
	}
	if _, err := l.LoadExternalCA("corp"); err != nil {
		t.Errorf("the CA after the refusals: %v", err)
	}
}

// A CA whose creation was cut short is reported, not used.
func TestIncompleteExternalCA(t *testing.T) {
	l := newTestLab(t)
	if _, err := l.CreateExternalCA("corp", "", DefaultCALifetime); err != nil {
		t.Fatal(err)
	}
	os.Remove(l.ExternalCARoot("corp"))
	if _, err := l.LoadExternalCA("corp"); err == nil || !strings.Contains(err.Error(), "incomplete") {
		t.Errorf("incomplete CA: %v", err)
	}
}

// Expiring the certificates is chapter 5's starting point: zac ref fails
// as the model says, until the zone certificate is re-created.
func TestExpireCertificatesStopsRefresh(t *testing.T) {
	l := newTestLab(t)
	mustRunOn(t, l, "dev-7", "", ToolZac, "ref")
	if err := l.ExpireCertificates(false); err != nil {
		t.Fatal(err)
	}
	code, _, errs := runOn(t, l, "dev-7", "", ToolZac, "ref")
	if code != 1 || !strings.Contains(errs, "certificate expired on") {
		t.Errorf("zac ref after expiry: %d %q", code, errs)
	}
}

// An injected failure fires on the next run only, and a bad tool or
// subcommand is refused before anything is written.
func TestInjectToolFailureFiresOnce(t *testing.T) {
	l := newTestLab(t)
	f, err := l.InjectToolFailure("zac", "ref", 1, "Error: the zone is unreachable (rehearsal).")
	if err != nil {
		t.Fatal(err)
	}
	if f.Tool != ToolZac || f.Subcommand != "refresh" || f.Times != 1 {
		t.Errorf("failure %+v", f)
	}
	code, _, errs := runOn(t, l, "dev-7", "", ToolZac, "ref")
	if code != 1 || !strings.Contains(errs, "the zone is unreachable (rehearsal)") {
		t.Errorf("first zac ref: %d %q", code, errs)
	}
	mustRunOn(t, l, "dev-7", "", ToolZac, "ref")

	f, err = l.InjectToolFailure("/etc/init.d/novell-zenserver", "", 1, "")
	if err != nil || f.Tool != ToolZenserver || !strings.Contains(f.Message, "injected by the rehearsal") {
		t.Errorf("init script by its path: %+v %v", f, err)
	}
	before := readFile(t, filepath.Join(l.Dir(), zoneFile))
	for _, c := range []struct{ tool, sub, want string }{
		{"zmann", "", `no simulated tool "zmann" (the lab has zman, `},
		{"zman", "sacrt", `zman has no simulated subcommand "sacrt"`},
		{"permission.sh", "x", "no subcommands"},
	} {
		if _, err := l.InjectToolFailure(c.tool, c.sub, 1, ""); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %s: %v, want %q", c.tool, c.sub, err, c.want)
		}
	}
	if readFile(t, filepath.Join(l.Dir(), zoneFile)) != before {
		t.Error("a refused failure changed the zone")
	}
}
