package archive

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"filippo.io/age"
	"filippo.io/age/agessh"
	"golang.org/x/crypto/ssh"
)

// ParseRecipient accepts what `age -r` accepts without plugins: an age
// public key (age1…) or an SSH public key line (ssh-ed25519, ssh-rsa).
func ParseRecipient(s string) (age.Recipient, error) {
	s = strings.TrimSpace(s)
	switch {
	case strings.HasPrefix(s, "age1"):
		rs, err := age.ParseRecipients(strings.NewReader(s))
		if err != nil {
			return nil, fmt.Errorf("not an age public key: %q", s)
		}
		return rs[0], nil
	case strings.HasPrefix(s, "ssh-"):
		r, err := agessh.ParseRecipient(s)
		if err != nil {
			return nil, fmt.Errorf("not a usable SSH public key (ssh-ed25519 or ssh-rsa): %w", err)
		}
		return r, nil
	case strings.HasPrefix(s, "AGE-SECRET-KEY"):
		// Never echo it: it is a private key given by mistake.
		return nil, errors.New("a private key was given where a recipient (public key) belongs")
	}
	return nil, fmt.Errorf("not a recipient: %q (want an age public key, age1…, or an SSH public key)", s)
}

func parseRecipients(lines []string) ([]age.Recipient, error) {
	var rs []age.Recipient
	for _, l := range lines {
		r, err := ParseRecipient(l)
		if err != nil {
			return nil, err
		}
		rs = append(rs, r)
	}
	return rs, nil
}

// ReadRecipientsFile reads a recipients file as `age -R` does: one
// recipient a line, blank lines and lines starting with # ignored. Each
// line is checked.
func ReadRecipientsFile(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		if _, err := ParseRecipient(l); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		out = append(out, l)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s holds no recipients", path)
	}
	return out, sc.Err()
}

// TeamRecipientsFile is the configuration that names the team's
// recipients: $XDG_CONFIG_HOME/zenrecover/recipients, else
// ~/.config/zenrecover/recipients. It is a recipients file as age reads
// them. Whether it exists is for the caller to find out.
func TeamRecipientsFile() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "zenrecover", "recipients"), nil
}

// TeamRecipients reads TeamRecipientsFile; a missing file is (nil, path,
// nil).
func TeamRecipients() ([]string, string, error) {
	p, err := TeamRecipientsFile()
	if err != nil {
		return nil, "", err
	}
	rs, err := ReadRecipientsFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, p, nil
	}
	return rs, p, err
}

// AskFunc asks the operator for a secret (hidden), with a prompt that
// never contains one.
type AskFunc func(prompt string) (string, error)

// LoadIdentities reads an identity file as `age -i` does: age secret keys,
// a passphrase-encrypted age identity file, or an SSH private key
// (ed25519 or RSA; an encrypted one asks for its passphrase through ask).
func LoadIdentities(path string, ask AskFunc) ([]age.Identity, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	trimmed := bytes.TrimSpace(b)
	switch {
	case bytes.HasPrefix(b, []byte("age-encryption.org/")):
		if ask == nil {
			return nil, fmt.Errorf("%s is protected by a passphrase, and there is no one to ask", path)
		}
		pass, err := ask(fmt.Sprintf("Passphrase for the identity file %s", path))
		if err != nil {
			return nil, err
		}
		id, err := age.NewScryptIdentity(pass)
		if err != nil {
			return nil, err
		}
		r, err := age.Decrypt(bytes.NewReader(b), id)
		if err != nil {
			return nil, fmt.Errorf("%s: wrong passphrase, or not an identity file", path)
		}
		plain, err := io.ReadAll(io.LimitReader(r, 1<<20))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return age.ParseIdentities(bytes.NewReader(plain))
	case bytes.HasPrefix(trimmed, []byte("-----BEGIN")):
		id, err := agessh.ParseIdentity(b)
		var missing *ssh.PassphraseMissingError
		if errors.As(err, &missing) {
			pub := missing.PublicKey
			if pub == nil {
				if pub, err = readPub(path + ".pub"); err != nil {
					return nil, err
				}
			}
			if ask == nil {
				return nil, fmt.Errorf("%s is protected by a passphrase, and there is no one to ask", path)
			}
			enc, err := agessh.NewEncryptedSSHIdentity(pub, b, func() ([]byte, error) {
				p, err := ask(fmt.Sprintf("Passphrase for the SSH key %s", path))
				return []byte(p), err
			})
			if err != nil {
				return nil, err
			}
			return []age.Identity{enc}, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: not a usable SSH private key: %v", path, err)
		}
		return []age.Identity{id}, nil
	}
	ids, err := age.ParseIdentities(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return ids, nil
}

func readPub(path string) (ssh.PublicKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("the SSH key is encrypted and its public half %s cannot be read: %w", path, err)
	}
	pk, _, _, _, err := ssh.ParseAuthorizedKey(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return pk, nil
}
