package lab

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// Changing a Primary Server's IP address or DNS name (reference chapter 3)
// is, for the lab, what the administrator does outside ZENworks: the address
// on the machine's interfaces, the name it answers to, and the DNS record
// that maps one to the other (3.1 steps 2 and 3). SetAddress does that.
//
// The zone knows a server by its device GUID, and the lab's zone follows the
// machine at once: its record of the server (name, address), the
// certificates filed under the server's name, and the database record when
// the database runs on this machine. (ZENworks learns the new name and
// address as the server's services start; the lab does not model that
// delay, so every tool agrees on the server's name.) What the procedures
// must still change is left as it was: the other Primary Servers' zdm.xml
// and zenaudit.xml, the certificate (still issued to the old name), the
// deployment packages, the agents.

// AddressChange is a new IP address, a new DNS name, or both, for the lab's
// own server.
type AddressChange struct {
	Address string // the new IP address; empty keeps the current one
	Name    string // the new host name (short, or in the lab's domain); empty keeps it
	// KeepDNS leaves name resolution as it was, so a rehearsal can meet a
	// DNS record that was not updated (3.1 step 3 then fails its check).
	KeepDNS bool
}

// AddressChanged says what SetAddress changed.
type AddressChanged struct {
	OldName, NewName       string
	OldAddress, NewAddress string
	// HostsFiles are the lab hosts whose name resolution now gives the new
	// address (the lab's DNS); empty with KeepDNS.
	HostsFiles []string
	// Database is true when the zone database runs on this server, so its
	// address changed with the server's.
	Database bool
}

