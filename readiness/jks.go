package readiness

import (
	"bytes"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// Reading the certificates of a Java keystore (zenca.keystore, which
// CaConfig.xml names) without its password. In the JKS and JCEKS formats
// only private keys are encrypted: the certificates (a key entry's chain,
// a trusted certificate entry) are stored as plain DER, and the password
// only protects the file's closing digest, which is not checked here (the
// expiry date is read, nothing is trusted). A PKCS #12 keystore encrypts
// its certificates too: it is reported as unreadable.

const (
	jksMagic   = 0xFEEDFEED
	jceksMagic = 0xCECECECE
	// maxKeystore bounds what is read: a server's keystores are a few
	// kilobytes.
	maxKeystore = 4 << 20
)

var errNotJKS = errors.New("not a Java keystore (JKS or JCEKS); a PKCS #12 keystore cannot be read without its password")

// keystoreEntry is one certificate entry: a key entry's chain (its own
// certificate first), or a trusted certificate.
type keystoreEntry struct {
	alias string
	key   bool
	chain []*x509.Certificate
}

// readKeystore reads the certificates of the keystore at p.
func readKeystore(p string) ([]keystoreEntry, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxKeystore+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxKeystore {
		return nil, fmt.Errorf("%s is larger than %d bytes, too large for a keystore", p, maxKeystore)
	}
	entries, err := parseKeystore(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	return entries, nil
}

// parseKeystore reads the entries of a JKS or JCEKS keystore.
func parseKeystore(data []byte) ([]keystoreEntry, error) {
	r := &ksReader{r: bytes.NewReader(data)}
	magic := r.u32()
	if r.err != nil || (magic != jksMagic && magic != jceksMagic) {
		return nil, errNotJKS
	}
	version := r.u32()
	if r.err == nil && version != 1 && version != 2 {
		return nil, fmt.Errorf("keystore version %d is not 1 or 2", version)
	}
	count := r.u32()
	var out []keystoreEntry
	for i := uint32(0); i < count && r.err == nil; i++ {
		tag := r.u32()
		alias := r.utf()
		r.skip(8) // the entry's date
		e := keystoreEntry{alias: alias}
		switch tag {
		case 1: // private key: encrypted key, then the certificate chain
			e.key = true
			r.skip(int64(r.u32()))
			n := r.u32()
			for j := uint32(0); j < n && r.err == nil; j++ {
				if c := r.cert(version); c != nil {
					e.chain = append(e.chain, c)
				}
			}
		case 2: // trusted certificate
			if c := r.cert(version); c != nil {
				e.chain = append(e.chain, c)
			}
		default:
			// A JCEKS secret key is a serialised Java object whose length
			// is not written: nothing after it can be read.
			return out, nil
		}
		if r.err == nil && len(e.chain) > 0 {
			out = append(out, e)
		}
	}
	if r.err != nil {
		return nil, fmt.Errorf("damaged keystore: %w", r.err)
	}
	return out, nil
}

// ksReader reads the big-endian fields of a keystore, remembering the
// first error; every length is checked against what is left.
type ksReader struct {
	r   *bytes.Reader
	err error
}

func (k *ksReader) u32() uint32 {
	var v uint32
	if k.err == nil {
		k.err = binary.Read(k.r, binary.BigEndian, &v)
	}
	return v
}

func (k *ksReader) bytes(n int64) []byte {
	if k.err != nil {
		return nil
	}
	if n < 0 || n > int64(k.r.Len()) {
		k.err = fmt.Errorf("a field of %d bytes runs past the end of the file", n)
		return nil
	}
	b := make([]byte, n)
	_, k.err = io.ReadFull(k.r, b)
	return b
}

func (k *ksReader) skip(n int64) { k.bytes(n) }

// utf reads Java's modified UTF-8 string: a 16-bit length, then bytes.
func (k *ksReader) utf() string {
	var n uint16
	if k.err == nil {
		k.err = binary.Read(k.r, binary.BigEndian, &n)
	}
	return string(k.bytes(int64(n)))
}

// cert reads one certificate: its type (version 2), its DER. A
// certificate that is not X.509 or does not parse is skipped.
func (k *ksReader) cert(version uint32) *x509.Certificate {
	typ := "X.509"
	if version == 2 {
		typ = k.utf()
	}
	der := k.bytes(int64(k.u32()))
	if k.err != nil || typ != "X.509" {
		return nil
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return nil
	}
	return c
}
