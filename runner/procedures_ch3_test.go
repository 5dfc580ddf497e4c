//go:build !windows

package runner_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"zenrecover/lab"
	"zenrecover/procedures"
	"zenrecover/runner"
	"zenrecover/state"
)

// Chapter 3: a Primary Server gets a new IP address (3.1) or a new DNS name
// (3.2.1 with external certificates, 3.2.2 with internal ones). The lab's
// server is changed the way the administrator changes it (lab.SetAddress,
// `zenrecover lab set-address`) at the step that asks for it, and the tests
// check what the procedure then changed in the zone.

const (
	ch3NewAddress = "192.0.2.50"
	ch3Peer       = "zen-primary-2" // the lab's second Primary Server
)

var ch3Secrets = map[string]string{"admin_password": adminPW, "ca_passphrase": passphrase,
	"backup_passphrase": passphrase, "archive_passphrase": passphrase}

// driveCh3 is drive for long procedures, with the operator's own work:
// before runs ahead of every step (or target) that is about to be done,
// and the steps (step@target) in skip are skipped, as for a device that
// cannot be reached.
func driveCh3(t *testing.T, s *runner.Session, answers map[string]string, out *bytes.Buffer, before func(n *runner.NeedStep), skip ...string) runner.Need {
	t.Helper()
	ctx := context.Background()
	for i := 0; i < 400; i++ {
		need, err := s.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		switch n := need.(type) {
		case *runner.NeedFact:
			v, ok := answers[n.Fact.ID]
			if !ok {
				return n
			}
			if err := s.Answer(ctx, n.Fact.ID, v); err != nil {
				t.Fatal(err)
			}
		case *runner.NeedInput:
			v, ok := answers[n.Input.ID]
			if !ok {
				v = n.Input.Default
			}
			if v == "" {
				return n
			}
			if err := s.Answer(ctx, n.Input.ID, v); err != nil {
				t.Fatal(err)
			}
		case *runner.NeedStep:
			if slices.Contains(skip, n.Key) {
				if err := s.Skip(ctx, n.Key, "not reachable"); err != nil {
					t.Fatal(err)
				}
				continue
			}
			if before != nil {
				before(n)
			}
			if n.Manual {
				if err := s.Confirm(ctx, n.Key, n.ConfirmWord); err != nil {
					t.Fatal(err)
				}
				continue
			}
			// A prompt nobody answers would wait for the operator forever.
			sctx, cancel := context.WithTimeout(ctx, time.Minute)
			_, err := s.ExecuteWith(sctx, n.Key, n.ConfirmWord, runner.ExecIO{Out: out})
			cancel()
			if err != nil {
				t.Fatalf("step %s: %v\n%s", n.Key, err, out.String())
			}
		default:
			return need
		}
	}
	t.Fatal("the run did not settle")
	return nil
}

func merged(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

func mustDone(t *testing.T, need runner.Need, out *bytes.Buffer) {
	t.Helper()
	if _, ok := need.(*runner.Done); !ok {
		if f, ok := need.(*runner.NeedFailed); ok {
			t.Fatalf("step %s failed: %s\n%s", f.Key, f.Error, out.String())
		}
		t.Fatalf("the run ended on %T %+v\n%s", need, need, out.String())
	}
}

// done asserts that each step (or step@target) succeeded or was confirmed.
func done(t *testing.T, s *runner.Session, keys ...string) {
	t.Helper()
	st := s.State()
	for _, k := range keys {
		if ss := st.Steps[k]; ss == nil || (ss.Status != state.StepSucceeded && ss.Status != state.StepConfirmed) {
			t.Errorf("step %s: %+v", k, ss)
		}
	}
}

// notRun asserts that no step with one of these keys (or key prefixes
// ending in "/" or "@") was touched.
func notRun(t *testing.T, s *runner.Session, keys ...string) {
	t.Helper()
	for k, ss := range s.State().Steps {
		for _, p := range keys {
			if k == p || ((strings.HasSuffix(p, "/") || strings.HasSuffix(p, "@")) && strings.HasPrefix(k, p)) {
				t.Errorf("step %s ran (%s), though its condition is false", k, ss.Status)
			}
		}
	}
}

// serverAddress is the database server address an XML file of a lab host
// names.
func serverAddress(t *testing.T, h *lab.Lab, file string) string {
	t.Helper()
	y := h.Layout() // a Linux or a Windows server's datamodel folder
	data, err := os.ReadFile(h.Rebase(y.Join(y.DataModelDir, file)))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(data), `<entry key="Server Address">`)
	v, _, ok2 := strings.Cut(rest, "</entry>")
	if !ok || !ok2 {
		t.Fatalf("%s of %s has no Server Address:\n%s", file, h.Hostname(), data)
	}
	return strings.TrimSpace(v)
}

