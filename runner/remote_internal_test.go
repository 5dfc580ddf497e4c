package runner

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"zenrecover/remote"
)

// The fallback and host-key decisions of steps on another host (remote.go),
// against a closed port and a bare SSH server in the test; the connection
// itself is tested in package remote (in process, and against sshd).

func TestAHostThatCannotBeReachedFallsBackWithASentence(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Skip(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close() // nothing listens there now
	dir := t.TempDir()
	h := newSSHHosts(remote.Config{Port: port, KnownHosts: filepath.Join(dir, "known_hosts"), IdentityFiles: []string{keyFile(t, dir)}, AgentSocket: "none"})
	c, why, unknown := h.reach(context.Background(), "127.0.0.1")
	if c != nil || unknown != nil || !strings.Contains(why, "could not reach 127.0.0.1 over SSH") || !strings.Contains(why, "nothing listens") || !strings.Contains(why, "confirm it here") {
		t.Fatalf("reach of a closed port: %v %q %v", c, why, unknown)
	}
	if _, again, _ := h.reach(context.Background(), "127.0.0.1"); again != why {
		t.Errorf("the second step there said %q", again)
	}
}

func TestAnUnknownHostKeyWaitsForTheOperatorAndIsTrustedOnceAccepted(t *testing.T) {
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	hostKey, _ := ssh.NewSignerFromKey(priv)
	conf := &ssh.ServerConfig{NoClientAuth: true}
	conf.AddHostKey(hostKey)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Skip(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				_, chans, reqs, err := ssh.NewServerConn(c, conf)
				if err == nil {
					go ssh.DiscardRequests(reqs)
					for nc := range chans {
						nc.Reject(ssh.Prohibited, "no")
					}
				}
			}()
		}
	}()
	dir := t.TempDir()
	known := filepath.Join(dir, "known_hosts")
	h := newSSHHosts(remote.Config{Port: l.Addr().(*net.TCPAddr).Port, KnownHosts: known, IdentityFiles: []string{keyFile(t, dir)}, AgentSocket: "none"})
	defer h.close()
	c, why, unknown := h.reach(context.Background(), "127.0.0.1")
	if c != nil || why != "" || unknown == nil || unknown.Fingerprint != ssh.FingerprintSHA256(hostKey.PublicKey()) {
		t.Fatalf("an unknown host key: %v %q %+v", c, why, unknown)
	}
	if _, err := os.Stat(known); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("known_hosts was written before the operator accepted")
	}
	if err := h.accept("127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	if c, why, unknown := h.reach(context.Background(), "127.0.0.1"); c == nil {
		t.Fatalf("after accepting: %q %v", why, unknown)
	}
	data, _ := os.ReadFile(known)
	if !strings.Contains(string(data), "[127.0.0.1]:"+strconv.Itoa(l.Addr().(*net.TCPAddr).Port)) {
		t.Errorf("known_hosts: %s", data)
	}
}

func keyFile(t *testing.T, dir string) string {
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "id_ed25519")
	os.WriteFile(p, pem.EncodeToMemory(block), 0o600)
	return p
}
