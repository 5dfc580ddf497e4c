package lab

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func newWindowsLab(t *testing.T) *Lab {
	t.Helper()
	l, err := Init(filepath.Join(t.TempDir(), "winlab"), Options{Platform: PlatformWindows})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestIsWindowsPath(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{
		`C:\zcm_backups\zone_backup.bak`: true, `c:/zcm_backups`: true, `C:\`: true, `z:/`: true,
		`C:`: false, `C:zcm`: false, `\zcm_backups`: false, `\\server\share\x`: false,
		`/root/zcm_backups`: false, `%ZENWORKS_HOME%\conf`: false, `1:\x`: false, ``: false,
	} {
		if got := IsWindowsPath(s); got != want {
			t.Errorf("IsWindowsPath(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestExpandWindowsVars(t *testing.T) {
	t.Parallel()
	env := []string{"PATH=/bin", `ZENWORKS_HOME=C:\Program Files (x86)\Novell\ZENworks`, "TEMP=C:\\Temp"}
	for in, want := range map[string]string{
		`%ZENWORKS_HOME%\conf\security`: `C:\Program Files (x86)\Novell\ZENworks\conf\security`,
		`%zenworks_home%\conf`:          `C:\Program Files (x86)\Novell\ZENworks\conf`,
		`%TEMP%\%NOPE%\x`:               `C:\Temp\%NOPE%\x`, // unknown stays as cmd.exe leaves it
		`50% done`:                      `50% done`,
		`%%`:                            `%%`,
		`/root/zcm_backups`:             `/root/zcm_backups`,
	} {
		if got := ExpandWindowsVars(in, env); got != want {
			t.Errorf("ExpandWindowsVars(%q) = %q, want %q", in, got, want)
		}
	}
}

// Reference 1.1's Windows example, in the spellings an administrator types:
// every one is the same file of the lab's Windows server.
func TestRebaseWindowsPaths(t *testing.T) {
	t.Parallel()
	l := newWindowsLab(t)
	caConfig := filepath.Join(l.Dir(), "C", "Program Files (x86)", "Novell", "ZENworks", "conf", "security", "CaConfig.xml")
	if _, err := os.Stat(caConfig); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{
		WindowsCaConfig,
		`c:\Program Files (x86)\Novell\ZENworks\conf\security\CaConfig.xml`,
		`C:/Program Files (x86)/Novell/ZENworks/conf/security/CaConfig.xml`,
		`%ZENWORKS_HOME%\conf\security\CaConfig.xml`,
		`%zenworks_home%\CONF\Security\caconfig.xml`, // Windows names ignore case
		`C:\Program Files (x86)\Novell\ZENworks\conf\datamodel\..\security\CaConfig.xml`,
	} {
		if got := l.Rebase(p); got != caConfig {
			t.Errorf("Rebase(%q) = %q, want %q", p, got, caConfig)
		}
	}
	for p, want := range map[string]string{
		`c:\zcm_backups\zone_backup.bak`: filepath.Join(l.Dir(), "C", "zcm_backups", "zone_backup.bak"),
		`d:\new\x.bak`:                   filepath.Join(l.Dir(), "D", "new", "x.bak"),
		`C:\..\..\..\etc\passwd`:         filepath.Join(l.Dir(), "C", "etc", "passwd"), // never above the drive
		`C:\`:                            filepath.Join(l.Dir(), "C"),
		// A Linux path on a Windows server is a missing file, not a crash.
		ServerCaConfig: filepath.Join(l.Dir(), ServerCaConfig),
		// An unknown variable leaves a relative path, used as given.
		`%NOPE%\x`: `%NOPE%\x`,
	} {
		if got := l.Rebase(p); got != want {
			t.Errorf("Rebase(%q) = %q, want %q", p, got, want)
		}
	}
	if got := l.Rebase(caConfig); got != caConfig {
		t.Errorf("Rebase of a lab path = %q", got)
	}

	// A Linux lab has no ZENWORKS_HOME to expand, but still keeps a
	// Windows path inside the lab rather than in the working directory.
	lin := newTestLab(t)
	if got := lin.Rebase(`%ZENWORKS_HOME%\conf`); got != `%ZENWORKS_HOME%\conf` {
		t.Errorf("Linux lab: Rebase(%%ZENWORKS_HOME%%) = %q", got)
	}
	if got, want := lin.Rebase(`c:\zcm_backups\x.bak`), filepath.Join(lin.Dir(), "C", "zcm_backups", "x.bak"); got != want {
		t.Errorf("Linux lab: Rebase(c:\\...) = %q, want %q", got, want)
	}
}

// The tree of a Windows lab: the files the reference names, at their
// Windows places, naming Windows paths; nothing at the Linux places.
func TestWindowsLabTree(t *testing.T) {
	t.Parallel()
	l := newWindowsLab(t)
	if l.Platform() != PlatformWindows || l.Layout() != WindowsLayout() {
		t.Fatalf("Platform() = %q", l.Platform())
	}
	conf := func(rel string) string { return WindowsConfDir + `\` + strings.ReplaceAll(rel, "/", `\`) }
	for _, p := range []string{
		WindowsKeystore, WindowsCaConfig,
		WindowsDataModelDir + `\zdm.xml`, WindowsDataModelDir + `\zenaudit.xml`,
		conf("DeviceGuid"), conf("components.properties"), conf("casa/WEB-INF/classes/casa_crypto.properties"),
		// Named only by the reference's Windows lists.
		conf("ActionHandlersRegistration.xml"), conf("ZenMemoryCache.config"), conf("RMPolicy/RMPolicy.xml"),
		conf("Satellite/satellite.properties"), conf("pmconfig/pmconfig.properties"),
		conf("LoggerConfiguration-windows.xml"),
		WindowsImagesDir + `\win7-base.zmg`, WindowsContentRepo + `\content-repo.properties`,
		WindowsDatabaseDir + `\zenworks_zenlab.db`, WindowsHostsFile,
	} {
		if fi, err := os.Stat(l.Rebase(p)); err != nil || !fi.Mode().IsRegular() {
			t.Errorf("%s: %v", p, err)
		}
	}
	for _, d := range []string{WindowsBinDir, WindowsBackupDir, WindowsSystemDir, conf("fde")} {
		if fi, err := os.Stat(l.Rebase(d)); err != nil || !fi.IsDir() {
			t.Errorf("%s is not a folder: %v", d, err)
		}
	}
	if entries, _ := os.ReadDir(l.Rebase(`C:\zcm_backups`)); len(entries) != 0 {
		t.Errorf(`C:\zcm_backups is not empty: %v`, entries)
	}
	for _, p := range []string{"etc", "var", "opt", "root"} {
		if _, err := os.Stat(filepath.Join(l.Dir(), p)); err == nil {
			t.Errorf("a Windows lab has the Linux folder /%s", p)
		}
	}

	cfg := readFile(t, l.Rebase(WindowsCaConfig))
	if want := "<Keystore>" + WindowsKeystore + "</Keystore>"; !strings.Contains(cfg, want) {
		t.Errorf("CaConfig.xml lacks %s:\n%s", want, cfg)
	}
	sp, lp, err := l.KeystorePath()
	if err != nil || sp != WindowsKeystore || lp != l.Rebase(WindowsKeystore) {
		t.Errorf("KeystorePath = %q, %q, %v", sp, lp, err)
	}
	if props := readFile(t, l.Rebase(conf("zenworks.properties"))); !strings.Contains(props, `zenworks.home=C:\\Program Files (x86)\\Novell\\ZENworks`) {
		t.Errorf("zenworks.properties does not name the Windows home:\n%s", props)
	}
	if got := lookup(t, l, labPeer+"."+LabDomain); !slices.Equal(got, []string{labPeerAddress}) {
		t.Errorf("the Windows hosts file resolves %s to %v", labPeer, got)
	}

	// The second Primary Server is a Windows server too, without the CA.
	peer, err := l.Host(labPeer)
	if err != nil {
		t.Fatal(err)
	}
	if peer.Platform() != PlatformWindows {
		t.Errorf("peer platform %q", peer.Platform())
	}
	if _, err := os.Stat(peer.Rebase(WindowsDataModelDir + `\zdm.xml`)); err != nil {
		t.Errorf("peer zdm.xml: %v", err)
	}
	if _, err := os.Stat(peer.Rebase(WindowsKeystore)); err == nil {
		t.Error("the peer has the CA's keystore")
	}

	// Opened again, it is still a Windows lab, and its marker says so in a
	// format an older zenrecover refuses.
	again, err := Open(l.Dir())
	if err != nil || again.Platform() != PlatformWindows {
		t.Fatalf("Open: %v, %v", again, err)
	}
	var m marker
	if err := json.Unmarshal([]byte(readFile(t, filepath.Join(l.Dir(), markerFile))), &m); err != nil || m.Platform != PlatformWindows || m.Format != markerFormatWindows {
		t.Errorf("marker %+v, %v", m, err)
	}

	env := l.Env([]string{"PATH=/usr/bin", "ZENWORKS_HOME=/wrong"})
	if !slices.Contains(env, ZenworksHomeEnv+"="+WindowsZenworksHome) || slices.Contains(env, "ZENWORKS_HOME=/wrong") {
		t.Errorf("Env: %q", env)
	}
}

func TestOpenOfAnOldMarkerIsLinux(t *testing.T) {
	t.Parallel()
	l := newTestLab(t)
	// As zenrecover wrote it before Windows labs: no platform field.
	old := `{"kind":"zenrecover-lab","format":1,"hostname":"zen-primary-1","database_local":true,"created":"2024-01-02T03:04:05Z"}`
	writeFile(t, filepath.Join(l.Dir(), markerFile), old)
	o, err := Open(l.Dir())
	if err != nil || o.Platform() != PlatformLinux || o.Layout().ConfDir != ServerConfDir {
		t.Fatalf("Open of an old lab: %v, %v", o, err)
	}
	writeFile(t, filepath.Join(l.Dir(), markerFile), strings.Replace(old, `"format":1,`, `"format":2,"platform":"solaris",`, 1))
	if _, err := Open(l.Dir()); err == nil || !strings.Contains(err.Error(), `"solaris"`) {
		t.Errorf("Open of an unknown platform: %v", err)
	}
}

func TestInitRefusesAnUnknownPlatform(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "lab")
	_, err := Init(dir, Options{Platform: "macos"})
	if err == nil || !strings.Contains(err.Error(), "linux or windows") {
		t.Errorf("Init: %v", err)
	}
	if _, serr := os.Stat(dir); serr == nil {
		t.Error("a refused Init left a directory")
	}
	if l, err := Init(filepath.Join(t.TempDir(), "lab"), Options{Platform: "Windows"}); err != nil || l.Platform() != PlatformWindows {
		t.Errorf("Init with Windows: %v", err)
	}
}

// Reference 1.1 step 2's Windows example, and 1.2's restore of it.
func TestWindowsZmanBackupAndRestoreTakeWindowsPaths(t *testing.T) {
	t.Parallel()
	l := newWindowsLab(t)
	out := mustRun(t, l, createAnswers(testPassphrase), ToolZman, "zenserver-backup", `c:\zcm_backups\zone_backup.bak`)
	if !strings.Contains(out, `to c:\zcm_backups\zone_backup.bak.`) {
		t.Errorf("stdout = %q", out)
	}
	written := filepath.Join(l.Dir(), "C", "zcm_backups", "zone_backup.bak")
	if fi, err := os.Stat(written); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup file: %v %v", fi, err)
	}

	// What it holds is the reference's Windows list.
	var names []string
	s := &session{lab: l}
	_, entries, err := s.readSealed(fileArg{typed: written, lab: written}, testPassphrase, kindServerBackup)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		names = append(names, e.name)
	}
	for _, want := range []string{"ActionHandlersRegistration.xml", "security/zenca.keystore", "datamodel/zdm.xml", "RMPolicy/RMPolicy.xml", "DeviceGuid"} {
		if !slices.Contains(names, want) {
			t.Errorf("the Windows backup lacks %s: %v", want, names)
		}
	}
	for _, not := range []string{"LoggerConfiguration-windows.xml", "datamodel/cache/zdm-cache.properties", "zentruststore/zentruststore.jks", "agentcomponents/components.xml"} {
		if slices.Contains(names, not) {
			t.Errorf("the Windows backup holds %s, which the reference's Windows list does not store", not)
		}
	}

	// Restore, naming the file in other letter cases and with forward slashes.
	guid := l.Rebase(WindowsConfDir + `\DeviceGuid`)
	want := readFile(t, guid)
	writeFile(t, guid, "changed\n")
	out = mustRun(t, l, openAnswers(testPassphrase), ToolZman, "zsr", `C:/ZCM_Backups/Zone_Backup.bak`)
	if !strings.Contains(out, "Successfully restored") || readFile(t, guid) != want {
		t.Errorf("restore: %q; DeviceGuid %q, want %q", out, readFile(t, guid), want)
	}

	// A folder that does not exist is named as the operator typed it.
	code, _, errs := run(t, l, createAnswers(testPassphrase), ToolZman, "zsb", `c:\zcm_backupz\zone_backup.bak`)
	if code != exitFail || !strings.Contains(errs, `the folder c:\zcm_backupz does not exist`) {
		t.Errorf("missing folder: %d %q", code, errs)
	}

	// The CA export of reference 1.3's Windows example, once C:\temp\zenbackup exists.
	if err := os.MkdirAll(l.Rebase(`C:\temp\zenbackup`), 0o700); err != nil {
		t.Fatal(err)
	}
	mustRun(t, l, createAnswers(testPassphrase), ToolZman, "cae", `C:\temp\zenbackup\ca.bak`)
	if _, err := os.Stat(filepath.Join(l.Dir(), "C", "temp", "zenbackup", "ca.bak")); err != nil {
		t.Errorf("CA export: %v", err)
	}
}

// net stop and start drive the service as the init script does on Linux,
// and what depends on the service fails while it is stopped, alike on both.
func TestNetStopStartDrivesTheService(t *testing.T) {
	t.Parallel()
	win, lin := newWindowsLab(t), newTestLab(t)
	probe := func(l *Lab) (int, string) {
		code, _, errs := run(t, l, "", ToolConfigure, "-c", "ZenProbe")
		return code, errs
	}

	out := mustRun(t, win, "", ToolNet, "stop", ServiceDisplayName)
	if !strings.Contains(out, "The Novell ZENworks Server service was stopped successfully.") {
		t.Errorf("net stop: %q", out)
	}
	mustRun(t, lin, "", ServerInitScript, "stop")
	for _, l := range []*Lab{win, lin} {
		if z, _ := l.Zone(); z.Running || z.Restarts != 0 {
			t.Errorf("%s after stop: running %v restarts %d", l.Platform(), z.Running, z.Restarts)
		}
	}
	wc, we := probe(win)
	lc, le := probe(lin)
	if wc != exitFail || wc != lc || we != le || !strings.Contains(we, "not running") {
		t.Errorf("ZenProbe while stopped: windows %d %q, linux %d %q", wc, we, lc, le)
	}

	code, _, errs := run(t, win, "", ToolNet, "stop", ServiceDisplayName)
	if code != 2 || !strings.Contains(errs, "The Novell ZENworks Server service is not started.") {
		t.Errorf("net stop when stopped: %d %q", code, errs)
	}
	// The service key name, in any case, and NET's own letter case.
	out = mustRun(t, win, "", "net.exe", "START", "Novell-ZENserver")
	if !strings.Contains(out, "was started successfully") {
		t.Errorf("net start: %q", out)
	}
	if z, _ := win.Zone(); !z.Running || z.Restarts != 1 {
		t.Errorf("after net start: running %v restarts %d", z.Running, z.Restarts)
	}
	if c, _ := probe(win); c != 0 {
		t.Errorf("ZenProbe after net start: %d", c)
	}
	code, _, errs = run(t, win, "", ToolNet, "start", ServiceDisplayName)
	if code != 2 || !strings.Contains(errs, "The requested service has already been started.") {
		t.Errorf("net start when started: %d %q", code, errs)
	}
	if out := mustRun(t, win, "", ToolNet, "start"); !strings.Contains(out, "   "+ServiceDisplayName+"\n") {
		t.Errorf("net start lists: %q", out)
	}

	for _, args := range [][]string{{"stop", "Novell ZENworks Loader"}, {"start", "novell zenworks"}} {
		code, _, errs := run(t, win, "", ToolNet, args...)
		if code != 2 || !strings.Contains(errs, "The service name is invalid.") || !strings.Contains(errs, "NET HELPMSG 2185") {
			t.Errorf("net %q: %d %q", args, code, errs)
		}
	}
	for _, args := range [][]string{nil, {"restart", ServiceDisplayName}, {"stop"}, {"stop", "Novell", "ZENworks", "Server"}} {
		if code, _, errs := run(t, win, "", ToolNet, args...); code != 1 || !strings.Contains(errs, "The syntax of this command is:") {
			t.Errorf("net %q: %d %q", args, code, errs)
		}
	}
	if z, _ := win.Zone(); !z.Running || z.Restarts != 1 {
		t.Errorf("refused commands changed the service: running %v restarts %d", z.Running, z.Restarts)
	}

	// A rehearsal fault fires for net as for the other tools.
	if _, err := win.InjectToolFailure("net", "STOP", 1, "System error 1051 has occurred."); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := run(t, win, "", ToolNet, "stop", ServiceDisplayName); code != 1 || !strings.Contains(errs, "System error 1051") {
		t.Errorf("injected: %d %q", code, errs)
	}
	if z, _ := win.Zone(); !z.Running {
		t.Error("an injected failure stopped the service")
	}
}

// The shims of a Windows lab: net in System32 on PATH, no init script.
func TestWindowsShims(t *testing.T) {
	t.Parallel()
	l := newWindowsLab(t)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if err := l.InstallShims(self); err != nil {
		t.Fatal(err)
	}
	peer, _ := l.Host(labPeer)
	for _, h := range []*Lab{l, peer} {
		if _, err := os.Stat(h.Rebase(WindowsSystemDir + `\net`)); err != nil {
			t.Errorf("%s has no net: %v", h.Hostname(), err)
		}
		if _, err := os.Stat(h.Rebase(ServerInitScript)); err == nil {
			t.Errorf("%s has the Linux init script", h.Hostname())
		}
	}
	netShim := l.Rebase(WindowsSystemDir + `\net`)
	zman := l.Rebase(WindowsBinDir + `\zman`)
	for name, want := range map[string]string{
		"net": netShim, "net.exe": netShim, `C:\Windows\System32\net.exe`: netShim,
		"zman": zman, "zman.bat": zman, `%ZENWORKS_HOME%\bin\zman.bat`: zman,
	} {
		got, err := l.LookPath(name)
		if err != nil || got != want {
			t.Errorf("LookPath(%q) = %q, %v; want %q", name, got, err, want)
		}
	}
	cmd := exec.Command("sh", "-c", `command -v net`)
	cmd.Env = l.Env(os.Environ())
	if out, err := cmd.Output(); err != nil || strings.TrimSpace(string(out)) != netShim {
		t.Errorf("net on PATH = %q, %v", out, err)
	}

	// Through the shim, as a step runs it: the service name is one argument.
	cmd = exec.Command(netShim, "stop", ServiceDisplayName)
	cmd.Env = append(l.Env(os.Environ()), asCLI+"=1")
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "stopped successfully") {
		t.Fatalf("net through the shim: %v\n%s", err, out)
	}
	if z, _ := l.Zone(); z.Running {
		t.Error("net stop through the shim left the service running")
	}
}

// The lab's other commands follow the layout: issue-cert's and
// export-reports' defaults are Windows paths, and the tools take them.
func TestWindowsLabCommandsUseWindowsPaths(t *testing.T) {
	t.Parallel()
	l, err := Init(filepath.Join(t.TempDir(), "winlab"), Options{Platform: PlatformWindows, Reporting: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.CreateExternalCA("corp", "", DefaultCALifetime); err != nil {
		t.Fatal(err)
	}
	res, err := l.IssueCert(IssueRequest{CA: "corp", Host: DefaultHostname, Root: `%ZENWORKS_HOME%\..\root.der`})
	if err != nil {
		t.Fatal(err)
	}
	wantCert := WindowsCertDir + `\` + DefaultHostname + ".der"
	if res.Cert != wantCert || res.LabCert != filepath.Join(l.Dir(), "C", "zcm_certs", DefaultHostname+".der") ||
		res.Root != `C:\Program Files (x86)\Novell\root.der` {
		t.Errorf("issued %+v", res)
	}
	// zman sacert reads the certificate where issue-cert put it, by its Windows path.
	out := mustRun(t, l, answers(testAdmin, testPassword), ToolZman, "sacert", DefaultHostname, wantCert)
	if !strings.Contains(out, "Added the certificate of "+DefaultHostname) {
		t.Errorf("sacert: %q", out)
	}
	for _, bad := range []string{`C:\`, `zcm_certs\x.der`, `/.zone.json`} {
		if _, err := l.IssueCert(IssueRequest{CA: "corp", Host: DefaultHostname, Cert: bad}); err == nil || !strings.Contains(err.Error(), WindowsCertDir) && !strings.Contains(err.Error(), "folder") {
			t.Errorf("issue-cert to %q: %v", bad, err)
		}
	}

	exp, err := l.ExportReports("")
	if err != nil {
		t.Fatal(err)
	}
	if exp.Folder != WindowsReportsFolder || exp.LabFolder != filepath.Join(l.Dir(), "C", "zcm_backups", "reports") {
		t.Errorf("export %+v", exp)
	}
	out = mustRun(t, l, answers(testAdmin, testPassword), ToolZman, "rpld", `c:\zcm_backups\reports`)
	if !strings.Contains(out, `Loaded the reports in c:\zcm_backups\reports (3 file(s))`) {
		t.Errorf("rpld: %q", out)
	}
	if _, err := l.ExportReports(`c:\`); err == nil || !strings.Contains(err.Error(), WindowsReportsFolder) {
		t.Errorf("export to the drive's root: %v", err)
	}
}

// set-address moves the DNS record in the Windows hosts file of each host.
func TestWindowsSetAddressUpdatesTheWindowsHostsFiles(t *testing.T) {
	t.Parallel()
	l := newWindowsLab(t)
	peer, _ := l.Host(labPeer)
	res, err := l.SetAddress(AddressChange{Address: newTestAddress})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(res.HostsFiles, labPeer) {
		t.Errorf("hosts files %v", res.HostsFiles)
	}
	for _, h := range []*Lab{l, peer} {
		if got := lookup(t, h, DefaultHostname); !slices.Equal(got, []string{newTestAddress}) {
			t.Errorf("%s resolves %s to %v", h.Hostname(), DefaultHostname, got)
		}
	}
	if again, err := Open(l.Dir()); err != nil || again.Platform() != PlatformWindows {
		t.Errorf("after set-address: %v", err)
	}
}

// A mixed zone: a Linux device beside a Windows lab server.
func TestHostOnGivesAHostAnotherPlatform(t *testing.T) {
	t.Parallel()
	l := newWindowsLab(t)
	dev, err := l.HostOn("linux-dev-1", PlatformLinux)
	if err != nil || dev.Platform() != PlatformLinux {
		t.Fatalf("HostOn: %v", err)
	}
	if again, err := l.Host("Linux-Dev-1"); err != nil || again.Platform() != PlatformLinux || again.Rebase(ServerBackupDir) != filepath.Join(l.Dir(), hostsDir, "linux-dev-1", "root", "zcm_backups") {
		t.Errorf("Host after HostOn: %v", err)
	}
	if h, err := l.Host("win-dev-1"); err != nil || h.Platform() != PlatformWindows {
		t.Errorf("a new host of a Windows lab: %v", err)
	}
	if _, err := l.HostOn(labPeer, PlatformLinux); err == nil || !strings.Contains(err.Error(), "already has a windows tree") {
		t.Errorf("HostOn of the built peer: %v", err)
	}
	if _, err := l.HostOn(DefaultHostname, PlatformLinux); err == nil || !strings.Contains(err.Error(), "lab's own server") {
		t.Errorf("HostOn of the lab server: %v", err)
	}
	if _, err := l.HostOn("x-1", "beos"); err == nil {
		t.Error("HostOn accepted an unknown platform")
	}
}
