package readiness

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"net"
	"os"
	"strings"
	"time"

	"github.com/beevik/etree"
	"github.com/dustin/go-humanize/english"

	"zenrecover/lab"
)

// CertFigures are what the certificate checks read.
type CertFigures struct {
	// Kind is internal or external ("" when it could not be told);
	// KindFrom says how it was told.
	Kind     string `json:"kind,omitempty"`
	KindFrom string `json:"kind_from,omitempty"`
	Subject  string `json:"subject,omitempty"`
	Issuer   string `json:"issuer,omitempty"`
	// NotAfter is the earliest expiry any source showed; DaysLeft counts
	// whole days to it (negative once expired). Both are unset when no
	// source could be read.
	NotAfter time.Time    `json:"not_after,omitzero"`
	DaysLeft *int         `json:"days_left,omitempty"`
	Sources  []CertSource `json:"sources"`
}

// CertSource is one place a certificate was read from.
type CertSource struct {
	// Source is tls (a handshake with Where, host:port), keystore (a Java
	// keystore at Where) or lab (the lab's zone, which records the
	// certificates in place of keystores).
	Source   string    `json:"source"`
	Where    string    `json:"where"`
	Subject  string    `json:"subject,omitempty"`
	Issuer   string    `json:"issuer,omitempty"`
	NotAfter time.Time `json:"not_after,omitzero"`
	Error    string    `json:"error,omitempty"`
}

// The certificate procedures (chapters 4 and 5).
const (
	procInternal   = "renew-internal-server-cert"         // 4.2
	procExternal   = "renew-external-server-cert-same-ca" // 4.3
	procExternalCA = "renew-external-server-cert-new-ca"  // 4.4
	procExpired    = "zone-cert-after-expiry"             // 5
)

var procSections = map[string]string{procInternal: "4.2", procExternal: "4.3", procExternalCA: "4.4", procExpired: "5",
	"server-backup": "1.1", "server-restore": "1.2", "ca-backup": "1.3", "ca-restore": "1.4"}

// certChecks reads the server's certificate and the CA's, from the TLS
// endpoint and from the files (in a lab, its zone), and says which
// procedure renews them.
func certChecks(ctx context.Context, o Options, t target) []Check {
	var server, ca []CertSource
	var tlsIssuer string
	if ep := endpoint(o, t); ep != "" {
		leaf, cacert, err := probeTLS(ctx, ep, o.Timeout)
		if err != nil {
			server = append(server, CertSource{Source: "tls", Where: ep, Error: err.Error()})
		} else {
			server = append(server, sourceOf("tls", ep, leaf))
			tlsIssuer = leaf.Issuer.String()
			if cacert != nil {
				ca = append(ca, sourceOf("tls", ep, cacert))
			}
		}
	}
	kind, kindFrom := o.CertKind, "--cert-kind"
	holdsCA := false
	if t.lab != nil {
		z, err := t.lab.Zone()
		if err != nil {
			server = append(server, CertSource{Source: "lab", Where: t.lab.Dir(), Error: err.Error()})
		} else {
			c := z.Certs()
			if sc, ok := c.Presenting(t.host); ok {
				server = append(server, CertSource{Source: "lab", Where: "the certificate " + t.host + "'s services present (lab zone)",
					Subject: sc.Subject, Issuer: sc.Issuer.Subject, NotAfter: sc.NotAfter})
			}
			if sc, ok := c.Server(t.host); ok {
				server = append(server, CertSource{Source: "lab", Where: "the certificate in force for " + t.host + " (lab zone)",
					Subject: sc.Subject, Issuer: sc.Issuer.Subject, NotAfter: sc.NotAfter})
			}
			if c.CA.Subject != "" {
				ca = append(ca, CertSource{Source: "lab", Where: "the zone's certificate authority (lab zone)",
					Subject: c.CA.Subject, NotAfter: c.CA.NotAfter})
			}
			if kind == "" {
				kind, kindFrom = c.Kind, "the lab's zone"
			}
		}
	} else {
		ks, src, ok := caKeystore(t)
		holdsCA = ok
		if ok {
			ca = append(ca, src)
		}
		if p := t.layout.Join(t.layout.SecurityDir, "zenserver.keystore"); fileExists(t.path(p)) {
			server = append(server, keystoreSource(t.path(p), p, false))
		}
		if kind == "" && ks != "" {
			kind, kindFrom = lab.CertInternal, "this server holds the internal CA's keystore ("+ks+")"
		}
	}
	if kind == "" && tlsIssuer != "" {
		kind = lab.CertExternal
		if strings.Contains(strings.ToLower(tlsIssuer), "zenworks") {
			kind = lab.CertInternal
		}
		kindFrom = "judged from the issuer's name (" + tlsIssuer + "); --cert-kind says otherwise"
	}
	srv := newFigures(server, kind, kindFrom, o.Now)
	caf := newFigures(ca, kind, kindFrom, o.Now)
	srvLevel, caLevel := figureLevel(srv, o.Now), figureLevel(caf, o.Now)

	sc := Check{ID: "cert.server", Area: AreaCertificate, Title: "Server certificate", Certificate: srv}
	cc := Check{ID: "cert.ca", Area: AreaCertificate, Title: "CA certificate", Certificate: caf}
	sc.Level, sc.Text = srvLevel, certText(srv, srvLevel)
	if len(readable(server)) == 0 {
		sc.Level = Amber
		sc.Text = "Could not be read: " + sourceErrors(server, "no TLS endpoint was given and no keystore was found") + "."
		sc.Action = "give the server's TLS endpoint: doctor --endpoint HOST:443"
	}
	cc.Level, cc.Text = caLevel, certText(caf, caLevel)
	if len(readable(ca)) == 0 {
		if holdsCA {
			cc.Level = Amber
			cc.Text = "This server holds the CA's keystore, but it could not be read: " + sourceErrors(ca, "") + "."
		} else {
			cc.Level = Green
			cc.Text = "not examined: not the CA's server, and its TLS endpoint sends no CA certificate"
		}
	}
	proc := certProcedure(kind, srvLevel, caLevel)
	for _, c := range []*Check{&sc, &cc} {
		if c.Level == Green || c.Action != "" {
			continue
		}
		if proc == "" {
			c.Action = "renew before expiry: 4.2 for an internal certificate, 4.3 for an external one (doctor --cert-kind says which)"
			continue
		}
		c.Procedure, c.Section = proc, procSections[proc]
		c.Command = t.runCommand(c.Section, proc)
		switch proc {
		case procExpired:
			c.Action = "re-create it (chapter 5)"
		case procInternal:
			c.Action = "renew it (chapter 4)"
			if caLevel > Green {
				c.Action = "remint CA and server certificates (chapter 4, option 2)"
			}
		case procExternalCA:
			c.Action = "new certificates from a new CA (chapter 4)"
		default:
			c.Action = "renew it from the same CA (chapter 4)"
		}
	}
	return []Check{sc, cc}
}

