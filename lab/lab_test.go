package lab

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestInitBuildsTheServerTree(t *testing.T) {
	l := newTestLab(t)
	for _, p := range []string{
		ServerConfDir + "/components.properties", ServerConfDir + "/server.xml",
		ServerConfDir + "/casa/server.xml", ServerConfDir + "/casa/WEB-INF/classes/casa_crypto.properties",
		ServerConfDir + "/extcasa/WEB-INF/classes/casa_crypto.properties",
		ServerConfDir + "/zman/properties/zman.properties", ServerConfDir + "/zentruststore/zentruststore.jks",
		ServerConfDir + "/agentcomponents/components.xml", ServerConfDir + "/trusted-certs/zone-ca.der",
		ServerKeystore, ServerCaConfig,
		"/var/opt/novell/zenworks/database/zenworks_zenlab.db",
	} {
		if _, err := os.Stat(l.Rebase(p)); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
	for _, d := range []string{ServerRootHome, ServerBinDir, ServerConfDir + "/fde", ServerConfDir + "/conf"} {
		if fi, err := os.Stat(l.Rebase(d)); err != nil || !fi.IsDir() {
			t.Errorf("%s is not a folder: %v", d, err)
		}
	}
	if fi, err := os.Stat(l.Rebase(ServerKeystore)); err != nil || fi.Size() == 0 {
		t.Errorf("keystore missing or empty: %v", err)
	}

	cfg := readFile(t, l.Rebase(ServerCaConfig))
	want := "<Keystore>" + ServerKeystore + "</Keystore>"
	if !strings.Contains(cfg, want) {
		t.Errorf("CaConfig.xml lacks %s:\n%s", want, cfg)
	}
	if strings.Contains(cfg, l.Dir()) {
		t.Errorf("CaConfig.xml names the lab path, not the server path:\n%s", cfg)
	}
	sp, lp, err := l.KeystorePath()
	if err != nil || sp != ServerKeystore || lp != l.Rebase(ServerKeystore) {
		t.Errorf("KeystorePath = %q, %q, %v", sp, lp, err)
	}

	for _, f := range []string{"zdm.xml", "zenaudit.xml"} {
		x := readFile(t, l.Rebase(ServerConfDir+"/datamodel/"+f))
		if !strings.Contains(x, `<entry key="Server Address">192.0.2.10</entry>`) {
			t.Errorf("%s lacks the database server address:\n%s", f, x)
		}
	}

	imgs, err := filepath.Glob(filepath.Join(l.Rebase(ServerImagesDir), "*.zmg"))
	if err != nil || len(imgs) != 3 {
		t.Errorf("images: %v, %v", imgs, err)
	}

	z, err := l.Zone()
	if err != nil {
		t.Fatal(err)
	}
	if len(z.Servers) != 2 {
		t.Fatalf("servers: %+v", z.Servers)
	}
	me := localServer(t, l)
	for _, r := range []string{RolePrimary, RoleDatabase, RoleMasterPrimary, RoleCertAuth} {
		if !me.HasRole(r) {
			t.Errorf("%s lacks role %s: %v", me.Name, r, me.Roles)
		}
	}
	peer, ok := z.Server("zen-primary-2")
	if !ok || !slices.Equal(peer.Roles, []string{RolePrimary}) {
		t.Errorf("second Primary Server: %+v", peer)
	}
	hex32 := regexp.MustCompile(`^[0-9a-f]{32}$`)
	for _, s := range z.Servers {
		if !hex32.MatchString(s.GUID) || !strings.HasPrefix(s.Address, "192.0.2.") {
			t.Errorf("server %+v", s)
		}
	}
	if strings.TrimSpace(readFile(t, l.Rebase(ServerConfDir+"/DeviceGuid"))) != me.GUID {
		t.Error("DeviceGuid disagrees with the zone")
	}
	if z.Admin.Name != DefaultAdminUser || !z.Admin.check("administrator", DefaultAdminPassword) {
		t.Errorf("admin %+v", z.Admin)
	}
	if strings.Contains(readFile(t, filepath.Join(l.Dir(), zoneFile)), DefaultAdminPassword) {
		t.Error("the zone file holds the administrator password in plain text")
	}
}

func TestInitWithExternalDatabase(t *testing.T) {
	l, err := Init(filepath.Join(t.TempDir(), "lab"), Options{Hostname: "zen-a", ExternalDatabase: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(l.Rebase(ServerDatabaseDir)); !os.IsNotExist(err) {
		t.Errorf("database folder exists: %v", err)
	}
	if l.Hostname() != "zen-a" || localServer(t, l).HasRole(RoleDatabase) {
		t.Errorf("host %s roles %v", l.Hostname(), localServer(t, l).Roles)
	}
	z, _ := l.Zone()
	if z.Database.Embedded || z.Database.Address == localServer(t, l).Address {
		t.Errorf("database %+v", z.Database)
	}
}

func TestInitRefusesNonEmptyDir(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "precious.txt"), "keep me")
	if _, err := Init(dir, Options{}); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("Init on a non-empty dir: %v", err)
	}
	if readFile(t, filepath.Join(dir, "precious.txt")) != "keep me" {
		t.Error("Init touched an existing file")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("Init left files behind: %v", entries)
	}
	file := filepath.Join(dir, "precious.txt")
	if _, err := Init(file, Options{}); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("Init on a file: %v", err)
	}
	if _, err := Init(filepath.Join(t.TempDir()), Options{}); err != nil {
		t.Errorf("Init on an empty dir: %v", err)
	}
}

