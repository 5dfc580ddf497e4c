package runner_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"zenrecover/lab"
	"zenrecover/procedures"
	"zenrecover/runner"
	"zenrecover/state"
)

// Chapters 4 and 5 in a lab: the lab server zen-primary-1 (the zone's CA),
// the second Primary Server zen-primary-2, a Satellite sat-1 and a managed
// device dev-7. Steps on the other hosts run against the lab's copies of
// them; the Satellite's zac iac, which the wizard only shows (its command
// carries passphrases), is typed by the test as the operator would.

const (
	peer     = "zen-primary-2"
	certDir  = "/root/zcm_certs"
	rootCert = certDir + "/root-ca.der"
	year     = 365 * 24 * time.Hour
)

var ch4Secrets = map[string]string{"admin_password": adminPW, "ca_passphrase": passphrase,
	"backup_passphrase": passphrase, "archive_passphrase": passphrase}

type ch4 struct {
	*fixture
	t    *testing.T
	root string // where the root certificate is put on every device (ca_cert)
}

func newCh4(t *testing.T) *ch4 { return &ch4{fixture: newFixture(t), t: t, root: rootCert} }

func (c *ch4) host(name string) *lab.Lab {
	c.t.Helper()
	h, err := c.lab.Host(name)
	if err != nil {
		c.t.Fatal(err)
	}
	return h
}

func (c *ch4) newCA(name string) *lab.ExternalCA {
	c.t.Helper()
	ca, err := lab.NewExternalCA(name, 5*year)
	if err != nil {
		c.t.Fatal(err)
	}
	return ca
}

// serverCerts puts each server's certificate from ca on that server, as
// step 2 has the operator do.
func (c *ch4) serverCerts(ca *lab.ExternalCA, servers ...string) {
	c.t.Helper()
	for _, s := range servers {
		h := c.host(s)
		y := h.Layout() // in the server's own certificate folder, Linux or Windows
		if err := ca.IssueServer(s+"."+lab.LabDomain, year, h.Rebase(y.Join(y.CertDir, s+".der")), ""); err != nil {
			c.t.Fatal(err)
		}
	}
}

// rootOn copies ca's root certificate to c.root on each host.
func (c *ch4) rootOn(ca *lab.ExternalCA, hosts ...string) {
	c.t.Helper()
	for _, h := range hosts {
		if err := ca.WriteCertificate(c.host(h).Rebase(c.root)); err != nil {
			c.t.Fatal(err)
		}
	}
}

// on runs a simulated tool as host.
func (c *ch4) on(host, stdin, tool string, args ...string) (int, string) {
	c.t.Helper()
	c.t.Setenv(lab.HostEnv, host)
	defer os.Setenv(lab.HostEnv, "")
	var out bytes.Buffer
	code := lab.Exec(c.lab.Dir(), tool, args, strings.NewReader(stdin), &out, &out)
	return code, out.String()
}

// iacOperator does a Satellite's zac iac by hand, with a certificate ca
// signs for it, then lets the run confirm the step.
func (c *ch4) iacOperator(ca *lab.ExternalCA) func(*runner.NeedStep) {
	return func(n *runner.NeedStep) {
		if !strings.HasSuffix(n.Step.ID, "/iac") {
			return
		}
		if n.Command[0] != "zac" || n.Command[1] != "iac" {
			c.t.Errorf("the Satellite step shows %q", n.Command)
		}
		sat := c.host(n.Target)
		key, crt, root := sat.Rebase("/root/private-key.der"), sat.Rebase("/root/signed-server_certificate.der"), sat.Rebase("/root/signing-authority-public-certificate.der")
		if err := ca.IssueServer(n.Target+"."+lab.LabDomain, year, crt, key); err != nil {
			c.t.Fatal(err)
		}
		if err := ca.WriteCertificate(root); err != nil {
			c.t.Fatal(err)
		}
		if code, out := c.on(n.Target, "", "zac", "iac", "-pk", key, "-c", crt, "-ca", root, "-u", lab.DefaultAdminUser, "-p", adminPW, "-rc"); code != 0 {
			c.t.Fatalf("zac iac on %s: %s", n.Target, out)
		}
	}
}

