package lab

// What a rehearsal of chapters 3.2.1, 4 and 5 needs from outside ZENworks:
// an external certificate authority that persists between commands (so
// 4.3 can renew a certificate from the same CA, and 4.4 bring a second
// one), server certificates, private keys and root certificates put on the
// lab's hosts where the procedures look for them, and a zone whose
// certificates have expired. `zenrecover lab external-ca`, `issue-cert`,
// `expire-certs` and `fail` are thin wrappers.
//
// An external CA lives in .external-cas/NAME/ at the top of the lab
// directory (outside every host's tree): ca.key, its private key (PKCS #8
// DER), and ca.der, its root certificate (DER), written last so that a CA
// whose creation was interrupted is reported as incomplete, not used. The
// folder is 0700 and the key 0600, as a CA's key should be kept, although
// the lab protects nothing real.

import (
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
)

const (
	externalCAsDir = ".external-cas"
	caKeyFile      = "ca.key"
	caCertFile     = "ca.der"
)

// Defaults for the rehearsal's certificates.
const (
	DefaultCALifetime     = 5 * 365 * 24 * time.Hour
	DefaultServerLifetime = 365 * 24 * time.Hour
	// DefaultCertDir is where chapters 4 and 5 (input cert_dir) look for
	// each Primary Server's certificate, SERVER.der, on Linux;
	// WindowsCertDir (Layout.CertDir) on Windows.
	DefaultCertDir = "/root/zcm_certs"
)

var caNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// ErrNoExternalCA is wrapped by the error for a CA name the lab does not
// have.
var ErrNoExternalCA = errors.New("no such external CA")

// ErrUnknownHost is wrapped by the error for a host the lab does not have.
var ErrUnknownHost = errors.New("no such host")

func (l *Lab) homeLab() *Lab {
	if l.home != nil {
		return l.home
	}
	return l
}

func (l *Lab) caDir(name string) string {
	return filepath.Join(l.homeLab().dir, externalCAsDir, name)
}

// ExternalCARoot is where the lab keeps the root certificate (DER) of its
// external CA called name.
func (l *Lab) ExternalCARoot(name string) string {
	return filepath.Join(l.caDir(name), caCertFile)
}

// ExternalCAs names the lab's external CAs, sorted.
func (l *Lab) ExternalCAs() ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(l.homeLab().dir, externalCAsDir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("lab: %w", err)
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() && caNameRE.MatchString(e.Name()) {
			out = append(out, e.Name())
		}
	}
	slices.Sort(out)
	return out, nil
}

func checkCAName(name string) error {
	if !caNameRE.MatchString(name) {
		return fmt.Errorf("lab: %q is not a name for an external CA: use letters, digits, '.', '_' and '-' (at most 64, starting with a letter or digit)", name)
	}
	return nil
}

// CreateExternalCA makes a root CA called name (its certificate's common
// name is commonName, or name when empty), valid for lifetime, and keeps it
// in the lab. A name already in use is refused: the CA would get a new key
// and no longer be the one the zone trusts.
func (l *Lab) CreateExternalCA(name, commonName string, lifetime time.Duration) (*ExternalCA, error) {
	if err := checkCAName(name); err != nil {
		return nil, err
	}
	if lifetime <= 0 {
		return nil, fmt.Errorf("lab: external CA %s: the lifetime must be positive, not %s", name, lifetime)
	}
	if commonName == "" {
		commonName = name
	}
	parent := filepath.Join(l.homeLab().dir, externalCAsDir)
	if err := os.MkdirAll(parent, 0o700); err != nil {
		return nil, fmt.Errorf("lab: %w", err)
	}
	dir := l.caDir(name)
	// Mkdir claims the name, so two creations at once cannot both win.
	if err := os.Mkdir(dir, 0o700); errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("lab: the lab already has an external CA called %s (%s); use it, or choose another name", name, dir)
	} else if err != nil {
		return nil, fmt.Errorf("lab: %w", err)
	}
	ca, err := NewExternalCA(commonName, lifetime)
	if err == nil {
		err = ca.save(dir)
	}
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("lab: external CA %s: %w", name, err)
	}
	return ca, nil
}

func (ca *ExternalCA) save(dir string) error {
	kder, err := x509.MarshalPKCS8PrivateKey(ca.key)
	if err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(dir, caKeyFile), kder, 0o600); err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(dir, caCertFile), ca.Cert.Raw, 0o644)
}

