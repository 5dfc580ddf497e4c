package cli

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"zenrecover/lab"
	"zenrecover/readiness"
	"zenrecover/state"
)

// Issue 15: doctor, its Prometheus file and the drill report, on a lab
// whose backups and rehearsals are real runs of the wizard.

// doctorLab is a lab with the team's recipients configured and the
// secrets of 1.1 to 1.4 in the environment.
func doctorLab(t *testing.T) (labDir, statePath string) {
	t.Helper()
	labDir, _, statePath = scriptLab(t)
	cfg := t.TempDir()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(cfg, "zenrecover"), 0o700)
	if err := os.WriteFile(filepath.Join(cfg, "zenrecover", "recipients"), []byte(id.Recipient().String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_CONFIG_HOME", cfg)
	t.Setenv("ZENRECOVER_SECRET_ADMIN_PASSWORD", lab.DefaultAdminPassword)
	t.Setenv("ZENRECOVER_SECRET_BACKUP_PASSPHRASE", "Zebra-Quartz-1234")
	t.Setenv("ZENRECOVER_SECRET_ARCHIVE_PASSPHRASE", "Zebra-Quartz-5678")
	t.Setenv("ZENRECOVER_SECRET_CA_PASSPHRASE", "Zebra-Quartz-9999")
	return labDir, statePath
}

// rehearse runs a procedure in the lab as a script does, to its end.
func rehearse(t *testing.T, statePath, labDir, section, answers string) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "answers.yaml")
	if err := os.WriteFile(p, []byte(answers), 0o600); err != nil {
		t.Fatal(err)
	}
	out, code := runScript(t, statePath, "run", section, "--lab", labDir, "--plain", "--answers", p, "--yes")
	if code != exitCompleted {
		t.Fatalf("run %s: exit %d\n%s", section, code, out)
	}
}

const (
	answers11 = "db_on_server: yes\nonly_content_server: yes\n"
	answers12 = "platform: linux\ndb_on_server: yes\nhave_image_backups: yes\nimages_in_archive: yes\n"
	answers13 = "remove_ca_role: no\n"
	answers14 = "platform: linux\n"
)

func doctorJSON(t *testing.T, statePath string, args ...string) (*readiness.Result, int) {
	t.Helper()
	out, errs, code := runCLIAt(t, statePath, append([]string{"doctor", "--json"}, args...)...)
	var r readiness.Result
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("doctor --json: exit %d, %v\n%s\n%s", code, err, out, errs)
	}
	return &r, code
}

func check(t *testing.T, r *readiness.Result, id string) readiness.Check {
	t.Helper()
	for _, c := range r.Checks {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("doctor has no check %s: %+v", id, r.Checks)
	return readiness.Check{}
}

// tlsServer serves a certificate for the lab's server that expires in
// days, issued by a CA of its own that it sends along.
func tlsServer(t *testing.T, days int) (*httptest.Server, time.Time) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	now := time.Now()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ZENworks CA (zenlab)"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(5, 0, 0), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, caKey.Public(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	notAfter := now.Add(time.Duration(days) * 24 * time.Hour).Truncate(time.Second)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "zen-primary-1." + lab.LabDomain},
		DNSNames: []string{"zen-primary-1." + lab.LabDomain}, NotBefore: now.Add(-time.Hour), NotAfter: notAfter,
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, key.Public(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der, caDER}, PrivateKey: key}}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv, notAfter
}