// play walks a run like drive, but skips the targets in skip (devices that
// cannot be reached) and lets operator do a manual step before it is
// confirmed.
//
// A step whose key starts with one of failOK may fail (a device that cannot
// contact the zone yet): the operator skips it, and play lists it.
func play(t *testing.T, s *runner.Session, secrets map[string]string, skip, failOK []string, operator func(*runner.NeedStep), out *bytes.Buffer) (runner.Need, []string) {
	t.Helper()
	ctx := context.Background()
	var failed []string
	for i := 0; i < 400; i++ {
		need, err := s.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		switch n := need.(type) {
		case *runner.NeedFailed:
			if !slices.ContainsFunc(failOK, func(p string) bool { return strings.HasPrefix(n.Key, p) }) {
				return n, failed
			}
			failed = append(failed, n.Key)
			if err := s.Skip(ctx, n.Key, "cannot contact the zone yet: "+n.Error); err != nil {
				t.Fatal(err)
			}
		case *runner.NeedInput:
			v, ok := secrets[n.Input.ID]
			if !ok {
				v = n.Input.Default
			}
			if v == "" {
				return n, failed
			}
			if err := s.Answer(ctx, n.Input.ID, v); err != nil {
				t.Fatal(err)
			}
		case *runner.NeedStep:
			switch {
			case slices.Contains(skip, n.Key):
				if err := s.Skip(ctx, n.Key, "not reachable"); err != nil {
					t.Fatal(err)
				}
			case n.Manual:
				if operator != nil {
					operator(n)
				}
				if err := s.Confirm(ctx, n.Key, n.ConfirmWord); err != nil {
					t.Fatal(err)
				}
			default:
				if _, err := s.ExecuteWith(ctx, n.Step.ID+targetSuffix(n), n.ConfirmWord, runner.ExecIO{Out: out}); err != nil {
					t.Fatal(err)
				}
			}
		default:
			return need, failed
		}
	}
	t.Fatal("the run did not settle")
	return nil, nil
}

func targetSuffix(n *runner.NeedStep) string {
	if n.Target == "" {
		return ""
	}
	return "@" + n.Target
}

func (c *ch4) run(id string, vals procedures.Values, skip []string, operator func(*runner.NeedStep)) *runner.Session {
	c.t.Helper()
	s, _ := c.runFailing(id, vals, skip, nil, operator)
	return s
}

// runFailing is run where the steps under failOK may fail; it returns
// those that did.
func (c *ch4) runFailing(id string, vals procedures.Values, skip, failOK []string, operator func(*runner.NeedStep)) (*runner.Session, []string) {
	c.t.Helper()
	s := c.start(id, vals)
	var out bytes.Buffer
	need, failed := play(c.t, s, ch4Secrets, skip, failOK, operator, &out)
	if need == nil {
		c.t.Fatal("no end")
	} else if _, ok := need.(*runner.Done); !ok {
		c.t.Fatalf("%s ended on %T %+v\n%s", id, need, need, out.String())
	}
	return s, failed
}

func (c *ch4) certs() lab.Certificates {
	c.t.Helper()
	z, err := c.lab.Zone()
	if err != nil {
		c.t.Fatal(err)
	}
	return z.Certs()
}

// reaches says whether host can refresh now (zac ref there).
func (c *ch4) reaches(host string) bool {
	code, _ := c.on(host, "", "zac", "ref")
	return code == 0
}

// servedBy checks that every Primary Server has, and presents, a
// certificate from ca.
func (c *ch4) servedBy(ca lab.CA) {
	c.t.Helper()
	certs := c.certs()
	for _, s := range []string{lab.DefaultHostname, peer} {
		inForce, _ := certs.Server(s)
		shown, _ := certs.Presenting(s)
		if !inForce.Issuer.Same(ca) || !shown.Issuer.Same(ca) {
			c.t.Errorf("%s: in force %s, presented %s; want %s", s, inForce.Issuer, shown.Issuer, ca)
		}
	}
}

func stepDone(t *testing.T, s *runner.Session, keys ...string) {
	t.Helper()
	st := s.State()
	for _, k := range keys {
		if ss := st.Steps[k]; ss == nil || (ss.Status != state.StepSucceeded && ss.Status != state.StepConfirmed) {
			t.Errorf("step %s: %+v", k, ss)
		}
	}
}

