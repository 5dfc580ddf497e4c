//go:build !windows

package actions

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
	"golang.org/x/term"

	"zenrecover/lab/labtest/tmpfs"
)

// fakeEnv selects what the re-executed test binary pretends to be.
const fakeEnv = "ZENRECOVER_ACTIONS_FAKE"

func TestMain(m *testing.M) {
	if mode := os.Getenv(fakeEnv); mode != "" {
		os.Exit(fakeTool(mode))
	}
	os.Exit(tmpfs.Main(m))
}

// fakeTool behaves like the interactive tools the wizard drives.
func fakeTool(mode string) int {
	switch mode {
	case "interactive":
		fmt.Print("Username: ")
		name := readLine()
		fmt.Print("Password: ")
		pw, err := term.ReadPassword(0)
		if err != nil {
			fmt.Println("no terminal:", err)
			return 10
		}
		fmt.Print("\nPassphrase: ")
		pp1, _ := term.ReadPassword(0)
		fmt.Print("\nConfirm passphrase: ")
		pp2, _ := term.ReadPassword(0)
		fmt.Printf("\nuser=%s\npass-len=%d\n", name, len(pw))
		fmt.Printf("LEAK:%s\n", pw)
		// Split by an escape sequence the sanitizer removes.
		fmt.Printf("LEAK2:%s\x1b[1m%s\x1b[0m\n", pp1[:4], pp1[4:])
		if !bytes.Equal(pp1, pp2) {
			fmt.Println("passphrases differ")
			return 3
		}
		return 0
	case "ask":
		fmt.Print("Favourite colour? ")
		fmt.Printf("colour=%s\n", readLine())
		// Echo goes off before the prompt appears, as a careful getpass does.
		t, err := unix.IoctlGetTermios(0, unix.TCGETS)
		if err != nil {
			return 10
		}
		old := *t
		t.Lflag &^= unix.ECHO
		unix.IoctlSetTermios(0, unix.TCSETS, t)
		fmt.Print("PIN: ")
		pin := readLine()
		unix.IoctlSetTermios(0, unix.TCSETS, &old)
		fmt.Printf("\nLEAK:%s\n", pin)
		return 0
	case "hang", "hang-stubborn":
		if mode == "hang-stubborn" {
			signal.Ignore(syscall.SIGTERM, syscall.SIGHUP)
		}
		gc := exec.Command(os.Args[0])
		gc.Env = append(os.Environ(), fakeEnv+"=sleep-"+mode)
		gc.Stdin, gc.Stdout, gc.Stderr = os.Stdin, os.Stdout, os.Stderr
		if err := gc.Start(); err != nil {
			fmt.Println("start:", err)
			return 10
		}
		fmt.Printf("grandchild=%d\n", gc.Process.Pid)
		time.Sleep(time.Hour)
		return 0
	case "sleep-hang-stubborn":
		signal.Ignore(syscall.SIGTERM, syscall.SIGHUP)
		time.Sleep(time.Hour)
		return 0
	case "sleep-hang":
		time.Sleep(time.Hour)
		return 0
	case "colours":
		fmt.Print("\x1b[32mOK\x1b[0m 50%\r100%\r\n")
		return 0
	}
	return 99
}

// readLine reads one line from stdin a byte at a time, so that nothing is
// buffered away from a later ReadPassword.
func readLine() string {
	var b []byte
	one := make([]byte, 1)
	for {
		n, err := os.Stdin.Read(one)
		if n == 1 {
			if one[0] == '\n' {
				return strings.TrimSuffix(string(b), "\r")
			}
			b = append(b, one[0])
		}
		if err != nil {
			return string(b)
		}
	}
}

func fakeCommand(mode string) *Command {
	return &Command{
		Argv: []string{os.Args[0], "-test.run=^$"},
		Env:  append(os.Environ(), fakeEnv+"="+mode),
	}
}

// watchWriter collects output and tells a waiter when a pattern appears.
type watchWriter struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	re    *regexp.Regexp
	found chan []string
}

func newWatchWriter(pattern string) *watchWriter {
	w := &watchWriter{found: make(chan []string, 1)}
	if pattern != "" {
		w.re = regexp.MustCompile(pattern)
	}
	return w
}