// The scenario: a server prepared as the reference asks is green;
// a certificate 30 days from expiry makes doctor amber and name chapter 4
// (4.2: the lab's zone is internal); expired certificates make it red and
// name chapter 5. The Prometheus file says the same and parses.
func TestDoctorFollowsTheCertificatesFromChapter4ToChapter5(t *testing.T) {
	labDir, statePath := doctorLab(t)
	rehearse(t, statePath, labDir, "1.1", answers11)
	rehearse(t, statePath, labDir, "1.3", answers13)
	rehearse(t, statePath, labDir, "1.2", answers12)
	// 1.2 rewrote the version files and the CA's keystore from the
	// server backup: a restore is neither an update nor a remint.
	r, code := doctorJSON(t, statePath, "--lab", labDir)
	if z := check(t, r, "backup.zman"); z.Backup.Stale || z.Backup.ServerVersion != "11.3.0" {
		t.Errorf("zman backup after a rehearsed restore: %+v", z.Backup)
	}
	if c := check(t, r, "backup.ca"); c.Level != readiness.Green || c.Backup.Stale {
		t.Errorf("CA export after a rehearsed restore: %+v", c)
	}
	rehearse(t, statePath, labDir, "1.4", answers14)

	r, code = doctorJSON(t, statePath, "--lab", labDir)
	if code != 0 || r.Level != readiness.Green {
		t.Fatalf("a lab backed up, escrowed and rehearsed: exit %d, level %s\n%+v", code, r.Level, r.Checks)
	}
	if e := check(t, r, "escrow.backups"); len(e.Escrow.Backups) != 3 {
		t.Errorf("escrows of the zman backup, the CA export and the content archive: %+v", e.Escrow)
	}

	srv, notAfter := tlsServer(t, 30)
	ep := srv.Listener.Addr().String()
	r, code = doctorJSON(t, statePath, "--lab", labDir, "--endpoint", ep)
	sc := check(t, r, "cert.server")
	if code != 1 || sc.Level != readiness.Amber || sc.Section != "4.2" || sc.Procedure != "renew-internal-server-cert" {
		t.Fatalf("a certificate expiring in 30 days: exit %d, %+v", code, sc)
	}
	if !sc.Certificate.NotAfter.Equal(notAfter) || *sc.Certificate.DaysLeft != 30 || !strings.Contains(sc.Text, "TLS "+ep) {
		t.Errorf("the handshake's certificate: %+v %s", sc.Certificate, sc.Text)
	}
	if cc := check(t, r, "cert.ca"); cc.Level != readiness.Green || len(cc.Certificate.Sources) != 2 {
		t.Errorf("the CA certificate sent along, and the zone's: %+v", cc.Certificate)
	}
	out, _, code := runCLIAt(t, statePath, "doctor", "--lab", labDir, "--endpoint", ep)
	if code != 1 || !strings.Contains(out, "AMBER  Server certificate: Expires") ||
		!strings.Contains(out, "→ zenrecover run 4.2 --lab "+labDir) || !strings.Contains(out, "chapter 4") {
		t.Errorf("doctor's text for chapter 4: exit %d\n%s", code, out)
	}

	prom := filepath.Join(t.TempDir(), "zenrecover.prom")
	out, _, code = runCLIAt(t, statePath, "doctor", "--lab", labDir, "--endpoint", ep, "--prometheus", prom)
	if code != 1 || out != "" {
		t.Errorf("doctor --prometheus: exit %d, printed %q", code, out)
	}
	fams := parseProm(t, prom)
	if v := gauge(t, fams, "zenrecover_certificate_expiry_timestamp_seconds", "check", "cert.server"); v != float64(notAfter.Unix()) {
		t.Errorf("expiry in the Prometheus file: %v, want %v", v, notAfter.Unix())
	}
	if v := gauge(t, fams, "zenrecover_check_level", "check", "cert.server"); v != 1 {
		t.Errorf("cert.server level in the Prometheus file: %v", v)
	}
	if n := len(fams["zenrecover_check_level"].GetMetric()); n != len(r.Checks) {
		t.Errorf("%d check_level series for %d checks", n, len(r.Checks))
	}
	zman := check(t, r, "backup.zman")
	if v := gauge(t, fams, "zenrecover_backup_timestamp_seconds", "check", "backup.zman"); v != float64(zman.Backup.At.UnixMilli())/1000 {
		t.Errorf("backup time in the Prometheus file: %v, want %v", v, zman.Backup.At)
	}
	reh := check(t, r, "rehearsal.server-restore")
	if v := gauge(t, fams, "zenrecover_rehearsal_timestamp_seconds", "procedure", "server-restore"); v != float64(reh.Rehearsal.Last.UnixMilli())/1000 {
		t.Errorf("rehearsal time in the Prometheus file: %v, want %v", v, reh.Rehearsal.Last)
	}
	if fi, err := os.Stat(prom); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("the Prometheus file must be readable by node_exporter: %v %v", fi.Mode(), err)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(prom), ".*")); len(left) > 0 {
		t.Errorf("temporary files left beside the Prometheus file: %v", left)
	}

	if _, errs, code := runCLIAt(t, statePath, "lab", "expire-certs", labDir); code != 0 {
		t.Fatalf("lab expire-certs: %d %s", code, errs)
	}
	r, code = doctorJSON(t, statePath, "--lab", labDir)
	sc = check(t, r, "cert.server")
	if code != 2 || sc.Level != readiness.Red || sc.Section != "5" || sc.Procedure != "zone-cert-after-expiry" ||
		sc.Command != "zenrecover run 5 --lab "+labDir {
		t.Fatalf("expired certificates: exit %d, %+v", code, sc)
	}
	// The procedure asked for is one to rehearse.
	if c := check(t, r, "rehearsal.zone-cert-after-expiry"); c.Level != readiness.Amber || c.Text != "Never rehearsed." {
		t.Errorf("rehearsal of chapter 5: %+v", c)
	}
	out, _, _ = runCLIAt(t, statePath, "doctor", "--lab", labDir)
	if !strings.Contains(out, "RED    Server certificate: Expired") || !strings.Contains(out, "chapter 5") {
		t.Errorf("doctor's text for chapter 5:\n%s", out)
	}
}

