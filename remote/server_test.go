//go:build !windows

package remote

import (
	"testing"

	"golang.org/x/crypto/ssh"

	"zenrecover/remote/remotetest"
)

// testServer is remotetest's SSH server in the test process, with the
// names these tests use; sshd_test.go runs the same checks against
// Debian's sshd.
type testServer struct {
	*remotetest.Server
	port       int
	hostKey    ssh.Signer
	knownHosts string
}

func newTestServer(t *testing.T) *testServer {
	s := remotetest.New(t)
	return &testServer{Server: s, port: s.Port, hostKey: s.HostKey, knownHosts: s.KnownHosts}
}

func (s *testServer) trust() { s.Trust() }
func (s *testServer) cut()   { s.Cut() }

func (s *testServer) config() Config {
	return Config{Port: s.port, KnownHosts: s.knownHosts, IdentityFiles: []string{s.ClientKey}, AgentSocket: "none"}
}

func writeKey(t *testing.T, path string) ssh.Signer { return remotetest.WriteKey(t, path) }
