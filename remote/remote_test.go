//go:build !windows

package remote

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"zenrecover/actions"
)

const knownSecret = "S3cret-Passphrase-9931"

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// dialed connects to srv (trusted) or fails the test.
func dialed(t *testing.T, srv hostUnderTest) *Client {
	t.Helper()
	c, err := Dial(context.Background(), "127.0.0.1", srv.config())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// hostUnderTest is the in-process server or Debian's sshd on loopback.
type hostUnderTest interface {
	config() Config
}

func TestAnUnknownHostKeyIsShownAndTrustedOnlyOnceAccepted(t *testing.T) {
	srv := newTestServer(t)
	_, err := Dial(context.Background(), "127.0.0.1", srv.config())
	var unknown *UnknownHostKeyError
	if !errors.As(err, &unknown) {
		t.Fatalf("an unknown host was not stopped at its key: %v", err)
	}
	want := ssh.FingerprintSHA256(srv.hostKey.PublicKey())
	if unknown.Fingerprint != want || !strings.Contains(err.Error(), want) {
		t.Errorf("the fingerprint shown is %q (%v), want %q", unknown.Fingerprint, err, want)
	}
	if _, err := os.Stat(srv.knownHosts); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("known_hosts was written before the operator accepted the key: %v", err)
	}
	if err := AcceptHostKey(unknown); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(srv.knownHosts)
	if !strings.Contains(string(data), fmt.Sprintf("[127.0.0.1]:%d ssh-ed25519 ", srv.port)) {
		t.Errorf("known_hosts after accepting:\n%s", data)
	}
	c := dialed(t, srv)
	if out, err := c.Output(context.Background(), "echo", "hello"); err != nil || out != "hello\n" {
		t.Errorf("after accepting the key: %q, %v", out, err)
	}
}

func TestAChangedHostKeyIsRefused(t *testing.T) {
	srv := newTestServer(t)
	other := writeKey(t, filepath.Join(t.TempDir(), "other"))
	line := fmt.Sprintf("[127.0.0.1]:%d %s", srv.port, ssh.MarshalAuthorizedKey(other.PublicKey()))
	os.WriteFile(srv.knownHosts, []byte(line), 0o600)
	_, err := Dial(context.Background(), "127.0.0.1", srv.config())
	var changed *ChangedHostKeyError
	if !errors.As(err, &changed) {
		t.Fatalf("a changed host key was not refused: %v", err)
	}
	if !strings.Contains(err.Error(), "CHANGED") || !strings.Contains(err.Error(), srv.knownHosts+":1") {
		t.Errorf("the refusal does not say what changed and where the old key is: %v", err)
	}
	var unknown *UnknownHostKeyError
	if errors.As(err, &unknown) {
		t.Error("a changed key was offered for acceptance")
	}
}

func TestAHostThatRefusesTheKeysIsUnreachable(t *testing.T) {
	srv := newTestServer(t)
	srv.trust()
	cfg := srv.config()
	cfg.IdentityFiles = []string{filepath.Join(t.TempDir(), "id")}
	writeKey(t, cfg.IdentityFiles[0])
	_, err := Dial(context.Background(), "127.0.0.1", cfg)
	var un *UnreachableError
	if !errors.As(err, &un) || !strings.Contains(err.Error(), "no key was accepted") {
		t.Fatalf("a refused login: %v", err)
	}
}

// promptScript asks a name, then a password with echo off, and prints
// back what it read: what zman does, as far as the wizard can tell.
const promptScript = `printf 'Username: '; read u; stty -echo; printf 'Password: '; read p; stty echo; echo; echo "user=$u"; echo "pw=$p"`