func parseProm(t *testing.T, p string) map[string]*dto.MetricFamily {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	parser := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := parser.TextToMetricFamilies(f)
	if err != nil {
		b, _ := os.ReadFile(p)
		t.Fatalf("the Prometheus file does not parse: %v\n%s", err, b)
	}
	for name, fam := range fams {
		if fam.GetHelp() == "" || fam.GetType().String() != "GAUGE" || !strings.HasPrefix(name, "zenrecover_") {
			t.Errorf("family %s: help %q, type %s", name, fam.GetHelp(), fam.GetType())
		}
	}
	return fams
}

// gauge is the value of the one series of name whose label is value.
func gauge(t *testing.T, fams map[string]*dto.MetricFamily, name, label, value string) float64 {
	t.Helper()
	var found []float64
	for _, m := range fams[name].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == label && l.GetValue() == value {
				found = append(found, m.GetGauge().GetValue())
			}
		}
	}
	if len(found) != 1 {
		t.Fatalf("%s{%s=%q}: %d series", name, label, value, len(found))
	}
	return found[0]
}

// A zman backup is for one ZENworks version (reference 1.1): once the
// lab's version is raised, the backup made before is stale, and red.
func TestDoctorCallsAZmanBackupStaleOnceTheVersionIsRaised(t *testing.T) {
	labDir, statePath := doctorLab(t)
	rehearse(t, statePath, labDir, "1.1", answers11)
	r, _ := doctorJSON(t, statePath, "--lab", labDir)
	if z := check(t, r, "backup.zman"); z.Level != readiness.Green || z.Backup.Stale || !z.Backup.Exists {
		t.Fatalf("a fresh zman backup: %+v", z)
	}
	out, errs, code := runCLIAt(t, statePath, "lab", "set-version", labDir, "11.4.0")
	if code != 0 || !strings.Contains(out, "now runs ZENworks 11.4.0 (was 11.3.0)") {
		t.Fatalf("lab set-version: %d %s %s", code, out, errs)
	}
	r, code = doctorJSON(t, statePath, "--lab", labDir)
	z := check(t, r, "backup.zman")
	if code != 2 || z.Level != readiness.Red || !z.Backup.Stale || z.Backup.ServerVersion != "11.4.0" ||
		!z.Backup.Changed.After(z.Backup.At) || z.Command != "zenrecover run 1.1 --lab "+labDir {
		t.Fatalf("a zman backup from before the update: exit %d, %+v %+v", code, z, z.Backup)
	}
	// The other backups are for any version.
	if c := check(t, r, "backup.content"); c.Level != readiness.Green {
		t.Errorf("content archive after the update: %+v", c)
	}
	// A new backup on the new version is good again.
	rehearse(t, statePath, labDir, "1.1", answers11)
	if r, _ := doctorJSON(t, statePath, "--lab", labDir); check(t, r, "backup.zman").Level != readiness.Green {
		t.Errorf("a zman backup after the update: %+v", check(t, r, "backup.zman"))
	}
	if _, _, code := runCLIAt(t, statePath, "lab", "set-version", labDir, "eleven"); code != exitUsage {
		t.Errorf("lab set-version with no version: exit %d", code)
	}
}