func backups(t *testing.T, h *lab.Lab, file string) []string {
	t.Helper()
	y := h.Layout()
	m, _ := filepath.Glob(h.Rebase(y.Join(y.DataModelDir, file)) + ".*.bak")
	return m
}

// configureRuns lists "Action/Option" of the novell-zenworks-configure runs
// on server, oldest first.
func configureRuns(z lab.Zone, server string) []string {
	var out []string
	for _, r := range z.ConfigureRuns {
		if strings.EqualFold(r.Server, server) {
			out = append(out, strings.TrimSuffix(r.Action+"/"+r.Option, "/"))
		}
	}
	return out
}

// zacCalls lists "subcommand args" of the zac commands on device.
func zacCalls(z lab.Zone, device string) []string {
	var out []string
	for _, c := range z.DeviceLog {
		if strings.EqualFold(c.Device, device) {
			out = append(out, strings.TrimSpace(c.Subcommand+" "+strings.Join(c.Args, " ")))
		}
	}
	return out
}

// ---- 3.1 Changing the IP Address of a Primary Server ----

var answers31 = map[string]string{
	"cn_has_address": "no", "platform": "linux", "other_primaries_platform": "linux", "only_primary": "no", "db_here": "yes",
	"has_satellites": "yes", "reporting_here": "yes", "multizone_publisher": "yes",
	"internal_ca_here": "yes", "embedded_db_here": "yes",
	"new_address": ch3NewAddress, "server_dns": lab.DefaultHostname + "." + lab.LabDomain,
	"other_primaries": ch3Peer, "satellites": "sat-1, sat-2",
}

// The operator changes the address when step 2 asks for it.
func changeAddressAt(t *testing.T, l *lab.Lab, key string, c lab.AddressChange) func(*runner.NeedStep) {
	return func(n *runner.NeedStep) {
		if n.Key != key {
			return
		}
		if _, err := l.SetAddress(c); err != nil {
			t.Fatal(err)
		}
	}
}

// Linux, the database on this server, another Primary Server, Satellites,
// Reporting and Multizone: every step runs, the services restart with
// Restart, the packages are rebuilt here, and the second Primary Server's
// zdm.xml and zenaudit.xml lead to the database at its new address.
func TestChangeIPAddressRunsInALab(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	s := f.start("3.1", nil)
	var out bytes.Buffer
	need := driveCh3(t, s, merged(answers31, ch3Secrets), &out,
		changeAddressAt(t, f.lab, "set-address", lab.AddressChange{Address: ch3NewAddress}))
	mustDone(t, need, &out)

	done(t, s, "backup/here/content-repo", "backup/here/zenworks-server/zman-backup",
		"backup/others@"+ch3Peer, "set-address", "address-here", "dns", "restart",
		"default-packages", "custom-packages", "6.1/zdm-linux@"+ch3Peer, "6.2/zenaudit-linux@"+ch3Peer,
		"restart-agent", "proxy-dhcp@sat-1", "proxy-dhcp@sat-2", "reporting",
		"multizone/login", "multizone/base-url", "multizone/new-address")
	notRun(t, s, "6.1/zdm-windows@", "6.2/zenaudit-windows@", "6.1/zenaudit-linux@", "6.2/zdm-linux@",
		"multizone/new-address-or-name", "multizone/cert-navigate", "multizone/navigate")

	z, _ := f.lab.Zone()
	if got, want := configureRuns(z, lab.DefaultHostname), []string{"Start/Restart", "CreateExtractorPacks", "RebuildCustomPacks"}; !slices.Equal(got, want) {
		t.Errorf("novell-zenworks-configure on this server: %v, want %v", got, want)
	}
	if z.Restarts != 1 || !z.Running {
		t.Errorf("restarts %d, running %v", z.Restarts, z.Running)
	}
	peer, _ := f.lab.Host(ch3Peer)
	for _, file := range []string{"zdm.xml", "zenaudit.xml"} {
		if got := serverAddress(t, peer, file); got != z.Database.Address || got != ch3NewAddress {
			t.Errorf("%s of %s names %s; the database is at %s", file, ch3Peer, got, z.Database.Address)
		}
		if len(backups(t, peer, file)) != 1 {
			t.Errorf("%s of %s was not kept as a backup", file, ch3Peer)
		}
	}
	if !strings.Contains(out.String(), "Restarted the ZENworks services") {
		t.Errorf("the restart was not answered with Restart:\n%s", out.String())
	}
}

