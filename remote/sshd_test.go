//go:build !windows

package remote

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"zenrecover/actions"
)

// Debian's sshd (installed by .ci/deps/openssh.sh) on a free loopback
// port with a throwaway host key: the same behaviours as the in-process
// server's tests, against the server a zone really runs. Skipped, saying
// why, where sshd is missing or under -short.

type realSSHD struct {
	port              int
	key, known, hostK string
}

func (s *realSSHD) config() Config {
	return Config{Port: s.port, KnownHosts: s.known, IdentityFiles: []string{s.key}, AgentSocket: "none"}
}

func startRealSSHD(t *testing.T) *realSSHD {
	t.Helper()
	if testing.Short() {
		t.Skip("sshd on loopback is skipped under -short; go test ./... (and CI) runs it")
	}
	const sshd = "/usr/sbin/sshd"
	for _, p := range []string{sshd, "ssh-keygen"} {
		if _, err := exec.LookPath(p); err != nil {
			t.Skipf("sshd test skipped: %s not found (Debian's openssh-server; .ci/deps/openssh.sh installs it)", p)
		}
	}
	u, err := user.Current()
	if err != nil {
		t.Skip(err)
	}
	dir := t.TempDir()
	s := &realSSHD{key: filepath.Join(dir, "id"), known: filepath.Join(dir, "known_hosts"), hostK: filepath.Join(dir, "host")}
	for _, k := range []string{s.key, s.hostK} {
		if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", k).CombinedOutput(); err != nil {
			t.Skipf("ssh-keygen: %v %s", err, out)
		}
	}
	pub, _ := os.ReadFile(s.key + ".pub")
	os.WriteFile(filepath.Join(dir, "authorized_keys"), pub, 0o600)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Skip(err)
	}
	s.port = l.Addr().(*net.TCPAddr).Port
	l.Close()
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
PrintMotd no
PrintLastLog no
Subsystem sftp internal-sftp
LogLevel ERROR
`, s.port, s.hostK, filepath.Join(dir, "authorized_keys"), filepath.Join(dir, "sshd.pid"), u.Username)), 0o600)
	if os.Geteuid() == 0 {
		os.MkdirAll("/run/sshd", 0o755)
	}
	if out, err := exec.Command(sshd, "-t", "-f", cfg).CombinedOutput(); err != nil {
		t.Skipf("sshd refuses its configuration: %v %s", err, out)
	}
	c := exec.Command(sshd, "-D", "-e", "-f", cfg)
	if err := c.Start(); err != nil {
		t.Skipf("cannot start sshd: %v", err)
	}
	exited := make(chan struct{})
	go func() { c.Wait(); close(exited) }()
	t.Cleanup(func() { c.Process.Kill(); <-exited })
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", s.port)); err == nil {
			conn.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Skip("sshd did not listen")
		}
	}
	return s
}

func TestOverDebiansSSHD(t *testing.T) {
	s := startRealSSHD(t)
	_, err := Dial(context.Background(), "127.0.0.1", s.config())
	var unknown *UnknownHostKeyError
	if !errors.As(err, &unknown) {
		t.Fatalf("sshd's unknown host key was not stopped at: %v", err)
	}
	want, _ := exec.Command("ssh-keygen", "-l", "-E", "sha256", "-f", s.hostK+".pub").Output()
	if len(want) == 0 || !containsWord(string(want), unknown.Fingerprint) {
		t.Errorf("fingerprint %s, ssh-keygen says %s", unknown.Fingerprint, want)
	}
	if err := AcceptHostKey(unknown); err != nil {
		t.Fatal(err)
	}
	// What the operator's own ssh makes of the line we wrote.
	out, err := exec.Command("ssh-keygen", "-F", fmt.Sprintf("[127.0.0.1]:%d", s.port), "-f", s.known).Output()
	if err != nil || len(out) == 0 {
		t.Errorf("ssh-keygen -F does not find the accepted key in known_hosts: %v", err)
	}
	t.Run("prompts", func(t *testing.T) { runRemotePrompts(t, s) })
	t.Run("waiting", func(t *testing.T) { runRemoteWaiting(t, s) })
	t.Run("cancel", func(t *testing.T) {
		c := dialed(t, s)
		ctx, cancel := context.WithCancel(context.Background())
		started := make(chan ProcessInfo, 1)
		errc := make(chan error, 1)
		go func() {
			errc <- (&Command{Client: c, Argv: []string{"sleep", "60"}, KillGrace: 500 * time.Millisecond,
				OnProcess: func(p ProcessInfo) { started <- p }}).Run(ctx, actions.IO{})
		}()
		info := <-started
		look := dialed(t, s)
		if alive, err := look.Alive(context.Background(), info); !alive || err != nil {
			t.Fatalf("not seen alive: %v", err)
		}
		cancel()
		if err := <-errc; !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled: %v", err)
		}
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			if alive, _ := look.Alive(context.Background(), info); !alive {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the cancelled command still runs under sshd")
			}
		}
	})
	t.Run("sftp", func(t *testing.T) {
		c := dialed(t, s)
		f := filepath.Join(t.TempDir(), "zone_backup.bak")
		os.WriteFile(f, []byte("b"), 0o600)
		if ok, det, err := (&NewerThanStart{Client: c, Path: f}).Check(context.Background(), time.Now().Add(-time.Minute)); !ok {
			t.Errorf("over sshd's SFTP: %v %q %v", ok, det, err)
		}
	})
}

func containsWord(s, w string) bool {
	for _, f := range strings.Fields(s) {
		if f == w {
			return true
		}
	}
	return false
}
