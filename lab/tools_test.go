package lab

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func configureRuns(t *testing.T, l *Lab) []ConfigureRun {
	t.Helper()
	z, err := l.Zone()
	if err != nil {
		t.Fatal(err)
	}
	return z.ConfigureRuns
}

func TestConfigureStartRestartsOnlyWhenAsked(t *testing.T) {
	l := newTestLab(t)
	out := mustRun(t, l, answers("3"), ToolConfigure, "-c", "Start")
	if !strings.Contains(out, PromptServiceAction) || strings.Contains(out, PromptServiceAction+"\n") || !strings.Contains(out, "Restarted") {
		t.Errorf("stdout = %q", out)
	}
	// Start on running services changes nothing: why the reference says Restart.
	out = mustRun(t, l, answers("Start"), ToolConfigure, "-c", "Start")
	if !strings.Contains(out, "already running") {
		t.Errorf("stdout = %q", out)
	}
	z, _ := l.Zone()
	if z.Restarts != 1 || !z.Running {
		t.Errorf("restarts %d running %v", z.Restarts, z.Running)
	}
	mustRun(t, l, answers("2"), ToolConfigure, "-c", "start")
	mustRun(t, l, answers("1"), ToolConfigure, "-Z", "-c", "Start")
	z, _ = l.Zone()
	if z.Restarts != 2 || !z.Running {
		t.Errorf("after stop and start: restarts %d running %v", z.Restarts, z.Running)
	}
	want := []ConfigureRun{{l.Hostname(), "Start", "Restart"}, {l.Hostname(), "Start", "Start"},
		{l.Hostname(), "Start", "Stop"}, {l.Hostname(), "Start", "Start"}}
	if !slices.Equal(z.ConfigureRuns, want) {
		t.Errorf("runs %+v", z.ConfigureRuns)
	}

	if code, _, errs := run(t, l, answers("reboot"), ToolConfigure, "-c", "Start"); code != 1 || !strings.HasPrefix(errs, "Error: ") {
		t.Errorf("bad answer: %d %q", code, errs)
	}
	if code, _, errs := run(t, l, "", ToolConfigure, "-c", "Start"); code != 1 || !strings.Contains(errs, "no answer") {
		t.Errorf("no answer: %d %q", code, errs)
	}
	if len(configureRuns(t, l)) != 4 {
		t.Error("a failed run was recorded")
	}
}

func TestConfigureActions(t *testing.T) {
	l := newTestLab(t)
	for _, a := range []string{"CreateExtractorPacks", "RebuildCustomPacks", "MergeTruststore", "EnableJMX", "ZenProbe"} {
		if out := mustRun(t, l, "", ToolConfigure, "-c", a, "-Z"); !strings.Contains(out, l.Hostname()) {
			t.Errorf("%s: %q", a, out)
		}
	}
	mustRun(t, l, answers("1"), ToolConfigure, "-Z", "-c", "ssl")
	mustRun(t, l, answers("2"), ToolConfigure, "-c", "SSL", "-Z")
	var got []string
	for _, r := range configureRuns(t, l) {
		if r.Server != l.Hostname() {
			t.Errorf("run %+v", r)
		}
		got = append(got, r.Action+r.Option)
	}
	want := []string{"CreateExtractorPacks", "RebuildCustomPacks", "MergeTruststore", "EnableJMX", "ZenProbe", "SSL1", "SSL2"}
	if !slices.Equal(got, want) {
		t.Errorf("runs %q", got)
	}

	// Reminting the CA needs the CA role.
	mustRun(t, l, answers(testAdmin, testPassword), ToolZman, "card")
	if code, out, errs := run(t, l, answers("2"), ToolConfigure, "-c", "SSL"); code != 1 || !strings.Contains(errs, RoleCertAuth) || !strings.Contains(out, PromptSSLOption) {
		t.Errorf("SSL 2 without the role: %d %q %q", code, out, errs)
	}
	// ZenProbe finds stopped services.
	mustRun(t, l, "", ToolZenserver, "stop")
	if code, _, errs := run(t, l, "", ToolConfigure, "-c", "ZenProbe"); code != 1 || !strings.Contains(errs, "not running") {
		t.Errorf("ZenProbe when stopped: %d %q", code, errs)
	}
	if len(configureRuns(t, l)) != len(want) {
		t.Error("a failed run was recorded")
	}
}

