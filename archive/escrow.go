package archive

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"filippo.io/age"
)

// Escrow is a secret the team must not lose (the zman backup passphrase of
// 1.1, the CA export passphrase of 1.3), sealed with age to the team's
// recipients and kept beside what it opens. The sealed text is plain
// enough to read after `age -d`: a few "Key: value" lines, a blank line,
// the secret.
type Escrow struct {
	Label   string // what the secret is, e.g. "zman backup passphrase"
	For     string // the file it opens
	Host    string
	Created time.Time
	Secret  string
}

const escrowMagic = "zenrecover escrow 1"

// EscrowExt is added to the name of the file an escrow opens.
const EscrowExt = ".escrow.age"

// EscrowPath is where the escrow of file goes: beside it.
func EscrowPath(file string) string { return file + EscrowExt }

// SealEscrow encrypts e to the recipients and writes it to path
// atomically, 0600. An existing file is replaced only with force.
func SealEscrow(path string, e Escrow, recipients []string, force bool) error {
	if e.Secret == "" {
		return errors.New("escrow: the secret is empty")
	}
	if strings.ContainsAny(e.Secret, "\r\n") {
		return errors.New("escrow: the secret holds a line break")
	}
	for _, v := range []string{e.Label, e.For, e.Host} {
		if strings.ContainsAny(v, "\r\n") {
			return errors.New("escrow: a label holds a line break")
		}
	}
	if len(recipients) == 0 {
		return errors.New("escrow: no recipients (give --recipient, or name the team's in " + teamFileHint() + ")")
	}
	rs, err := parseRecipients(recipients)
	if err != nil {
		return err
	}
	if !force {
		if _, err := os.Lstat(path); err == nil {
			return fmt.Errorf("%s: %w (--force replaces it)", path, ErrExists)
		}
	}
	if e.Created.IsZero() {
		e.Created = time.Now()
	}
	if e.Host == "" {
		e.Host, _ = os.Hostname()
	}
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, rs...)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%s\nLabel: %s\nFor: %s\nHost: %s\nCreated: %s\n\n%s\n", escrowMagic,
		e.Label, e.For, e.Host, e.Created.UTC().Format(time.RFC3339), e.Secret)
	if err := w.Close(); err != nil {
		return err
	}
	return writeFileAtomic(path, buf.Bytes(), 0o600)
}

func teamFileHint() string {
	p, err := TeamRecipientsFile()
	if err != nil {
		return "the team's recipients file"
	}
	return p
}

// OpenEscrow decrypts an escrow file with one of its recipients'
// identities. A file sealed by hand (`age -r KEY` of a single line) opens
// too: its one line is the secret.
func OpenEscrow(path string, ids []age.Identity) (*Escrow, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := age.Decrypt(bufio.NewReader(f), ids...)
	if err != nil {
		var nm *age.NoIdentityMatchError
		if errors.As(err, &nm) {
			return nil, fmt.Errorf("none of the keys given opens %s", path)
		}
		return nil, fmt.Errorf("%s is damaged or not an escrow: %v", path, err)
	}
	b, err := io.ReadAll(io.LimitReader(r, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("%s is damaged: %v", path, err)
	}
	text := strings.TrimSuffix(string(b), "\n")
	e := &Escrow{}
	head, secret, ok := strings.Cut(text, "\n\n")
	if !ok || !strings.HasPrefix(head, escrowMagic+"\n") {
		if strings.ContainsAny(text, "\n") {
			return nil, fmt.Errorf("%s is not an escrow", path)
		}
		e.Secret = text
		return e, nil
	}
	for _, l := range strings.Split(head, "\n")[1:] {
		k, v, _ := strings.Cut(l, ": ")
		switch k {
		case "Label":
			e.Label = v
		case "For":
			e.For = v
		case "Host":
			e.Host = v
		case "Created":
			e.Created, _ = time.Parse(time.RFC3339, v)
		}
	}
	e.Secret = secret
	return e, nil
}