// LoadExternalCA reads the lab's external CA called name.
func (l *Lab) LoadExternalCA(name string) (*ExternalCA, error) {
	if err := checkCAName(name); err != nil {
		return nil, err
	}
	dir := l.caDir(name)
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		have, _ := l.ExternalCAs()
		list := "it has none yet"
		if len(have) > 0 {
			list = "it has " + strings.Join(have, ", ")
		}
		return nil, fmt.Errorf("lab: %w %q in %s (%s)", ErrNoExternalCA, name, l.homeLab().dir, list)
	}
	certPath, keyPath := filepath.Join(dir, caCertFile), filepath.Join(dir, caKeyFile)
	if _, err := os.Stat(certPath); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("lab: external CA %s is incomplete (%s is missing: its creation was interrupted); remove %s and create it again", name, certPath, dir)
	}
	cert, err := readCertificate(certPath)
	if err != nil {
		return nil, fmt.Errorf("lab: external CA %s: %w", name, err)
	}
	key, err := readPrivateKey(keyPath)
	if err != nil {
		return nil, fmt.Errorf("lab: external CA %s: %w", name, err)
	}
	if !cert.IsCA || !publicKeysEqual(key.Public(), cert.PublicKey) {
		return nil, fmt.Errorf("lab: external CA %s: %s and %s do not belong together", name, certPath, keyPath)
	}
	return &ExternalCA{Cert: cert, key: key}, nil
}

// Hosts names the hosts of the lab: the zone's servers and every host that
// has a tree (the second Primary Server, and each Satellite or device a
// step or a command has already been run on).
func (l *Lab) Hosts() ([]string, error) {
	home := l.homeLab()
	seen := map[string]bool{}
	var out []string
	add := func(n string) {
		if k := strings.ToLower(n); n != "" && !seen[k] {
			seen[k] = true
			out = append(out, n)
		}
	}
	add(home.hostname)
	z, err := home.Zone()
	if err != nil {
		return nil, err
	}
	for _, s := range z.Servers {
		add(s.Name)
	}
	entries, err := os.ReadDir(filepath.Join(home.dir, hostsDir))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("lab: %w", err)
	}
	for _, e := range entries {
		if e.IsDir() {
			add(e.Name())
		}
	}
	return out, nil
}

// KnownHost returns the lab as seen from the host called name (short, or in
// LabDomain), which must be one of Hosts unless isNew: a Satellite or
// managed device that nothing has run on yet.
func (l *Lab) KnownHost(name string, isNew bool) (*Lab, error) {
	name = strings.TrimSuffix(strings.TrimSuffix(name, "."), "."+LabDomain)
	if name == "" {
		return nil, fmt.Errorf("lab: give the host's name")
	}
	if !hostNameRE.MatchString(name) {
		return nil, fmt.Errorf("lab: %q is not a host name", name)
	}
	hosts, err := l.Hosts()
	if err != nil {
		return nil, err
	}
	if i := slices.IndexFunc(hosts, func(h string) bool { return strings.EqualFold(h, name) }); i >= 0 {
		return l.Host(hosts[i])
	}
	if !isNew {
		return nil, fmt.Errorf("lab: %w %q in %s (its hosts are %s)", ErrUnknownHost, name, l.homeLab().dir, strings.Join(hosts, ", "))
	}
	return l.Host(name)
}

// IssueRequest asks for a server certificate from one of the lab's
// external CAs, put on one of its hosts. Paths are the host's own (server
// paths, absolute).
type IssueRequest struct {
	CA   string
	Host string
	// NewHost allows a host the lab has no tree for yet (see KnownHost).
	NewHost bool
	// Cert is where the certificate goes; default HOST.der in the host's
	// Layout.CertDir (DefaultCertDir on Linux, WindowsCertDir on Windows),
	// where zman sacert looks for it. Key, when set, receives its private
	// key (PKCS #8 DER); Root, when set, the CA's root certificate.
	Cert, Key, Root string
	// RootOnly writes only the root certificate (Root is then required):
	// a device that needs only to trust the CA.
	RootOnly bool
	Lifetime time.Duration // default DefaultServerLifetime
}

// Issued says what IssueCert wrote: the host, the certificate's subject,
// and each file as a server path and as the lab's path to it. Empty
// fields were not written.
type Issued struct {
	Host, FQDN               string
	Issuer                   CA
	NotAfter                 time.Time
	Cert, Key, Root          string
	LabCert, LabKey, LabRoot string
}