func TestConfigureUsage(t *testing.T) {
	l := newTestLab(t)
	for _, args := range [][]string{nil, {"-c"}, {"-c", "Reboot"}, {"Start"}, {"\u2013c", "Start"}, {"-c", "Start", "-c", "SSL"}} {
		code, _, errs := run(t, l, answers("3"), ToolConfigure, args...)
		if code != 2 || !strings.Contains(errs, "Usage:") {
			t.Errorf("%q: %d %q", args, code, errs)
		}
	}
	if _, _, errs := run(t, l, "", ToolConfigure, "\u2013c", "Start"); !strings.Contains(errs, "hyphen") {
		t.Errorf("en dash: %q", errs)
	}
	if len(configureRuns(t, l)) != 0 {
		t.Error("a usage error was recorded")
	}
}

func TestConfigureInjectedFailure(t *testing.T) {
	l := newTestLab(t)
	if err := l.InjectFailure(ToolConfigure, "start", 1, "Error: simulated: a service did not stop."); err != nil {
		t.Fatal(err)
	}
	mustRun(t, l, "", ToolConfigure, "-c", "EnableJMX")
	code, out, errs := run(t, l, answers("3"), ToolConfigure, "-c", "Start")
	if code != 1 || !strings.Contains(errs, "did not stop") || !strings.Contains(out, PromptServiceAction) {
		t.Errorf("exit %d %q %q", code, out, errs)
	}
	if z, _ := l.Zone(); z.Restarts != 0 || len(z.ConfigureRuns) != 1 {
		t.Errorf("restarts %d runs %+v", z.Restarts, z.ConfigureRuns)
	}
}

func TestPermission(t *testing.T) {
	l := newTestLab(t)
	out := mustRun(t, l, "", ToolPermission)
	if !strings.Contains(out, "zenworks:zmanusers") {
		t.Errorf("stdout %q", out)
	}
	mustRun(t, l, "", ToolPermissionAlias)
	if err := l.InjectFailure(ToolPermissionAlias, "", 1, "Error: simulated."); err != nil {
		t.Fatal(err)
	}
	if code, _, _ := run(t, l, "", ServerBinDir+"/"+ToolPermission); code != 1 {
		t.Errorf("injected failure under the other name: exit %d", code)
	}
	if code, _, errs := run(t, l, "", ToolPermission, "-R"); code != 2 || !strings.Contains(errs, "Usage") {
		t.Errorf("with an argument: %d %q", code, errs)
	}
	if z, _ := l.Zone(); !slices.Equal(z.PermissionsFixed, []string{l.Hostname(), l.Hostname()}) {
		t.Errorf("permissions_fixed %q", z.PermissionsFixed)
	}
}

func deviceLog(t *testing.T, l *Lab) []DeviceCall {
	t.Helper()
	z, err := l.Zone()
	if err != nil {
		t.Fatal(err)
	}
	return z.DeviceLog
}