func (w *watchWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if w.re != nil {
		if m := w.re.FindStringSubmatch(w.buf.String()); m != nil {
			w.found <- m
			w.re = nil
		}
	}
	return len(p), nil
}

func (w *watchWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

const (
	testPassword   = "pw-Secr3t!x"
	testPassphrase = "pp-0123456789"
)

func interactiveAnswers(confirm string) []Answer {
	a := []Answer{
		{Label: "Username", Pattern: regexp.MustCompile(`(?i)username:\s*$`), Value: "admin-jo"},
		{Label: "Password", Pattern: regexp.MustCompile(`(?i)^password:\s*$`), Value: testPassword, Secret: true},
	}
	if confirm != "" {
		a = append(a, Answer{Label: "Confirm", Pattern: regexp.MustCompile(`(?i)confirm passphrase:\s*$`), Value: confirm, Secret: true})
	}
	return append(a, Answer{Label: "Passphrase", Pattern: regexp.MustCompile(`(?i)passphrase:\s*$`), Value: testPassphrase, Secret: true, Repeat: true})
}

// procFile reads /proc/<pid>/<name>. It is empty while the process has no
// memory map, which a race-detector build briefly goes through when it
// re-executes itself at start-up; read again then.
func procFile(t *testing.T, pid int, name string) string {
	t.Helper()
	for i := 0; ; i++ {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/%s", pid, name))
		if err != nil {
			t.Errorf("read /proc/%d/%s: %v", pid, name, err)
		}
		if len(b) > 0 || err != nil || i == 100000 {
			return string(b)
		}
		runtime.Gosched()
	}
}

func TestCommandAnswersPromptsAndMasks(t *testing.T) {
	// The plain front end's secret variables must not reach the child.
	t.Setenv(secretEnvPrefix+"ADMIN_PASSWORD", testPassword)
	t.Setenv(fakeEnv, "interactive")
	cmd := &Command{Argv: []string{os.Args[0], "-test.run=^$"}, Answers: interactiveAnswers("")}

	out := newWatchWriter("")
	var labels []string
	var cmdline, environ string
	secrets := NewMasker()
	err := cmd.Run(context.Background(), IO{
		Output:  out,
		Secrets: secrets,
		OnStart: func(pid int) {
			cmdline = procFile(t, pid, "cmdline")
			environ = procFile(t, pid, "environ")
		},
		OnAnswer: func(l string) { labels = append(labels, l) },
	})
	got := out.String()
	t.Logf("output:\n%s", got)
	if err != nil {
		t.Fatalf("Run: %v\noutput:\n%s", err, got)
	}
	if want := []string{"Username", "Password", "Passphrase", "Passphrase"}; strings.Join(labels, ",") != strings.Join(want, ",") {
		t.Errorf("answered %v, want %v", labels, want)
	}
	for _, want := range []string{"user=admin-jo\n", "pass-len=11\n", "LEAK:" + Mask + "\n", "LEAK2:" + Mask + "\n", "Username: admin-jo\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	for _, s := range []string{testPassword, testPassphrase, "\r", "\x1b"} {
		if strings.Contains(got, s) {
			t.Errorf("output contains %q:\n%q", s, got)
		}
	}
	for name, text := range map[string]string{"cmdline": cmdline, "environ": environ} {
		if text == "" {
			t.Errorf("%s is empty", name)
		}
		if strings.Contains(text, testPassword) || strings.Contains(text, testPassphrase) {
			t.Errorf("/proc/<pid>/%s contains a secret", name)
		}
	}
	if !strings.Contains(environ, "TERM=dumb") {
		t.Errorf("environ lacks TERM=dumb")
	}
	if !secrets.Contains(testPassphrase) {
		t.Errorf("the Secret answers were not added to io.Secrets")
	}
}

func TestCommandMismatchExitError(t *testing.T) {
	cmd := fakeCommand("interactive")
	cmd.Answers = interactiveAnswers("a-different-passphrase")
	out := newWatchWriter("")
	err := cmd.Run(context.Background(), IO{Output: out})
	var ee *ExitError
	if !errors.As(err, &ee) || ee.Code != 3 {
		t.Fatalf("Run = %v, want *ExitError with Code 3\noutput:\n%s", err, out)
	}
	msg := err.Error()
	for _, s := range []string{testPassword, testPassphrase, "a-different-passphrase"} {
		if strings.Contains(msg, s) || strings.Contains(out.String(), s) {
			t.Errorf("error or output contains secret %q: %s", s, msg)
		}
	}
	if !strings.Contains(msg, "status 3") {
		t.Errorf("message %q does not give the status", msg)
	}
}

func TestCommandUnknownPromptFromInput(t *testing.T) {
	t.Parallel()
	cmd := fakeCommand("ask")
	input := make(chan Reply, 2)
	answered := map[string]bool{}
	replies := map[string]string{"Favourite colour? ": "teal", "PIN: ": "4711-9876"}
	out := newWatchWriter("")
	var prompts []string
	err := cmd.Run(context.Background(), IO{
		Output: out,
		Input:  input,
		OnPrompt: func(p string) {
			prompts = append(prompts, p)
			if r, ok := replies[p]; ok && !answered[p] {
				answered[p] = true
				input <- Reply{Text: r}
			}
		},
	})
	got := out.String()
	t.Logf("output:\n%s\nprompts: %q", got, prompts)
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, got)
	}
	if !strings.Contains(got, "colour=teal\n") {
		t.Errorf("operator's answer not delivered:\n%s", got)
	}
	// Typed while echo was off: treated as a secret from then on.
	if strings.Contains(got, "4711-9876") || !strings.Contains(got, "LEAK:"+Mask) {
		t.Errorf("PIN typed without echo was not masked:\n%s", got)
	}
	if len(answered) != 2 {
		t.Errorf("prompts seen %q", prompts)
	}
}