func stepNotRun(t *testing.T, s *runner.Session, keys ...string) {
	t.Helper()
	st := s.State()
	for _, k := range keys {
		if ss := st.Steps[k]; ss != nil && ss.Status != state.StepSkipped {
			t.Errorf("step %s ran: %+v", k, ss)
		}
	}
}

func (c *ch4) configureRuns(host string) []string {
	c.t.Helper()
	z, _ := c.lab.Zone()
	var out []string
	for _, r := range z.ConfigureRuns {
		if r.Server == host {
			out = append(out, r.Action+r.Option)
		}
	}
	return out
}

func vals(kv ...string) procedures.Values {
	v := procedures.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v[kv[i]] = kv[i+1]
	}
	return v
}

// The facts every chapter 4 procedure asks, set to no, and the lab's
// servers and devices.
func base4(extra ...string) procedures.Values {
	v := vals("only_primary", "false", "devices_unreachable", "false", "has_satellites", "false",
		"intel_amt", "false", "multizone_publisher", "false", "internal_ca_here", "true", "embedded_db_here", "true",
		"root_by_bundle", "false", "windows_auth_satellites", "false", "linux_auth_satellites", "false",
		"import_root", "false", "ca_expired", "false", "replace_here", "false", "replace_others", "false", "certs_expired", "false",
		"this_server", lab.DefaultHostname, "other_primaries", peer, "devices", "sat-1, dev-7",
		"satellites", "sat-1", "unreachable_devices", "dev-7", "ca_cert", rootCert)
	for k, x := range vals(extra...) {
		v[k] = x
	}
	return v
}

// 4.1 with every branch taken: the root certificate imported with zac
// cert-info, dev-7 unreachable during both refreshes, a Satellite, Intel
// AMT and Multizone. The zone ends external, served by the new CA, and
// every listed device can still contact it.
func TestInternalToExternalEveryBranch(t *testing.T) {
	c := newCh4(t)
	ca := c.newCA("Example Corp Issuing CA")
	c.serverCerts(ca, lab.DefaultHostname, peer)
	c.rootOn(ca, lab.DefaultHostname, peer, "sat-1", "dev-7")
	s := c.run("4.1", base4("import_root", "true", "devices_unreachable", "true", "has_satellites", "true",
		"intel_amt", "true", "multizone_publisher", "true"),
		[]string{"refresh-before/devices@dev-7", "refresh-after/devices@dev-7", "import-root/devices@dev-7"}, c.iacOperator(ca))

	certs := c.certs()
	if certs.Kind != lab.CertExternal || !certs.CA.Same(ca.CA()) {
		t.Fatalf("zone certificate %s from %s", certs.Kind, certs.CA)
	}
	c.servedBy(ca.CA())
	if sc, ok := certs.Satellite("sat-1"); !ok || !sc.Issuer.Same(ca.CA()) {
		t.Errorf("sat-1's certificate: %+v", sc)
	}
	for _, d := range []string{lab.DefaultHostname, peer, "sat-1", "dev-7"} {
		if !c.reaches(d) {
			t.Errorf("%s cannot contact the zone after 4.1", d)
		}
	}
	// A device the procedure never reached trusts only the old CA.
	if c.reaches("dev-99") {
		t.Error("a device that was never refreshed contacts the zone: the new certificates are not in force")
	}
	stepDone(t, s, "add-certs/here", "add-certs/others@"+peer, "import-root/here", "import-root/devices@sat-1",
		"reestablish-trust/retr@dev-7", "satellites/iac@sat-1", "intel-amt", "multizone/update",
		"backup/others@"+peer, "backup/here/certificate-authority/export-ca")
	want := []string{"SSLenforce", "StartRestart", "MergeTruststore", "EnableJMX", "ZenProbe", "CreateExtractorPacks", "RebuildCustomPacks"}
	if got := c.configureRuns(lab.DefaultHostname); !slices.Equal(got, want) {
		t.Errorf("on this server: %q, want %q", got, want)
	}
	if got := c.configureRuns(peer); !slices.Equal(got, []string{"StartRestart", "CreateExtractorPacks", "RebuildCustomPacks"}) {
		t.Errorf("on %s: %q", peer, got)
	}
}