func TestZacRecordsEachCallWithoutSecrets(t *testing.T) {
	l := newTestLab(t)
	cert := l.Rebase("/root/ca.der")
	writeFile(t, cert, "not really DER")
	mustRun(t, l, "", ToolZac, "retr", "-u", testAdmin, "-p", testPassword)
	mustRun(t, l, "", ToolZac, "ref", "bypasscache")
	mustRun(t, l, "", ToolZac, "refresh")
	mustRun(t, l, "", ToolZac, "cert-info", cert, "-u", testAdmin, "-p", testPassword)
	mustRun(t, l, "", ToolZac, "iac", "-pk", "private-key.der", "-c", "signed-server_certificate.der",
		"-ca", "signing-authority-public-certificate.der", "-ks", "keystore.jks", "-ksp", "ks-secret",
		"-a", "signed-cert-alias", "-ks", "cert-secret", "-u", testAdmin, "-p", testPassword, "-rc")
	mustRun(t, l, "", ToolZac, "unr", "-f")
	mustRun(t, l, "", ToolZac, "reg", "https://zen-primary-2.example.com:443")
	mustRun(t, l, "", ToolZac, "asr", "-t", "all")
	mustRun(t, l, "", ToolZac, "rsc")

	log := deviceLog(t, l)
	var subs []string
	for _, c := range log {
		if c.Device != l.Hostname() {
			t.Errorf("call %+v", c)
		}
		subs = append(subs, c.Subcommand)
	}
	want := []string{"reestablish-trust", "refresh", "refresh", "cert-info", "import-authentication-cert",
		"unregister", "register", "authentication-server-reconfigure", "remint-satellite-cert"}
	if !slices.Equal(subs, want) {
		t.Errorf("subcommands %q", subs)
	}
	if !slices.Equal(log[1].Args, []string{"bypasscache"}) || !slices.Equal(log[6].Args, []string{"https://zen-primary-2.example.com:443"}) {
		t.Errorf("args %q %q", log[1].Args, log[6].Args)
	}
	if got := strings.Join(log[4].Args, " "); !strings.Contains(got, "-ks keystore.jks -ksp **** -a signed-cert-alias -ks ****") {
		t.Errorf("iac args %q", got)
	}
	zone := readFile(t, filepath.Join(l.Dir(), zoneFile))
	for _, secret := range []string{testPassword, "ks-secret", "cert-secret"} {
		if strings.Contains(zone, secret) {
			t.Errorf("the zone file holds %q", secret)
		}
	}
}

func TestZacPromptsAndChecks(t *testing.T) {
	l := newTestLab(t)
	// retr without credentials asks for them.
	out := mustRun(t, l, answers(testAdmin, testPassword), ToolZac, "retr")
	if !strings.HasPrefix(out, PromptUsername+PromptPassword) {
		t.Errorf("stdout %q", out)
	}
	if code, _, errs := run(t, l, "", ToolZac, "retr", "-u", testAdmin, "-p", "wrong"); code != 1 || !strings.Contains(errs, "Authentication failed") || strings.Contains(errs, "wrong") {
		t.Errorf("wrong password: %d %q", code, errs)
	}
	// unr without -f asks, and "n" leaves the device registered.
	code, out, errs := run(t, l, answers("n"), ToolZac, "unr")
	if code != 1 || out != PromptUnregister || !strings.HasPrefix(errs, "Error: ") {
		t.Errorf("unr answered n: %d %q %q", code, out, errs)
	}
	out = mustRun(t, l, answers("y"), ToolZac, "unregister")
	if !strings.HasPrefix(out, PromptUnregister+"Successfully") {
		t.Errorf("unr answered y: %q", out)
	}
	for _, u := range []string{"http://zen-primary-2:80", "zen-primary-2:443", "https://"} {
		if code, _, errs := run(t, l, "", ToolZac, "reg", u); code != 1 || !strings.Contains(errs, "https") {
			t.Errorf("reg %q: %d %q", u, code, errs)
		}
	}
	if code, _, errs := run(t, l, "", ToolZac, "cert-info", l.Rebase("/root/none.der"), "-u", testAdmin, "-p", testPassword); code != 1 || !strings.Contains(errs, "does not exist") {
		t.Errorf("cert-info of no file: %d %q", code, errs)
	}
	for _, args := range [][]string{nil, {"zone-config"}, {"reg"}, {"ref", "everything"}, {"retr", "-u"}, {"iac", "-pk", "k.der"}, {"unr", "-x"}} {
		if code, _, _ := run(t, l, "", ToolZac, args...); code != 2 {
			t.Errorf("%q: exit %d", args, code)
		}
	}
	if log := deviceLog(t, l); len(log) != 2 {
		t.Errorf("log %+v", log)
	}
}

