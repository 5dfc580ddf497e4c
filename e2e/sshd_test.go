//go:build !windows

package e2e

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"testing"
	"time"
)

// loopbackSSHD is Debian's sshd (installed by .ci/deps/openssh.sh) started
// by a test on a free 127.0.0.1 port with a throwaway host key, accepting
// one throwaway client key; the tests of a dropped session and of a lab
// host reached over SSH both start it.
type loopbackSSHD struct {
	port    int
	user    string
	hostPub []byte // the host key's public line, for a known_hosts file
	pidFile string
	log     *lockedBuffer
}

// startLoopbackSSHD makes the client key at clientKey (and clientKey.pub),
// starts sshd with the base configuration plus extra lines, and waits until
// it listens; it skips the test, saying why, where the machine cannot.
func startLoopbackSSHD(t *testing.T, why, clientKey, extra string) *loopbackSSHD {
	t.Helper()
	slow(t, why)
	const sshd = "/usr/sbin/sshd"
	for _, p := range []string{sshd, "ssh-keygen"} {
		if _, err := exec.LookPath(p); err != nil {
			t.Skipf("%s skipped: %s not found (Debian's openssh-server; .ci/deps/openssh.sh installs it)", why, p)
		}
	}
	u, err := user.Current()
	if err != nil {
		t.Skipf("%s skipped: who am I? %v", why, err)
	}
	dir := t.TempDir()
	s := &loopbackSSHD{user: u.Username, pidFile: filepath.Join(dir, "sshd.pid"), log: &lockedBuffer{}}
	host := filepath.Join(dir, "host")
	for _, k := range []string{clientKey, host} {
		if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "zenrecover-test", "-f", k).CombinedOutput(); err != nil {
			t.Skipf("%s skipped: ssh-keygen: %v %s", why, err, out)
		}
	}
	pub, _ := os.ReadFile(clientKey + ".pub")
	os.WriteFile(filepath.Join(dir, "authorized_keys"), pub, 0o600)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Skipf("%s skipped: no loopback port: %v", why, err)
	}
	s.port = l.Addr().(*net.TCPAddr).Port
	l.Close()
	s.hostPub, _ = os.ReadFile(host + ".pub")
	cfg := filepath.Join(dir, "sshd_config")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`Port %d
ListenAddress 127.0.0.1
HostKey %s
AuthorizedKeysFile %s
PidFile %s
AllowUsers %s
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
X11Forwarding no
AllowTcpForwarding no
PrintMotd no
PrintLastLog no
%s`, s.port, host, filepath.Join(dir, "authorized_keys"), s.pidFile, s.user, extra)), 0o600)
	if os.Geteuid() == 0 {
		os.MkdirAll("/run/sshd", 0o755) // sshd's privilege separation directory
	}
	if out, err := exec.Command(sshd, "-t", "-f", cfg).CombinedOutput(); err != nil {
		t.Skipf("%s skipped: sshd refuses its configuration: %v %s", why, err, out)
	}
	c := exec.Command(sshd, "-D", "-e", "-f", cfg)
	c.Stdout, c.Stderr = s.log, s.log
	if err := c.Start(); err != nil {
		t.Skipf("%s skipped: cannot start sshd: %v", why, err)
	}
	exited := make(chan struct{})
	go func() { c.Wait(); close(exited) }()
	t.Cleanup(func() {
		c.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("sshd's log:\n%s", s.log.String())
		}
	})
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", s.port)); err == nil {
			conn.Close()
			break
		}
		select {
		case <-exited:
			t.Skipf("%s skipped: sshd exited at start:\n%s", why, s.log.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Skipf("%s skipped: sshd did not listen on port %d:\n%s", why, s.port, s.log.String())
		}
	}
	return s
}

// knownHostsLine is the line that makes a client trust this sshd.
func (s *loopbackSSHD) knownHostsLine() []byte {
	return []byte(fmt.Sprintf("[127.0.0.1]:%d %s", s.port, s.hostPub))
}