// processDead reports whether pid is gone, a zombie, or already exiting
// (it may have closed its files, ending our output, a moment before the
// kernel marks it a zombie).
func processDead(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	if fields[0] == "Z" || fields[0] == "X" {
		return true
	}
	flags, _ := strconv.ParseUint(fields[6], 10, 64)
	const pfExiting = 0x4
	return flags&pfExiting != 0
}

func testCancel(t *testing.T, mode string) {
	cmd := fakeCommand(mode)
	cmd.KillGrace = 50 * time.Millisecond
	out := newWatchWriter(`grandchild=(\d+)\n`)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var pid int
	done := make(chan error, 1)
	go func() {
		done <- cmd.Run(ctx, IO{Output: out, OnStart: func(p int) { pid = p }})
	}()
	var gpid int
	select {
	case m := <-out.found:
		gpid, _ = strconv.Atoi(m[1])
	case err := <-done:
		t.Fatalf("Run returned before the grandchild started: %v\n%s", err, out)
	case <-time.After(time.Minute): // only a guard against hanging the suite
		t.Fatalf("no grandchild reported:\n%s", out)
	}
	cancel()
	err := <-done
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Run = %v, want context.Canceled", err)
	}
	if !processDead(pid) {
		t.Errorf("child %d survived", pid)
	}
	if !processDead(gpid) {
		t.Errorf("grandchild %d survived", gpid)
		syscall.Kill(gpid, syscall.SIGKILL)
	}
}

func TestCommandCancelKillsProcessGroup(t *testing.T) { testCancel(t, "hang") }

func TestCommandCancelEscalatesToSIGKILL(t *testing.T) { testCancel(t, "hang-stubborn") }

func TestCommandOutputSanitized(t *testing.T) {
	t.Parallel()
	out := newWatchWriter("")
	if err := fakeCommand("colours").Run(context.Background(), IO{Output: out}); err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), "OK 50%\n100%\n"; got != want {
		t.Errorf("output %q, want %q", got, want)
	}
}

func TestCommandRefusesSecretInArgv(t *testing.T) {
	cmd := &Command{Argv: []string{"/bin/echo", "--password=" + testPassword}}
	err := cmd.Run(context.Background(), IO{Secrets: NewMasker(testPassword)})
	if err == nil || strings.Contains(err.Error(), testPassword) {
		t.Fatalf("Run = %v, want a refusal without the secret", err)
	}
}

