//go:build !windows

package runner_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"zenrecover/lab"
	"zenrecover/procedures"
	"zenrecover/runner"
	"zenrecover/state"
)

// The Windows branch of every section, rehearsed in a Windows-layout lab
// (lab init --platform windows): the platform is the lab's, never asked;
// paths are the Windows server's (C:\zcm_backups, %ZENWORKS_HOME%\...),
// expanded from the lab server's environment and rebased into the lab
// under DIR/C; the service restarts with net stop and net start.

func newWinFixture(t *testing.T) *fixture {
	t.Helper()
	return newFixtureWith(t, lab.Options{Platform: lab.PlatformWindows})
}

// winRun starts id in f's lab and walks it with drive's answers; byHand does
// the operator's part of a manual step before it is confirmed.
func winRun(t *testing.T, f *fixture, id string, preset procedures.Values, secrets map[string]string, byHand func(*runner.NeedStep)) (*runner.Session, *bytes.Buffer) {
	t.Helper()
	s := f.start(id, preset)
	var out bytes.Buffer
	need := driveDoing(t, s, secrets, &out, byHand)
	if _, ok := need.(*runner.Done); !ok {
		t.Fatalf("%s on Windows ended on %T %+v\n%s", id, need, need, out.String())
	}
	return s, &out
}

