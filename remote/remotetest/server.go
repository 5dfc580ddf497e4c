//go:build !windows

// Package remotetest is an SSH server for tests, in the test process:
// public-key login with one client key, exec with or without a
// pseudo-terminal (the command runs on this machine through sh -c, as sshd
// runs it through the login shell), signals, and the SFTP subsystem. It
// makes SSH testable where no sshd is installed and under -short; package
// remote's tests and runner's use it, and sshd tests check the same
// behaviours against Debian's sshd. It imports nothing of zenrecover's.
package remotetest

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"

	"github.com/creack/pty"
	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
)

// Server is an SSH server in the test process: public-key login, exec
// with or without a pseudo-terminal (the command runs here through sh -c,
// as sshd runs it through the login shell), signals, and the SFTP
// subsystem. It makes the SSH behaviour testable where no sshd is
// installed; sshd_test.go runs the same checks against Debian's sshd.
type Server struct {
	t          testing.TB
	Port       int
	HostKey    ssh.Signer
	ClientKey  string // private key file (ed25519, no passphrase)
	KnownHosts string // a known_hosts file, absent until Trust writes it
	// Home is the login's home folder there: the SFTP working directory,
	// and the folder and $HOME commands run in (a test's own, so nothing
	// lands in the package's folder).
	Home string

	mu       sync.Mutex
	conns    []net.Conn
	accepted int
	noSFTP   bool
	open     int // logged-in connections not closed yet
	maxOpen  int
	commands []string
}

// Accepted is how many connections the server has accepted.
func (s *Server) Accepted() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.accepted
}

// RefuseSFTP makes the server refuse the SFTP subsystem (an sshd without
// its Subsystem line) on the connections made from now on, or serve it
// again; a connection keeps what it was made with, as sshd's do.
func (s *Server) RefuseSFTP(refuse bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.noSFTP = refuse
}

// MaxOpen is the most connections that were logged in at once.
func (s *Server) MaxOpen() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxOpen
}

// Commands are the command lines the server was asked to run, in order:
// what would be on that host's process list.
func (s *Server) Commands() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.commands...)
}

// WriteKey writes a new ed25519 private key, without passphrase, to path.
func WriteKey(t testing.TB, path string) ssh.Signer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// New starts a server on a free loopback port, closed with the test.
func New(t testing.TB) *Server {
	t.Helper()
	dir := t.TempDir()
	s := &Server{t: t, ClientKey: filepath.Join(dir, "id_ed25519"), KnownHosts: filepath.Join(dir, "known_hosts"), Home: filepath.Join(dir, "home")}
	if err := os.Mkdir(s.Home, 0o700); err != nil {
		t.Fatal(err)
	}
	s.HostKey = WriteKey(t, filepath.Join(dir, "host_key"))
	client := WriteKey(t, s.ClientKey)
	conf := &ssh.ServerConfig{PublicKeyCallback: func(_ ssh.ConnMetadata, k ssh.PublicKey) (*ssh.Permissions, error) {
		if string(k.Marshal()) == string(client.PublicKey().Marshal()) {
			return nil, nil
		}
		return nil, errors.New("unknown key")
	}}
	conf.AddHostKey(s.HostKey)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Skipf("no loopback port: %v", err)
	}
	s.Port = l.Addr().(*net.TCPAddr).Port
	t.Cleanup(func() { l.Close(); s.Cut() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.conns = append(s.conns, c)
			s.accepted++
			s.mu.Unlock()
			go s.serve(c, conf)
		}
	}()
	return s
}

// Trust writes the server's key into KnownHosts.
func (s *Server) Trust() {
	line := fmt.Sprintf("[127.0.0.1]:%d %s", s.Port, ssh.MarshalAuthorizedKey(s.HostKey.PublicKey()))
	if err := os.WriteFile(s.KnownHosts, []byte(line), 0o600); err != nil {
		s.t.Fatal(err)
	}
}

// Cut drops every connection without a word, as a failing network does.
func (s *Server) Cut() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.conns {
		c.Close()
	}
	s.conns = nil
}

