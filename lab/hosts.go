package lab

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// HostEnv tells a simulated tool which host of the lab it runs on. Unset,
// it is the lab's own server.
const HostEnv = "ZENRECOVER_LAB_HOST"

// hostsDir holds the trees of the lab's other hosts (the second Primary
// Server, any Satellite or device a step is done on), one folder each.
const hostsDir = "hosts"

// interfacesFile lists, one a line, the addresses on the host's network
// interfaces. It sits at the top of the host's tree, outside any server path.
const interfacesFile = ".interfaces"

// platformFile, at the top of another host's tree, records a platform given
// with HostOn; without it the host has the lab server's.
const platformFile = ".platform"

var hostNameRE = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9][A-Za-z0-9-]{0,62})*$`)

// Host returns the lab as seen from the host called name: its own tree under
// hosts/NAME (made empty the first time for a device the lab did not build),
// the same zone. The lab's own server name, in any letter case, returns l.
// A rehearsal step "on" another machine runs there, so it practises what the
// operator will do on that machine. The host has the lab server's platform
// (a peer of a Windows lab is a Windows server) unless HostOn gave it
// another.
func (l *Lab) Host(name string) (*Lab, error) {
	home := l
	if l.home != nil {
		home = l.home
	}
	if name == "" || strings.EqualFold(name, home.hostname) {
		return home, nil
	}
	if !hostNameRE.MatchString(name) {
		return nil, fmt.Errorf("lab: %q is not a host name", name)
	}
	root := filepath.Join(home.dir, hostsDir, strings.ToLower(name))
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, fmt.Errorf("lab: %w", err)
	}
	real, err := filepath.EvalSymlinks(root)
	if err != nil {
		return nil, fmt.Errorf("lab: %w", err)
	}
	layout := home.layout
	if rec, err := os.ReadFile(filepath.Join(real, platformFile)); err == nil {
		if layout, err = LayoutFor(strings.TrimSpace(string(rec))); err != nil {
			return nil, fmt.Errorf("lab: host %s: %s: %w", name, filepath.Join(real, platformFile), err)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("lab: %w", err)
	}
	return &Lab{dir: home.dir, root: real, realRoot: real, hostname: name, layout: layout, home: home}, nil
}

// HostOn is Host for a host whose platform is known: a mixed zone, where a
// Linux Satellite or device serves a Windows lab server, or the other way
// round. The platform is recorded with the host's tree, so every later
// Host (and every tool run there) sees it. A host keeps the platform its
// tree was built with: the lab's own server, and a host that already has
// server files in another layout, are refused.
func (l *Lab) HostOn(name, platform string) (*Lab, error) {
	want, err := LayoutFor(platform)
	if err != nil {
		return nil, err
	}
	h, err := l.Host(name)
	if err != nil || h.layout.Platform == want.Platform {
		return h, err
	}
	if h.IsHome() {
		return nil, fmt.Errorf("lab: %s is the lab's own server, a %s server (lab init --platform); it cannot be a %s server too", h.hostname, h.layout.Platform, want.Platform)
	}
	entries, err := os.ReadDir(h.root)
	if err != nil {
		return nil, fmt.Errorf("lab: %w", err)
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), ".") {
			return nil, fmt.Errorf("lab: %s already has a %s tree (%s); it cannot become a %s server", h.hostname, h.layout.Platform, h.root, want.Platform)
		}
	}
	if err := writeFileAtomic(filepath.Join(h.root, platformFile), []byte(want.Platform+"\n"), 0o644); err != nil {
		return nil, fmt.Errorf("lab: %w", err)
	}
	h.layout = want
	return h, nil
}

// IsHome reports whether this is the lab's own server.
func (l *Lab) IsHome() bool { return l.home == nil }

// LookupHost resolves name as the lab host's /etc/hosts says: a rehearsal
// never asks a real DNS server about its made-up names.
func (l *Lab) LookupHost(ctx context.Context, name string) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := os.Open(l.Rebase(l.layout.HostsFile))
	if err != nil {
		return nil, fmt.Errorf("lab: %w", err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		fs := strings.Fields(line)
		if len(fs) < 2 {
			continue
		}
		for _, n := range fs[1:] {
			if strings.EqualFold(strings.TrimSuffix(n, "."), strings.TrimSuffix(name, ".")) {
				out = append(out, fs[0])
				break
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
	}
	return out, nil
}

// LocalAddrs lists the addresses on the lab host's interfaces.
func (l *Lab) LocalAddrs() ([]string, error) {
	data, err := os.ReadFile(filepath.Join(l.root, interfacesFile))
	if err != nil {
		return nil, fmt.Errorf("lab: %w", err)
	}
	var out []string
	for _, f := range strings.Fields(string(data)) {
		out = append(out, f)
	}
	return out, nil
}

// writeNetwork gives the host its interfaces file and an /etc/hosts that
// names every server of the zone.
func (l *Lab) writeNetwork(address string, z Zone, domain string) error {
	if err := writeFileAtomic(filepath.Join(l.root, interfacesFile), []byte("127.0.0.1\n"+address+"\n"), 0o644); err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("127.0.0.1\tlocalhost\n")
	for _, s := range z.Servers {
		fmt.Fprintf(&b, "%s\t%s.%s %s\n", s.Address, s.Name, domain, s.Name)
	}
	if !z.Database.Embedded && z.Database.Address != "" {
		fmt.Fprintf(&b, "%s\t%s.%s %s\n", z.Database.Address, z.Database.Host, domain, z.Database.Host)
	}
	dst := l.Rebase(l.layout.HostsFile)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return writeFileAtomic(dst, []byte(b.String()), 0o644)
}