func runRemotePrompts(t *testing.T, srv hostUnderTest) {
	c := dialed(t, srv)
	out := &syncBuf{}
	m := actions.NewMasker()
	var info ProcessInfo
	var answered []string
	cmd := &Command{Client: c, Argv: []string{"sh", "-c", promptScript},
		Answers: []actions.Answer{
			{Label: "Username", Pattern: regexp.MustCompile(`Username: $`), Value: "admin"},
			{Label: "Password", Pattern: regexp.MustCompile(`Password: $`), Value: knownSecret, Secret: true},
		},
		OnProcess: func(p ProcessInfo) { info = p }}
	err := cmd.Run(context.Background(), actions.IO{Output: out, Secrets: m, OnAnswer: func(l string) { answered = append(answered, l) }})
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	got := out.String()
	if !strings.Contains(got, "user=admin") || !strings.Contains(got, "pw="+actions.Mask) {
		t.Errorf("the prompts were not answered over SSH:\n%s", got)
	}
	if strings.Contains(got, knownSecret) || strings.Contains(got, headerTag) {
		t.Errorf("the output shows the secret or the wrapper's header:\n%s", got)
	}
	if fmt.Sprint(answered) != "[Username Password]" {
		t.Errorf("answered %v", answered)
	}
	boot, _ := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if info.Host != "127.0.0.1" || info.PID <= 0 || info.Start == 0 || info.BootID != strings.TrimSpace(string(boot)) {
		t.Errorf("the process there is not identified for the journal: %+v", info)
	}
}

func TestARemoteCommandAnswersItsPromptsAndMasksTheSecret(t *testing.T) {
	srv := newTestServer(t)
	srv.trust()
	runRemotePrompts(t, srv)
}

func runRemoteWaiting(t *testing.T, srv hostUnderTest) {
	c := dialed(t, srv)
	out := &syncBuf{}
	m := actions.NewMasker()
	in := make(chan actions.Reply, 1)
	var waits []actions.Waiting
	cmd := &Command{Client: c, Argv: []string{"sh", "-c", `printf 'Odd question> '; read a; echo "said=$a"`}, Settle: 100 * time.Millisecond}
	err := cmd.Run(context.Background(), actions.IO{Output: out, Secrets: m, Input: in, OnWaiting: func(w actions.Waiting) {
		waits = append(waits, w)
		if w.Line != "" {
			in <- actions.Reply{Text: "typed-by-hand"}
		}
	}})
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(waits) == 0 || waits[0].Line != "Odd question>" || !waits[0].Hidden {
		t.Fatalf("the command waiting over SSH was not cued as hidden (its terminal's modes are unknown): %+v", waits)
	}
	if strings.Contains(out.String(), "typed-by-hand") || !strings.Contains(out.String(), "said="+actions.Mask) {
		t.Errorf("a reply typed at a prompt whose echo cannot be seen was shown:\n%s", out)
	}
}

func TestARemoteCommandWaitingForTheOperatorIsCuedAndItsReplyMasked(t *testing.T) {
	srv := newTestServer(t)
	srv.trust()
	runRemoteWaiting(t, srv)
}

func TestARemoteCommandsExitStatusIsItsOwn(t *testing.T) {
	srv := newTestServer(t)
	srv.trust()
	c := dialed(t, srv)
	err := (&Command{Client: c, Argv: []string{"sh", "-c", "exit 3"}}).Run(context.Background(), actions.IO{})
	var ee *actions.ExitError
	if !errors.As(err, &ee) || ee.Code != 3 || ee.Program != "sh" {
		t.Fatalf("exit 3 over SSH gave %v", err)
	}
}

func TestAnArgumentCannotBecomeAShellCommandThere(t *testing.T) {
	srv := newTestServer(t)
	srv.trust()
	c := dialed(t, srv)
	marker := filepath.Join(t.TempDir(), "injected")
	arg := `x'; touch ` + marker + `; echo '$(touch ` + marker + `)"`
	out := &syncBuf{}
	if err := (&Command{Client: c, Argv: []string{"printf", `%s\n`, arg}}).Run(context.Background(), actions.IO{Output: out}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("an argument ran as a command on the other host")
	}
	if !strings.Contains(out.String(), arg) {
		t.Errorf("the argument did not arrive as one word: %q", out)
	}
}

func TestASecretNeverGoesOnTheOtherHostsCommandLine(t *testing.T) {
	srv := newTestServer(t)
	srv.trust()
	c := dialed(t, srv)
	m := actions.NewMasker()
	m.Add(knownSecret)
	for _, cmd := range []*Command{
		{Client: c, Argv: []string{"zman", "-P", knownSecret}},
		{Client: c, Argv: []string{"true"}, Env: []string{"PW=" + knownSecret}},
	} {
		err := cmd.Run(context.Background(), actions.IO{Secrets: m})
		if err == nil || strings.Contains(err.Error(), knownSecret) {
			t.Errorf("%v: a secret on the command line was not refused, or the refusal shows it: %v", cmd.Argv, err)
		}
	}
}

