package lab

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// treeParams are the values the fixture files and the zone share, drawn once
// so that DeviceGuid, zdm.xml and .zone.json agree.
type treeParams struct {
	hostname  string
	zone      string
	zoneGUID  string
	guid      string // this server
	address   string
	peer      string // the second Primary Server
	peerGUID  string
	peerAddr  string
	dbLocal   bool
	dbHost    string
	dbAddress string
	version   string
	notCA     bool // the CA's files (zenca.keystore, CaConfig.xml) are not here
}

// Documentation-range addresses (RFC 5737): a rehearsal never contacts them.
const (
	labZone        = "zenlab"
	labAddress     = "192.0.2.10"
	labPeer        = "zen-primary-2"
	labPeerAddress = "192.0.2.11"
	labDBHost      = "zen-db-1"
	labDBAddress   = "192.0.2.20"
	labVersion     = "11.3.0"
	sybasePort     = "2638"
)

func newTreeParams(o Options) (treeParams, error) {
	p := treeParams{hostname: o.Hostname, zone: labZone, address: labAddress,
		peer: labPeer, peerAddr: labPeerAddress, dbLocal: !o.ExternalDatabase,
		version: labVersion}
	if p.peer == p.hostname {
		p.peer = "zen-primary-9"
	}
	if p.dbLocal {
		p.dbHost, p.dbAddress = p.hostname, p.address
	} else {
		p.dbHost, p.dbAddress = labDBHost, labDBAddress
	}
	for _, g := range []*string{&p.zoneGUID, &p.guid, &p.peerGUID} {
		s, err := newGUID()
		if err != nil {
			return p, err
		}
		*g = s
	}
	return p, nil
}

// LabDomain is the DNS domain of the lab's hosts (RFC 2606: never real).
const LabDomain = "zenlab.example"

// forPeer is the second Primary Server's view: its own name, GUID and
// address, the same zone and database, and no certificate authority.
func (p treeParams) forPeer() treeParams {
	q := p
	q.hostname, q.guid, q.address = p.peer, p.peerGUID, p.peerAddr
	q.peer, q.peerGUID, q.peerAddr = p.hostname, p.guid, p.address
	q.dbLocal = false
	q.notCA = true
	return q
}

// newGUID is a ZENworks object GUID: 32 lower-case hex digits.
func newGUID() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return b
}

type fixtureFile struct {
	path string // server path
	data []byte
	perm os.FileMode
}

func text(path, s string) fixtureFile {
	return fixtureFile{path: path, data: []byte(s), perm: 0o644}
}

func secret(path string, data []byte) fixtureFile {
	return fixtureFile{path: path, data: data, perm: 0o600}
}

// fixtureDirs are created even where no file lands in them, as a real
// install has them.
func fixtureDirs(y Layout) []string {
	dirs := []string{y.Join(y.ConfDir, "fde"), y.Join(y.ConfDir, "pru"), y.Join(y.ConfDir, "resources"),
		y.BinDir, y.BackupDir}
	if y.Platform == PlatformWindows {
		return append(dirs, WindowsSystemDir)
	}
	return append(dirs, "/etc/init.d", ServerRootHome, "/tmp")
}

func (l *Lab) writeTree(p treeParams) error {
	y := l.layout
	for _, d := range fixtureDirs(y) {
		perm := os.FileMode(0o755)
		if d == ServerRootHome || d == y.BackupDir {
			perm = 0o700
		}
		if err := os.MkdirAll(l.Rebase(d), perm); err != nil {
			return fmt.Errorf("lab: %w", err)
		}
	}
	for _, f := range fixtureFiles(p, y) {
		dst := l.Rebase(f.path)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return fmt.Errorf("lab: %w", err)
		}
		if err := os.WriteFile(dst, f.data, f.perm); err != nil {
			return fmt.Errorf("lab: %w", err)
		}
	}
	return nil
}