const (
	sqlSelect = "select zsr.id,z.name,zsr.Roles as CA_Role,z.path from zZenServerRoles zsr, \n" +
		"zZenObject z where zsr.id=z.zuid and zsr.id in (select zuid from zZenServer \n" +
		"where Type='Primary') and zsr.Roles='CertAuth'\n"
	sqlDeletes = "delete from zZENServerRoles where Roles='Database';\n" +
		"delete from zZENServerRoles where Roles='MasterPrimary';\n" +
		"delete from zZENServerRoles where Roles='CertAuth';\ncommit;\n"
)

func sqlInserts(guid string) string {
	var b strings.Builder
	for _, r := range []string{"Database", "MasterPrimary", "CertAuth"} {
		b.WriteString("Insert into zZENServerRoles (id, Roles, position) values (0x" + guid + ", '" + r +
			"', (select max(position) from zZENServerRoles where \nid=0x" + guid + ")+1);\n\n")
	}
	return b.String() + "commit;\n"
}

// Reference 2.1 steps 11c and 11d move the roles to the second server;
// 1.5 step 1's query shows where the CA went.
func TestSQLMovesRolesToTheSecondServer(t *testing.T) {
	l := newTestLab(t)
	z, _ := l.Zone()
	first, second := z.Servers[0], z.Servers[1]

	out := mustRun(t, l, sqlSelect, ToolSQL)
	if !strings.Contains(out, "0x"+first.GUID+"\t"+first.Name+"\tCertAuth\t") || !strings.Contains(out, "(1 rows)") {
		t.Errorf("select: %q", out)
	}
	out = mustRun(t, l, sqlDeletes, ToolSQL)
	if strings.Count(out, "1 row(s) deleted") != 3 {
		t.Errorf("deletes: %q", out)
	}
	if got := localServer(t, l).Roles; !slices.Equal(got, []string{RolePrimary}) {
		t.Errorf("first server roles %q", got)
	}
	mustRun(t, l, sqlInserts(strings.ToUpper(second.GUID)), ToolSQL)
	z, _ = l.Zone()
	peer, _ := z.Server(second.Name)
	if !slices.Equal(peer.Roles, []string{RolePrimary, RoleDatabase, RoleMasterPrimary, RoleCertAuth}) {
		t.Errorf("second server roles %q", peer.Roles)
	}
	out = mustRun(t, l, "", ToolSQL, "-e", strings.ToUpper(sqlSelect))
	if !strings.Contains(out, second.Name) || strings.Contains(out, first.Name) {
		t.Errorf("select after the move: %q", out)
	}
}

func TestSQLNeedsCommitAndRefusesTheRest(t *testing.T) {
	l := newTestLab(t)
	z, _ := l.Zone()
	second := z.Servers[1]
	before := readFile(t, filepath.Join(l.Dir(), zoneFile))

	// The session sees its own change, but without commit nothing lands.
	code, out, errs := run(t, l, "delete from zZENServerRoles where Roles = 'CertAuth';\n"+sqlSelect+";\n", ToolSQL)
	if code != 1 || !strings.Contains(out, "(0 rows)") || !strings.Contains(errs, "rolled back") {
		t.Errorf("no commit: %d %q %q", code, out, errs)
	}
	for _, c := range []struct{ stmt, want string }{
		{"drop table zZENServerRoles;", "unsupported statement"},
		{"delete from zopaquedata;", "unsupported statement"},
		{"delete from zZENServerRoles where Roles='CertAuth' or 1=1; commit;", "unsupported statement"},
		{sqlInserts("<second PS GUID>"), "placeholder"},
		{sqlInserts("00ff"), "no server"},
		{sqlInserts(z.Servers[0].GUID), "not unique"},
		{"Insert into zZENServerRoles (id, Roles, position) values (0x" + second.GUID + ", 'CertAuth', (select max(position) from zZENServerRoles where id=0x" + z.Servers[0].GUID + ")+1); commit;", "same GUID"},
	} {
		code, _, errs := run(t, l, c.stmt, ToolSQL)
		if code != 1 || !strings.HasPrefix(errs, "Error: ") || !strings.Contains(errs, c.want) {
			t.Errorf("%q: %d %q", c.stmt, code, errs)
		}
	}
	if readFile(t, filepath.Join(l.Dir(), zoneFile)) != before {
		t.Error("a failed session changed the zone")
	}
	for _, args := range [][]string{{"-e"}, {"-f", "x.sql"}, {"-e", "commit", "extra"}} {
		if code, _, errs := run(t, l, "", ToolSQL, args...); code != 2 || !strings.Contains(errs, "Usage") {
			t.Errorf("%q: %d %q", args, code, errs)
		}
	}

	// An injected failure fires at commit and nothing is written.
	if err := l.InjectFailure(ToolSQL, "", 1, "Error: simulated: the database is not reachable."); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := run(t, l, sqlDeletes, ToolSQL); code != 1 || !strings.Contains(errs, "not reachable") {
		t.Errorf("injected: %d %q", code, errs)
	}
	if !localServer(t, l).HasRole(RoleCertAuth) {
		t.Error("the injected failure let the delete through")
	}
}