func (s *Server) serve(c net.Conn, conf *ssh.ServerConfig) {
	_, chans, reqs, err := ssh.NewServerConn(c, conf)
	if err != nil {
		return
	}
	s.mu.Lock()
	noSFTP := s.noSFTP
	s.open++
	s.maxOpen = max(s.maxOpen, s.open)
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.open--
		s.mu.Unlock()
	}()
	go ssh.DiscardRequests(reqs)
	for nc := range chans {
		if nc.ChannelType() != "session" {
			nc.Reject(ssh.UnknownChannelType, "no")
			continue
		}
		ch, creqs, err := nc.Accept()
		if err != nil {
			continue
		}
		go s.session(ch, creqs, noSFTP)
	}
}

func (s *Server) session(ch ssh.Channel, reqs <-chan *ssh.Request, noSFTP bool) {
	var (
		ptm, tty *os.File
		proc     *os.Process
		mu       sync.Mutex
	)
	for req := range reqs {
		switch req.Type {
		case "pty-req":
			m, t, err := pty.Open()
			if err != nil {
				req.Reply(false, nil)
				continue
			}
			pty.Setsize(m, &pty.Winsize{Rows: 40, Cols: 120})
			ptm, tty = m, t
			req.Reply(true, nil)
		case "exec":
			var p struct{ Cmd string }
			ssh.Unmarshal(req.Payload, &p)
			s.mu.Lock()
			s.commands = append(s.commands, p.Cmd)
			s.mu.Unlock()
			cmd := exec.Command("sh", "-c", p.Cmd)
			cmd.Env = append(os.Environ(), "TERM=dumb", "HOME="+s.Home)
			cmd.Dir = s.Home
			if ptm != nil {
				cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
				cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
			} else {
				cmd.Stdin, cmd.Stdout, cmd.Stderr = ch, ch, ch.Stderr()
				cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			}
			if err := cmd.Start(); err != nil {
				req.Reply(false, nil)
				ch.Close()
				return
			}
			mu.Lock()
			proc = cmd.Process
			mu.Unlock()
			req.Reply(true, nil)
			var copied sync.WaitGroup
			if ptm != nil {
				tty.Close() // only the child holds it now: EIO once it is done
				copied.Add(1)
				go func() { io.Copy(ch, ptm); copied.Done() }()
				go io.Copy(ptm, ch)
			}
			go func() {
				err := cmd.Wait()
				copied.Wait()
				var ee *exec.ExitError
				status := struct{ Status uint32 }{}
				if errors.As(err, &ee) {
					if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
						sig := struct {
							Signal     string
							CoreDumped bool
							Error      string
							Lang       string
						}{Signal: sigName(ws.Signal())}
						ch.SendRequest("exit-signal", false, ssh.Marshal(&sig))
						ch.Close()
						return
					}
					status.Status = uint32(ee.ExitCode())
				}
				ch.SendRequest("exit-status", false, ssh.Marshal(&status))
				ch.Close()
			}()
		case "subsystem":
			var p struct{ Name string }
			ssh.Unmarshal(req.Payload, &p)
			if p.Name != "sftp" || noSFTP {
				req.Reply(false, nil)
				continue
			}
			req.Reply(true, nil)
			srv, err := sftp.NewServer(ch, sftp.WithServerWorkingDirectory(s.Home))
			if err != nil {
				ch.Close()
				return
			}
			go func() { srv.Serve(); srv.Close(); ch.Close() }()
		case "signal":
			var p struct{ Signal string }
			ssh.Unmarshal(req.Payload, &p)
			mu.Lock()
			if sig, ok := sigByName[p.Signal]; ok && proc != nil {
				syscall.Kill(-proc.Pid, sig)
			}
			mu.Unlock()
			if req.WantReply {
				req.Reply(true, nil)
			}
		default:
			if req.WantReply {
				req.Reply(false, nil)
			}
		}
	}
	// The client closed the channel: hang up, as sshd does.
	mu.Lock()
	if proc != nil {
		syscall.Kill(-proc.Pid, syscall.SIGHUP)
	}
	mu.Unlock()
	if ptm != nil {
		ptm.Close()
	}
}

var sigByName = map[string]syscall.Signal{"TERM": syscall.SIGTERM, "KILL": syscall.SIGKILL, "HUP": syscall.SIGHUP, "INT": syscall.SIGINT}

func sigName(s syscall.Signal) string {
	for n, v := range sigByName {
		if v == s {
			return n
		}
	}
	return strconv.Itoa(int(s))
}
