package lab

// The zone's certificates, for chapters 4 and 5 of the reference:
// changing the zone certificate from internal to external (4.1), reminting
// internal certificates (4.2), replacing external server certificates with
// ones from the same certificate authority (4.3) or from another one (4.4),
// and recovering once they have expired (5).
//
// What the lab keeps (Zone.Certificates):
//
//   - the zone's kind of certificate (internal or external) and the
//     certificate authority whose certificates the zone enforces;
//   - each Primary Server's server certificate in force, the one its
//     services present (a new certificate is presented only after the
//     services restart), and the one `zman sacert` added and
//     `novell-zenworks-configure -c SSL` has not yet enforced;
//   - what each device (Primary Server, Satellite, managed device) trusts,
//     and each Satellite's authentication certificate.
//
// How the tools change it, as the reference describes:
//
//   - `zman sacert SERVER FILE` reads a real X.509 certificate (DER or
//     PEM), which must name the server (its FQDN is the subject) and be
//     valid now, and adds it to the zone, pending.
//   - `novell-zenworks-configure -c SSL` enforces the added certificates
//     (every Primary Server must have one when the certificate authority
//     changes) and makes the zone external; with none added it remints the
//     internal certificates: option 1 this server's, option 2 the
//     certificate authority's and every Primary Server's. An external zone
//     is never made internal again (not supported by ZENworks 11 SP3).
//   - `-c Start` with Restart loads the certificate in force on that server.
//   - `-c MergeTruststore` makes the server trust the zone's CA.
//   - `zac ref` contacts the zone: it fails when a Primary Server presents a
//     certificate that has expired or that the device does not trust, and
//     otherwise brings the zone's certificates (those added with sacert
//     too) to the device as configuration data, so it trusts their issuers.
//   - `zac retr` makes the device trust the zone again; `zac cert-info`
//     imports a root certificate into its trusted store; `zac iac` gives a
//     Satellite an externally signed certificate, `zac asr` and `zac rsc`
//     remint it from the internal CA.
//
// The certificate files of a rehearsal are real: ExternalCA signs them as a
// company or commercial CA would, and so can openssl. Files that are not
// certificates are refused, except by cert-info and iac, which keep their
// older leniency (a warning, nothing trusted or recorded) for the device log
// tests that pass them placeholders.

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Kinds of zone certificate.
const (
	CertInternal = "internal"
	CertExternal = "external"
)

// internalLifetime is how long the internal CA and its certificates last.
const internalLifetime = 10 * 365 * 24 * time.Hour

// Certificates is the zone's certificate state.
type Certificates struct {
	Kind string `json:"kind"`
	// CA is the certificate authority whose certificates the zone enforces.
	CA CA `json:"ca"`
	// Generation counts the internal CA's remints (1 as installed).
	Generation int `json:"generation"`
	// Servers is each Primary Server's certificate in force.
	Servers map[string]ServerCert `json:"servers"`
	// Presented is the certificate each Primary Server's services present:
	// the one in force when they last started.
	Presented map[string]ServerCert `json:"presented"`
	// Pending holds the certificates zman sacert added that -c SSL has not
	// enforced yet.
	Pending map[string]ServerCert `json:"pending,omitempty"`
	// Trust lists what each device trusts; a device not listed trusts
	// Baseline, the CA it was registered with.
	Trust    map[string][]CA `json:"trust,omitempty"`
	Baseline []CA            `json:"baseline"`
	// Satellites is each Satellite's authentication certificate, once iac,
	// asr or rsc gave it one.
	Satellites map[string]ServerCert `json:"satellites,omitempty"`
}

// CA names a certificate authority: its subject and key identifier.
type CA struct {
	Subject  string    `json:"subject"`
	KeyID    string    `json:"key_id,omitempty"`
	NotAfter time.Time `json:"not_after,omitzero"` // zero when unknown
}

// Same reports whether a and b are one certificate authority. A missing key
// identifier (a certificate without one) matches on the subject alone.
func (a CA) Same(b CA) bool {
	return strings.EqualFold(a.Subject, b.Subject) && (a.KeyID == "" || b.KeyID == "" || a.KeyID == b.KeyID)
}

