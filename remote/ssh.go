package remote

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
	"golang.org/x/crypto/ssh/knownhosts"
)

// Config says how to reach other hosts. The zero value is the operator's
// own setup: ~/.ssh/known_hosts, SSH_AUTH_SOCK, ~/.ssh/id_*, port 22.
type Config struct {
	User          string        // login name; "" means the operator's
	Port          int           // 0 means 22
	KnownHosts    string        // "" means ~/.ssh/known_hosts
	IdentityFiles []string      // nil means ~/.ssh/id_ed25519, id_ecdsa, id_rsa
	AgentSocket   string        // "" means $SSH_AUTH_SOCK; "none" uses no agent
	Timeout       time.Duration // connecting and logging in; 0 means 10 s
}

func (c Config) knownHosts() string {
	if c.KnownHosts != "" {
		return c.KnownHosts
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".ssh", "known_hosts")
}

func (c Config) timeout() time.Duration {
	if c.Timeout > 0 {
		return c.Timeout
	}
	return 10 * time.Second
}

// UnknownHostKeyError: the host is not in known_hosts. Its key is shown to
// the operator (Fingerprint, as ssh-keygen -lf prints it) and trusted only
// once they accept it (AcceptHostKey).
type UnknownHostKeyError struct {
	Host, Addr  string // as named, and the address known_hosts records
	KnownHosts  string // the file it would be added to
	KeyType     string
	Fingerprint string // SHA256:...
	Key         ssh.PublicKey
}

func (e *UnknownHostKeyError) Error() string {
	return fmt.Sprintf("%s is not in %s: its %s host key is %s; accept it only if that is the key the server itself shows (ssh-keygen -lf /etc/ssh/ssh_host_%s_key.pub on it)",
		e.Host, e.KnownHosts, e.KeyType, e.Fingerprint, keyFileType(e.KeyType))
}

func keyFileType(t string) string {
	switch {
	case strings.Contains(t, "ed25519"):
		return "ed25519"
	case strings.Contains(t, "ecdsa"):
		return "ecdsa"
	}
	return "rsa"
}

// ChangedHostKeyError: the host shows a key other than the one known_hosts
// holds for it. It is refused; nothing here accepts it.
type ChangedHostKeyError struct {
	Host        string
	Fingerprint string   // the key shown now
	Known       []string // where the old key is: file:line
}

func (e *ChangedHostKeyError) Error() string {
	return fmt.Sprintf("the host key of %s has CHANGED (now %s; known in %s): refusing to connect. Someone may be impersonating it, or the server was reinstalled: find out which, then remove the old key (ssh-keygen -R %s) and connect again",
		e.Host, e.Fingerprint, strings.Join(e.Known, ", "), e.Host)
}

// UnreachableError: the host could not be reached or logged into. Why says
// so in a sentence the operator can act on.
type UnreachableError struct {
	Host string
	Err  error
}

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("cannot reach %s over SSH: %v", e.Host, e.Err)
}

func (e *UnreachableError) Unwrap() error { return e.Err }

// Client is a connection to one host.
type Client struct {
	Host string // as named (without user@)
	ssh  *ssh.Client

	mu   sync.Mutex
	sftp *sftp.Client
	skew time.Duration // the host's clock minus ours, from the last header
	// stale: the server refused SFTP on this connection. Its answer is
	// fixed when the connection was made (sshd reads its configuration
	// per connection), so a fixed server needs a new connection.
	stale bool
}

// Stale reports a connection that cannot serve SFTP: whoever keeps it
// should dial again rather than ask it again.
func (c *Client) Stale() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stale
}