// A rehearsal's duration, from the journal's step times, is the same in
// doctor and in the drill report, which lists every run with its steps
// done by hand, in Markdown, HTML and JSON.
func TestARehearsalsDurationIsInDoctorAndInTheDrillReport(t *testing.T) {
	labDir, statePath := doctorLab(t)
	rehearse(t, statePath, labDir, "1.1", answers11)
	r, _ := doctorJSON(t, statePath, "--lab", labDir)
	reh := check(t, r, "rehearsal.server-backup").Rehearsal
	if reh == nil || reh.DurationSeconds <= 0 || reh.Completed != 1 || reh.LastRunID == "" {
		t.Fatalf("doctor's rehearsal of 1.1: %+v", reh)
	}
	out, _, code := runCLIAt(t, statePath, "report", "--drills", "--format", "json")
	var rep readiness.DrillReport
	if code != 0 || json.Unmarshal([]byte(out), &rep) != nil {
		t.Fatalf("report --drills --format json: exit %d\n%s", code, out)
	}
	var drill *readiness.Drill
	for _, p := range rep.Procedures {
		if p.Runs == nil || p.ID != "server-backup" && len(p.Runs) != 0 {
			t.Errorf("procedure %s: runs %v (want [] when it never ran)", p.ID, p.Runs)
		}
		for i := range p.Runs {
			if p.Runs[i].RunID == reh.LastRunID {
				drill = &p.Runs[i]
			}
		}
	}
	if drill == nil || drill.DurationSeconds != reh.DurationSeconds || drill.Kind != "rehearsal" || drill.Outcome != "completed" {
		t.Fatalf("the drill report's run %s: %+v (doctor: %v s)", reh.LastRunID, drill, reh.DurationSeconds)
	}
	st, err := state.Open(statePath)
	if err != nil {
		t.Fatal(err)
	}
	run, err := st.Run(t.Context(), drill.RunID)
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	if wall := run.EndedAt.Sub(run.StartedAt).Seconds(); drill.DurationSeconds > wall {
		t.Errorf("working time %v s is longer than the run (%v s)", drill.DurationSeconds, wall)
	}
	// 1.1 steps 1 and 6 are manual: confirmed by --yes in a rehearsal.
	var hand []string
	for _, s := range drill.ByHand {
		hand = append(hand, s.Ref)
	}
	if strings.Join(hand, ",") != "1.1 step 1,1.1 step 6" || drill.Operator == "" {
		t.Errorf("steps done by hand: %v, operator %q", hand, drill.Operator)
	}
	want := readiness.Duration(time.Duration(reh.DurationSeconds * float64(time.Second)))
	text, _, _ := runCLIAt(t, statePath, "doctor", "--lab", labDir)
	if !strings.Contains(text, "took "+want) {
		t.Errorf("doctor does not show the rehearsal's %s:\n%s", want, text)
	}
	md, _, _ := runCLIAt(t, statePath, "report", "--drills")
	row := ""
	for _, l := range strings.Split(md, "\n") {
		if strings.Contains(l, drill.RunID) {
			row = l
		}
	}
	if !strings.Contains(row, "| "+want+" |") || !strings.Contains(row, "1.1 step 1 Back up the ZENworks database") ||
		!strings.Contains(md, "## 1.2 Restoring a ZENworks Server\n\nNever rehearsed") {
		t.Errorf("the drill report's Markdown:\n%s", md)
	}
	htmlFile := filepath.Join(t.TempDir(), "drills.html")
	if _, errs, code := runCLIAt(t, statePath, "report", "--drills", "--format", "html", "-o", htmlFile); code != 0 {
		t.Fatalf("html: %d %s", code, errs)
	}
	if b, _ := os.ReadFile(htmlFile); !strings.Contains(string(b), "<td>"+want+"</td>") || !strings.Contains(string(b), drill.RunID) {
		t.Errorf("the drill report's HTML lacks the run:\n%s", b)
	}
	if _, errs, code := runCLIAt(t, statePath, "report", "--drills", drill.RunID); code != exitUsage {
		t.Errorf("report --drills RUN: exit %d %s", code, errs)
	}
}