// 4.1 with no optional branch: every device is refreshed while the old
// certificates are still presented, so each trusts the new CA without zac
// retr or cert-info.
func TestInternalToExternalNoBranch(t *testing.T) {
	c := newCh4(t)
	ca := c.newCA("Example Corp Issuing CA")
	c.serverCerts(ca, lab.DefaultHostname, peer)
	s := c.run("4.1", base4("import_root", "false"), nil, nil)
	c.servedBy(ca.CA())
	for _, d := range []string{"sat-1", "dev-7"} {
		if !c.reaches(d) {
			t.Errorf("%s cannot contact the zone", d)
		}
	}
	stepNotRun(t, s, "import-root/here", "reestablish-trust/retr@dev-7", "satellites/iac@sat-1", "intel-amt", "multizone/login")
}

// makeExternal gives the lab zone external certificates from ca, as 4.1
// would, with the tools directly; every listed device trusts ca.
func (c *ch4) makeExternal(ca *lab.ExternalCA, devices ...string) {
	c.t.Helper()
	login := lab.DefaultAdminUser + "\n" + adminPW + "\n"
	for _, s := range []string{lab.DefaultHostname, peer} {
		p := c.lab.Rebase("/root/setup/" + s + ".der")
		if err := ca.IssueServer(s+"."+lab.LabDomain, year, p, ""); err != nil {
			c.t.Fatal(err)
		}
		if code, out := c.on("", login, "zman", "sacert", s, p); code != 0 {
			c.t.Fatal(out)
		}
	}
	for _, step := range []struct {
		host, stdin string
		args        []string
	}{
		{"", "", []string{"-c", "SSL", "-Z"}},
		{"", "3\n", []string{"-c", "Start"}},
		{peer, "3\n", []string{"-c", "Start"}},
	} {
		if code, out := c.on(step.host, step.stdin, "novell-zenworks-configure", step.args...); code != 0 {
			c.t.Fatal(out)
		}
	}
	for _, d := range append(devices, lab.DefaultHostname, peer) {
		if code, out := c.on(d, login, "zac", "retr"); code != 0 {
			c.t.Fatal(out)
		}
	}
	if certs := c.certs(); certs.Kind != lab.CertExternal || !certs.CA.Same(ca.CA()) {
		c.t.Fatalf("setup: zone %s from %s", certs.Kind, certs.CA)
	}
}

func serial(t *testing.T, c lab.Certificates, server string) string {
	t.Helper()
	sc, ok := c.Server(server)
	if !ok {
		t.Fatalf("%s has no certificate", server)
	}
	return sc.Serial
}

// 4.2, option 1 (only the server certificate expired), with dev-7
// unreachable, Authentication Satellites on Windows and Linux, Intel AMT
// and Multizone: this server gets a new certificate from the same CA, and
// every device keeps trusting the zone.
func TestNewInternalServerCertificate(t *testing.T) {
	c := newCh4(t)
	before := c.certs()
	s := c.run("4.2", base4("zone_external", "false", "ca_expired", "false", "devices_unreachable", "true",
		"windows_auth_satellites", "true", "linux_auth_satellites", "true", "intel_amt", "true", "multizone_publisher", "true",
		"ca_server", lab.DefaultHostname, "windows_auth_sats", "sat-w", "linux_auth_sats", "sat-1"),
		[]string{"refresh-all/devices@dev-7"}, nil)
	after := c.certs()
	if after.Kind != lab.CertInternal || after.Generation != 1 || !after.CA.Same(before.CA) {
		t.Errorf("the CA changed: %+v", after.CA)
	}
	if serial(t, after, lab.DefaultHostname) == serial(t, before, lab.DefaultHostname) {
		t.Error("this server's certificate was not reminted")
	}
	if shown, _ := after.Presenting(lab.DefaultHostname); shown.Serial != serial(t, after, lab.DefaultHostname) {
		t.Error("this server does not present its new certificate after the restart")
	}
	for _, sat := range []string{"sat-w", "sat-1"} {
		if sc, ok := after.Satellite(sat); !ok || !sc.Issuer.Same(after.CA) {
			t.Errorf("%s: %+v", sat, sc)
		}
	}
	for _, d := range []string{"sat-1", "dev-7", "dev-99"} {
		if !c.reaches(d) {
			t.Errorf("%s cannot contact the zone: the CA did not change, so it should", d)
		}
	}
	if got := c.configureRuns(lab.DefaultHostname); len(got) == 0 || got[0] != "SSL1" {
		t.Errorf("configure runs here: %q", got)
	}
	stepDone(t, s, "remint-server", "retr-unreachable/retr@dev-7", "auth-satellites/windows@sat-w", "auth-satellites/linux@sat-1",
		"restart/others@"+peer, "intel-amt", "multizone/navigate")
	stepNotRun(t, s, "remint-ca", "retr-here", "retr-devices@dev-7")
}