// fixtureFiles are the same files in both layouts (so every tool and check
// finds what it needs on either), at the layout's places and naming the
// layout's paths, plus on Windows the files only the reference's Windows
// lists name (section 1.1), and on Linux the account files.
func fixtureFiles(p treeParams, y Layout) []fixtureFile {
	c := func(name string) string { return y.Join(y.ConfDir, name) }
	// A Java properties value escapes a backslash.
	jp := func(p string) string { return strings.ReplaceAll(p, `\`, `\\`) }
	log := func(name string) string { return y.Join(y.LogDir, name) }
	props := func(kv ...string) string {
		var b strings.Builder
		for i := 0; i+1 < len(kv); i += 2 {
			fmt.Fprintf(&b, "%s=%s\n", kv[i], kv[i+1])
		}
		return b.String()
	}
	files := []fixtureFile{
		// Backed up on Linux (reference 1.1), top-level files.
		text(c("components.properties"), props("zenworks.component.server", "true",
			"zenworks.component.imaging", "true", "zenworks.component.patch", "true",
			"zenworks.component.reporting", "false")),
		text(c("zenworks.properties"), props("zenworks.zone.name", p.zone,
			"zenworks.server.name", p.hostname, "zenworks.server.address", p.address,
			"zenworks.server.port", "443", "zenworks.home", jp(y.Home))),
		text(c("monitor.conf"), props("interval", "60",
			"services", "novell-zenserver,novell-zenloader")),
		text(c("version.txt"), p.version+"\n"),
		text(c("database-migration.properties"), props("migration.completed", "true",
			"migration.version", p.version)),
		text(c("initial-web-service"), "https://"+p.address+"/zenworks-registration/version\n"),
		text(c("ZenServerVersion.xml"), "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"+
			"<ZenServerVersion>\n  <Version>"+p.version+"</Version>\n  <Build>"+p.version+".24617</Build>\n</ZenServerVersion>\n"),
		text(c("primary_server_version.txt"), p.version+"\n"),
		text(c("DeviceData"), props("guid", p.guid, "name", p.hostname, "type", "server")),
		text(c("DeviceGuid"), p.guid+"\n"),
		text(c("ippman.conf"), "[General]\nEnabled=true\nPort=631\n"),
		text(c("zenworks_database.conf"), "-n zenworks_"+p.zone+"\n-x tcpip(port="+sybasePort+")\n-c 256M\n"),
		text(c("guid.txt"), p.zoneGUID+"\n"),
		text(c("lpm-server.properties"), props("lpm.enabled", "true", "lpm.interval", "3600")),
		text(c("logger-server-conf.xml"), loggerXML(log("zenserver.log"))),
		text(c("novell-zenworks-configure.properties"), props("configure.last.action", "none",
			"configure.server.guid", p.guid)),
		text(c("logger-zman-conf.xml"), loggerXML(log("zman.log"))),
		text(c("zenworks.uninstall.logger.config"), props("log.level", "INFO",
			"log.file", jp(log("uninstall.log")))),
		text(c("server.xml"), tomcatServerXML("8005", "443")),

		// Backed-up folders.
		secret(c("security/zenca.keystore"), randomBytes(2048)),
		text(c("security/CaConfig.xml"), caConfigXML(y.Keystore)),
		secret(c("security/zenserver.keystore"), randomBytes(1536)),
		text(c("datamodel/zdm.xml"), databaseXML(p.dbAddress, "zenworks_"+p.zone, "zenadmin")),
		text(c("datamodel/zenaudit.xml"), databaseXML(p.dbAddress, "zenworks_audit_"+p.zone, "zenauditadmin")),
		text(c("casa/server.xml"), tomcatServerXML("8009", "2645")),
		text(c("casa/WEB-INF/classes/casa_crypto.properties"), props("casa.crypto.provider", "BC",
			"casa.crypto.keystore", jp(c("casa/casa.keystore")))),
		text(c("extcasa/WEB-INF/classes/casa_crypto.properties"), props("casa.crypto.provider", "BC",
			"casa.crypto.keystore", jp(c("extcasa/casa.keystore")))),
		text(c("loader/loader.properties"), props("loader.threads", "8")),
		text(c("loader-logging/loader-logging.xml"), loggerXML(log("zenloader.log"))),
		text(c("preboot/preboot.properties"), props("preboot.tftp.enabled", "true")),
		text(c("puppet/puppet.conf"), "[agent]\nserver = "+p.hostname+"\n"),
		text(c("quicktask/quicktask.properties"), props("quicktask.poll.seconds", "30")),
		text(c("services/services.properties"), props("service.zenserver", "enabled",
			"service.zenloader", "enabled")),
		text(c("zman/properties/zman.properties"), props("zman.server", "localhost", "zman.port", "443")),
		secret(c("zentruststore/zentruststore.jks"), randomBytes(1024)),

		// Not backed up on Linux (reference 1.1), so a rehearsal can see
		// what a restore does not bring back.
		text(c("datamodel/authsources/authsources.xml"), "<AuthSources/>\n"),
		text(c("datamodel/cache/zdm-cache.properties"), props("cache.size", "1024")),
		text(c("datamodel/default/zdm-default.xml"), "<Defaults/>\n"),
		text(c("extcasa/WEB-INF/web.xml"), "<web-app/>\n"),
		text(c("agentcomponents/components.xml"), "<Components/>\n"),
		secret(c("trusted-certs/zone-ca.der"), randomBytes(768)),
		text(c("conf/zenworks-home.conf"), "ZENWORKS_HOME="+y.Home+"\n"),
		text(c("zman/resources/zman-messages.properties"), props("zman.banner", "ZENworks Command Line Utility")),

		// Content repository (backed up separately, reference 1.1 step 5).
		fixtureFile{path: y.Join(y.ImagesDir, "win7-base.zmg"), data: randomBytes(4096), perm: 0o644},
		fixtureFile{path: y.Join(y.ImagesDir, "sles11-sp3.zmg"), data: randomBytes(3072), perm: 0o644},
		fixtureFile{path: y.Join(y.ImagesDir, "recovery-tools.zmg"), data: randomBytes(2048), perm: 0o644},
		fixtureFile{path: y.Join(y.ContentRepo, "content/3f", p.peerGUID), data: randomBytes(1024), perm: 0o644},
		text(y.Join(y.ContentRepo, "content-repo.properties"), props("repo.version", "2", "repo.owner", p.hostname)),
	}
	if y.Platform == PlatformWindows {
		files = append(files, windowsOnlyFiles(c, log)...)
	} else {
		// The lab's zenworks user and zmanusers group are the person
		// rehearsing, so a chown step can really run without root.
		uid, gid := os.Getuid(), os.Getgid()
		files = append(files,
			text("/etc/passwd", fmt.Sprintf("root:x:0:0:root:/root:/bin/bash\nzenworks:x:%d:%d:ZENworks:/var/opt/novell/zenworks:/bin/false\n", uid, gid)),
			text("/etc/group", fmt.Sprintf("root:x:0:\nzmanusers:x:%d:zenworks\n", gid)))
	}
	if p.notCA {
		files = slices.DeleteFunc(files, func(f fixtureFile) bool {
			return f.path == y.Keystore || f.path == y.CaConfig
		})
	}
	if p.dbLocal {
		db := append([]byte("SQL Anywhere 12 database "+p.zone+"\x00"), randomBytes(4096)...)
		files = append(files,
			fixtureFile{path: y.Join(y.DatabaseDir, "zenworks_"+p.zone+".db"), data: db, perm: 0o600},
			fixtureFile{path: y.Join(y.DatabaseDir, "zenworks_"+p.zone+".log"), data: randomBytes(512), perm: 0o600})
	}
	return files
}

// windowsOnlyFiles are the entries of the reference's Windows lists
// (section 1.1: stored, and not stored) that its Linux lists lack.
// "PolicyHandlersRegistration.xml/" is taken as the file its name says.
func windowsOnlyFiles(c, log func(string) string) []fixtureFile {
	reg := func(kind string) string {
		return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<" + kind + "/>\n"
	}
	return []fixtureFile{
		text(c("ActionHandlersRegistration.xml"), reg("ActionHandlers")),
		text(c("ActionUndoHandlersRegistration.xml"), reg("ActionUndoHandlers")),
		text(c("DLUPolicyHandlerRegistration.xml"), reg("DLUPolicyHandlers")),
		text(c("LCPRegistration.xml"), reg("LCPHandlers")),
		text(c("PolicyHandlersRegistration.xml"), reg("PolicyHandlers")),
		text(c("RMHandlerRegistration.xml"), reg("RMHandlers")),
		text(c("WGPRegistration.xml"), reg("WGPHandlers")),
		text(c("logger-zmd-conf.xml"), loggerXML(log("zmd.log"))),
		text(c("logger.xsl"), "<?xml version=\"1.0\"?>\n<xsl:stylesheet version=\"1.0\" xmlns:xsl=\"http://www.w3.org/1999/XSL/Transform\"/>\n"),
		text(c("novell-rm-audit.xml"), reg("RemoteManagementAudit")),
		text(c("novell-rm-setting.ini"), "[RemoteManagement]\nEnabled=1\n"),
		fixtureFile{path: c("primary_server_version.dll"), data: randomBytes(512), perm: 0o644},
		text(c("ZenMemoryCache.config"), "<ZenMemoryCache size=\"256\"/>\n"),
		text(c("pmconfig/pmconfig.properties"), "patch.subscription=enabled\n"),
		text(c("RMPolicy/RMPolicy.xml"), reg("RMPolicy")),
		text(c("Satellite/satellite.properties"), "satellite.roles=\n"),
		// Not stored on Windows.
		text(c("LoggerConfiguration-windows.xml"), loggerXML(log("zenworks.log"))),
	}
}

// caConfigXML names the keystore by its server path: the file is read on
// the server, so the lab keeps the server's view.
func caConfigXML(keystore string) string {
	return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CaConfig>\n" +
		"  <Keystore>" + keystore + "</Keystore>\n" +
		"  <KeystoreType>JCEKS</KeystoreType>\n" +
		"  <Alias>zenca</Alias>\n" +
		"  <ValidityYears>10</ValidityYears>\n" +
		"</CaConfig>\n"
}

// databaseXML follows the Java properties XML of zdm.xml and zenaudit.xml;
// chapters 2 and 3 edit its "Server Address" entry.
func databaseXML(address, database, user string) string {
	return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" +
		"<!DOCTYPE properties SYSTEM \"http://java.sun.com/dtd/properties.dtd\">\n" +
		"<properties>\n" +
		"  <entry key=\"Type\">sybase</entry>\n" +
		"  <entry key=\"Server Address\">" + address + "</entry>\n" +
		"  <entry key=\"Port\">" + sybasePort + "</entry>\n" +
		"  <entry key=\"Database\">" + database + "</entry>\n" +
		"  <entry key=\"Username\">" + user + "</entry>\n" +
		"</properties>\n"
}

// loggerXML configures a logger writing to file (a server path).
func loggerXML(file string) string {
	name := strings.TrimSuffix(file[strings.LastIndexAny(file, `/\`)+1:], ".log")
	return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<configuration>\n" +
		"  <appender name=\"" + name + "\" file=\"" + file + "\"/>\n" +
		"  <root level=\"INFO\"/>\n</configuration>\n"
}

func tomcatServerXML(shutdownPort, port string) string {
	return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" +
		"<Server port=\"" + shutdownPort + "\" shutdown=\"SHUTDOWN\">\n" +
		"  <Service name=\"Catalina\">\n" +
		"    <Connector port=\"" + port + "\" protocol=\"HTTP/1.1\" SSLEnabled=\"true\"/>\n" +
		"  </Service>\n</Server>\n"
}