// journalOf lists the journal of run s.
func winJournal(t *testing.T, f *fixture, s *runner.Session) []state.Event {
	t.Helper()
	evs, err := f.store.Journal(context.Background(), s.Run().ID)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// startedCommand is the command step key's started event journaled.
func startedCommand(t *testing.T, f *fixture, s *runner.Session, key string) string {
	t.Helper()
	id, target, _ := strings.Cut(key, "@")
	for _, e := range winJournal(t, f, s) {
		if e.Kind == state.EventStarted && e.Step == id && e.Target == target {
			return e.Detail
		}
	}
	t.Errorf("step %s never started", key)
	return ""
}

// startedArgv is the command step key's started event journaled, as the
// server names it.
func startedArgv(t *testing.T, f *fixture, s *runner.Session, key string) []string {
	t.Helper()
	var d struct {
		Command []string `json:"command"`
	}
	if err := json.Unmarshal([]byte(startedCommand(t, f, s, key)), &d); err != nil {
		t.Fatal(err)
	}
	return d.Command
}

// platformAnswer is the journaled answer to the platform fact: its value
// and how it was known.
func platformAnswer(t *testing.T, f *fixture, s *runner.Session) (string, string) {
	t.Helper()
	for _, e := range winJournal(t, f, s) {
		if e.Kind == state.EventAnswered && e.Key == "platform" {
			return e.Value, e.Reason
		}
	}
	return "", ""
}

// A plain rehearsal of 1.1 in a Windows-layout lab: the platform is the
// lab's (journaled, not asked), zman gets the Windows path of the backup
// file, which lands in the lab's C:\zcm_backups, and the content
// repository archived is the Windows tree's.
func TestServerBackupOnWindowsPassesZmanAWindowsPath(t *testing.T) {
	t.Parallel()
	f := newWinFixture(t)
	s := f.start("1.1", procedures.Values{"only_content_server": "true"})
	ctx := context.Background()
	var out bytes.Buffer
	secrets := map[string]string{"admin_password": adminPW, "backup_passphrase": passphrase, "archive_passphrase": passphrase}
	// The first question is not the platform, and the database fact is
	// suggested yes: the Windows database folder exists in the lab.
	need, err := s.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	nf, ok := need.(*runner.NeedFact)
	if !ok || nf.Fact.ID != "db_on_server" {
		t.Fatalf("first question: %T %+v", need, need)
	}
	if nf.Suggested != "true" || !nf.Detected {
		t.Errorf("db_on_server suggested %q (detected %v); the lab has %s", nf.Suggested, nf.Detected, lab.WindowsDatabaseDir)
	}
	if v, how := platformAnswer(t, f, s); v != "windows" || !strings.Contains(how, "lab") {
		t.Errorf("platform journaled as %q (%q)", v, how)
	}
	// The answers list shows it, with how it was known.
	if a := s.Answers(); len(a) == 0 || a[0].ID != "platform" || a[0].Value != "windows" || a[0].Settled == "" {
		t.Errorf("the answers list: %+v", a)
	}
	if err := s.Answer(ctx, "db_on_server", "false"); err != nil {
		t.Fatal(err)
	}
	need = drive(t, s, secrets, &out)
	if _, ok := need.(*runner.Done); !ok {
		t.Fatalf("1.1 ended on %T %+v\n%s", need, need, out.String())
	}
	date := runDate(s)
	want := `c:\zcm_backups\zone_backup-` + date + `.bak`
	if got := startedArgv(t, f, s, "zman-backup"); strings.Join(got, " ") != "zman zenserver-backup "+want {
		t.Errorf("zman was not given the Windows path %s: %q", want, got)
	}
	if _, err := os.Stat(filepath.Join(f.lab.Dir(), "C", "zcm_backups", "zone_backup-"+date+".bak")); err != nil {
		t.Errorf("the backup is not in the lab's C:\\zcm_backups: %v", err)
	}
	if _, ok := s.State().Steps["backup-content"]; ok {
		t.Error("the Linux content repository step ran on Windows")
	}
	stepDone(t, s, "backup-content-windows")
	if got := startedCommand(t, f, s, "backup-content-windows"); !strings.Contains(got, `/C/Program Files (x86)/Novell/ZENworks/work/content-repo into`) {
		t.Errorf("the archive was not of the Windows content repository: %s", got)
	}
	if _, err := os.Stat(filepath.Join(f.lab.Dir(), "C", "zcm_backups", "content-repo-"+date+".archive")); err != nil {
		t.Errorf("the archive set is not in C:\\zcm_backups: %v", err)
	}
}

// peerOn makes the lab's second Primary Server (zen-primary-2) a server of
// platform, beside a lab server of the other: a mixed zone. Its files move
// to where that platform keeps them, with the backup folder of its steps
// and, on Linux, the zenworks user and zmanusers group of chown.
func peerOn(t *testing.T, l *lab.Lab, platform string) *lab.Lab {
	t.Helper()
	old, err := l.Host(peer)
	if err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(t.TempDir(), "conf")
	copyTree(t, old.Rebase(old.Layout().ConfDir), conf)
	root := old.Rebase("/")
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), ".") {
			if err := os.RemoveAll(filepath.Join(root, e.Name())); err != nil {
				t.Fatal(err)
			}
		}
	}
	h, err := l.HostOn(peer, platform)
	if err != nil {
		t.Fatal(err)
	}
	y := h.Layout()
	copyTree(t, conf, h.Rebase(y.ConfDir))
	if err := os.MkdirAll(h.Rebase(y.BackupDir), 0o700); err != nil {
		t.Fatal(err)
	}
	if platform == lab.PlatformLinux {
		uid, gid := os.Getuid(), os.Getgid()
		os.WriteFile(h.Rebase("/etc/passwd"), []byte(fmt.Sprintf("root:x:0:0:root:/root:/bin/bash\nzenworks:x:%d:%d:ZENworks:/var/opt/novell/zenworks:/bin/false\n", uid, gid)), 0o644)
		os.WriteFile(h.Rebase("/etc/group"), []byte(fmt.Sprintf("root:x:0:\nzmanusers:x:%d:zenworks\n", gid)), 0o644)
	}
	return h
}

// copyTree copies the files under from to to.
func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// notRunKeys fails for each key that has a journal in s: a step of the
// other platform.
func notRunKeys(t *testing.T, s *runner.Session, keys ...string) {
	t.Helper()
	st := s.State()
	for _, k := range keys {
		if ss, ok := st.Steps[k]; ok {
			t.Errorf("step %s (not for Windows) ran: %+v", k, ss)
		}
	}
}