// 4.2, option 2 (the CA expired too): a new CA; every Primary Server,
// Satellite and managed device reestablishes its trust.
func TestNewInternalCertificateAuthority(t *testing.T) {
	c := newCh4(t)
	before := c.certs()
	s := c.run("4.2", base4("zone_external", "false", "ca_expired", "true", "ca_server", lab.DefaultHostname), nil, nil)
	after := c.certs()
	if after.Generation != 2 || after.CA.Same(before.CA) {
		t.Fatalf("the CA was not reminted: %+v", after.CA)
	}
	c.servedBy(after.CA)
	for _, d := range []string{lab.DefaultHostname, peer, "sat-1", "dev-7"} {
		if !c.reaches(d) {
			t.Errorf("%s cannot contact the zone", d)
		}
	}
	if c.reaches("dev-99") {
		t.Error("a device that never reestablished its trust contacts a zone with a new CA")
	}
	stepDone(t, s, "remint-ca", "retr-here", "retr-primaries@"+peer, "retr-devices@dev-7")
	stepNotRun(t, s, "remint-server", "retr-unreachable/retr@dev-7")
}

// 4.2 in a zone with one Primary Server: every device runs zac retr even
// though the CA is unchanged, and nothing is done on other servers.
func TestNewInternalCertificateOnlyPrimary(t *testing.T) {
	t.Parallel()
	c := newCh4(t)
	s := c.run("4.2", base4("zone_external", "false", "ca_expired", "false", "only_primary", "true", "ca_server", lab.DefaultHostname), nil, nil)
	stepDone(t, s, "retr-here", "retr-devices@sat-1")
	st := s.State()
	for k := range st.Steps {
		if strings.Contains(k, "@"+peer) || strings.Contains(k, "others") || strings.Contains(k, "primaries") {
			t.Errorf("step %s ran in a zone with one Primary Server", k)
		}
	}
}

// External to internal is refused before any step.
func TestExternalToInternalIsRefused(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		id   string
		vals procedures.Values
	}{
		{"4.2", base4("zone_external", "true", "ca_expired", "false")},
		{"5", base4("scenario", "external-to-internal")},
	} {
		c := newCh4(t)
		s := c.start(tc.id, tc.vals)
		var out bytes.Buffer
		_, err := s.Next(context.Background())
		var refused *runner.RefusedError
		if err == nil || !strings.Contains(err.Error(), "not supported") {
			t.Errorf("%s: %v", tc.id, err)
		} else if !errors.As(err, &refused) {
			t.Errorf("%s: %T", tc.id, err)
		}
		if len(s.State().Steps) != 0 || out.Len() != 0 {
			t.Errorf("%s: a step ran", tc.id)
		}
	}
}

// 4.3 replacing both servers' certificates, with dev-7 unreachable, a
// Satellite, Intel AMT and Multizone: new serials from the same CA.
func TestNewExternalCertificateSameCA(t *testing.T) {
	c := newCh4(t)
	ca := c.newCA("Example Corp Issuing CA")
	c.makeExternal(ca, "sat-1", "dev-7")
	before := c.certs()
	c.serverCerts(ca, lab.DefaultHostname, peer)
	s := c.run("4.3", base4("replace_here", "true", "replace_others", "true", "replaced_primaries", peer,
		"devices_unreachable", "true", "has_satellites", "true", "intel_amt", "true", "multizone_publisher", "true"),
		[]string{"refresh-before/devices@dev-7", "refresh-after/devices@dev-7"}, c.iacOperator(ca))
	after := c.certs()
	if after.Kind != lab.CertExternal || !after.CA.Same(ca.CA()) {
		t.Fatalf("zone %s from %s", after.Kind, after.CA)
	}
	for _, srv := range []string{lab.DefaultHostname, peer} {
		if serial(t, after, srv) == serial(t, before, srv) {
			t.Errorf("%s keeps its old certificate", srv)
		}
	}
	c.servedBy(ca.CA())
	for _, d := range []string{"sat-1", "dev-7"} {
		if !c.reaches(d) {
			t.Errorf("%s cannot contact the zone", d)
		}
	}
	stepDone(t, s, "sacert-here", "sacert-others@"+peer, "reestablish-trust/retr@dev-7", "satellites/iac@sat-1", "intel-amt", "multizone/update")
	if _, ok := s.State().Steps["backup/here/certificate-authority/export-ca"]; ok {
		t.Error("4.3 backed up the certificate authority, which its step 1 does not list")
	}
}