func (a CA) expired(now time.Time) bool { return !a.NotAfter.IsZero() && now.After(a.NotAfter) }

func (a CA) String() string { return a.Subject }

// ServerCert is a server's (or Satellite's) certificate.
type ServerCert struct {
	Subject  string    `json:"subject"`
	Issuer   CA        `json:"issuer"`
	Serial   string    `json:"serial"`
	NotAfter time.Time `json:"not_after"`
	// From is the file zman sacert or zac iac read; empty for an internal
	// certificate.
	From string `json:"from,omitempty"`
}

// hostKey is the name a server or device is filed under: lower case,
// without its domain.
func hostKey(name string) string {
	h, _, _ := strings.Cut(strings.ToLower(strings.TrimSuffix(name, ".")), ".")
	return h
}

func internalCA(z *Zone, gen int, now time.Time) CA {
	return CA{Subject: fmt.Sprintf("CN=ZENworks CA (%s)", z.Name), KeyID: fmt.Sprintf("zenca-%s-%d", z.GUID, gen),
		NotAfter: now.Add(internalLifetime).UTC().Truncate(time.Second)}
}

func internalCert(name string, ca CA, serial string, now time.Time) ServerCert {
	na := now.Add(internalLifetime).UTC().Truncate(time.Second)
	if !ca.NotAfter.IsZero() && ca.NotAfter.Before(na) {
		na = ca.NotAfter
	}
	return ServerCert{Subject: "CN=" + name + "." + LabDomain, Issuer: ca, Serial: serial, NotAfter: na}
}

func newSerial() string { return hex.EncodeToString(randomBytes(8)) }

// defaultCertificates is the zone as installed: an internal CA that issued
// every Primary Server's certificate, trusted by every device.
func defaultCertificates(z *Zone, now time.Time) *Certificates {
	ca := internalCA(z, 1, now)
	c := &Certificates{Kind: CertInternal, CA: ca, Generation: 1, Baseline: []CA{ca},
		Servers: map[string]ServerCert{}, Presented: map[string]ServerCert{}}
	for _, s := range z.Servers {
		// Deterministic, so a zone no tool has touched reads the same twice.
		serial := "01" + s.GUID[:min(len(s.GUID), 14)]
		sc := internalCert(s.Name, ca, serial, now)
		c.Servers[hostKey(s.Name)] = sc
		c.Presented[hostKey(s.Name)] = sc
	}
	return c
}

// Certs returns the zone's certificates; as installed if no tool has
// changed them yet.
func (z Zone) Certs() Certificates {
	if z.Certificates != nil {
		return *z.Certificates
	}
	return *defaultCertificates(&z, time.Now())
}

// certs returns the certificates to change, recording the installed state
// the first time.
func (z *Zone) certs() *Certificates {
	if z.Certificates == nil {
		z.Certificates = defaultCertificates(z, time.Now())
	}
	c := z.Certificates
	for _, m := range []*map[string]ServerCert{&c.Servers, &c.Presented, &c.Pending, &c.Satellites} {
		if *m == nil {
			*m = map[string]ServerCert{}
		}
	}
	if c.Trust == nil {
		c.Trust = map[string][]CA{}
	}
	return c
}

// primaries names the zone's Primary Servers.
func (z Zone) primaries() []string {
	var out []string
	for _, s := range z.Servers {
		if s.HasRole(RolePrimary) {
			out = append(out, s.Name)
		}
	}
	return out
}

// Trusted lists the certificate authorities device trusts.
func (c Certificates) Trusted(device string) []CA {
	if t, ok := c.Trust[hostKey(device)]; ok {
		return t
	}
	return c.Baseline
}

// Trusts reports whether device trusts ca.
func (c Certificates) Trusts(device string, ca CA) bool {
	return slices.ContainsFunc(c.Trusted(device), ca.Same)
}