// IssueCert issues a server certificate from the lab's external CA
// r.CA for r.Host (its subject is HOST.LabDomain) and writes it, and the
// key and root certificate if asked, into the host's tree.
func (l *Lab) IssueCert(r IssueRequest) (Issued, error) {
	var res Issued
	ca, err := l.LoadExternalCA(r.CA)
	if err != nil {
		return res, err
	}
	// The paths are checked before a new host gets its tree (in the lab
	// server's layout, which a new host takes).
	for what, p := range map[string]string{"certificate": r.Cert, "private key": r.Key, "root certificate": r.Root} {
		if p != "" {
			if _, err := hostPath(l.homeLab().layout, p, r.Host, what); err != nil {
				return res, err
			}
		}
	}
	if r.Lifetime < 0 {
		return res, fmt.Errorf("lab: the certificate's lifetime must be positive, not %s", r.Lifetime)
	}
	h, err := l.KnownHost(r.Host, r.NewHost)
	if err != nil {
		return res, err
	}
	res.Host, res.FQDN, res.Issuer = h.Hostname(), strings.ToLower(h.Hostname())+"."+LabDomain, ca.CA()
	if r.RootOnly {
		if r.Root == "" {
			return res, fmt.Errorf("lab: only the root certificate was asked for, but not where to put it on %s", res.Host)
		}
		if r.Cert != "" || r.Key != "" {
			return res, fmt.Errorf("lab: only the root certificate was asked for, yet a certificate or key path too")
		}
	} else if r.Cert == "" {
		r.Cert = h.layout.Join(h.layout.CertDir, res.Host+".der")
	}
	paths := []struct {
		what     string
		in       string
		out, lab *string
	}{
		{"certificate", r.Cert, &res.Cert, &res.LabCert},
		{"private key", r.Key, &res.Key, &res.LabKey},
		{"root certificate", r.Root, &res.Root, &res.LabRoot},
	}
	used := map[string]string{}
	for _, p := range paths {
		if p.in == "" {
			continue
		}
		sp, err := hostPath(h.layout, p.in, res.Host, p.what)
		if err != nil {
			return res, err
		}
		if prev, ok := used[sp]; ok {
			return res, fmt.Errorf("lab: the %s and the %s would both be %s on %s; give them different paths", prev, p.what, sp, res.Host)
		}
		used[sp] = p.what
		*p.out, *p.lab = sp, h.Rebase(sp)
	}
	lifetime := r.Lifetime
	if lifetime == 0 {
		lifetime = DefaultServerLifetime
	}
	if res.LabCert != "" {
		if err := ca.IssueServer(res.FQDN, lifetime, res.LabCert, res.LabKey); err != nil {
			return res, fmt.Errorf("lab: issue a certificate for %s: %w", res.FQDN, err)
		}
		if res.LabKey != "" {
			if err := os.Chmod(res.LabKey, 0o600); err != nil {
				return res, fmt.Errorf("lab: %w", err)
			}
		}
		c, err := readCertificate(res.LabCert)
		if err != nil {
			return res, fmt.Errorf("lab: %w", err)
		}
		res.NotAfter = c.NotAfter.UTC()
	}
	if res.LabRoot != "" {
		if err := ca.WriteCertificate(res.LabRoot); err != nil {
			return res, fmt.Errorf("lab: write the root certificate of %s: %w", r.CA, err)
		}
	}
	return res, nil
}

// hostPath checks a server path given for one of IssueCert's files on a
// host of layout y and returns it cleaned (serverPathArg).
func hostPath(y Layout, p, host, what string) (string, error) {
	s, err := serverPathArg(y, p)
	example := y.Join(y.CertDir, host+".der")
	switch {
	case errors.Is(err, errNotAbsolute):
		return "", fmt.Errorf("lab: the %s's path %q is not absolute: give the path on %s, as the procedure names it (for example %s)", what, p, host, example)
	case errors.Is(err, errRootFolder):
		return "", fmt.Errorf("lab: the %s's path %q names a folder, not a file", what, p)
	case err != nil:
		return "", fmt.Errorf("lab: the %s's path %q is where the lab keeps its own records, not a path on %s; choose another (for example %s)", what, p, host, example)
	}
	return s, nil
}

// Tools names the simulated tools a failure can be injected into.
func Tools() []string { return toolNames() }

// InjectToolFailure is InjectFailure for a tool named as an operator would:
// by its base name or path (/etc/init.d/novell-zenserver), checked against
// the lab's tools before anything is written.
func (l *Lab) InjectToolFailure(tool, sub string, times int, message string) (Failure, error) {
	name := filepath.Base(filepath.ToSlash(tool))
	if name == ToolPermissionAlias {
		name = ToolPermission
	}
	if !slices.Contains(toolNames(), name) {
		return Failure{}, fmt.Errorf("lab: no simulated tool %q (the lab has %s)", tool, strings.Join(toolNames(), ", "))
	}
	canon, err := canonicalSub(name, sub)
	if err != nil {
		return Failure{}, err
	}
	if err := l.homeLab().InjectFailure(name, sub, times, message); err != nil {
		return Failure{}, err
	}
	z, err := l.homeLab().Zone()
	if err != nil {
		return Failure{}, err
	}
	for i := len(z.Failures) - 1; i >= 0; i-- {
		if f := z.Failures[i]; f.Tool == name && f.Subcommand == canon {
			return f, nil
		}
	}
	return Failure{Tool: name, Subcommand: canon, Times: times, Message: message}, nil
}