func TestACutConnectionLeavesTheCommandInDoubtAndAliveTellsItsFate(t *testing.T) {
	srv := newTestServer(t)
	srv.trust()
	c := dialed(t, srv)
	started := make(chan ProcessInfo, 1)
	errc := make(chan error, 1)
	go func() {
		errc <- (&Command{Client: c, Argv: []string{"sleep", "60"}, OnProcess: func(p ProcessInfo) { started <- p }}).Run(context.Background(), actions.IO{})
	}()
	info := <-started
	look := dialed(t, srv)
	if alive, err := look.Alive(context.Background(), info); err != nil || !alive {
		t.Fatalf("the running command is not seen alive there: %v %v", alive, err)
	}
	srv.cut()
	err := <-errc
	if !errors.Is(err, ErrConnectionLost) {
		t.Fatalf("a cut connection gave %v, want ErrConnectionLost (in doubt, not failed)", err)
	}
	look = dialed(t, srv)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		alive, err := look.Alive(context.Background(), info)
		if err != nil {
			t.Fatal(err)
		}
		if !alive {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the command outlived its hung-up terminal by 10 s")
		}
	}
	if alive, _ := look.Alive(context.Background(), ProcessInfo{PID: info.PID, Start: info.Start, BootID: "another-boot"}); alive {
		t.Error("a process of another boot was seen alive")
	}
}

func TestCancellingARemoteCommandStopsIt(t *testing.T) {
	srv := newTestServer(t)
	srv.trust()
	c := dialed(t, srv)
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan ProcessInfo, 1)
	errc := make(chan error, 1)
	go func() {
		errc <- (&Command{Client: c, Argv: []string{"sleep", "60"}, KillGrace: 200 * time.Millisecond,
			OnProcess: func(p ProcessInfo) { started <- p }}).Run(ctx, actions.IO{})
	}()
	info := <-started
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
	look := dialed(t, srv)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if alive, _ := look.Alive(context.Background(), info); !alive {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the cancelled command still runs there")
		}
	}
}

func TestFilesThereAreCheckedAndFetchedOverSFTP(t *testing.T) {
	srv := newTestServer(t)
	srv.trust()
	c := dialed(t, srv)
	there := t.TempDir()
	os.MkdirAll(filepath.Join(there, "security", "sub"), 0o700)
	os.WriteFile(filepath.Join(there, "security", "zenca.keystore"), []byte("keystore"), 0o600)
	os.WriteFile(filepath.Join(there, "security", "sub", "CaConfig.xml"), []byte("<x/>"), 0o644)
	ctx := context.Background()
	start := time.Now()
	if ok, det, err := (&FileExists{Client: c, Path: filepath.Join(there, "security", "zenca.keystore")}).Check(ctx, start); !ok || err != nil {
		t.Errorf("an existing file there: %v %q %v", ok, det, err)
	}
	ok, det, err := (&FileExists{Client: c, Path: filepath.Join(there, "missing.bak")}).Check(ctx, start)
	if ok || err != nil || !strings.Contains(det, "does not exist on 127.0.0.1") {
		t.Errorf("a missing file there: %v %q %v", ok, det, err)
	}
	old := filepath.Join(there, "old.bak")
	os.WriteFile(old, nil, 0o600)
	os.Chtimes(old, start.Add(-time.Hour), start.Add(-time.Hour))
	if ok, det, _ := (&NewerThanStart{Client: c, Path: old}).Check(ctx, start); ok || !strings.Contains(det, "before the step started") {
		t.Errorf("a file older than the step: %v %q", ok, det)
	}
	os.Chtimes(old, start.Add(2*time.Second), start.Add(2*time.Second))
	if ok, det, err := (&NewerThanStart{Client: c, Path: old}).Check(ctx, start); !ok {
		t.Errorf("a file the step wrote: %v %q %v", ok, det, err)
	}
	here := filepath.Join(t.TempDir(), "copy")
	if err := (&Fetch{Client: c, From: filepath.Join(there, "security"), To: here}).Run(ctx, actions.IO{}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(here, "sub", "CaConfig.xml"))
	fi, err := os.Stat(filepath.Join(here, "zenca.keystore"))
	if string(b) != "<x/>" || err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("the folder fetched over SFTP: %q, %v, %v", b, fi, err)
	}
}