// Server returns the certificate in force for a Primary Server.
func (c Certificates) Server(name string) (ServerCert, bool) {
	sc, ok := c.Servers[hostKey(name)]
	return sc, ok
}

// Presenting returns the certificate a Primary Server's services present.
func (c Certificates) Presenting(name string) (ServerCert, bool) {
	sc, ok := c.Presented[hostKey(name)]
	return sc, ok
}

// Satellite returns a Satellite's authentication certificate.
func (c Certificates) Satellite(name string) (ServerCert, bool) {
	sc, ok := c.Satellites[hostKey(name)]
	return sc, ok
}

func (c *Certificates) trust(device string, cas ...CA) {
	k := hostKey(device)
	t, ok := c.Trust[k]
	if !ok {
		t = slices.Clone(c.Baseline)
	}
	for _, ca := range cas {
		if ca.Subject == "" {
			continue
		}
		if i := slices.IndexFunc(t, ca.Same); i >= 0 {
			if t[i].NotAfter.IsZero() {
				t[i].NotAfter = ca.NotAfter
			}
			continue
		}
		t = append(t, ca)
	}
	c.Trust[k] = t
}

// reach says why device cannot talk to the zone now, or nil: every Primary
// Server it may contact must present a valid certificate that it trusts.
func (z Zone) reach(device string, now time.Time) error {
	c := z.Certs()
	for _, name := range z.primaries() {
		sc, ok := c.Presenting(name)
		if !ok {
			return fmt.Errorf("could not contact %s: it presents no server certificate", name)
		}
		if now.After(sc.NotAfter) {
			return fmt.Errorf("could not contact %s: its certificate expired on %s, so the device gets no new assignments or policies; re-create the zone certificate", name, sc.NotAfter.Format(time.DateOnly))
		}
		if c.CA.Same(sc.Issuer) && c.CA.expired(now) {
			return fmt.Errorf("could not contact %s: the certificate authority %s that issued its certificate expired on %s", name, c.CA, c.CA.NotAfter.Format(time.DateOnly))
		}
		if !c.Trusts(device, sc.Issuer) {
			return fmt.Errorf("could not contact %s: its certificate is issued by %s, which this device does not trust; reestablish the trust with zac retr", name, sc.Issuer)
		}
	}
	return nil
}

// refreshCerts is what `zac ref` does to the certificates: it needs the
// zone reachable, and brings the zone's certificates to the device.
func (s *session) refreshCerts(z *Zone) error {
	host := s.lab.Hostname()
	if err := z.reach(host, time.Now()); err != nil {
		return err
	}
	c := z.certs()
	cas := []CA{c.CA}
	for _, m := range []map[string]ServerCert{c.Servers, c.Pending} {
		for _, k := range sortedCertKeys(m) {
			cas = append(cas, m[k].Issuer)
		}
	}
	c.trust(host, cas...)
	return nil
}

func sortedCertKeys(m map[string]ServerCert) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// reestablishTrust is `zac retr`: the device trusts the zone's CA and the
// issuers of the certificates its servers present, and nothing older.
func (s *session) reestablishTrust(z *Zone) error {
	c := z.certs()
	k := hostKey(s.lab.Hostname())
	c.Trust[k] = nil
	cas := []CA{c.CA}
	for _, name := range sortedCertKeys(c.Presented) {
		cas = append(cas, c.Presented[name].Issuer)
	}
	c.trust(k, cas...)
	return nil
}

// zacCertChange is what a zac subcommand without options of its own does
// to the certificates.
func (s *session) zacCertChange() func(*Zone) error {
	switch s.sub {
	case "reestablish-trust":
		return s.reestablishTrust
	case "authentication-server-reconfigure", "remint-satellite-cert":
		return s.remintSatellite
	}
	return nil
}