func TestZmanDatabaseGetCredentials(t *testing.T) {
	l := newTestLab(t)
	out := mustRun(t, l, "", ToolZman, "dgc", "-U", testAdmin, "-P", testPassword)
	if !strings.Contains(out, "Username: "+dgcUser) || !strings.Contains(out, "Password: ") || strings.Contains(out, testPassword) {
		t.Errorf("stdout %q", out)
	}
	again := mustRun(t, l, answers(testAdmin, testPassword), ToolZman, "database-get-credentials")
	if !strings.HasPrefix(again, PromptUsername+PromptPassword) || !strings.HasSuffix(again, out) {
		t.Errorf("prompted run %q; want the same credentials as %q", again, out)
	}
	code, out, errs := run(t, l, "", ToolZman, "dgc", "-U", testAdmin, "-P", "guess-pw")
	if code != 1 || !strings.Contains(errs, "Authentication failed") || strings.Contains(out+errs, "guess-pw") {
		t.Errorf("wrong password: %d %q %q", code, out, errs)
	}
	if code, _, errs := run(t, l, "", ToolZman, "dgc", "-U", testAdmin, "-P"); code != 2 || strings.Contains(errs, testPassword) {
		t.Errorf("missing value: %d %q", code, errs)
	}

	ext, err := Init(filepath.Join(t.TempDir(), "ext"), Options{ExternalDatabase: true})
	if err != nil {
		t.Fatal(err)
	}
	if code, _, errs := run(t, ext, "", ToolZman, "dgc", "-U", testAdmin, "-P", testPassword); code != 1 || !strings.Contains(errs, "database administrator") {
		t.Errorf("external database: %d %q", code, errs)
	}
}

// The new tools run through their shims as separate processes, as the
// wizard runs them.
func TestNewShimsRunTheTools(t *testing.T) {
	l := newTestLab(t)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if err := l.InstallShims(self); err != nil {
		t.Fatal(err)
	}
	t.Setenv(asCLI, "1")
	for _, c := range []struct {
		name, stdin string
		args        []string
	}{
		{ToolConfigure, "3\n", []string{"-c", "Start"}},
		{ToolPermission, "", nil},
		{ToolZac, "", []string{"ref", "bypasscache"}},
		{ToolSQL, sqlSelect, nil},
	} {
		p, err := l.LookPath(c.name)
		if err != nil || p != filepath.Join(l.BinDir(), c.name) {
			t.Fatalf("LookPath(%s) = %q, %v", c.name, p, err)
		}
		cmd := exec.Command(p, c.args...)
		cmd.Env = l.Env(os.Environ())
		cmd.Stdin = strings.NewReader(c.stdin)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s through the shim: %v\n%s", c.name, err, out)
		}
	}
	z, _ := l.Zone()
	if z.Restarts != 1 || len(z.PermissionsFixed) != 1 || len(z.DeviceLog) != 1 {
		t.Errorf("zone after the shims: restarts %d, permissions %q, log %+v", z.Restarts, z.PermissionsFixed, z.DeviceLog)
	}
}
