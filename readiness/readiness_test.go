package readiness

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"zenrecover/lab"
	"zenrecover/lab/labtest/tmpfs"
	"zenrecover/state"
)

func TestMain(m *testing.M) { os.Exit(tmpfs.Main(m)) }

func openStore(t *testing.T) *state.Store {
	t.Helper()
	st, err := state.Open(filepath.Join(t.TempDir(), "state", "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func noRecipients() ([]string, string, error) { return nil, "/nowhere/recipients", nil }

func find(t *testing.T, r *Result, id string) Check {
	t.Helper()
	for _, c := range r.Checks {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("no check %s in %+v", id, r.Checks)
	return Check{}
}

// liveServer is a Linux server's tree under a folder: the CA's
// CaConfig.xml naming zenca.keystore, made by keytool as ZENworks makes
// its keystores (JKS), valid for days.
func liveServer(t *testing.T, days int) string {
	t.Helper()
	keytool, err := exec.LookPath("keytool")
	if err != nil {
		t.Skip("keytool (a Java runtime) is not installed")
	}
	root := t.TempDir()
	sec := filepath.Join(root, filepath.FromSlash(lab.ServerSecurityDir))
	os.MkdirAll(sec, 0o755)
	cfg := "<?xml version=\"1.0\"?>\n<CaConfig>\n  <Keystore>" + lab.ServerKeystore + "</Keystore>\n</CaConfig>\n"
	if err := os.WriteFile(filepath.Join(sec, "CaConfig.xml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(keytool, "-genkeypair", "-keystore", filepath.Join(sec, "zenca.keystore"), "-storetype", "JKS",
		"-storepass", "zenworks-ks", "-keypass", "zenworks-ks", "-alias", "zenca", "-dname", "CN=ZENworks CA (zenlab)",
		"-keyalg", "EC", "-validity", strconv.Itoa(days), "-ext", "bc:c", "-noprompt").CombinedOutput()
	if err != nil {
		t.Fatalf("keytool: %v\n%s", err, out)
	}
	return root
}

// On a live server the CA's certificate is read from the keystore that
// CaConfig.xml names, without its password (JKS stores certificates in
// the clear). One that expires within 90 days is amber and points at 4.2:
// a server that holds the CA's keystore is the internal CA.
func TestTheCAKeystoreOfALiveServerIsReadWithoutItsPassword(t *testing.T) {
	root := liveServer(t, 45)
	r, err := Assess(context.Background(), Options{Store: openStore(t), Root: root, Host: "zen-primary-1",
		Endpoint: "-", Recipients: noRecipients})
	if err != nil {
		t.Fatal(err)
	}
	ca := find(t, r, "cert.ca")
	f := ca.Certificate
	if ca.Level != Amber || f.Kind != lab.CertInternal || *f.DaysLeft < 44 || *f.DaysLeft > 46 ||
		!strings.Contains(f.Subject, "ZENworks CA (zenlab)") || f.Sources[0].Where != lab.ServerKeystore {
		t.Fatalf("the CA from zenca.keystore: %+v %+v", ca, f)
	}
	if ca.Procedure != "renew-internal-server-cert" || ca.Section != "4.2" || !strings.Contains(ca.Action, "option 2") {
		t.Errorf("an internal CA expiring: %+v", ca)
	}
	// The server's certificate is nowhere: said, and amber, not green.
	if sc := find(t, r, "cert.server"); sc.Level != Amber || !strings.Contains(sc.Text, "Could not be read") {
		t.Errorf("a server certificate that could not be read: %+v", sc)
	}
	// This server is the CA: its export is wanted.
	if c := find(t, r, "backup.ca"); c.Level != Red || c.Command != "zenrecover run 1.3" {
		t.Errorf("no CA export on the CA's server: %+v", c)
	}
}

// A PKCS #12 keystore keeps its certificates encrypted: the CA's expiry
// cannot be read from it, and doctor says why rather than calling it
// green.
func TestAKeystoreThatCannotBeReadIsAmber(t *testing.T) {
	root := liveServer(t, 400)
	ks := filepath.Join(root, filepath.FromSlash(lab.ServerKeystore))
	if err := os.WriteFile(ks, []byte("0\x82\x05\x00not a java keystore"), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := Assess(context.Background(), Options{Store: openStore(t), Root: root, Host: "zen-primary-1",
		Endpoint: "-", Recipients: noRecipients})
	if err != nil {
		t.Fatal(err)
	}
	if ca := find(t, r, "cert.ca"); ca.Level != Amber || !strings.Contains(ca.Text, "PKCS #12") {
		t.Errorf("an unreadable CA keystore: %+v", ca)
	}
}

// A TLS endpoint that does not answer is reported with the error, amber.
func TestAnEndpointThatDoesNotAnswerIsReported(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ep := ln.Addr().String()
	ln.Close() // nothing listens there now
	r, err := Assess(context.Background(), Options{Store: openStore(t), Root: t.TempDir(), Host: "zen-primary-1",
		Endpoint: ep, Timeout: time.Second, Recipients: noRecipients})
	if err != nil {
		t.Fatal(err)
	}
	sc := find(t, r, "cert.server")
	if sc.Level != Amber || !strings.Contains(sc.Text, "TLS handshake with "+ep) {
		t.Errorf("a silent endpoint: %+v", sc)
	}
}

// Working time leaves out the time a run lay stopped and the time before
// a resume (the wizard was gone); every other gap counts for the step
// whose record ended it.
func TestWorkingTimeLeavesOutStopsAndInterruptions(t *testing.T) {
	t0 := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
	events := []state.Event{
		{At: at(1), Kind: state.EventAnswered, Key: "x"},                  // 1 min: the questions
		{At: at(2), Kind: state.EventStarted, Step: "a"},                  // 1 min reading step a
		{At: at(5), Kind: state.EventOutput, Step: "a"},                   // output: no boundary
		{At: at(6), Kind: state.EventSucceeded, Step: "a"},                // 4 min running it
		{At: at(7), Kind: state.EventStopped},                             // 1 min
		{At: at(67), Kind: state.EventResumed},                            // stopped: an hour left out
		{At: at(70), Kind: state.EventConfirmed, Step: "b"},               // 3 min by hand
		{At: at(71), Kind: state.EventStarted, Step: "c", Target: "h1"},   // 1 min
		{At: at(200), Kind: state.EventResumed},                           // the wizard died: left out
		{At: at(202), Kind: state.EventResolved, Step: "c", Target: "h1"}, // 2 min deciding
	}
	total, per := workingTime(t0, events)
	if total != 13*time.Minute {
		t.Errorf("working time %v, want 13m", total)
	}
	want := map[string]time.Duration{"a": 5 * time.Minute, "b": 3 * time.Minute, "c@h1": 3 * time.Minute}
	for k, d := range want {
		if per[k] != d {
			t.Errorf("step %s: %v, want %v", k, per[k], d)
		}
	}
}

// The Prometheus text parser reads what WritePrometheus writes, whatever
// a host name or a check holds.
func TestPrometheusTextEscapesLabels(t *testing.T) {
	na := time.Date(2027, 1, 2, 3, 4, 5, 0, time.UTC)
	days := 30
	r := &Result{Host: `odd"host\name` + "\n", Generated: na, Level: Amber, Checks: []Check{
		{ID: "cert.server", Area: AreaCertificate, Level: Amber, Procedure: "renew-internal-server-cert",
			Certificate: &CertFigures{Kind: "internal", NotAfter: na, DaysLeft: &days}},
		{ID: "rehearsal.x", Area: AreaRehearsal, Rehearsal: &RehearsalFigures{Procedure: `p"1`, Section: "1.1", Last: na,
			DurationSeconds: 1.5, EstimateSeconds: 2}},
	}}
	var b bytes.Buffer
	if err := WritePrometheus(&b, r); err != nil {
		t.Fatal(err)
	}
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(&b)
	if err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	m := fams["zenrecover_certificate_expiry_timestamp_seconds"].GetMetric()[0]
	if m.GetGauge().GetValue() != float64(na.Unix()) || m.GetLabel()[0].GetValue() != r.Host {
		t.Errorf("expiry series: %v", m)
	}
	if v := fams["zenrecover_rehearsal_duration_seconds"].GetMetric()[0].GetGauge().GetValue(); v != 1.5 {
		t.Errorf("rehearsal duration %v", v)
	}
}

// The schedule keeps the last N sets it made, never a set it did not
// make, and journals every run, a failed one too.
func TestScheduledArchivesKeepTheLastNAndAreJournaled(t *testing.T) {
	l, err := lab.Init(filepath.Join(t.TempDir(), "lab"), lab.Options{})
	if err != nil {
		t.Fatal(err)
	}
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	st := openStore(t)
	backups := l.Rebase(lab.ServerBackupDir)
	mine := filepath.Join(backups, "content-repo-by-hand.archive")
	os.MkdirAll(mine, 0o700)
	t0 := time.Date(2026, 12, 2, 2, 30, 0, 0, time.Local)
	var sets []string
	for i := range 3 {
		r, err := RunScheduled(context.Background(), ScheduledRun{Store: st, Lab: l, Dest: lab.ServerBackupDir, Keep: 2,
			Recipients: []string{id.Recipient().String()}, Now: t0.Add(time.Duration(i) * 24 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		sets = append(sets, r.Set)
		if i == 2 && (len(r.Removed) != 1 || r.Removed[0] != sets[0]) {
			t.Errorf("the third run removed %v, want the first set %s", r.Removed, sets[0])
		}
	}
	for i, s := range sets {
		_, err := os.Stat(l.Rebase(s))
		if (i == 0) != os.IsNotExist(err) {
			t.Errorf("set %d (%s): %v", i, s, err)
		}
	}
	if _, err := os.Stat(mine); err != nil {
		t.Errorf("a set the schedule did not make was removed: %v", err)
	}
	// The content repository without its images: refused, and journaled.
	os.RemoveAll(l.Rebase(lab.ServerImagesDir))
	if _, err := RunScheduled(context.Background(), ScheduledRun{Store: st, Lab: l, Dest: lab.ServerBackupDir, Keep: 2,
		Recipients: []string{id.Recipient().String()}, Now: t0.Add(72 * time.Hour)}); err == nil {
		t.Fatal("an archive without the images folder was made")
	}
	runs, err := ScheduledRuns(context.Background(), st, 10)
	if err != nil || len(runs) != 4 || runs[0].Status != state.RunFailed || runs[1].Status != state.RunCompleted {
		t.Fatalf("the journal: %v %+v", err, runs)
	}
}

// BenchmarkAssess reads a journal of 500 finished rehearsals of 1.1
// (about 20 records each), as a team that rehearses for years has.
//
//	go test ./readiness/ -run x -bench Assess -benchmem
func BenchmarkAssess(b *testing.B) {
	l, err := lab.Init(filepath.Join(b.TempDir(), "lab"), lab.Options{})
	if err != nil {
		b.Fatal(err)
	}
	st, err := state.Open(filepath.Join(b.TempDir(), "state.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	src, err := os.ReadFile("../assets/procedures/1.1-server-backup.yaml")
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for range 500 {
		run, err := st.CreateRun(ctx, state.Run{ProcedureID: "server-backup", DefHash: "h", DefText: src, Mode: state.ModeLab,
			LabDir: l.Dir(), Host: l.Hostname(), User: "alice"})
		if err != nil {
			b.Fatal(err)
		}
		events := []state.Event{{Kind: state.EventAnswered, Key: "db_on_server", Value: "true"},
			{Kind: state.EventAnswered, Key: "only_content_server", Value: "true"},
			{Kind: state.EventAnswered, Key: "backup_file", Value: "/root/zcm_backups/zone_backup.bak"},
			{Kind: state.EventAnswered, Key: "content_archive", Value: "/root/zcm_backups/content-repo.archive"},
			{Kind: state.EventConfirmed, Step: "backup-database"}}
		for _, s := range []string{"zman-backup", "backup-content"} {
			events = append(events, state.Event{Kind: state.EventStarted, Step: s, PID: os.Getpid()},
				state.Event{Kind: state.EventRunning, Step: s, PID: os.Getpid()},
				state.Event{Kind: state.EventOutput, Step: s},
				state.Event{Kind: state.EventSucceeded, Step: s})
		}
		events = append(events, state.Event{Kind: state.EventConfirmed, Step: "schedule"})
		for _, e := range events {
			e.RunID = run.ID
			if _, err := st.Append(ctx, run.OwnerToken, e); err != nil {
				b.Fatal(err)
			}
		}
		if err := st.SetStatus(ctx, run.ID, run.OwnerToken, state.RunCompleted); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := Assess(ctx, Options{Store: st, Lab: l, Recipients: noRecipients}); err != nil {
			b.Fatal(err)
		}
	}
}