// remintSatellite is `zac asr -t all` (Windows) and `zac rsc` (Linux): a new
// authentication certificate from the internal CA.
func (s *session) remintSatellite(z *Zone) error {
	c := z.certs()
	now := time.Now()
	if c.Kind == CertExternal {
		return fmt.Errorf("the zone uses external certificates: give the Satellite its certificate with zac iac")
	}
	if c.CA.expired(now) {
		return fmt.Errorf("the certificate authority %s expired on %s: remint it first (novell-zenworks-configure -c SSL, option %s)", c.CA, c.CA.NotAfter.Format(time.DateOnly), SSLRemintCAServer)
	}
	host := s.lab.Hostname()
	c.Satellites[hostKey(host)] = internalCert(host, c.CA, newSerial(), now)
	c.trust(host, c.CA)
	return nil
}

// logDeviceWith records a zac command, applying change to the zone in the
// same locked update; an error from change writes nothing.
func (s *session) logDeviceWith(args []string, change func(*Zone) error) (int, bool) {
	if code, ok := s.injected(); !ok {
		return code, false
	}
	host := s.lab.Hostname()
	err := s.lab.updateZone(func(z *Zone) error {
		if change != nil {
			if err := change(z); err != nil {
				return err
			}
		}
		z.DeviceLog = append(z.DeviceLog, DeviceCall{Device: host, Subcommand: s.sub, Args: redactArgs(args)})
		return nil
	})
	if err != nil {
		return s.fail("%v", err), false
	}
	return exitOK, true
}

// readCertificate reads one X.509 certificate, DER or PEM.
func readCertificate(p string) (*x509.Certificate, error) {
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	if b, _ := pem.Decode(data); b != nil && b.Type == "CERTIFICATE" {
		data = b.Bytes
	}
	c, err := x509.ParseCertificate(data)
	if err != nil {
		return nil, fmt.Errorf("%s is not an X.509 certificate (DER or PEM)", p)
	}
	return c, nil
}

// readPrivateKey reads a private key, DER or PEM, PKCS #8, PKCS #1 or SEC 1.
func readPrivateKey(p string) (crypto.Signer, error) {
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	if b, _ := pem.Decode(data); b != nil {
		data = b.Bytes
	}
	if k, err := x509.ParsePKCS8PrivateKey(data); err == nil {
		if s, ok := k.(crypto.Signer); ok {
			return s, nil
		}
	}
	if k, err := x509.ParsePKCS1PrivateKey(data); err == nil {
		return k, nil
	}
	if k, err := x509.ParseECPrivateKey(data); err == nil {
		return k, nil
	}
	return nil, fmt.Errorf("%s is not a private key (DER or PEM)", p)
}

func caOf(c *x509.Certificate) CA {
	return CA{Subject: c.Subject.String(), KeyID: hex.EncodeToString(c.SubjectKeyId), NotAfter: c.NotAfter.UTC()}
}

func issuerOf(c *x509.Certificate) CA {
	return CA{Subject: c.Issuer.String(), KeyID: hex.EncodeToString(c.AuthorityKeyId)}
}

func serverCertOf(c *x509.Certificate, from string) ServerCert {
	return ServerCert{Subject: c.Subject.String(), Issuer: issuerOf(c), Serial: c.SerialNumber.Text(16),
		NotAfter: c.NotAfter.UTC(), From: from}
}

// namesHost reports whether the certificate is issued to host: its subject
// (or a DNS name) is the host's FQDN or its short name.
func namesHost(c *x509.Certificate, host string) bool {
	for _, n := range append([]string{c.Subject.CommonName}, c.DNSNames...) {
		if n != "" && hostKey(n) == hostKey(host) {
			return true
		}
	}
	return false
}

// checkServerCert refuses what ZENworks would not take as a server's
// certificate: a CA's own certificate, another server's, or one that is
// not valid now.
func checkServerCert(c *x509.Certificate, file, host string, now time.Time) error {
	switch {
	case c.IsCA:
		return fmt.Errorf("%s is a certificate authority's certificate, not the server certificate it signed for %s", file, host)
	case !namesHost(c, host):
		return fmt.Errorf("%s is issued to %q, not to %s: its subject must be the server's fully qualified DNS name (%s.%s)", file, c.Subject.CommonName, host, host, LabDomain)
	case now.After(c.NotAfter):
		return fmt.Errorf("%s expired on %s", file, c.NotAfter.Format(time.DateOnly))
	case now.Before(c.NotBefore):
		return fmt.Errorf("%s is not valid before %s", file, c.NotBefore.Format(time.DateOnly))
	}
	return nil
}