// 4.3 replacing only this server's certificate: the other keeps its own.
func TestNewExternalCertificateSameCAThisServerOnly(t *testing.T) {
	c := newCh4(t)
	ca := c.newCA("Example Corp Issuing CA")
	c.makeExternal(ca, "sat-1", "dev-7")
	before := c.certs()
	c.serverCerts(ca, lab.DefaultHostname)
	s := c.run("4.3", base4("replace_here", "true", "replace_others", "false"), nil, nil)
	after := c.certs()
	if serial(t, after, lab.DefaultHostname) == serial(t, before, lab.DefaultHostname) || serial(t, after, peer) != serial(t, before, peer) {
		t.Error("4.3 did not replace exactly this server's certificate")
	}
	stepNotRun(t, s, "sacert-others@"+peer, "reestablish-trust/retr@dev-7", "satellites/iac@sat-1")
}

// 4.4 with the root certificate imported by zac cert-info on every device,
// dev-7 unreachable, a Satellite, Intel AMT and Multizone: the zone's CA is
// the new one.
func TestNewExternalCertificateAuthority(t *testing.T) {
	c := newCh4(t)
	old := c.newCA("Example Corp Issuing CA")
	c.makeExternal(old, "sat-1", "dev-7")
	ca := c.newCA("New Corp Issuing CA")
	c.serverCerts(ca, lab.DefaultHostname, peer)
	c.rootOn(ca, lab.DefaultHostname, peer, "sat-1", "dev-7")
	s := c.run("4.4", base4("devices_unreachable", "true", "has_satellites", "true", "intel_amt", "true", "multizone_publisher", "true"),
		[]string{"refresh-before/devices@dev-7", "refresh-after/devices@dev-7"}, c.iacOperator(ca))
	certs := c.certs()
	if !certs.CA.Same(ca.CA()) {
		t.Fatalf("zone CA %s", certs.CA)
	}
	c.servedBy(ca.CA())
	if sc, _ := certs.Satellite("sat-1"); !sc.Issuer.Same(ca.CA()) {
		t.Errorf("sat-1: %+v", sc)
	}
	for _, d := range []string{"sat-1", "dev-7"} {
		if !c.reaches(d) {
			t.Errorf("%s cannot contact the zone", d)
		}
	}
	stepDone(t, s, "import-root/devices@dev-7", "import-root/others@"+peer, "reestablish-trust/retr@dev-7", "satellites/iac@sat-1")
	if certs.Trusts("dev-99", ca.CA()) || c.reaches("dev-99") {
		t.Error("a device outside the procedure trusts the new CA")
	}
}

// 4.4 with a ZENworks bundle for the root certificate and no other branch:
// the devices learn the new CA from the refresh before the switch.
func TestNewExternalCertificateAuthorityByBundle(t *testing.T) {
	c := newCh4(t)
	c.makeExternal(c.newCA("Example Corp Issuing CA"), "sat-1", "dev-7")
	ca := c.newCA("New Corp Issuing CA")
	c.serverCerts(ca, lab.DefaultHostname, peer)
	s := c.run("4.4", base4("root_by_bundle", "true"), nil, nil)
	c.servedBy(ca.CA())
	for _, d := range []string{"sat-1", "dev-7"} {
		if !c.reaches(d) {
			t.Errorf("%s cannot contact the zone", d)
		}
	}
	stepDone(t, s, "import-root/bundle")
	stepNotRun(t, s, "import-root/here")
}