// certProcedure is the procedure that renews the zone's certificates:
// chapter 5 once one has expired; before that 4.2 (internal), 4.3
// (external, same CA) or 4.4 (external, the CA expires too).
func certProcedure(kind string, server, ca Level) string {
	switch {
	case server == Red || ca == Red:
		return procExpired
	case kind == lab.CertInternal:
		return procInternal
	case kind == lab.CertExternal && ca > Green:
		return procExternalCA
	case kind == lab.CertExternal:
		return procExternal
	}
	return ""
}

// advised lists the procedures the certificate checks ask for.
func advised(checks []Check) []string {
	var out []string
	for _, c := range checks {
		if c.Procedure != "" && !containsString(out, c.Procedure) {
			out = append(out, c.Procedure)
		}
	}
	return out
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// endpoint is the TLS endpoint to read: the operator's, else this server's
// port 443 (none in a lab).
func endpoint(o Options, t target) string {
	switch o.Endpoint {
	case "-":
		return ""
	case "":
		if t.lab != nil || t.host == "" {
			return ""
		}
		return net.JoinHostPort(t.host, "443")
	}
	if _, _, err := net.SplitHostPort(o.Endpoint); err != nil {
		return net.JoinHostPort(o.Endpoint, "443")
	}
	return o.Endpoint
}

// probeTLS shakes hands with the endpoint and returns the certificate it
// presents and, if it sends one, the certificate authority's.
func probeTLS(ctx context.Context, ep string, timeout time.Duration) (leaf, ca *x509.Certificate, err error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	host, _, _ := net.SplitHostPort(ep)
	cfg := &tls.Config{
		// The chain is only read, for its expiry dates; nothing is sent
		// and nothing it says is trusted. Verifying would refuse the very
		// certificates doctor is there to report: expired ones, and ones
		// whose CA this machine does not trust.
		InsecureSkipVerify: true, //nolint:gosec // read-only inspection, see above
		MinVersion:         tls.VersionTLS10,
	}
	if net.ParseIP(host) == nil {
		cfg.ServerName = host
	}
	d := &tls.Dialer{NetDialer: &net.Dialer{Timeout: timeout}, Config: cfg}
	conn, err := d.DialContext(ctx, "tcp", ep)
	if err != nil {
		return nil, nil, fmt.Errorf("TLS handshake with %s: %w", ep, err)
	}
	defer conn.Close()
	certs := conn.(*tls.Conn).ConnectionState().PeerCertificates
	if len(certs) == 0 {
		return nil, nil, fmt.Errorf("TLS handshake with %s: the server sent no certificate", ep)
	}
	for _, c := range certs[1:] {
		if c.IsCA {
			ca = c
			break
		}
	}
	return certs[0], ca, nil
}

// caKeystore reads the keystore CaConfig.xml names. It returns the
// keystore's server path ("" when this server has no CaConfig.xml).
func caKeystore(t target) (string, CertSource, bool) {
	cfg := t.path(t.layout.CaConfig)
	if !fileExists(cfg) {
		return "", CertSource{}, false
	}
	ks, err := keystoreNamed(cfg, t.layout)
	if err != nil {
		return "", CertSource{Source: "keystore", Where: t.layout.CaConfig, Error: err.Error()}, true
	}
	return ks, keystoreSource(t.path(ks), ks, true), true
}

// keystoreNamed reads CaConfig.xml's <Keystore> (reference 1.4 step 4).
func keystoreNamed(cfg string, y lab.Layout) (string, error) {
	doc := etree.NewDocument()
	if err := doc.ReadFromFile(cfg); err != nil {
		return "", err
	}
	el := doc.FindElement("//Keystore")
	if el == nil || strings.TrimSpace(el.Text()) == "" {
		return "", fmt.Errorf("%s names no <Keystore>", y.CaConfig)
	}
	ks := strings.TrimSpace(el.Text())
	if !y.IsAbs(ks) {
		ks = y.Join(y.SecurityDir, ks)
	}
	return ks, nil
}

// keystoreSource reads the certificate of a keystore: the CA's own (a
// certificate authority's) or the first key entry's.
func keystoreSource(local, where string, wantCA bool) CertSource {
	src := CertSource{Source: "keystore", Where: where}
	entries, err := readKeystore(local)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			err = fmt.Errorf("%s does not exist", where)
		}
		src.Error = err.Error()
		return src
	}
	var pick *x509.Certificate
	for _, e := range entries {
		c := e.chain[0]
		if wantCA && !c.IsCA {
			continue
		}
		if pick == nil || e.key {
			pick = c
		}
		if e.key {
			break
		}
	}
	if pick == nil {
		src.Error = "it holds no " + map[bool]string{true: "CA certificate", false: "certificate"}[wantCA]
		return src
	}
	return sourceOf("keystore", where, pick)
}