// Windows Primary Servers, in a Windows-layout lab: the other server's
// zdm.xml and zenaudit.xml are edited at %ZENWORKS_HOME%\conf\datamodel (its
// Windows path, expanded on that server), the original kept beside them.
// Without Satellites, Reporting and Multizone their steps do not apply.
func TestChangeIPAddressOnWindows(t *testing.T) {
	t.Parallel()
	f := newWinFixture(t)
	vals := merged(answers31, ch3Secrets, map[string]string{"platform": "windows", "other_primaries_platform": "windows",
		"has_satellites": "no", "reporting_here": "no", "multizone_publisher": "no"})
	s := f.start("3.1", nil)
	var out bytes.Buffer
	var shown string
	need := driveCh3(t, s, vals, &out, func(n *runner.NeedStep) {
		changeAddressAt(t, f.lab, "set-address", lab.AddressChange{Address: ch3NewAddress})(n)
		if n.Key == "6.1/zdm-windows@"+ch3Peer {
			shown = n.Describe
		}
	})
	mustDone(t, need, &out)
	done(t, s, "6.1/zdm-windows@"+ch3Peer, "6.2/zenaudit-windows@"+ch3Peer, "backup/here/content-repo-windows")
	notRun(t, s, "6.1/zdm-linux@", "6.2/zenaudit-linux@", "proxy-dhcp@", "reporting", "multizone/", "backup/here/content-repo")
	if !strings.Contains(shown, `Novell/ZENworks/conf/datamodel/zdm.xml`) || !strings.Contains(shown, ch3NewAddress) {
		t.Errorf("the Windows step shows %q", shown)
	}
	peer, _ := f.lab.Host(ch3Peer)
	for _, file := range []string{"zdm.xml", "zenaudit.xml"} {
		if got := serverAddress(t, peer, file); got != ch3NewAddress {
			t.Errorf("%s of the Windows server %s names %s, want %s", file, ch3Peer, got, ch3NewAddress)
		}
		if len(backups(t, peer, file)) != 1 {
			t.Errorf("%s of %s was not kept as a backup", file, ch3Peer)
		}
	}
}

