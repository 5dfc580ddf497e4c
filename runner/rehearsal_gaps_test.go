//go:build !windows

package runner_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"zenrecover/lab"
	"zenrecover/runner"
)

// Issue 12, rehearsal gaps: each section rehearses to completion in a lab.

// 2.2 with ZENworks Reporting: step 4's export is done by hand in ZENworks
// Reporting. Missing, it is found at step 4, while the services still run,
// not at 9h on the new device; once exported (the lab plays the export),
// the run goes on and 9h loads what step 4 exported.
func TestReplacePrimaryChecksTheReportsExportAtStep4(t *testing.T) {
	f := newFixtureWith(t, lab.Options{Reporting: true})
	l := f.lab
	s := f.start("2.2", facts22(map[string]string{"reporting": "true", "install_reporting": "true"}))
	var out bytes.Buffer
	need := driveTo(t, s, secrets22, &out, "stop-services-linux")
	failed, ok := need.(*runner.NeedFailed)
	if !ok || failed.Key != "backup-reports-check" || !strings.Contains(failed.Error, lab.DefaultReportsFolder) {
		t.Fatalf("without the export, 2.2 went on to %T %+v\n%s", need, need, out.String())
	}
	if z, _ := l.Zone(); !z.Running {
		t.Fatal("the services were stopped before the missing export was found")
	}

	exp, err := l.ExportReports("")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Retry(context.Background(), failed.Key); err != nil {
		t.Fatal(err)
	}
	if n, ok := driveTo(t, s, secrets22, &out, "install-new").(*runner.NeedStep); !ok || n.Step.Ref != "8" {
		t.Fatalf("2.2 did not reach step 8:\n%s", out.String())
	}
	id := s.Run().ID
	s.Close()
	installNewDevice(t, l)
	res, err := runner.Resume(context.Background(), f.opts(), id)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(res.Close)
	if need := drive(t, res, secrets22, &out); need == nil {
		t.Fatal("nil need")
	} else if _, ok := need.(*runner.Done); !ok {
		t.Fatalf("2.2 ended on %T %+v\n%s", need, need, out.String())
	}
	z, _ := l.Zone()
	want := []lab.ReportLoad{{Server: l.Hostname(), Folder: exp.LabFolder, Files: len(exp.Files)}}
	if !slices.Equal(z.ReportLoads, want) {
		t.Errorf("9h loaded %+v, want %+v (step 4's export)", z.ReportLoads, want)
	}
}

// Chapter 5, a new certificate from the same external CA after the
// certificates expired: 4.3 without the refresh before the switch (step
// 4), which could reach no device, and no step fails. The refresh after
// the restart brings every device back.
func TestAfterExpiryNewExternalCertificateSameCA(t *testing.T) {
	c := newCh4(t)
	ca := c.newCA("Example Corp Issuing CA")
	c.makeExternal(ca, "sat-1", "dev-7")
	if err := c.lab.ExpireCertificates(false); err != nil {
		t.Fatal(err)
	}
	if c.reaches("dev-7") {
		t.Fatal("a device contacts a zone whose certificates expired")
	}
	c.serverCerts(ca, lab.DefaultHostname, peer)
	s := c.run("5", base4("scenario", "external-same-ca", "replace_here", "true", "replace_others", "true",
		"replaced_primaries", peer, "ca_expired", "false"), nil, nil)
	c.servedBy(ca.CA())
	for _, d := range []string{lab.DefaultHostname, peer, "sat-1", "dev-7"} {
		if !c.reaches(d) {
			t.Errorf("%s still cannot contact the zone", d)
		}
	}
	stepDone(t, s, "same-ca/sacert-here", "same-ca/sacert-others@"+peer, "same-ca/refresh-after/here", "same-ca/refresh-after/devices@dev-7")
	stepNotRun(t, s, "same-ca/refresh-before/here", "same-ca/refresh-before/devices@dev-7")
}

// Chapter 4 renews certificates before they expire: 4.1, 4.3 and 4.4 on
// their own, told the certificates have expired, send the operator to
// section 5 before any step.
func TestChapter4AfterExpiryPointsToSection5(t *testing.T) {
	for _, id := range []string{"4.1", "4.3", "4.4"} {
		c := newCh4(t)
		s := c.start(id, base4("certs_expired", "true"))
		_, err := s.Next(context.Background())
		var refused *runner.RefusedError
		if !errors.As(err, &refused) || !strings.Contains(refused.Reason, "zenrecover run 5") {
			t.Errorf("%s with expired certificates: %v", id, err)
		}
		if len(s.State().Steps) != 0 {
			t.Errorf("%s: a step ran", id)
		}
	}
}