// A password that happens to be part of the tool's own path ("novell" in
// /opt/novell/zenworks/bin/zman) is not a secret passed as an argument.
func TestCommandRunsAToolWhosePathHoldsTheSecret(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "opt", "novell", "bin")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir+"/zman", []byte("#!/bin/sh\necho ok\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := &Command{Argv: []string{dir + "/zman", "zenserver-backup"}}
	if err := cmd.Run(context.Background(), IO{Secrets: NewMasker("novell")}); err != nil {
		t.Fatalf("Run = %v", err)
	}
}

func TestCommandRefusesControlCharacterInAnswer(t *testing.T) {
	t.Parallel()
	cmd := &Command{Argv: []string{"/bin/true"}, Answers: []Answer{{Label: "P", Pattern: regexp.MustCompile("x"), Value: "a\x03b", Secret: true}}}
	if err := cmd.Run(context.Background(), IO{}); err == nil {
		t.Fatal("a value with ^C was accepted")
	}
}

func TestCommandNotFound(t *testing.T) {
	cmd := &Command{Argv: []string{"zenrecover-no-such-tool"}, Env: []string{"PATH=/nonexistent"}}
	err := cmd.Run(context.Background(), IO{})
	if err == nil || !strings.Contains(err.Error(), "not found") {
		t.Fatalf("Run = %v", err)
	}
}

func TestCommandLooksUpChildPath(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	script := "#!/bin/sh\necho lab-zman \"$@\"\n"
	if err := os.WriteFile(dir+"/zman", []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	out := newWatchWriter("")
	cmd := &Command{Argv: []string{"zman", "zenserver-backup"}, Env: []string{"PATH=" + dir + ":/usr/bin:/bin"}}
	if err := cmd.Run(context.Background(), IO{Output: out}); err != nil {
		t.Fatal(err)
	}
	if out.String() != "lab-zman zenserver-backup\n" {
		t.Errorf("output %q", out)
	}
}

// Not parallel: it looks for any session goroutine in the process, and a
// parallel test's command still running is one (a flake under load).
func TestCommandNoGoroutineLeak(t *testing.T) {
	if err := fakeCommand("colours").Run(context.Background(), IO{}); err != nil {
		t.Fatal(err)
	}
	// The session's goroutines have returned from wg.Done by now; give the
	// scheduler a chance to retire them before looking.
	for i := 0; ; i++ {
		buf := make([]byte, 1<<20)
		stacks := string(buf[:runtime.Stack(buf, true)])
		if !strings.Contains(stacks, "(*ptySession)") {
			return
		}
		if i == 10000 {
			t.Fatalf("session goroutines left:\n%s", stacks)
		}
		runtime.Gosched()
	}
}

func TestCommandDescribe(t *testing.T) {
	t.Parallel()
	cmd := &Command{
		Argv:    []string{"zman", "zenserver-backup", "/root/b.bak", "it's"},
		Answers: interactiveAnswers(""),
		Rebase:  func(s string) string { return strings.Replace(s, "/root", "/lab/root", 1) },
	}
	got := cmd.Describe()
	want := `run: zman zenserver-backup /lab/root/b.bak 'it'\''s' (answers 3 prompts: Username "admin-jo", Password ••••••, Passphrase •••••• (repeatable))`
	if got != want {
		t.Errorf("Describe:\n got %s\nwant %s", got, want)
	}
}

func TestChildEnv(t *testing.T) {
	t.Parallel()
	m := NewMasker("hunter22")
	env := childEnv([]string{"A=1", "B=x-hunter22", secretEnvPrefix + "X=short", "TERM=vt100"}, m)
	if got := strings.Join(env, " "); got != "A=1 TERM=vt100" {
		t.Errorf("childEnv = %q", got)
	}
	env = childEnv([]string{"A=1"}, m)
	if got := strings.Join(env, " "); got != "A=1 TERM=dumb" {
		t.Errorf("childEnv = %q", got)
	}
}
