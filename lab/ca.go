package lab

import (
	"fmt"
	"os"
	"path"
	"strings"

	"github.com/beevik/etree"
)

// Names of the certificate authority files inside a CA export, relative to
// etc/opt/novell/zenworks.
const (
	caKeystoreEntry = "security/zenca.keystore"
	caConfigEntry   = "security/CaConfig.xml"
)

// KeystorePath reads the <Keystore> element of the lab's CaConfig.xml and
// returns its value (a server path) and where that file is in the lab.
// Reference 1.4 step 4 asks the operator to check exactly this.
// A relative name is taken relative to the security folder. A Windows
// host's CaConfig.xml may name the keystore with %ZENWORKS_HOME%; the
// server path returned is then as written, and the lab path expanded.
func (l *Lab) KeystorePath() (serverPath, labPath string, err error) {
	y := l.layout
	doc := etree.NewDocument()
	if err := doc.ReadFromFile(l.Rebase(y.CaConfig)); err != nil {
		return "", "", fmt.Errorf("reading %s: %w", y.CaConfig, err)
	}
	el := doc.FindElement("//Keystore")
	if el == nil {
		return "", "", fmt.Errorf("%s has no <Keystore> element", y.CaConfig)
	}
	serverPath = strings.TrimSpace(el.Text())
	if serverPath == "" {
		return "", "", fmt.Errorf("the <Keystore> element of %s is empty", y.CaConfig)
	}
	expanded := serverPath
	if y.Platform == PlatformWindows {
		expanded = ExpandWindowsVars(serverPath, windowsVars())
	}
	// Either platform's absolute path is taken as absolute: a Linux path in
	// a Windows server's file is its error to show, not to repair.
	if !IsWindowsPath(expanded) && !path.IsAbs(expanded) {
		serverPath = y.Join(y.SecurityDir, serverPath)
	}
	return serverPath, l.Rebase(serverPath), nil
}

// keystore returns the keystore CaConfig.xml names, which must exist.
func (s *session) keystore() (serverPath, labPath string, err error) {
	serverPath, labPath, err = s.lab.KeystorePath()
	if err != nil {
		return "", "", err
	}
	if fi, err := os.Stat(labPath); err != nil || !fi.Mode().IsRegular() {
		return "", "", fmt.Errorf("the keystore %s named in %s does not exist", serverPath, s.lab.layout.CaConfig)
	}
	return serverPath, labPath, nil
}

// holdsCA reports whether this server has the CertAuth role in the zone.
func (s *session) holdsCA() (bool, error) {
	z, err := s.lab.Zone()
	if err != nil {
		return false, err
	}
	me, ok := z.Server(s.lab.Hostname())
	if !ok {
		return false, fmt.Errorf("the zone has no server %s", s.lab.Hostname())
	}
	return me.HasRole(RoleCertAuth), nil
}

func (s *session) setCARole(on bool) error {
	host := s.lab.Hostname()
	return s.lab.updateZone(func(z *Zone) error {
		me := z.server(host)
		if me == nil {
			return fmt.Errorf("the zone has no server %s", host)
		}
		me.setRole(RoleCertAuth, on)
		return nil
	})
}

func (s *session) notCA() int {
	return s.fail("%s is not the zone's certificate authority: it does not hold the %s role.", s.lab.Hostname(), RoleCertAuth)
}