// Dial connects to host ("name", "user@name", "name:port") and logs in.
func Dial(ctx context.Context, host string, cfg Config) (*Client, error) {
	login, name := cfg.User, host
	if u, h, ok := strings.Cut(host, "@"); ok {
		login, name = u, h
	}
	if login == "" {
		u, err := user.Current()
		if err != nil {
			return nil, &UnreachableError{Host: host, Err: fmt.Errorf("who is logging in? %w", err)}
		}
		login = u.Username
	}
	port := cfg.Port
	if h, p, err := net.SplitHostPort(name); err == nil {
		n, err := strconv.Atoi(p)
		if err != nil {
			return nil, &UnreachableError{Host: host, Err: fmt.Errorf("port %q is not a number", p)}
		}
		name, port = h, n
	}
	if port == 0 {
		port = 22
	}
	addr := net.JoinHostPort(name, strconv.Itoa(port))
	auth, closeAgent, err := authMethods(cfg)
	if err != nil {
		return nil, &UnreachableError{Host: name, Err: err}
	}
	defer closeAgent()
	kh := cfg.knownHosts()
	check, err := hostKeyCallback(kh)
	if err != nil {
		return nil, &UnreachableError{Host: name, Err: err}
	}
	conf := &ssh.ClientConfig{User: login, Auth: auth, Timeout: cfg.timeout()}
	var hostErr error
	conf.HostKeyCallback = func(hostname string, remote net.Addr, key ssh.PublicKey) error {
		err := check(hostname, remote, key)
		var ke *knownhosts.KeyError
		switch {
		case err == nil:
			return nil
		case errors.As(err, &ke) && len(ke.Want) == 0:
			hostErr = &UnknownHostKeyError{Host: name, Addr: knownhosts.Normalize(addr), KnownHosts: kh,
				KeyType: key.Type(), Fingerprint: ssh.FingerprintSHA256(key), Key: key}
		case errors.As(err, &ke):
			same := false
			var where []string
			for _, w := range ke.Want {
				where = append(where, fmt.Sprintf("%s:%d", w.Filename, w.Line))
				same = same || w.Key.Type() == key.Type()
			}
			if !same {
				// Known under another key type only: ask for that type.
				hostErr = errOtherKeyType{types: wantTypes(ke.Want)}
			} else {
				hostErr = &ChangedHostKeyError{Host: name, Fingerprint: ssh.FingerprintSHA256(key), Known: where}
			}
		default:
			hostErr = err
		}
		return hostErr
	}
	c, err := dial(ctx, addr, conf)
	var other errOtherKeyType
	if errors.As(hostErr, &other) {
		hostErr = nil
		conf.HostKeyAlgorithms = other.algorithms()
		c, err = dial(ctx, addr, conf)
	}
	if hostErr != nil {
		if c != nil {
			c.Close()
		}
		return nil, hostErr
	}
	if err != nil {
		return nil, &UnreachableError{Host: name, Err: plainDialError(err)}
	}
	return &Client{Host: name, ssh: c}, nil
}

func dial(ctx context.Context, addr string, conf *ssh.ClientConfig) (*ssh.Client, error) {
	ctx, cancel := context.WithTimeout(ctx, conf.Timeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	// The handshake honours the deadline too, so a host that accepts and
	// says nothing does not hold the run.
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	cc, chans, reqs, err := ssh.NewClientConn(conn, addr, conf)
	if err != nil {
		conn.Close()
		return nil, err
	}
	conn.SetDeadline(time.Time{})
	return ssh.NewClient(cc, chans, reqs), nil
}

// plainDialError words the usual failures for an operator.
func plainDialError(err error) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "unable to authenticate"):
		return fmt.Errorf("no key was accepted (ssh-agent and ~/.ssh/id_*): %w", err)
	case strings.Contains(msg, "connection refused"):
		return fmt.Errorf("nothing listens for SSH there: %w", err)
	}
	return err
}

type errOtherKeyType struct{ types []string }

func (errOtherKeyType) Error() string { return "the host is known under another key type" }

func (e errOtherKeyType) algorithms() []string {
	var out []string
	for _, t := range e.types {
		if t == ssh.KeyAlgoRSA {
			out = append(out, ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256)
		}
		out = append(out, t)
	}
	return out
}

func wantTypes(want []knownhosts.KnownKey) []string {
	var out []string
	for _, w := range want {
		out = append(out, w.Key.Type())
	}
	return out
}

// hostKeyCallback reads known_hosts; a missing file knows no host.
func hostKeyCallback(path string) (ssh.HostKeyCallback, error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return func(string, net.Addr, ssh.PublicKey) error { return &knownhosts.KeyError{} }, nil
	}
	cb, err := knownhosts.New(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", path, err)
	}
	return cb, nil
}

