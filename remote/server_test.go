package remote

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

// testServer is an SSH server in the test process: public-key login, exec
// with or without a pseudo-terminal (the command runs here through sh -c,
// as sshd runs it through the login shell), signals, and the SFTP
// subsystem. It makes the SSH behaviour testable where no sshd is
// installed; sshd_test.go runs the same checks against Debian's sshd.
type testServer struct {
	t          *testing.T
	port       int
	hostKey    ssh.Signer
	clientKey  string // private key file
	knownHosts string

	mu    sync.Mutex
	conns []net.Conn
}

func writeKey(t *testing.T, path string) ssh.Signer {
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

func newTestServer(t *testing.T) *testServer {
	t.Helper()
	dir := t.TempDir()
	s := &testServer{t: t, clientKey: filepath.Join(dir, "id_ed25519"), knownHosts: filepath.Join(dir, "known_hosts")}
	s.hostKey = writeKey(t, filepath.Join(dir, "host_key"))
	client := writeKey(t, s.clientKey)
	conf := &ssh.ServerConfig{PublicKeyCallback: func(_ ssh.ConnMetadata, k ssh.PublicKey) (*ssh.Permissions, error) {
		if string(k.Marshal()) == string(client.PublicKey().Marshal()) {
			return nil, nil
		}
		return nil, errors.New("unknown key")
	}}
	conf.AddHostKey(s.hostKey)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Skipf("no loopback port: %v", err)
	}
	s.port = l.Addr().(*net.TCPAddr).Port
	t.Cleanup(func() { l.Close(); s.cut() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.conns = append(s.conns, c)
			s.mu.Unlock()
			go s.serve(c, conf)
		}
	}()
	return s
}

// trust writes the server's key into known_hosts.
func (s *testServer) trust() {
	line := fmt.Sprintf("[127.0.0.1]:%d %s", s.port, ssh.MarshalAuthorizedKey(s.hostKey.PublicKey()))
	if err := os.WriteFile(s.knownHosts, []byte(line), 0o600); err != nil {
		s.t.Fatal(err)
	}
}

func (s *testServer) config() Config {
	return Config{Port: s.port, KnownHosts: s.knownHosts, IdentityFiles: []string{s.clientKey}, AgentSocket: "none"}
}

// cut drops every connection without a word, as a failing network does.
func (s *testServer) cut() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.conns {
		c.Close()
	}
	s.conns = nil
}

func (s *testServer) serve(c net.Conn, conf *ssh.ServerConfig) {
	_, chans, reqs, err := ssh.NewServerConn(c, conf)
	if err != nil {
		return
	}
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
		go s.session(ch, creqs)
	}
}

func (s *testServer) session(ch ssh.Channel, reqs <-chan *ssh.Request) {
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
			cmd := exec.Command("sh", "-c", p.Cmd)
			cmd.Env = append(os.Environ(), "TERM=dumb")
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
			if p.Name != "sftp" {
				req.Reply(false, nil)
				continue
			}
			req.Reply(true, nil)
			srv, err := sftp.NewServer(ch)
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