// A zone that mixes Linux and Windows Primary Servers (issue 12): each other
// server is done the way its own system needs. The Linux one's zdm.xml and
// zenaudit.xml are edited at the Linux path, whose origin the step says;
// the Windows one's at its Windows path (a Windows host of the Linux lab),
// never as Linux, with the reference's path in the step's note.
func TestChangeIPAddressInAMixedZone(t *testing.T) {
	t.Parallel()
	const winPeer = "zen-win-3"
	f := newFixture(t)
	// A Windows Primary Server beside the Linux lab server, with its
	// datamodel files.
	win, err := f.lab.HostOn(winPeer, lab.PlatformWindows)
	if err != nil {
		t.Fatal(err)
	}
	wy := win.Layout()
	for _, file := range []string{"zdm.xml", "zenaudit.xml"} {
		p := win.Rebase(wy.Join(wy.DataModelDir, file))
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte("<?xml version=\"1.0\"?>\n<properties>\n<entry key=\"Server Address\">192.0.2.10</entry>\n</properties>\n"), 0o644)
	}
	vals := merged(answers31, ch3Secrets, map[string]string{"other_primaries_platform": "mixed",
		"other_primaries": ch3Peer + ", " + winPeer, "linux_primaries": ch3Peer, "windows_primaries": winPeer,
		"has_satellites": "no", "reporting_here": "no", "multizone_publisher": "no"})
	s := f.start("3.1", nil)
	var out bytes.Buffer
	shown := map[string]string{} // what the operator sees of each step
	record := func(n *runner.NeedStep) {
		text := n.Describe + "\n" + n.Instructions
		for _, note := range n.Step.Notes {
			text += "\n" + note.Text
		}
		shown[n.Key] = text
	}
	need := driveCh3(t, s, vals, &out, func(n *runner.NeedStep) {
		changeAddressAt(t, f.lab, "set-address", lab.AddressChange{Address: ch3NewAddress})(n)
		record(n)
	})
	mustDone(t, need, &out)
	done(t, s, "6.1/zdm-linux-mixed@"+ch3Peer, "6.2/zenaudit-linux-mixed@"+ch3Peer,
		"6.1/zdm-windows-mixed@"+winPeer, "6.2/zenaudit-windows-mixed@"+winPeer)
	notRun(t, s, "6.1/zdm-linux-mixed@"+winPeer, "6.2/zenaudit-linux-mixed@"+winPeer,
		"6.1/zdm-windows-mixed@"+ch3Peer, "6.2/zenaudit-windows-mixed@"+ch3Peer,
		"6.1/zdm-linux@", "6.1/zdm-windows@", "6.2/zenaudit-linux@", "6.2/zenaudit-windows@")
	for file, key := range map[string]string{"zdm.xml": "6.1/zdm-windows-mixed@" + winPeer, "zenaudit.xml": "6.2/zenaudit-windows-mixed@" + winPeer} {
		if w := `ZENworks_Installation_Directory\Novell\ZENworks\conf\datamodel\` + file; !strings.Contains(shown[key], w) || !strings.Contains(shown[key], ch3NewAddress) {
			t.Errorf("%s shows %q, want the reference's path %s", key, shown[key], w)
		}
	}
	for _, key := range []string{"6.1/zdm-linux-mixed@" + ch3Peer, "6.2/zenaudit-linux-mixed@" + ch3Peer} {
		if !strings.Contains(shown[key], "The reference gives only the Windows path") || !strings.Contains(shown[key], "section 1.1") {
			t.Errorf("%s does not say where its Linux path comes from: %q", key, shown[key])
		}
	}
	peer, _ := f.lab.Host(ch3Peer)
	for _, file := range []string{"zdm.xml", "zenaudit.xml"} {
		if got := serverAddress(t, peer, file); got != ch3NewAddress {
			t.Errorf("%s of %s names %s, want %s", file, ch3Peer, got, ch3NewAddress)
		}
	}
	if _, err := os.Stat(win.Rebase("/etc/opt/novell/zenworks/datamodel/zdm.xml")); err == nil {
		t.Errorf("the Windows server got a Linux zdm.xml")
	}
	for _, file := range []string{"zdm.xml", "zenaudit.xml"} {
		if got := serverAddress(t, win, file); got != ch3NewAddress {
			t.Errorf("%s of the Windows server %s names %s, want %s", file, winPeer, got, ch3NewAddress)
		}
	}
}

// The database elsewhere, no other Primary Server: nothing to re-point;
// the services and packages on this server are all there is.
func TestChangeIPAddressWithTheDatabaseElsewhere(t *testing.T) {
	t.Parallel()
	f := newFixtureWith(t, lab.Options{ExternalDatabase: true})
	vals := merged(answers31, ch3Secrets, map[string]string{"db_here": "no", "embedded_db_here": "no",
		"only_primary": "yes", "has_satellites": "no", "reporting_here": "yes", "multizone_publisher": "no"})
	delete(vals, "other_primaries")
	s := f.start("3.1", nil)
	var out bytes.Buffer
	need := driveCh3(t, s, vals, &out, changeAddressAt(t, f.lab, "set-address", lab.AddressChange{Address: ch3NewAddress}))
	mustDone(t, need, &out) // other_primaries was never asked
	done(t, s, "restart", "default-packages", "custom-packages")
	notRun(t, s, "backup/others@", "6.1/", "6.2/", "reporting")
	z, _ := f.lab.Zone()
	if z.Database.Address == ch3NewAddress {
		t.Error("the external database moved with this server")
	}
	peer, _ := f.lab.Host(ch3Peer)
	if got := serverAddress(t, peer, "zdm.xml"); got != z.Database.Address {
		t.Errorf("the second server's zdm.xml was changed to %s", got)
	}
}

// The checks of steps 2 and 3 hold the run until the address is really on
// this server and the DNS name really leads to it.
func TestChangeIPAddressWaitsForTheAddressAndTheDNSRecord(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	vals := merged(answers31, ch3Secrets, map[string]string{"only_primary": "yes", "has_satellites": "no",
		"reporting_here": "no", "multizone_publisher": "no"})
	s := f.start("3.1", nil)
	ctx := context.Background()
	var out bytes.Buffer

	// Step 2 confirmed without changing anything.
	need := driveCh3(t, s, vals, &out, nil)
	failed, ok := need.(*runner.NeedFailed)
	if !ok || failed.Key != "address-here" || !strings.Contains(failed.Error, ch3NewAddress) {
		t.Fatalf("got %T %+v", need, need)
	}
	// The machine changed, the DNS record not yet.
	if _, err := f.lab.SetAddress(lab.AddressChange{Address: ch3NewAddress, KeepDNS: true}); err != nil {
		t.Fatal(err)
	}
	if err := s.Retry(ctx, "address-here"); err != nil {
		t.Fatal(err)
	}
	need = driveCh3(t, s, vals, &out, nil)
	failed, ok = need.(*runner.NeedFailed)
	if !ok || failed.Key != "dns" || !strings.Contains(failed.Error, "192.0.2.10") {
		t.Fatalf("got %T %+v", need, need)
	}
	z, _ := f.lab.Zone()
	if z.Restarts != 0 {
		t.Error("the services restarted before the DNS record was right")
	}
	if _, err := f.lab.SetAddress(lab.AddressChange{Address: ch3NewAddress}); err != nil {
		t.Fatal(err)
	}
	if err := s.Retry(ctx, "dns"); err != nil {
		t.Fatal(err)
	}
	mustDone(t, driveCh3(t, s, vals, &out, nil), &out)
	done(t, s, "address-here", "dns", "restart")
}

func TestChangeIPAddressRefusesACertificateNamingTheAddress(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	vals := procedures.Values{}
	for k, v := range answers31 {
		vals[k] = v
	}
	vals["cn_has_address"] = "yes"
	s := f.start("3.1", vals)
	_, err := s.Next(context.Background())
	var refused *runner.RefusedError
	if !errors.As(err, &refused) || !strings.Contains(refused.Reason, "CN") {
		t.Fatalf("got %v", err)
	}
	if len(s.State().Steps) != 0 {
		t.Error("a step ran before the refusal")
	}
}

// ---- 3.2 Changing the DNS Name (or the IP Address and DNS Name) ----

const ch3NewName = "zen-renamed"

var answers32 = map[string]string{
	"cn_is_fqdn": "yes", "address_changes": "yes", "platform": "linux", "other_primaries_platform": "linux", "only_primary": "no",
	"db_here": "yes", "has_satellites": "yes", "devices_unreachable": "yes", "intel_amt": "yes",
	"multizone_publisher": "yes", "reporting_here": "yes",
	"internal_ca_here": "yes", "embedded_db_here": "yes",
	"new_dns": ch3NewName + "." + lab.LabDomain, "new_address": ch3NewAddress,
	"other_primaries": ch3Peer, "devices": "dev-7", "satellites": "sat-win, sat-lin",
	"unreachable_devices": "dev-7",
}

var answers322 = merged(answers32, map[string]string{
	"windows_auth_satellites": "yes", "linux_auth_satellites": "yes",
	"windows_auth_sats": "sat-win", "linux_auth_sats": "sat-lin",
})

// renameAt gives the lab server its new name (and address) when the check
// of step key is next, as the administrator does before the procedure's
// certificate steps.
func renameAt(t *testing.T, l *lab.Lab, key string, withAddress bool) func(*runner.NeedStep) {
	c := lab.AddressChange{Name: ch3NewName}
	if withAddress {
		c.Address = ch3NewAddress
	}
	return changeAddressAt(t, l, key, c)
}

// 3.2.2 on its fullest branch: the server's certificate is reminted for its
// new name (the CA is not), presented after the restart; the second server
// leads to the database at its new address; the agents re-establish trust
// and refresh; the Authentication Satellites get certificates from the
// internal CA, by asr on Windows and rsc on Linux.
func TestChangeDNSNameWithInternalCertificatesRunsInALab(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	s := f.start("3.2.2", nil)
	var out bytes.Buffer
	// dev-7 cannot be reached during the refresh of step 9: its trust is
	// reestablished instead.
	need := driveCh3(t, s, merged(answers322, ch3Secrets), &out, renameAt(t, f.lab, "new-name", true),
		"refresh-all/devices@dev-7")
	mustDone(t, need, &out)

	done(t, s, "backup/others@"+ch3Peer, "new-name", "ssl", "restart",
		"3a/zdm-linux@"+ch3Peer, "3b/zenaudit-linux@"+ch3Peer, "primary-agents/retr@"+ch3Peer, "primary-agents/refresh@"+ch3Peer,
		"bypasscache", "restart-agents/here", "restart-agents/others@"+ch3Peer, "restart-agents/devices@dev-7",
		"proxy-dhcp@sat-win", "restart-primaries/here",
		"restart-primaries/others@"+ch3Peer, "refresh-all/here", "refresh-all/others@"+ch3Peer, "retr-unreachable/retr@dev-7",
		"auth-satellites/windows@sat-win", "auth-satellites/linux@sat-lin", "packages/default-others@"+ch3Peer, "packages/custom-here",
		"amt", "multizone/cert-update", "reporting")
	notRun(t, s, "multizone/new-address", "multizone/navigate", "multizone/update")

	z, _ := f.lab.Zone()
	c := z.Certs()
	sc, ok := c.Presenting(ch3NewName)
	if !ok || sc.Subject != "CN="+ch3NewName+"."+lab.LabDomain || !sc.Issuer.Same(c.CA) {
		t.Errorf("%s presents %+v; want a certificate for its new name from the zone CA", ch3NewName, sc)
	}
	if c.Generation != 1 || c.Kind != lab.CertInternal {
		t.Errorf("the CA was reminted too (generation %d, %s)", c.Generation, c.Kind)
	}
	if got, want := configureRuns(z, ch3NewName), []string{"SSL/1", "Start/Restart", "Start/Restart", "CreateExtractorPacks", "RebuildCustomPacks"}; !slices.Equal(got, want) {
		t.Errorf("novell-zenworks-configure on this server: %v, want %v", got, want)
	}
	if got, want := configureRuns(z, ch3Peer), []string{"Start/Restart", "CreateExtractorPacks", "RebuildCustomPacks"}; !slices.Equal(got, want) {
		t.Errorf("novell-zenworks-configure on %s: %v, want %v", ch3Peer, got, want)
	}
	retr := "reestablish-trust -u " + lab.DefaultAdminUser
	for dev, want := range map[string][]string{
		ch3Peer: {retr, "refresh bypasscache", "refresh"}, ch3NewName: {"refresh bypasscache", "refresh"},
		"dev-7": {retr}, "sat-win": {"authentication-server-reconfigure -t all"}, "sat-lin": {"remint-satellite-cert"},
	} {
		if got := zacCalls(z, dev); !slices.Equal(got, want) {
			t.Errorf("zac on %s: %v, want %v", dev, got, want)
		}
	}
	for _, sat := range []string{"sat-win", "sat-lin"} {
		if sc, ok := c.Satellite(sat); !ok || !sc.Issuer.Same(c.CA) {
			t.Errorf("%s has no authentication certificate from the zone CA: %+v", sat, sc)
		}
	}
	peer, _ := f.lab.Host(ch3Peer)
	for _, file := range []string{"zdm.xml", "zenaudit.xml"} {
		if got := serverAddress(t, peer, file); got != ch3NewAddress || z.Database.Address != ch3NewAddress {
			t.Errorf("%s of %s names %s; the database is at %s", file, ch3Peer, got, z.Database.Address)
		}
	}
}

// Only the DNS name changes: the database keeps its address, so step 3
// does not apply and the second server's files stay as they are; without
// unreachable devices, Authentication Satellites, AMT, Multizone or
// Reporting, their steps do not apply either.
func TestChangeOnlyTheDNSNameWithInternalCertificates(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	vals := merged(answers322, ch3Secrets, map[string]string{"address_changes": "no", "new_address": "192.0.2.10",
		"devices_unreachable": "no", "windows_auth_satellites": "no", "linux_auth_satellites": "no",
		"intel_amt": "no", "multizone_publisher": "no", "reporting_here": "no", "has_satellites": "no"})
	s := f.start("3.2.2", nil)
	var out bytes.Buffer
	mustDone(t, driveCh3(t, s, vals, &out, renameAt(t, f.lab, "new-name", false)), &out)
	done(t, s, "new-name", "ssl", "restart", "bypasscache", "restart-primaries/others@"+ch3Peer, "refresh-all/devices@dev-7")
	notRun(t, s, "3a/", "3b/", "retr-unreachable/", "auth-satellites/", "amt", "multizone/", "reporting", "proxy-dhcp@")
	z, _ := f.lab.Zone()
	if sc, _ := z.Certs().Presenting(ch3NewName); sc.Subject != "CN="+ch3NewName+"."+lab.LabDomain {
		t.Errorf("presents %+v", sc)
	}
	peer, _ := f.lab.Host(ch3Peer)
	if got := serverAddress(t, peer, "zdm.xml"); got != "192.0.2.10" || z.Database.Address != got {
		t.Errorf("zdm.xml of %s names %s, the database is at %s", ch3Peer, got, z.Database.Address)
	}
}

// The certificate steps wait for the new name: before it is in place, the
// check of step 2 fails and nothing is reminted.
func TestChangeDNSNameWaitsForTheNewName(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	vals := merged(answers322, ch3Secrets, map[string]string{"only_primary": "yes"})
	s := f.start("3.2.2", nil)
	var out bytes.Buffer
	need := driveCh3(t, s, vals, &out, nil)
	failed, ok := need.(*runner.NeedFailed)
	if !ok || failed.Key != "new-name" || !strings.Contains(failed.Error, ch3NewName) {
		t.Fatalf("got %T %+v", need, need)
	}
	z, _ := f.lab.Zone()
	if runs := configureRuns(z, lab.DefaultHostname); len(runs) != 0 {
		t.Errorf("ran before the new name was in place: %v", runs)
	}
}

func TestChangeDNSNameRefusesACertificateWithoutTheDNSName(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	vals := procedures.Values{}
	for k, v := range merged(answers322, map[string]string{"cn_is_fqdn": "no"}) {
		vals[k] = v
	}
	s := f.start("3.2.2", vals)
	_, err := s.Next(context.Background())
	var refused *runner.RefusedError
	if !errors.As(err, &refused) || !strings.Contains(refused.Reason, "fully qualified DNS name") {
		t.Fatalf("got %v", err)
	}
}

// ---- 3.2.1 with an external certificate ----

const ch3Year = 365 * 24 * time.Hour

// labRun runs a lab tool as host ("" is the lab server), outside any run.
func labRun(t *testing.T, l *lab.Lab, host, stdin, tool string, args ...string) string {
	t.Helper()
	t.Setenv(lab.HostEnv, host)
	defer os.Unsetenv(lab.HostEnv)
	var out, errs bytes.Buffer
	if code := lab.Exec(l.Dir(), tool, args, strings.NewReader(stdin), &out, &errs); code != 0 {
		t.Fatalf("on %q: %s %v: exit %d\n%s%s", host, tool, args, code, out.String(), errs.String())
	}
	return out.String()
}

// makeZoneExternal gives the lab's zone external certificates from a new
// certificate authority, as section 4.1 does: certificates added for both
// Primary Servers, the servers and the managed device dev-7 refreshed, the
// certificates enforced and the services restarted.
func makeZoneExternal(t *testing.T, l *lab.Lab) *lab.ExternalCA {
	t.Helper()
	ca, err := lab.NewExternalCA("Example Corp Issuing CA", 5*ch3Year)
	if err != nil {
		t.Fatal(err)
	}
	login := lab.DefaultAdminUser + "\n" + adminPW + "\n"
	for _, h := range []string{lab.DefaultHostname, ch3Peer} {
		p := l.Rebase("/root/zcm_certs/" + h + ".der")
		if err := ca.IssueServer(h+"."+lab.LabDomain, ch3Year, p, ""); err != nil {
			t.Fatal(err)
		}
		labRun(t, l, "", login, "zman", "sacert", h, p)
	}
	for _, h := range []string{"", ch3Peer, "dev-7"} {
		labRun(t, l, h, "", "zac", "ref")
	}
	labRun(t, l, "", "", "novell-zenworks-configure", "-c", "SSL", "-Z")
	for _, h := range []string{"", ch3Peer} {
		labRun(t, l, h, "3\n", "novell-zenworks-configure", "-c", "Start")
	}
	if c := mustZone(t, l).Certs(); c.Kind != lab.CertExternal || !c.CA.Same(ca.CA()) {
		t.Fatalf("the zone is not external: %s %s", c.Kind, c.CA)
	}
	return ca
}

func mustZone(t *testing.T, l *lab.Lab) lab.Zone {
	t.Helper()
	z, err := l.Zone()
	if err != nil {
		t.Fatal(err)
	}
	return z
}

var answers321 = merged(answers32, map[string]string{
	"import_root": "yes", "root_by_bundle": "no", "server_zcc_path": "/Devices/Servers/" + ch3NewName,
	"server_cert": "/root/zcm_certs/" + ch3NewName + ".der", "ca_cert": "/root/zcm_certs/root-ca.der",
})

// The operator's work in 3.2.1: the new name at step 2's check, the signed
// certificate from the CSR, the root certificate on every device that
// imports it.
func operator321(t *testing.T, l *lab.Lab, ca *lab.ExternalCA, withAddress bool) func(*runner.NeedStep) {
	rename := renameAt(t, l, "new-name", withAddress)
	return func(n *runner.NeedStep) {
		rename(n)
		switch {
		case n.Key == "request":
			if err := ca.IssueServer(ch3NewName+"."+lab.LabDomain, ch3Year, l.Rebase(answers321["server_cert"]), ""); err != nil {
				t.Fatal(err)
			}
		case strings.HasPrefix(n.Key, "root-cert/") && !n.Manual:
			h, err := l.Host(n.Target)
			if err != nil {
				t.Fatal(err)
			}
			if err := ca.WriteCertificate(h.Rebase(answers321["ca_cert"])); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// 3.2.1 on its fullest branch: the certificate for the new name is added
// and enforced, and this server presents it after the restart; every device
// imported the CA's root certificate; the second server leads to the
// database at its new address; the agents re-establish trust and refresh.
func TestChangeDNSNameWithExternalCertificatesRunsInALab(t *testing.T) {
	f := newFixture(t)
	ca := makeZoneExternal(t, f.lab)
	s := f.start("3.2.1", nil)
	var out bytes.Buffer
	// dev-7 cannot be reached during the refresh of step 13.
	need := driveCh3(t, s, merged(answers321, ch3Secrets), &out, operator321(t, f.lab, ca, true),
		"refresh-all/devices@dev-7")
	mustDone(t, need, &out)

	done(t, s, "backup/others@"+ch3Peer, "new-name", "request", "sacert", "refresh-for-certs/here",
		"refresh-for-certs/others@"+ch3Peer, "refresh-for-certs/devices@dev-7",
		"ssl/ssl", "restart", "root-cert/here", "root-cert/others@"+ch3Peer, "root-cert/devices@dev-7",
		"7.1/zdm-linux@"+ch3Peer, "7.2/zenaudit-linux@"+ch3Peer,
		"restart-primaries/others@"+ch3Peer, "primary-agents/retr@"+ch3Peer, "primary-agents/refresh@"+ch3Peer,
		"bypasscache", "restart-agents/devices@dev-7", "proxy-dhcp@sat-lin", "refresh-all/others@"+ch3Peer,
		"retr-unreachable/retr@dev-7", "satellite-certs/iac@sat-win", "satellite-certs/iac@sat-lin",
		"packages/custom-others@"+ch3Peer, "amt", "multizone/new-address-or-name", "multizone/cert-update", "reporting")
	notRun(t, s, "root-cert/bundle")

	z := mustZone(t, f.lab)
	c := z.Certs()
	sc, ok := c.Presenting(ch3NewName)
	if !ok || sc.Subject != "CN="+ch3NewName+"."+lab.LabDomain || !sc.Issuer.Same(ca.CA()) {
		t.Errorf("%s presents %+v; want its new certificate from %s", ch3NewName, sc, ca.CA())
	}
	if c.Kind != lab.CertExternal || !c.CA.Same(ca.CA()) || len(c.Pending) != 0 {
		t.Errorf("the zone: %s, CA %s, pending %v", c.Kind, c.CA, c.Pending)
	}
	// The lab logs cert-info with the file's path in the host's tree.
	rootImport := func(c string) bool {
		f := strings.Fields(c)
		return len(f) > 1 && f[0] == "cert-info" && strings.HasSuffix(f[1], answers321["ca_cert"])
	}
	for _, dev := range []string{ch3NewName, ch3Peer, "dev-7"} {
		imported := slices.ContainsFunc(zacCalls(z, dev), rootImport)
		if !c.Trusts(dev, ca.CA()) || !imported {
			t.Errorf("%s did not import the root certificate: %v", dev, zacCalls(z, dev))
		}
	}
	if got, want := configureRuns(z, ch3NewName), []string{"SSL/enforce", "Start/Restart", "Start/Restart", "CreateExtractorPacks", "RebuildCustomPacks"}; !slices.Equal(got, want) {
		t.Errorf("novell-zenworks-configure on this server: %v, want %v", got, want)
	}
	got := zacCalls(z, ch3NewName)
	for i, c := range got {
		if rootImport(c) {
			got[i] = "cert-info ROOT " + strings.Join(strings.Fields(c)[2:], " ")
		}
	}
	if want := []string{"refresh", "cert-info ROOT -u " + lab.DefaultAdminUser, "refresh bypasscache", "refresh"}; !slices.Equal(got, want) {
		t.Errorf("zac on this server: %v, want %v", got, want)
	}
	peer, _ := f.lab.Host(ch3Peer)
	for _, file := range []string{"zdm.xml", "zenaudit.xml"} {
		if got := serverAddress(t, peer, file); got != ch3NewAddress {
			t.Errorf("%s of %s names %s", file, ch3Peer, got)
		}
	}
	// zac retr and cert-info on the other machines were answered at their
	// prompts: the password is nowhere on disk, in the journal or the lab.
	if strings.Contains(out.String(), adminPW) {
		t.Error("the administrator password reached the output")
	}
	s.Close()
	secretsNowhere(t, f.store.Dir(), adminPW, passphrase)
	secretsNowhere(t, f.lab.Dir(), adminPW)
}

// Without the optional import (or with a bundle), no device runs zac
// cert-info; a DNS-only change leaves the database where it is.
func TestChangeDNSNameWithExternalCertificatesByBundle(t *testing.T) {
	f := newFixture(t)
	ca := makeZoneExternal(t, f.lab)
	vals := merged(answers321, ch3Secrets, map[string]string{"root_by_bundle": "yes", "address_changes": "no",
		"new_address": "192.0.2.10", "has_satellites": "no", "devices_unreachable": "no", "intel_amt": "no",
		"multizone_publisher": "no", "reporting_here": "no"})
	s := f.start("3.2.1", nil)
	var out bytes.Buffer
	mustDone(t, driveCh3(t, s, vals, &out, operator321(t, f.lab, ca, false)), &out)
	done(t, s, "root-cert/bundle", "sacert", "ssl/ssl", "restart", "refresh-all/devices@dev-7")
	notRun(t, s, "root-cert/here", "root-cert/others@", "root-cert/devices@", "7.1/", "7.2/", "satellite-certs/",
		"proxy-dhcp@", "retr-unreachable/", "amt", "multizone/", "reporting")
	z := mustZone(t, f.lab)
	for _, c := range z.DeviceLog {
		if c.Subcommand == "cert-info" {
			t.Errorf("zac cert-info ran on %s", c.Device)
		}
	}
	if sc, _ := z.Certs().Presenting(ch3NewName); sc.Subject != "CN="+ch3NewName+"."+lab.LabDomain {
		t.Errorf("presents %+v", sc)
	}
}