// Chapter 5 after the internal CA and certificates expired: no device
// contacts the zone; 4.2 with option 2, run through chapter 5, brings them
// all back.
func TestAfterExpiryNewInternal(t *testing.T) {
	c := newCh4(t)
	if err := c.lab.ExpireCertificates(true); err != nil {
		t.Fatal(err)
	}
	if c.reaches("dev-7") {
		t.Fatal("a device contacts a zone whose certificates expired")
	}
	s := c.run("5", base4("scenario", "new-internal", "ca_expired", "true", "ca_server", lab.DefaultHostname,
		"import_root", "false", "replace_here", "false", "replace_others", "false"), nil, nil)
	certs := c.certs()
	if certs.Generation != 2 {
		t.Errorf("the CA was not reminted: %+v", certs.CA)
	}
	c.servedBy(certs.CA)
	for _, d := range []string{lab.DefaultHostname, peer, "sat-1", "dev-7"} {
		if !c.reaches(d) {
			t.Errorf("%s still cannot contact the zone", d)
		}
	}
	stepDone(t, s, "new-internal/remint-ca", "new-internal/retr-devices@dev-7")
	for k := range s.State().Steps {
		if strings.HasPrefix(k, "to-external/") || strings.HasPrefix(k, "same-ca/") || strings.HasPrefix(k, "new-ca/") {
			t.Errorf("a step of another scenario ran: %s", k)
		}
	}
}

// Chapter 5, internal to external after expiry: no device can contact the
// zone, so 4.1 runs without the refresh before the switch (step 4), and
// the root certificate is imported on every device by hand (step 5, which
// section 5 makes part of it); afterwards everything talks again, no step
// failed, and chapter 5 has each Satellite configured with its renewed
// certificate.
func TestAfterExpiryInternalToExternal(t *testing.T) {
	c := newCh4(t)
	if err := c.lab.ExpireCertificates(false); err != nil {
		t.Fatal(err)
	}
	ca := c.newCA("Example Corp Issuing CA")
	c.serverCerts(ca, lab.DefaultHostname, peer)
	c.rootOn(ca, lab.DefaultHostname, peer, "sat-1", "dev-7")
	s := c.run("5", base4("scenario", "internal-to-external", "has_satellites", "true",
		"ca_expired", "false", "replace_here", "false", "replace_others", "false"), nil, c.iacOperator(ca))
	c.servedBy(ca.CA())
	for _, d := range []string{lab.DefaultHostname, peer, "sat-1", "dev-7"} {
		if !c.reaches(d) {
			t.Errorf("%s still cannot contact the zone", d)
		}
	}
	stepDone(t, s, "to-external/import-root/here", "to-external/import-root/devices@dev-7",
		"to-external/refresh-after/devices@dev-7", "to-external/satellites/iac@sat-1", "satellites/iac@sat-1")
	stepNotRun(t, s, "to-external/refresh-before/here", "to-external/refresh-before/devices@dev-7", "to-external/import-root/bundle")
}

// Chapter 5, a new external CA after the external certificates expired:
// 4.4 without the refresh before the switch, no step failing.
func TestAfterExpiryNewExternalCA(t *testing.T) {
	c := newCh4(t)
	c.makeExternal(c.newCA("Example Corp Issuing CA"), "sat-1", "dev-7")
	if err := c.lab.ExpireCertificates(false); err != nil {
		t.Fatal(err)
	}
	ca := c.newCA("New Corp Issuing CA")
	c.serverCerts(ca, lab.DefaultHostname, peer)
	c.rootOn(ca, lab.DefaultHostname, peer, "sat-1", "dev-7")
	s := c.run("5", base4("scenario", "external-new-ca",
		"ca_expired", "false", "replace_here", "false", "replace_others", "false"), nil, nil)
	c.servedBy(ca.CA())
	for _, d := range []string{"sat-1", "dev-7"} {
		if !c.reaches(d) {
			t.Errorf("%s still cannot contact the zone", d)
		}
	}
	stepDone(t, s, "new-ca/import-root/devices@dev-7", "new-ca/refresh-after/devices@dev-7")
	stepNotRun(t, s, "new-ca/refresh-before/here", "new-ca/import-root/bundle")
}