func sourceOf(source, where string, c *x509.Certificate) CertSource {
	return CertSource{Source: source, Where: where, Subject: c.Subject.String(), Issuer: c.Issuer.String(), NotAfter: c.NotAfter.UTC()}
}

func readable(srcs []CertSource) []CertSource {
	var out []CertSource
	for _, s := range srcs {
		if s.Error == "" && !s.NotAfter.IsZero() {
			out = append(out, s)
		}
	}
	return out
}

func sourceErrors(srcs []CertSource, none string) string {
	var errs []string
	for _, s := range srcs {
		if s.Error != "" {
			errs = append(errs, s.Error)
		}
	}
	if len(errs) == 0 {
		return none
	}
	return strings.Join(errs, "; ")
}

// newFigures sums up the sources: the earliest expiry decides.
func newFigures(srcs []CertSource, kind, kindFrom string, now time.Time) *CertFigures {
	f := &CertFigures{Kind: kind, Sources: srcs}
	if kind != "" {
		f.KindFrom = kindFrom
	}
	if f.Sources == nil {
		f.Sources = []CertSource{}
	}
	for _, s := range readable(srcs) {
		if f.NotAfter.IsZero() || s.NotAfter.Before(f.NotAfter) {
			f.NotAfter, f.Subject, f.Issuer = s.NotAfter, s.Subject, s.Issuer
		}
	}
	if !f.NotAfter.IsZero() {
		d := daysUntil(f.NotAfter, now)
		f.DaysLeft = &d
	}
	return f
}

// daysUntil counts whole days to t: a certificate that expires in 29 days
// and 23 hours expires "in 30 days"; one that expired an hour ago, "0 days
// ago" reads as today.
func daysUntil(t, now time.Time) int {
	d := t.Sub(now).Hours() / 24
	if d >= 0 {
		return int(math.Ceil(d))
	}
	return -int(math.Floor(-d))
}

func figureLevel(f *CertFigures, now time.Time) Level {
	switch {
	case f.NotAfter.IsZero():
		return Green // not read: the caller says so
	case !now.Before(f.NotAfter):
		return Red
	case f.NotAfter.Sub(now) <= CertWarning:
		return Amber
	}
	return Green
}

func certText(f *CertFigures, level Level) string {
	if f.NotAfter.IsZero() {
		return ""
	}
	var b strings.Builder
	date := f.NotAfter.UTC().Format(time.DateOnly)
	switch d := *f.DaysLeft; level {
	case Red:
		fmt.Fprintf(&b, "Expired %s, %s ago", date, english.Plural(max(-d, 0), "day", ""))
	case Amber:
		fmt.Fprintf(&b, "Expires %s, in %s", date, english.Plural(d, "day", ""))
	default:
		fmt.Fprintf(&b, "valid to %s (%s)", date, english.Plural(d, "day", ""))
	}
	if f.Kind != "" {
		fmt.Fprintf(&b, ", %s", f.Kind)
	}
	if level == Green {
		return b.String()
	}
	var from []string
	for _, s := range readable(f.Sources) {
		w := s.Source
		switch s.Source {
		case "tls":
			w = "TLS " + s.Where
		case "keystore":
			w = s.Where
		case "lab":
			w = "the lab's zone"
		}
		if s.NotAfter.Equal(f.NotAfter) && !containsString(from, w) {
			from = append(from, w)
		}
	}
	if len(from) > 0 {
		fmt.Fprintf(&b, "; seen in %s", strings.Join(from, " and "))
	}
	b.WriteString(".")
	return b.String()
}

func fileExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}