// caExport is `zman certificate-authority-export [-d] PATH` (reference 1.3);
// -d also removes the local server's certificate authority role, after the
// file is safely written.
func (s *session) caExport(opts map[string]bool, args []string) int {
	dst := s.file(args[0])
	disable := opts["-d"] || opts["--disable-ca-role"]
	if code, ok := s.login(); !ok {
		return code
	}
	if held, err := s.holdsCA(); err != nil {
		return s.fail("%v", err)
	} else if !held {
		return s.notCA()
	}
	_, keystore, err := s.keystore()
	if err != nil {
		return s.fail("%v", err)
	}
	if err := newFile(dst); err != nil {
		return s.fail("could not write the export file: %v", err)
	}
	pass, err := s.ask.newPassphrase()
	if err != nil {
		return s.fail("%v", err)
	}
	if code, ok := s.proceed(); !ok {
		return code
	}
	ks, err := os.ReadFile(keystore)
	if err != nil {
		return s.fail("%v", err)
	}
	cfg, err := os.ReadFile(s.lab.Rebase(s.lab.layout.CaConfig))
	if err != nil {
		return s.fail("%v", err)
	}
	m, err := s.newManifest(kindCA)
	if err != nil {
		return s.fail("%v", err)
	}
	entries := []archiveEntry{
		{name: caKeystoreEntry, data: ks, mode: 0o600},
		{name: caConfigEntry, data: cfg, mode: 0o644},
	}
	if err := s.writeSealed(dst, pass, m, entries); err != nil {
		return s.fail("could not write the export file: %v", err)
	}
	fmt.Fprintf(s.out, "Successfully exported the zone certificate authority credentials to %s.\n", dst)
	if disable {
		if err := s.setCARole(false); err != nil {
			return s.fail("the credentials were exported, but removing the certificate authority role failed: %v", err)
		}
		fmt.Fprintf(s.out, "Removed the certificate authority role from %s.\n", s.lab.Hostname())
	}
	return exitOK
}

// caImport is `zman certificate-authority-import PATH` (reference 1.4): it
// writes zenca.keystore and CaConfig.xml into the security folder and gives
// this server the certificate authority role.
func (s *session) caImport(_ map[string]bool, args []string) int {
	src := s.file(args[0])
	_, entries, code, ok := s.unseal(src, kindCA, "imported")
	if !ok {
		return code
	}
	var keep []archiveEntry
	for _, e := range entries {
		if e.name == caKeystoreEntry || e.name == caConfigEntry {
			keep = append(keep, e)
		}
	}
	if len(keep) != 2 {
		return s.fail("%v: %s lacks zenca.keystore or CaConfig.xml. Nothing was imported.", errNotArchive, src)
	}
	if n, err := writeEntries(s.confDir(), keep); err != nil {
		return s.fail("imported %d of 2 files, then: %v", n, err)
	}
	if err := s.setCARole(true); err != nil {
		return s.fail("the files were imported, but adding the certificate authority role failed: %v", err)
	}
	fmt.Fprintf(s.out, "Successfully imported the zone certificate authority credentials from %s.\n", src)
	return exitOK
}

// caRoleDisable is `zman certificate-authority-role-disable` (reference 1.5
// step 6): the role goes, the files stay.
func (s *session) caRoleDisable(_ map[string]bool, _ []string) int {
	if code, ok := s.login(); !ok {
		return code
	}
	if held, err := s.holdsCA(); err != nil {
		return s.fail("%v", err)
	} else if !held {
		return s.notCA()
	}
	if code, ok := s.proceed(); !ok {
		return code
	}
	if err := s.setCARole(false); err != nil {
		return s.fail("%v", err)
	}
	fmt.Fprintf(s.out, "Disabled the certificate authority role on %s.\n", s.lab.Hostname())
	return exitOK
}

// caRoleEnable is `zman certificate-authority-role-enable` (reference 1.5
// step 7); it needs the keystore that CaConfig.xml names to be in place.
func (s *session) caRoleEnable(_ map[string]bool, _ []string) int {
	if code, ok := s.login(); !ok {
		return code
	}
	if _, _, err := s.keystore(); err != nil {
		return s.fail("%v", err)
	}
	if code, ok := s.proceed(); !ok {
		return code
	}
	if err := s.setCARole(true); err != nil {
		return s.fail("%v", err)
	}
	fmt.Fprintf(s.out, "Enabled the certificate authority role on %s.\n", s.lab.Hostname())
	return exitOK
}