// 1.2 on Windows: the images come back from 1.1's archive into
// %ZENWORKS_HOME%\work\content-repo\images, zman restores the newest
// backup in C:\zcm_backups, and net stop and net start restart the
// service.
func TestServerRestoreOnWindows(t *testing.T) {
	t.Parallel()
	f := newWinFixture(t)
	secrets := map[string]string{"admin_password": adminPW, "backup_passphrase": passphrase, "archive_passphrase": passphrase}
	winRun(t, f, "1.1", procedures.Values{"db_on_server": "false", "only_content_server": "true"}, secrets, nil)

	images := f.lab.Rebase(lab.WindowsImagesDir)
	list, _ := os.ReadDir(images)
	if len(list) == 0 {
		t.Fatal("the Windows lab has no images")
	}
	victim := filepath.Join(images, list[0].Name())
	want, _ := os.ReadFile(victim)
	os.Remove(victim)
	before, _ := f.lab.Zone()

	s, out := winRun(t, f, "1.2", procedures.Values{"db_on_server": "false", "have_image_backups": "true", "images_in_archive": "true"}, secrets, nil)
	if got, err := os.ReadFile(victim); err != nil || !bytes.Equal(got, want) {
		t.Errorf("the lost image was not restored into the Windows content repository: %v", err)
	}
	stepDone(t, s, "check-rights-windows", "zman-restore", "unpack-images-windows", "restore-archived-images-windows",
		"restart-windows-stop", "restart-windows-start")
	notRunKeys(t, s, "check-rights", "unpack-images-linux", "restore-archived-images-linux", "restart-linux")
	if got := startedArgv(t, f, s, "zman-restore"); strings.Join(got, " ") != `zman zenserver-restore c:\zcm_backups\zone_backup-`+runDate(s)+`.bak` {
		t.Errorf("zman zsr restored %q", got)
	}
	if got := startedArgv(t, f, s, "restart-windows-stop"); strings.Join(got, "|") != "net|stop|Novell ZENworks Server" {
		t.Errorf("the service was stopped with %q", got)
	}
	after, _ := f.lab.Zone()
	if !after.Running || after.Restarts != before.Restarts+1 {
		t.Errorf("net stop and net start: running %v, restarts %d -> %d\n%s", after.Running, before.Restarts, after.Restarts, out.String())
	}
}

// 1.3 on Windows: the CA's key pair goes to C:\zcm_backups, dated.
func TestCABackupOnWindows(t *testing.T) {
	t.Parallel()
	f := newWinFixture(t)
	s, _ := winRun(t, f, "1.3", procedures.Values{"remove_ca_role": "false"},
		map[string]string{"admin_password": adminPW, "ca_passphrase": passphrase}, nil)
	want := `c:\zcm_backups\ca-` + runDate(s) + `.bak`
	if got := startedArgv(t, f, s, "export-ca"); strings.Join(got, " ") != "zman certificate-authority-export "+want {
		t.Errorf("zman cae wrote %q, want %s", got, want)
	}
	if _, err := os.Stat(filepath.Join(f.lab.Dir(), "C", "zcm_backups", "ca-"+runDate(s)+".bak")); err != nil {
		t.Error(err)
	}
}