// serverAddCertificate is `zman server-add-certificate (sacert)
// Path_of_the_Primary_Server_in_ZENworks_Control_Center
// Path_of_Primary_Server_Certificate` (reference 4.1, 4.3, 4.4 step 3). The
// server's path may be its name, or its path under /Devices/Servers.
func (s *session) serverAddCertificate(_ map[string]bool, args []string) int {
	serverPath, file := args[0], s.file(args[1])
	if code, ok := s.login(); !ok {
		return code
	}
	z, err := s.lab.Zone()
	if err != nil {
		return s.fail("%v", err)
	}
	name := path.Base(strings.TrimRight(strings.ReplaceAll(serverPath, "\\", "/"), "/"))
	var srv *Server
	for i := range z.Servers {
		if hostKey(z.Servers[i].Name) == hostKey(name) && z.Servers[i].HasRole(RolePrimary) {
			srv = &z.Servers[i]
		}
	}
	if srv == nil {
		return s.fail("zone %s has no Primary Server %q (give the server's path in ZENworks Control Center, under /Devices/Servers).", z.Name, serverPath)
	}
	if err := existingFile(file); err != nil {
		return s.fail("%v", err)
	}
	c, err := readCertificate(file.lab)
	if err == nil {
		err = checkServerCert(c, file.typed, srv.Name, time.Now())
	}
	if err != nil {
		return s.fail("%v. Nothing was added.", err)
	}
	if code, ok := s.proceed(); !ok {
		return code
	}
	sc := serverCertOf(c, file.typed)
	err = s.lab.updateZone(func(z *Zone) error {
		z.certs().Pending[hostKey(srv.Name)] = sc
		return nil
	})
	if err != nil {
		return s.fail("%v", err)
	}
	fmt.Fprintf(s.out, "Added the certificate of %s (issued by %s, serial %s, valid until %s) to the ZENworks database and certificate store.\n",
		srv.Name, sc.Issuer, sc.Serial, sc.NotAfter.Format(time.DateOnly))
	fmt.Fprintln(s.out, "It takes effect when novell-zenworks-configure -c SSL enforces it.")
	return exitOK
}

// enforceAdded is `-c SSL` when zman sacert added certificates: they are
// put in force, and the zone's CA becomes their issuer. handled is false
// when there is nothing added, so -c SSL remints internal certificates.
func (s *session) enforceAdded() (code int, handled bool) {
	z, err := s.lab.Zone()
	if err != nil {
		return s.fail("%v", err), true
	}
	c := z.Certs()
	if len(c.Pending) == 0 {
		if c.Kind == CertExternal {
			return s.fail("zone %s uses external certificates and none were added with zman sacert. Reminting internal certificates would change the zone certificate from external to internal, which ZENworks 11 SP3 does not support.", z.Name), true
		}
		return 0, false
	}
	keys := sortedCertKeys(c.Pending)
	issuer := c.Pending[keys[0]].Issuer
	for _, k := range keys[1:] {
		if other := c.Pending[k].Issuer; !other.Same(issuer) {
			return s.fail("the certificates added with zman sacert come from two certificate authorities (%s for %s, %s for %s); a zone has one. Nothing was changed.", issuer, keys[0], other, k), true
		}
	}
	changing := !c.CA.Same(issuer)
	if changing {
		for _, p := range z.primaries() {
			if _, ok := c.Pending[hostKey(p)]; !ok {
				return s.fail("Primary Server %s has no certificate from %s yet: add it with zman sacert first. Nothing was changed.", p, issuer), true
			}
		}
	}
	if code, ok := s.injected(); !ok {
		return code, true
	}
	err = s.recordConfigure("SSL", "enforce", func(z *Zone) {
		c := z.certs()
		for k, sc := range c.Pending {
			c.Servers[k] = sc
		}
		c.Pending = map[string]ServerCert{}
		if changing {
			// The issuer's expiry is known if its root certificate was
			// imported somewhere (cert-info, iac).
			for _, t := range c.Trust {
				if i := slices.IndexFunc(t, issuer.Same); i >= 0 && issuer.NotAfter.IsZero() {
					issuer.NotAfter = t[i].NotAfter
				}
			}
			c.CA = issuer
		}
		c.Kind = CertExternal
	})
	if err != nil {
		return s.fail("%v", err), true
	}
	fmt.Fprintf(s.out, "Enforced the certificates added with zman sacert (%s) on zone %s; its certificates are now external, issued by %s.\n",
		strings.Join(keys, ", "), z.Name, issuer)
	fmt.Fprintln(s.out, "Restart the ZENworks services on every Primary Server so that they present them.")
	return exitOK, true
}

