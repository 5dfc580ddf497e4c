package lab

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Options shape a new lab. The zero value is the usual rehearsal: a first
// Primary Server called zen-primary-1 hosting the embedded database.
type Options struct {
	Hostname      string // default "zen-primary-1"
	AdminUser     string // default "Administrator"
	AdminPassword string // default "novell-lab-pw"
	// ExternalDatabase puts the zone database on another machine, so no
	// database file exists here and this server lacks the Database role.
	// Inverted from "DatabaseLocal" so that the zero value is the default.
	ExternalDatabase bool
	// Reporting installs ZENworks Reporting on this server (reports.go).
	Reporting bool
	// Platform is the layout of the lab's servers: PlatformLinux (the
	// default, "" too) or PlatformWindows.
	Platform string
}

// Defaults for Options.
const (
	DefaultHostname      = "zen-primary-1"
	DefaultAdminUser     = "Administrator"
	DefaultAdminPassword = "novell-lab-pw"
)

func (o Options) withDefaults() Options {
	if o.Hostname == "" {
		o.Hostname = DefaultHostname
	}
	if o.AdminUser == "" {
		o.AdminUser = DefaultAdminUser
	}
	if o.AdminPassword == "" {
		o.AdminPassword = DefaultAdminPassword
	}
	// The flag's value as typed: Windows and windows are one platform.
	o.Platform = strings.ToLower(strings.TrimSpace(o.Platform))
	if o.Platform == "" {
		o.Platform = PlatformLinux
	}
	return o
}

// Lab is an opened lab directory.
type Lab struct {
	dir      string // absolute: the zone and the lab's bookkeeping
	root     string // the host's tree: dir itself, or dir/hosts/NAME
	realRoot string // root with symlinks resolved, for Rebase
	hostname string
	layout   Layout // the host's platform and paths
	home     *Lab   // the lab's own server; nil when this is it
}

// marker identifies a lab directory; Open trusts nothing else.
type marker struct {
	Kind          string `json:"kind"`
	Format        int    `json:"format"`
	Hostname      string `json:"hostname"`
	DatabaseLocal bool   `json:"database_local"`
	// Platform is the lab server's layout; absent (format 1) is linux.
	Platform string    `json:"platform,omitempty"`
	Created  time.Time `json:"created"`
}

// A Linux lab is written as format 1, which every zenrecover opens; a
// Windows lab as format 2, so a zenrecover that predates Windows labs
// refuses it instead of rehearsing it as a Linux server.
const (
	markerKind          = "zenrecover-lab"
	markerFormat        = 1
	markerFormatWindows = 2
)

// Init builds a simulated Primary Server under dir, which must not exist or
// be empty. The marker is written last, so a lab that failed half way is
// never mistaken for a lab; on failure Init removes what it created.
func Init(dir string, o Options) (*Lab, error) {
	o = o.withDefaults()
	if strings.ContainsAny(o.Hostname, "/\\ \t\n") {
		return nil, fmt.Errorf("lab: host name %q is not a valid host name", o.Hostname)
	}
	layout, err := LayoutFor(o.Platform)
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("lab: %w", err)
	}
	created, err := prepareEmptyDir(abs)
	if err != nil {
		return nil, err
	}
	l, err := newLab(abs, o.Hostname, layout)
	if err == nil {
		err = l.build(o)
	}
	if err != nil {
		cleanup(abs, created)
		return nil, err
	}
	return l, nil
}

// prepareEmptyDir refuses anything but a missing or empty directory, so Init
// can never overwrite a real server's files or someone's data.
func prepareEmptyDir(dir string) (created bool, err error) {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return false, fmt.Errorf("lab: create %s: %w", dir, err)
		}
		return true, nil
	case err != nil:
		return false, fmt.Errorf("lab: %w", err)
	case !fi.IsDir():
		return false, fmt.Errorf("lab: %s exists and is not a directory; choose a new or empty directory for the lab", dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false, fmt.Errorf("lab: %w", err)
	}
	if len(entries) > 0 {
		return false, fmt.Errorf("lab: %s is not empty (%d entries); choose a new or empty directory for the lab", dir, len(entries))
	}
	return false, nil
}

func cleanup(dir string, created bool) {
	if created {
		_ = os.RemoveAll(dir)
		return
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		_ = os.RemoveAll(filepath.Join(dir, e.Name()))
	}
}

func (l *Lab) build(o Options) error {
	p, err := newTreeParams(o)
	if err != nil {
		return err
	}
	if err := l.writeTree(p); err != nil {
		return err
	}
	z, err := newZone(p, o)
	if err != nil {
		return err
	}
	addReporting(&z, o)
	if err := l.writeZone(z); err != nil {
		return err
	}
	if err := l.writeNetwork(p.address, z, LabDomain); err != nil {
		return err
	}
	// The second Primary Server gets a tree of its own, so steps done on it
	// (1.5 moves the CA there) can be rehearsed.
	peer, err := l.Host(p.peer)
	if err != nil {
		return err
	}
	if err := peer.writeTree(p.forPeer()); err != nil {
		return err
	}
	if err := peer.writeNetwork(p.peerAddr, z, LabDomain); err != nil {
		return err
	}
	m := marker{Kind: markerKind, Format: markerFormat, Hostname: o.Hostname,
		DatabaseLocal: !o.ExternalDatabase, Created: time.Now().UTC()}
	if l.layout.Platform == PlatformWindows {
		m.Format, m.Platform = markerFormatWindows, PlatformWindows
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(l.dir, markerFile), append(data, '\n'), 0o644)
}