// 1.5 between two Windows Primary Servers: the CA's files are copied from
// the source's %zenworks_home%\conf\security to the destination's, and
// the role moves, all run by zenrecover. Neither platform is asked.
func TestMigrateCARoleWindowsToWindows(t *testing.T) {
	t.Parallel()
	f := newWinFixture(t)
	s := f.start("1.5", procedures.Values{"source_server": lab.DefaultHostname, "destination_server": peer, "move_source_ca_files": "false"})
	var out bytes.Buffer
	need := drive(t, s, secrets15, &out)
	if _, ok := need.(*runner.Done); !ok {
		t.Fatalf("1.5 ended on %T %+v\n%s", need, need, out.String())
	}
	stepDone(t, s, "copy-keystore-windows", "copy-caconfig-windows", "place-keystore-windows", "place-caconfig-windows",
		"keystore-path-windows", "disable-ca-source", "enable-ca-destination", "restart-destination", "check-ca")
	notRunKeys(t, s, "copy-keystore", "place-keystore", "keystore-path-linux", "permission-script", "chown-ca-files",
		"copy-windows", "place-windows")
	z, _ := f.lab.Zone()
	if got := z.CertificateAuthority(); len(got) != 1 || got[0] != peer {
		t.Errorf("CA role on %v", got)
	}
	dst, _ := f.lab.Host(peer)
	a, _ := os.ReadFile(f.lab.Rebase(lab.WindowsKeystore))
	b, err := os.ReadFile(dst.Rebase(lab.WindowsKeystore))
	if err != nil || !bytes.Equal(a, b) {
		t.Errorf("the destination's keystore is not the source's: %v", err)
	}
	if _, err := os.Stat(dst.Rebase(`C:\zcm_backups\ca-from-source\zenca.keystore`)); err != nil {
		t.Errorf("the staging copy on the destination: %v", err)
	}
}

// 2.1 on Windows: the reliable backup archives the Windows content
// repository, the replication check names it, and the CA role leaves the
// first Primary Server.
func TestReplaceFirstPrimaryOnWindows(t *testing.T) {
	t.Parallel()
	f := newWinFixture(t)
	vals := answers21.Clone()
	before, _ := f.lab.Zone()
	second, _ := before.Server("zen-primary-2")
	vals["second_ps_guid"] = second.GUID
	var replicate string
	s, _ := winRun(t, f, "2.1", vals, map[string]string{"admin_password": adminPW, "ca_passphrase": passphrase,
		"backup_passphrase": passphrase, "archive_passphrase": passphrase}, func(n *runner.NeedStep) {
		if n.Key == "replicate-windows" {
			replicate = n.Describe
		}
	})
	stepDone(t, s, "backup/here/content-repo-windows", "replicate-windows", "6a/export-ca-remove-role",
		"backup/here/zenworks-server/zman-backup", "11c2", "11d2")
	notRunKeys(t, s, "backup/here/content-repo", "replicate")
	if !strings.Contains(replicate, `%ZENWORKS_HOME%\work\content-repo`) {
		t.Errorf("the replication check names %q", replicate)
	}
	z, _ := f.lab.Zone()
	if srv, _ := z.Server(f.lab.Hostname()); srv.HasRole(lab.RoleCertAuth) {
		t.Error("the CA role is still on the first Primary Server")
	}
	for _, name := range []string{"ca-" + runDate(s) + ".bak", "ca-" + runDate(s) + "-2.bak", "zone_backup-" + runDate(s) + ".bak"} {
		if _, err := os.Stat(filepath.Join(f.lab.Dir(), "C", "zcm_backups", name)); err != nil {
			t.Errorf("%s is not in C:\\zcm_backups: %v", name, err)
		}
	}
}