func TestOpen(t *testing.T) {
	l := newTestLab(t)
	o, err := Open(l.Dir())
	if err != nil || o.Dir() != l.Dir() || o.Hostname() != DefaultHostname {
		t.Fatalf("Open: %v %+v", err, o)
	}
	if _, err := Open(t.TempDir()); err == nil || !strings.Contains(err.Error(), "not a zenrecover lab") {
		t.Errorf("Open on a plain dir: %v", err)
	}
	var errb strings.Builder
	if code := Exec(t.TempDir(), ToolZman, []string{"zsb", "/x"}, nil, nil, &errb); code != 1 || !strings.Contains(errb.String(), "not a zenrecover lab") {
		t.Errorf("Exec on a plain dir: %d %q", code, errb.String())
	}
}

func TestRebase(t *testing.T) {
	l := newTestLab(t)
	d := l.Dir()
	for in, want := range map[string]string{
		"/etc/opt/novell/zenworks":              d + "/etc/opt/novell/zenworks",
		"/root/zcm_backups/zone_backup.bak":     d + "/root/zcm_backups/zone_backup.bak",
		"/tmp/zenbackup/../zenbackup/ca.bak":    d + "/tmp/zenbackup/ca.bak",
		d + "/root/x.bak":                       d + "/root/x.bak",
		d:                                       d,
		"relative/x.bak":                        "relative/x.bak",
		d + "-sibling/x":                        d + d + "-sibling/x",
		"/etc/opt/novell/zenworks/security/../": d + "/etc/opt/novell/zenworks",
	} {
		if got := l.Rebase(in); got != want {
			t.Errorf("Rebase(%q) = %q, want %q", in, got, want)
		}
	}
	if l.BinDir() != d+"/opt/novell/zenworks/bin" {
		t.Errorf("BinDir = %q", l.BinDir())
	}
}

func TestEnv(t *testing.T) {
	l := newTestLab(t)
	env := l.Env([]string{"HOME=/root", "PATH=/usr/bin:/bin", "ZENRECOVER_LAB=/old"})
	want := []string{"HOME=/root", "PATH=" + l.BinDir() + ":/usr/bin:/bin", "ZENRECOVER_LAB=" + l.Dir()}
	if !slices.Equal(env, want) {
		t.Errorf("Env = %q, want %q", env, want)
	}
	if env := l.Env(nil); !slices.Contains(env, "PATH="+l.BinDir()) {
		t.Errorf("Env(nil) = %q", env)
	}
}