// canRemint refuses an internal remint that cannot work: option 1 with an
// expired certificate authority.
func (s *session) canRemint(opt string) error {
	z, err := s.lab.Zone()
	if err != nil {
		return err
	}
	c := z.Certs()
	if opt == SSLRemintServer && c.CA.expired(time.Now()) {
		return fmt.Errorf("the certificate authority %s expired on %s; a server certificate it signs would not be trusted: choose option %s to remint the certificate authority too", c.CA, c.CA.NotAfter.Format(time.DateOnly), SSLRemintCAServer)
	}
	return nil
}

// remint is `-c SSL` on an internal zone: option 1 remints this server's
// certificate, option 2 the certificate authority and every Primary
// Server's certificate. The services present the new certificates once
// restarted.
func (s *session) remint(opt string) func(*Zone) {
	host := s.lab.Hostname()
	return func(z *Zone) {
		c := z.certs()
		now := time.Now()
		if opt == SSLRemintCAServer {
			c.Generation++
			c.CA = internalCA(z, c.Generation, now)
			for _, p := range z.primaries() {
				c.Servers[hostKey(p)] = internalCert(p, c.CA, newSerial(), now)
			}
			return
		}
		c.Servers[hostKey(host)] = internalCert(host, c.CA, newSerial(), now)
	}
}

// loadCertificates is a restart of the services on host: they present the
// certificate in force.
func loadCertificates(z *Zone, host string) {
	c := z.certs()
	if sc, ok := c.Servers[hostKey(host)]; ok {
		c.Presented[hostKey(host)] = sc
	}
}

// configureCertChange is what a -c action other than SSL and Start does to
// the certificates: MergeTruststore makes the server trust the zone's CA.
func (s *session) configureCertChange(action string) func(*Zone) {
	if action != "MergeTruststore" {
		return nil
	}
	host := s.lab.Hostname()
	return func(z *Zone) {
		c := z.certs()
		cas := []CA{c.CA}
		for _, k := range sortedCertKeys(c.Servers) {
			cas = append(cas, c.Servers[k].Issuer)
		}
		c.trust(host, cas...)
	}
}

// certInfoChange is `zac cert-info FILE`: the root certificate goes into
// the device's trusted store.
func (s *session) certInfoChange(file fileArg) func(*Zone) error {
	return func(z *Zone) error {
		c, err := readCertificate(file.lab)
		if err != nil {
			fmt.Fprintf(s.err, "Warning: %v; nothing was added to the trusted store.\n", err)
			return nil
		}
		if !c.IsCA {
			return fmt.Errorf("%s is not a certificate authority's certificate: give the root certificate of the certificate authority", file)
		}
		z.certs().trust(s.lab.Hostname(), caOf(c))
		return nil
	}
}