// The answers of 3.2.1 and 3.2.2 for a Windows zone: the certificates in
// C:\zcm_certs.
var answers32Win = merged(answers32, map[string]string{"platform": "windows", "other_primaries_platform": "windows",
	"server_cert": `c:\zcm_certs\` + ch3NewName + ".der", "ca_cert": `c:\zcm_certs\root-ca.der`,
	"import_root": "yes", "root_by_bundle": "no", "server_zcc_path": "/Devices/Servers/" + ch3NewName,
	"windows_auth_satellites": "yes", "linux_auth_satellites": "yes",
	"windows_auth_sats": "sat-win", "linux_auth_sats": "sat-lin"})

// 3.2.1 on Windows: the certificate for the new name, signed at step 2, is
// added from C:\zcm_certs; the other Windows server's zdm.xml and
// zenaudit.xml lead to the database's new address.
func TestChangeDNSNameWithExternalCertificatesOnWindows(t *testing.T) {
	f := newWinFixture(t)
	ca := makeZoneExternal(t, f.lab)
	rename := renameAt(t, f.lab, "new-name", true)
	s := f.start("3.2.1", nil)
	var out bytes.Buffer
	need := driveCh3(t, s, merged(answers32Win, ch3Secrets), &out, func(n *runner.NeedStep) {
		rename(n)
		switch {
		case n.Key == "request":
			if err := ca.IssueServer(ch3NewName+"."+lab.LabDomain, ch3Year, f.lab.Rebase(answers32Win["server_cert"]), ""); err != nil {
				t.Fatal(err)
			}
		case strings.HasPrefix(n.Key, "root-cert/") && !n.Manual:
			h, err := f.lab.Host(n.Target)
			if err != nil {
				t.Fatal(err)
			}
			if err := ca.WriteCertificate(h.Rebase(answers32Win["ca_cert"])); err != nil {
				t.Fatal(err)
			}
		}
	}, "refresh-all/devices@dev-7")
	mustDone(t, need, &out)
	done(t, s, "backup/here/content-repo-windows", "sacert", "ssl/ssl", "7.1/zdm-windows@"+ch3Peer, "7.2/zenaudit-windows@"+ch3Peer,
		"root-cert/here", "satellite-certs/iac@sat-win")
	notRun(t, s, "backup/here/content-repo", "7.1/zdm-linux@", "7.2/zenaudit-linux@")
	if got := startedArgv(t, f, s, "sacert"); strings.Join(got, " ") != "zman sacert /Devices/Servers/"+ch3NewName+` c:\zcm_certs\`+ch3NewName+".der" {
		t.Errorf("zman sacert was given %q", got)
	}
	z := mustZone(t, f.lab)
	if sc, ok := z.Certs().Presenting(ch3NewName); !ok || !sc.Issuer.Same(ca.CA()) {
		t.Errorf("%s presents %+v", ch3NewName, sc)
	}
	peerLab, _ := f.lab.Host(ch3Peer)
	for _, file := range []string{"zdm.xml", "zenaudit.xml"} {
		if got := serverAddress(t, peerLab, file); got != ch3NewAddress {
			t.Errorf("%s of %s names %s", file, ch3Peer, got)
		}
	}
}

// 3.2.2 on Windows: the server certificate is reminted for the new name,
// the other Windows server's datamodel files are re-pointed.
func TestChangeDNSNameWithInternalCertificatesOnWindows(t *testing.T) {
	t.Parallel()
	f := newWinFixture(t)
	s := f.start("3.2.2", nil)
	var out bytes.Buffer
	need := driveCh3(t, s, merged(answers32Win, ch3Secrets), &out, renameAt(t, f.lab, "new-name", true), "refresh-all/devices@dev-7")
	mustDone(t, need, &out)
	done(t, s, "backup/here/content-repo-windows", "ssl", "restart", "3a/zdm-windows@"+ch3Peer, "3b/zenaudit-windows@"+ch3Peer,
		"auth-satellites/windows@sat-win", "auth-satellites/linux@sat-lin")
	notRun(t, s, "backup/here/content-repo", "3a/zdm-linux@", "3b/zenaudit-linux@")
	z := mustZone(t, f.lab)
	if sc, ok := z.Certs().Presenting(ch3NewName); !ok || sc.Subject != "CN="+ch3NewName+"."+lab.LabDomain {
		t.Errorf("%s presents %+v", ch3NewName, sc)
	}
	peerLab, _ := f.lab.Host(ch3Peer)
	if got := serverAddress(t, peerLab, "zdm.xml"); got != ch3NewAddress {
		t.Errorf("zdm.xml of %s names %s", ch3Peer, got)
	}
}

// Chapters 4 and 5 on Windows: the server certificates wait in
// C:\zcm_certs (the Windows default of cert_dir), the root certificate at
// the same Windows path on every device.
const winRootCert = `C:\zcm_certs\root-ca.der`

func newCh4Win(t *testing.T) *ch4 { return &ch4{fixture: newWinFixture(t), t: t, root: winRootCert} }

func base4Win(extra ...string) procedures.Values {
	return base4(append([]string{"ca_cert", winRootCert, "platform", "windows"}, extra...)...)
}

// winBackedUp checks that a chapter 4 or 5 run took the reliable backup of
// the Windows server: its content repository, not the Linux one.
func winBackedUp(t *testing.T, s *runner.Session, prefix string) {
	t.Helper()
	stepDone(t, s, prefix+"backup/here/content-repo-windows", prefix+"backup/here/zenworks-server/zman-backup")
	notRunKeys(t, s, prefix+"backup/here/content-repo")
}

// 4.1 on Windows: zman sacert reads each certificate from C:\zcm_certs.
func TestInternalToExternalOnWindows(t *testing.T) {
	c := newCh4Win(t)
	ca := c.newCA("Example Corp Issuing CA")
	c.serverCerts(ca, lab.DefaultHostname, peer)
	s := c.run("4.1", base4Win("import_root", "false"), nil, nil)
	c.servedBy(ca.CA())
	winBackedUp(t, s, "")
	if got := startedArgv(t, c.fixture, s, "add-certs/here"); strings.Join(got, " ") != `zman sacert zen-primary-1 c:\zcm_certs/zen-primary-1.der` {
		t.Errorf("zman sacert was given %q", got)
	}
}

// 4.2 on Windows, option 1: this server's certificate is reminted.
func TestNewInternalServerCertificateOnWindows(t *testing.T) {
	c := newCh4Win(t)
	before := c.certs()
	s := c.run("4.2", base4Win("zone_external", "false", "ca_expired", "false", "ca_server", lab.DefaultHostname), nil, nil)
	if serial(t, c.certs(), lab.DefaultHostname) == serial(t, before, lab.DefaultHostname) {
		t.Error("this server's certificate was not reminted")
	}
	winBackedUp(t, s, "")
	stepDone(t, s, "remint-server", "backup/here/certificate-authority/export-ca")
}

// 4.3 on Windows: this server's new certificate from the same CA.
func TestNewExternalCertificateSameCAOnWindows(t *testing.T) {
	c := newCh4Win(t)
	ca := c.newCA("Example Corp Issuing CA")
	c.makeExternal(ca, "sat-1", "dev-7")
	before := c.certs()
	c.serverCerts(ca, lab.DefaultHostname)
	s := c.run("4.3", base4Win("replace_here", "true", "replace_others", "false"), nil, nil)
	if serial(t, c.certs(), lab.DefaultHostname) == serial(t, before, lab.DefaultHostname) {
		t.Error("4.3 did not replace this server's certificate")
	}
	winBackedUp(t, s, "")
	if got := startedArgv(t, c.fixture, s, "sacert-here"); len(got) < 4 || !strings.HasPrefix(got[3], `c:\zcm_certs`) {
		t.Errorf("zman sacert was given %q", got)
	}
}

// 4.4 on Windows, the root certificate by bundle.
func TestNewExternalCertificateAuthorityOnWindows(t *testing.T) {
	c := newCh4Win(t)
	c.makeExternal(c.newCA("Example Corp Issuing CA"), "sat-1", "dev-7")
	ca := c.newCA("New Corp Issuing CA")
	c.serverCerts(ca, lab.DefaultHostname, peer)
	s := c.run("4.4", base4Win("root_by_bundle", "true"), nil, nil)
	c.servedBy(ca.CA())
	winBackedUp(t, s, "")
}

// Chapter 5 on Windows after the internal CA expired: 4.2 with option 2
// brings every device back.
func TestAfterExpiryOnWindows(t *testing.T) {
	c := newCh4Win(t)
	if err := c.lab.ExpireCertificates(true); err != nil {
		t.Fatal(err)
	}
	s := c.run("5", base4Win("scenario", "new-internal", "ca_expired", "true", "ca_server", lab.DefaultHostname,
		"import_root", "false", "replace_here", "false", "replace_others", "false"), nil, nil)
	for _, d := range []string{lab.DefaultHostname, peer, "sat-1", "dev-7"} {
		if !c.reaches(d) {
			t.Errorf("%s still cannot contact the zone", d)
		}
	}
	winBackedUp(t, s, "new-internal/")
}

// safeAnswers answer the facts that decide a refusal, so that a walk
// through the questions is not stopped by one.
var safeAnswers = map[string]string{"same_platform": "yes", "cn_has_address": "no", "cn_is_fqdn": "yes",
	"certs_expired": "no", "zone_external": "no", "scenario": "new-internal"}

// dataFacts walks the questions of id's run s, answering each (the safe
// answer, else no, else the first choice), and returns the fact questions
// that carried a file detector, by fact id.
func dataFacts(t *testing.T, s *runner.Session) map[string]*runner.NeedFact {
	t.Helper()
	ctx := context.Background()
	out := map[string]*runner.NeedFact{}
	for i := 0; i < 60; i++ {
		need, err := s.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n, ok := need.(*runner.NeedFact)
		if !ok {
			return out
		}
		f := n.Fact
		if f.ID == "platform" {
			t.Fatalf("the platform of the server is asked")
		}
		if d := f.Detect; d != nil && (d.FileExists != "" || d.FileExistsBy.Split()) {
			out[f.ID] = n
		}
		v, ok := safeAnswers[f.ID]
		switch {
		case ok:
		case f.Type == "bool":
			v = "no"
		case len(f.Choices) > 0:
			v = f.Choices[0]
		default:
			v = "x"
		}
		if err := s.Answer(ctx, f.ID, v); err != nil {
			t.Fatal(err)
		}
	}
	t.Fatal("the questions did not end")
	return nil
}

// No procedure offers "no" for a fact that protects data (the database
// here, the CA here) because a Linux file is missing on a Windows server:
// in a Windows-layout lab every such fact looks for the Windows file, which
// is there, and is suggested yes; where zenrecover cannot look (guide mode)
// nothing is suggested, and the operator must answer.
func TestNoDataFactIsSuggestedNoOnWindowsForLackOfALinuxFile(t *testing.T) {
	t.Parallel()
	f := newWinFixture(t)
	seen := 0
	for _, d := range f.lib.All() {
		t.Run(d.Section, func(t *testing.T) {
			s := f.start(d.ID, nil)
			facts := dataFacts(t, s)
			seen += len(facts)
			for id, n := range facts {
				if n.Suggested != "true" || !n.Detected {
					t.Errorf("%s: %s is suggested %q (detected %v) on a Windows server that has it", d.Section, id, n.Suggested, n.Detected)
				}
			}
			if v := s.Values()["platform"]; d.FactByID("platform") != nil && v != "windows" {
				t.Errorf("%s: platform %q", d.Section, v)
			}
			s.Close()

			g, _ := guideStart(t, d.ID, "windows", nil)
			for id, n := range dataFacts(t, g) {
				if n.Suggested != "" || n.Detected {
					t.Errorf("%s in guide mode: %s is suggested %q though zenrecover cannot look at the server", d.Section, id, n.Suggested)
				}
			}
		})
	}
	if seen < 10 {
		t.Errorf("only %d data facts were asked in all fifteen sections", seen)
	}
}

// A Windows server without the database folder is told so, honestly: the
// detector looks at the Windows path, and says no only because it is not
// there.
func TestAMissingWindowsDatabaseIsSuggestedNo(t *testing.T) {
	t.Parallel()
	f := newWinFixture(t)
	if err := os.RemoveAll(f.lab.Rebase(lab.WindowsDatabaseDir)); err != nil {
		t.Fatal(err)
	}
	s := f.start("1.1", nil)
	n, ok := dataFacts(t, s)["db_on_server"]
	if !ok || n.Suggested != "false" || !n.Detected {
		t.Errorf("db_on_server without %s: %+v", lab.WindowsDatabaseDir, n)
	}
}

// 1.5's per-host platforms: the host is asked first; the platform of the
// server zenrecover acts on is settled from it (here guide mode's
// --platform), the other server's is asked, with nothing suggested. A
// settled platform cannot be answered otherwise, nor corrected.
func TestMigrateCARoleSettlesOnlyThisServersPlatform(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := guideStart(t, "1.5", "windows", nil)
	next := func() runner.Need {
		t.Helper()
		n, err := s.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n, ok := next().(*runner.NeedInput); !ok || n.Input.ID != "source_server" || n.Step == nil {
		t.Fatalf("first need %T %+v, want the source server's name", n, n)
	}
	if err := s.Answer(ctx, "source_server", "zen-old"); err != nil {
		t.Fatal(err)
	}
	if n, ok := next().(*runner.NeedInput); !ok || n.Input.ID != "destination_server" {
		t.Fatalf("second need %T %+v, want the destination server's name", n, n)
	}
	if v := s.Values()["source_platform"]; v != "windows" {
		t.Errorf("the source, the server of this guided run, is %q", v)
	}
	if err := s.Answer(ctx, "destination_server", "zen-new"); err != nil {
		t.Fatal(err)
	}
	n, ok := next().(*runner.NeedFact)
	if !ok || n.Fact.ID != "destination_platform" || n.Suggested != "" || n.Detected {
		t.Fatalf("third need %T %+v, want the destination's platform asked with nothing suggested", n, n)
	}
	if err := s.Answer(ctx, "destination_platform", "linux"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ChangeAnswer(ctx, "source_platform", "linux", "typo"); err == nil || !strings.Contains(err.Error(), "settled") {
		t.Errorf("the settled platform was corrected: %v", err)
	}
	// The defaults offered follow each server's platform.
	for {
		need := next()
		if st, isStep := need.(*runner.NeedStep); isStep {
			if err := s.Confirm(ctx, st.Key, st.ConfirmWord); err != nil {
				t.Fatal(err)
			}
			continue
		}
		in, ok := need.(*runner.NeedInput)
		if !ok {
			if f, isFact := need.(*runner.NeedFact); isFact {
				s.Answer(ctx, f.Fact.ID, "no")
				continue
			}
			t.Fatalf("need %T %+v before the backup files", need, need)
		}
		switch in.Input.ID {
		case "source_backup_file":
			if !strings.HasPrefix(in.Input.Default, `c:\zcm_backups\zone_backup-`) {
				t.Errorf("the Windows source's backup file is offered as %q", in.Input.Default)
			}
		case "destination_backup_file":
			if !strings.HasPrefix(in.Input.Default, "/root/zcm_backups/zone_backup-") {
				t.Errorf("the Linux destination's backup file is offered as %q", in.Input.Default)
			}
			return
		}
		v := in.Input.Default
		if v == "" {
			v = "x"
		}
		if err := s.Answer(ctx, in.Input.ID, v); err != nil {
			t.Fatal(err)
		}
	}
}

// A platform zenrecover can tell is not taken from an answers file that
// says otherwise: the run does not start on a wrong platform.
func TestAWrongPlatformInTheAnswersIsRefused(t *testing.T) {
	t.Parallel()
	f := newWinFixture(t)
	_, err := runner.Start(context.Background(), f.opts(), f.lib.Get("1.1"), procedures.Values{"platform": "linux"})
	if err == nil || !strings.Contains(err.Error(), `"linux" cannot be right`) || !strings.Contains(err.Error(), "windows") {
		t.Fatalf("got %v", err)
	}
}