var labelRE = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$`)

// SetAddress gives the lab's own server a new IP address and/or DNS name,
// as an administrator does on the machine and the DNS server. Given the
// current address again, it brings a DNS record left behind (KeepDNS) up to
// date.
func (l *Lab) SetAddress(c AddressChange) (AddressChanged, error) {
	var res AddressChanged
	if !l.IsHome() {
		return res, fmt.Errorf("lab: set-address changes the lab's own server (%s), not %s", l.home.hostname, l.hostname)
	}
	newAddr, err := parseServerAddress(c.Address)
	if err != nil {
		return res, err
	}
	newName, err := parseServerName(c.Name)
	if err != nil {
		return res, err
	}
	err = l.updateZone(func(z *Zone) error {
		oldName := l.hostname
		oldAddr, ifaces, err := l.primaryAddress()
		if err != nil {
			return err
		}
		if newAddr == "" {
			newAddr = oldAddr
		}
		if newName == "" {
			newName = oldName
		}
		if sameAddr(newAddr, oldAddr) && newName == oldName && (c.KeepDNS || l.resolvesHere(newName, newAddr)) {
			return fmt.Errorf("lab: %s already has the address %s, and its DNS name resolves to it; give a new --address or --name", oldName, oldAddr)
		}
		if err := l.checkUnused(z, newAddr, newName); err != nil {
			return err
		}
		res = AddressChanged{OldName: oldName, NewName: newName, OldAddress: oldAddr, NewAddress: newAddr}

		// The machine: its interfaces, then its name.
		for i, a := range ifaces {
			if sameAddr(a, oldAddr) {
				ifaces[i] = newAddr
			}
		}
		if err := writeFileAtomic(filepath.Join(l.root, interfacesFile), []byte(strings.Join(ifaces, "\n")+"\n"), 0o644); err != nil {
			return fmt.Errorf("lab: %w", err)
		}
		if newName != oldName {
			if err := l.rename(newName); err != nil {
				return err
			}
		}

		// The DNS record, as every host of the lab resolves it.
		if !c.KeepDNS {
			files, err := l.hostsFiles()
			if err != nil {
				return err
			}
			for _, f := range files {
				if err := remapHost(f.path, oldName, newName, newAddr); err != nil {
					return fmt.Errorf("lab: update %s: %w", f.path, err)
				}
				res.HostsFiles = append(res.HostsFiles, f.host)
			}
		}

		// The zone follows: its record of the server, the certificates
		// filed under its name, and a database on this machine.
		if hostKey(oldName) != hostKey(newName) {
			// z.certs() records the certificates as installed first (they
			// were issued to the old name), before the record is renamed.
			z.certs().rename(oldName, newName)
		}
		if srv := l.zoneRecord(z, oldName); srv != nil {
			srv.Name, srv.Address = newName, newAddr
		}
		if strings.EqualFold(z.Database.Host, oldName) {
			z.Database.Host, z.Database.Address = newName, newAddr
			res.Database = true
		}
		return nil
	})
	return res, err
}

// zoneRecord is the zone's record of this host: the server with its device
// GUID, or, for a host without one, the server of its name.
func (l *Lab) zoneRecord(z *Zone, name string) *Server {
	guid := l.deviceGUID()
	for i := range z.Servers {
		if (guid != "" && z.Servers[i].GUID == guid) || (guid == "" && strings.EqualFold(z.Servers[i].Name, name)) {
			return &z.Servers[i]
		}
	}
	return nil
}

// rename files what is kept under a server's (or device's) old name under
// its new one. The certificates themselves are unchanged: they still name
// the old DNS name until the procedure replaces them.
func (c *Certificates) rename(oldName, newName string) {
	from, to := hostKey(oldName), hostKey(newName)
	for _, m := range []map[string]ServerCert{c.Servers, c.Presented, c.Pending, c.Satellites} {
		if sc, ok := m[from]; ok {
			delete(m, from)
			m[to] = sc
		}
	}
	if t, ok := c.Trust[from]; ok {
		delete(c.Trust, from)
		c.Trust[to] = t
	}
}

// resolvesHere reports whether the host's own resolver maps name to addr,
// as the DNS record of the change would.
func (l *Lab) resolvesHere(name, addr string) bool {
	got, err := l.LookupHost(context.Background(), name+"."+LabDomain)
	return err == nil && slices.ContainsFunc(got, func(a string) bool { return sameAddr(a, addr) })
}

// parseServerAddress accepts an empty string (no change) or one unicast
// address, returned in its canonical spelling.
func parseServerAddress(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return "", fmt.Errorf("lab: %q is not an IP address", s)
	}
	a = a.Unmap()
	if a.IsLoopback() || a.IsUnspecified() || a.IsMulticast() || a.IsLinkLocalUnicast() {
		return "", fmt.Errorf("lab: %s cannot be a server's address (loopback, unspecified, multicast or link-local)", a)
	}
	return a.String(), nil
}

// parseServerName accepts an empty string (no change), a host name of one
// label, or a name in the lab's domain (which is dropped).
func parseServerName(s string) (string, error) {
	s = strings.TrimSuffix(strings.TrimSpace(s), ".")
	if s == "" {
		return "", nil
	}
	if i := len(s) - len(LabDomain) - 1; i > 0 && s[i] == '.' && strings.EqualFold(s[i+1:], LabDomain) {
		s = s[:i]
	}
	if !labelRE.MatchString(s) {
		return "", fmt.Errorf("lab: %q is not a host name of this lab (letters, digits and dashes, optionally followed by .%s)", s, LabDomain)
	}
	return s, nil
}

// primaryAddress is the host's first address that is not a loopback one,
// with the whole interface list.
func (l *Lab) primaryAddress() (string, []string, error) {
	ifaces, err := l.LocalAddrs()
	if err != nil {
		return "", nil, err
	}
	for _, a := range ifaces {
		if p, err := netip.ParseAddr(a); err == nil && !p.IsLoopback() {
			return a, ifaces, nil
		}
	}
	return "", nil, fmt.Errorf("lab: %s has no address but loopback in %s", l.hostname, interfacesFile)
}

// checkUnused refuses an address or a name that another machine of the
// zone already has: two servers cannot share one.
func (l *Lab) checkUnused(z *Zone, addr, name string) error {
	guid := l.deviceGUID()
	for _, s := range z.Servers {
		if s.GUID == guid || strings.EqualFold(s.Name, l.hostname) {
			continue
		}
		if sameAddr(s.Address, addr) {
			return fmt.Errorf("lab: %s is the address of %s", addr, s.Name)
		}
		if strings.EqualFold(s.Name, name) {
			return fmt.Errorf("lab: %s is already the name of another server of the zone", name)
		}
	}
	if !strings.EqualFold(z.Database.Host, l.hostname) {
		if sameAddr(z.Database.Address, addr) {
			return fmt.Errorf("lab: %s is the address of the database server %s", addr, z.Database.Host)
		}
		if strings.EqualFold(z.Database.Host, name) {
			return fmt.Errorf("lab: %s is already the name of the database server", name)
		}
	}
	return nil
}

// rename records the lab server's new host name in the lab marker, where
// every tool reads it.
func (l *Lab) rename(name string) error {
	p := filepath.Join(l.dir, markerFile)
	data, err := os.ReadFile(p)
	if err != nil {
		return fmt.Errorf("lab: %w", err)
	}
	var m marker
	if err := json.Unmarshal(data, &m); err != nil {
		return fmt.Errorf("lab: %s: %w", markerFile, err)
	}
	m.Hostname = name
	out, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := writeFileAtomic(p, append(out, '\n'), 0o644); err != nil {
		return fmt.Errorf("lab: %w", err)
	}
	l.hostname = name
	return nil
}

type hostsFile struct{ host, path string }

// hostsFiles lists the /etc/hosts of every host of the lab: together they
// are the lab's DNS.
func (l *Lab) hostsFiles() ([]hostsFile, error) {
	out := []hostsFile{{host: l.hostname, path: l.Rebase(l.layout.HostsFile)}}
	entries, err := os.ReadDir(filepath.Join(l.dir, hostsDir))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("lab: %w", err)
	}
	for _, e := range entries {
		if !e.IsDir() || !hostNameRE.MatchString(e.Name()) {
			continue
		}
		// Each host's own layout: a Windows host keeps it in System32.
		h, err := l.Host(e.Name())
		if err != nil {
			return nil, err
		}
		if h.IsHome() {
			continue
		}
		p := h.Rebase(h.layout.HostsFile)
		if _, err := os.Stat(p); err == nil {
			out = append(out, hostsFile{host: e.Name(), path: p})
		}
	}
	return out, nil
}

// remapHost makes every line of a hosts file that names oldName (short or
// in the lab's domain) map newName to addr instead, or adds such a line.
func remapHost(path, oldName, newName, addr string) error {
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	fqdn := func(n string) string { return n + "." + LabDomain }
	var b strings.Builder
	found := false
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	for sc.Scan() {
		line := sc.Text()
		body, comment, hasComment := strings.Cut(line, "#")
		fs := strings.Fields(body)
		mine := false
		for i := 1; i < len(fs); i++ {
			switch n := strings.TrimSuffix(fs[i], "."); {
			case strings.EqualFold(n, oldName):
				fs[i], mine = newName, true
			case strings.EqualFold(n, fqdn(oldName)):
				fs[i], mine = fqdn(newName), true
			}
		}
		if !mine {
			b.WriteString(line + "\n")
			continue
		}
		found = true
		b.WriteString(addr + "\t" + strings.Join(fs[1:], " "))
		if hasComment {
			b.WriteString(" #" + comment)
		}
		b.WriteString("\n")
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if !found {
		fmt.Fprintf(&b, "%s\t%s %s\n", addr, fqdn(newName), newName)
	}
	return writeFileAtomic(path, []byte(b.String()), 0o644)
}

// deviceGUID is the host's ZENworks device GUID (the DeviceGuid file),
// which no change of name or address touches; "" when it has none.
func (l *Lab) deviceGUID() string {
	data, err := os.ReadFile(l.Rebase(l.layout.Join(l.layout.ConfDir, "DeviceGuid")))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(data))
}

// sameAddr compares two addresses as addresses, falling back to the text.
func sameAddr(a, b string) bool {
	x, err1 := netip.ParseAddr(strings.TrimSpace(a))
	y, err2 := netip.ParseAddr(strings.TrimSpace(b))
	if err1 != nil || err2 != nil {
		return strings.TrimSpace(a) == strings.TrimSpace(b)
	}
	return x.Unmap() == y.Unmap()
}