// AcceptHostKey records the key the operator accepted, appending one line
// to known_hosts (created 0600, its folder 0700, as ssh does).
func AcceptHostKey(e *UnknownHostKeyError) error {
	if e == nil || e.Key == nil {
		return errors.New("no host key to accept")
	}
	if err := os.MkdirAll(filepath.Dir(e.KnownHosts), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(e.KnownHosts, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	line := knownhosts.Line([]string{e.Addr}, e.Key)
	// A file that does not end in a line break would glue our line to its
	// last one.
	if fi, err := f.Stat(); err == nil && fi.Size() > 0 && !endsInNewline(e.KnownHosts) {
		line = "\n" + line
	}
	if _, err := f.WriteString(line + "\n"); err != nil {
		f.Close()
		return fmt.Errorf("cannot add %s to %s: %w", e.Host, e.KnownHosts, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func endsInNewline(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return true
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || fi.Size() == 0 {
		return true
	}
	b := make([]byte, 1)
	_, err = f.ReadAt(b, fi.Size()-1)
	return err != nil || b[0] == '\n'
}

// authMethods: the agent first, then the key files that need no
// passphrase. A passphrase-protected key is named, never asked for.
func authMethods(cfg Config) ([]ssh.AuthMethod, func(), error) {
	var signers []ssh.Signer
	closeAgent := func() {}
	var agentSigners func() ([]ssh.Signer, error)
	sock := cfg.AgentSocket
	if sock == "" {
		sock = os.Getenv("SSH_AUTH_SOCK")
	}
	if sock != "" && sock != "none" {
		if conn, err := net.Dial("unix", sock); err == nil {
			closeAgent = func() { conn.Close() }
			agentSigners = agent.NewClient(conn).Signers
		}
	}
	files := cfg.IdentityFiles
	if files == nil {
		home, _ := os.UserHomeDir()
		for _, n := range []string{"id_ed25519", "id_ecdsa", "id_rsa"} {
			files = append(files, filepath.Join(home, ".ssh", n))
		}
	}
	var locked []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		s, err := ssh.ParsePrivateKey(data)
		var pp *ssh.PassphraseMissingError
		if errors.As(err, &pp) {
			locked = append(locked, f)
			continue
		}
		if err != nil {
			continue
		}
		signers = append(signers, s)
	}
	var methods []ssh.AuthMethod
	if agentSigners != nil {
		methods = append(methods, ssh.PublicKeysCallback(agentSigners))
	}
	if len(signers) > 0 {
		methods = append(methods, ssh.PublicKeys(signers...))
	}
	if len(methods) == 0 {
		why := "no ssh-agent (SSH_AUTH_SOCK) and no key in ~/.ssh (id_ed25519, id_ecdsa, id_rsa)"
		if len(locked) > 0 {
			why = fmt.Sprintf("no ssh-agent, and %s is protected by a passphrase: add it to an agent (eval $(ssh-agent); ssh-add)", strings.Join(locked, ", "))
		}
		return nil, closeAgent, errors.New(why)
	}
	return methods, closeAgent, nil
}

// Close ends the connection.
func (c *Client) Close() error {
	c.mu.Lock()
	if c.sftp != nil {
		c.sftp.Close()
		c.sftp = nil
	}
	c.mu.Unlock()
	return c.ssh.Close()
}

// SFTP is the client's SFTP session, opened on first use.
func (c *Client) SFTP() (*sftp.Client, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sftp != nil {
		return c.sftp, nil
	}
	s, err := sftp.NewClient(c.ssh)
	if err != nil {
		c.stale = true
		return nil, fmt.Errorf("%s: SFTP: %w", c.Host, err)
	}
	c.sftp = s
	return s, nil
}

// Output runs argv there without a terminal and returns what it printed
// (for small look-ups: /proc, the boot id). argv is quoted for the shell.
func (c *Client) Output(ctx context.Context, argv ...string) (string, error) {
	sess, err := c.ssh.NewSession()
	if err != nil {
		return "", fmt.Errorf("%s: %w", c.Host, err)
	}
	defer sess.Close()
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-ctx.Done():
			sess.Close()
		case <-done:
		}
	}()
	out, err := sess.Output(shellLine(argv))
	return string(out), err
}

// readLines splits text into lines, for the small outputs Output returns.
func readLines(s string) []string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	return out
}