// iacChange is `zac iac -pk KEY -c CERT -ca CA ...`: the Satellite takes
// the externally signed certificate, which must be signed by the given CA
// and match the private key, and trusts that CA.
func (s *session) iacChange(keyFile, certFile, caFile fileArg) func(*Zone) error {
	return func(z *Zone) error {
		cert, err := readCertificate(certFile.lab)
		if err != nil {
			fmt.Fprintf(s.err, "Warning: %v; the Satellite's certificate is not recorded.\n", err)
			return nil
		}
		host := s.lab.Hostname()
		if err := checkServerCert(cert, certFile.typed, host, time.Now()); err != nil {
			return err
		}
		ca, err := readCertificate(caFile.lab)
		if err != nil {
			return err
		}
		if err := cert.CheckSignatureFrom(ca); err != nil {
			return fmt.Errorf("%s is not signed by the certificate authority of %s", certFile, caFile)
		}
		key, err := readPrivateKey(keyFile.lab)
		if err != nil {
			return err
		}
		if !publicKeysEqual(key.Public(), cert.PublicKey) {
			return fmt.Errorf("the private key %s does not belong to %s", keyFile, certFile)
		}
		c := z.certs()
		c.Satellites[hostKey(host)] = serverCertOf(cert, certFile.typed)
		c.trust(host, caOf(ca))
		return nil
	}
}

func publicKeysEqual(a, b crypto.PublicKey) bool {
	type equaler interface{ Equal(crypto.PublicKey) bool }
	e, ok := a.(equaler)
	return ok && e.Equal(b)
}

// ExpireCertificates makes the certificates in force (and, with caToo, the
// certificate authority) expired as of yesterday: the zone of chapter 5,
// whose certificate was not re-created in time.
func (l *Lab) ExpireCertificates(caToo bool) error {
	return l.updateZone(func(z *Zone) error {
		c := z.certs()
		past := time.Now().Add(-24 * time.Hour).UTC().Truncate(time.Second)
		for _, m := range []map[string]ServerCert{c.Servers, c.Presented} {
			for k, sc := range m {
				sc.NotAfter = past
				if caToo && sc.Issuer.Same(c.CA) {
					sc.Issuer.NotAfter = past
				}
				m[k] = sc
			}
		}
		if caToo {
			c.CA.NotAfter = past
		}
		return nil
	})
}

// ExternalCA plays a certificate authority outside ZENworks, so that a
// rehearsal of chapters 4 and 5 has real certificates to add, import and
// trust.
type ExternalCA struct {
	Cert *x509.Certificate
	key  crypto.Signer
}

// NewExternalCA makes a root CA called commonName, valid for lifetime.
func NewExternalCA(commonName string, lifetime time.Duration) (*ExternalCA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	now := time.Now().Add(-time.Hour)
	tmpl := &x509.Certificate{
		SerialNumber:          certSerial(),
		Subject:               pkix.Name{CommonName: commonName, Organization: []string{"zenrecover lab"}},
		NotBefore:             now,
		NotAfter:              now.Add(lifetime),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &ExternalCA{Cert: cert, key: key}, nil
}

// CA is the certificate authority as the zone records it.
func (ca *ExternalCA) CA() CA { return caOf(ca.Cert) }

// WriteCertificate writes the CA's root certificate (DER) to p.
func (ca *ExternalCA) WriteCertificate(p string) error { return writeDER(p, ca.Cert.Raw) }

// IssueServer signs a server certificate whose subject is fqdn, valid for
// lifetime, and writes it (DER) to certPath and its private key (PKCS #8
// DER) to keyPath when keyPath is not empty.
func (ca *ExternalCA) IssueServer(fqdn string, lifetime time.Duration, certPath, keyPath string) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	now := time.Now().Add(-time.Minute)
	tmpl := &x509.Certificate{
		SerialNumber: certSerial(),
		Subject:      pkix.Name{CommonName: fqdn},
		DNSNames:     []string{fqdn},
		NotBefore:    now,
		NotAfter:     now.Add(lifetime),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, key.Public(), ca.key)
	if err != nil {
		return err
	}
	if err := writeDER(certPath, der); err != nil {
		return err
	}
	if keyPath == "" {
		return nil
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	return writeDER(keyPath, kder)
}

func certSerial() *big.Int { return new(big.Int).SetBytes(randomBytes(12)) }

func writeDER(p string, der []byte) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return writeFileAtomic(p, der, 0o644)
}