// Open opens a lab that Init built.
func Open(dir string) (*Lab, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("lab: %w", err)
	}
	data, err := os.ReadFile(filepath.Join(abs, markerFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("lab: %s is not a zenrecover lab (it has no %s)", abs, markerFile)
	}
	if err != nil {
		return nil, fmt.Errorf("lab: %w", err)
	}
	var m marker
	if err := json.Unmarshal(data, &m); err != nil || m.Kind != markerKind {
		return nil, fmt.Errorf("lab: %s is not a zenrecover lab (%s is not a lab marker)", abs, markerFile)
	}
	if m.Format != markerFormat && m.Format != markerFormatWindows {
		return nil, fmt.Errorf("lab: %s has lab format %d; this zenrecover understands formats %d and %d", abs, m.Format, markerFormat, markerFormatWindows)
	}
	if m.Hostname == "" {
		return nil, fmt.Errorf("lab: %s: the lab marker names no host", abs)
	}
	layout, err := LayoutFor(m.Platform)
	if err != nil {
		return nil, fmt.Errorf("lab: %s: %s names the platform %q; this zenrecover knows %s", abs, markerFile, m.Platform, strings.Join(Platforms(), " and "))
	}
	return newLab(abs, m.Hostname, layout)
}

func newLab(abs, hostname string, layout Layout) (*Lab, error) {
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return nil, fmt.Errorf("lab: %w", err)
	}
	return &Lab{dir: abs, root: abs, realRoot: real, hostname: hostname, layout: layout}, nil
}

// Dir is the lab's absolute directory.
func (l *Lab) Dir() string { return l.dir }

// Hostname is the simulated server's name.
func (l *Lab) Hostname() string { return l.hostname }

// Platform is the host's layout: PlatformLinux or PlatformWindows.
func (l *Lab) Platform() string { return l.layout.Platform }

// Layout is where the host keeps what the lab simulates, as server paths.
func (l *Lab) Layout() Layout { return l.layout }

// Rebase maps an absolute server path into the lab. On a Windows host,
// %NAME% is first expanded from the variables Env sets (ZENWORKS_HOME).
// A Windows path (IsWindowsPath: C:\a\b, c:/a/b), on a host of either
// platform, maps to DIR/C/a/b (see rebaseWindows); a Linux path maps to
// DIR/its/path, on a Windows host too, so a definition that gives a
// Windows server a Linux path meets a missing file, not a crash. Paths
// already in the lab and relative paths (relative to the working
// directory, as the tools take them) are returned unchanged.
func (l *Lab) Rebase(p string) string {
	if l.layout.Platform == PlatformWindows {
		p = ExpandWindowsVars(p, windowsVars())
	}
	if IsWindowsPath(p) {
		return rebaseWindows(l.root, p)
	}
	if !filepath.IsAbs(p) {
		return p
	}
	c := filepath.Clean(p)
	for _, d := range []string{l.root, l.realRoot} {
		if c == d || strings.HasPrefix(c, d+string(filepath.Separator)) {
			return p
		}
	}
	return filepath.Join(l.root, c)
}

// BinDir holds the zman shim; Env puts it first on PATH.
// Every host of the lab uses the lab server's shims: they carry the
// host in ZENRECOVER_LAB_HOST.
func (l *Lab) BinDir() string {
	if l.home != nil {
		return l.home.BinDir()
	}
	return l.Rebase(l.layout.BinDir)
}

// shimDirs are the folders of the host's simulated tools, in PATH order:
// the lab server's BinDir (the ZENworks tools, shared by every host), then,
// on a Windows host, its own System32 with net.
func (l *Lab) shimDirs() []string {
	dirs := []string{l.BinDir()}
	if l.layout.NetTool != "" {
		dirs = append(dirs, filepath.Dir(l.Rebase(l.layout.NetTool)))
	}
	return dirs
}

// Env returns base with the simulated tools first on PATH and ZENRECOVER_LAB
// set, so a step's `zman` resolves to the simulated one. On a Windows host
// it also sets the variables of a Windows server (ZENWORKS_HOME), in place
// of any base has.
func (l *Lab) Env(base []string) []string {
	var vars []string
	if l.layout.Platform == PlatformWindows {
		vars = windowsVars()
	}
	out := make([]string, 0, len(base)+3+len(vars))
	path := ""
	for _, kv := range base {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case k == "PATH":
			path = strings.TrimPrefix(kv, "PATH=")
		case k == "ZENRECOVER_LAB", k == HostEnv:
		case slices.ContainsFunc(vars, func(v string) bool { return strings.HasPrefix(v, k+"=") }):
		default:
			out = append(out, kv)
		}
	}
	path = strings.Join(append(l.shimDirs(), path), string(os.PathListSeparator))
	path = strings.TrimSuffix(path, string(os.PathListSeparator))
	out = append(out, vars...)
	out = append(out, "PATH="+path, "ZENRECOVER_LAB="+l.dir)
	if l.home != nil {
		out = append(out, HostEnv+"="+l.hostname)
	}
	return out
}
