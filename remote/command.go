package remote

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"

	"zenrecover/actions"
)

// ProcessInfo is what the journal records of a command started on another
// host: where, which process, since when (clock ticks since that host's
// boot, /proc/PID/stat field 22), and which boot.
type ProcessInfo struct {
	Host   string
	PID    int
	Start  uint64
	BootID string
}

// ErrConnectionLost: the connection dropped while the command ran. It may
// still run there; the step is in doubt, not failed.
var ErrConnectionLost = errors.New("the connection was lost while the command ran; it may still be running there")

// headerTag starts the line the wrapper prints before exec'ing the
// command. It is read and dropped, never shown.
const headerTag = "zenrecover-remote-pid"

// wrapper prints the header and becomes the command (exec keeps the pid).
// $1... are the command's words: nothing of them is parsed by a shell.
const wrapper = `echo "` + headerTag + ` $$ $(cut -d' ' -f22 /proc/$$/stat 2>/dev/null || echo 0) $(cat /proc/sys/kernel/random/boot_id 2>/dev/null || echo -) $(date +%s)"; exec "$@"`

// Command runs Argv on a host over SSH under a pseudo-terminal, answering
// its prompts as actions.Command does locally.
type Command struct {
	Client  *Client
	Argv    []string // argv[0] is looked up on that host's PATH (or Env's)
	Env     []string // NAME=value set for the command there (never a secret)
	Dir     string   // working directory there; "" is the login's home
	Answers []actions.Answer
	// Display is the command as the operator knows it (before a lab
	// rebases it); Describe shows it.
	Display   []string
	KillGrace time.Duration
	Settle    time.Duration
	// OnProcess, when set, gets the process's identity on that host as
	// soon as it is known, before any of its output is read (IO.OnStart
	// gets its pid too).
	OnProcess func(ProcessInfo)
}

// Describe says what would run, and where.
func (c *Command) Describe() string {
	inner := &actions.Command{Argv: c.Argv, Display: c.Display, Answers: c.Answers}
	return "on " + c.Client.Host + " over SSH: " + inner.Describe()
}

// shellLine quotes argv word by word for the remote login shell.
func shellLine(argv []string) string {
	q := make([]string, len(argv))
	for i, a := range argv {
		q[i] = shellQuote(a)
	}
	return strings.Join(q, " ")
}

func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// line is the command line the remote login shell gets.
func (c *Command) line() string {
	words := []string{"exec", "env"}
	words = append(words, c.Env...)
	words = append(words, "sh", "-c", wrapper, "sh")
	words = append(words, c.Argv...)
	l := shellLine(words)
	if c.Dir != "" {
		l = "cd " + shellQuote(c.Dir) + " && " + l
	}
	return l
}

// Run runs the command there; see the package documentation.
func (c *Command) Run(ctx context.Context, rio actions.IO) error {
	secrets := rio.Secrets
	if secrets == nil {
		secrets = actions.NewMasker()
		rio.Secrets = secrets
	}
	for _, a := range c.Answers {
		if a.Secret {
			secrets.Add(a.Value)
		}
	}
	if len(c.Argv) == 0 || c.Argv[0] == "" {
		return errors.New("run: no command")
	}
	prog := secrets.String(path.Base(c.Argv[0]))
	for i, a := range c.Argv {
		if i > 0 && secrets.Contains(a) {
			return fmt.Errorf("run %s on %s: argument %d contains a secret; secrets are only typed into the terminal, never passed as arguments", prog, c.Client.Host, i)
		}
	}
	for i, e := range c.Env {
		name, _, ok := strings.Cut(e, "=")
		if !ok || name == "" || strings.ContainsAny(name, " '\"$;") {
			return fmt.Errorf("run %s on %s: environment entry %d is not NAME=value", prog, c.Client.Host, i)
		}
		if secrets.Contains(e) {
			return fmt.Errorf("run %s on %s: environment entry %s holds a secret; it would be on that host's command line", prog, c.Client.Host, name)
		}
	}
	if err := actions.ValidateAnswers(prog, c.Answers); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s not started: %w", prog, err)
	}
	sess, err := c.Client.ssh.NewSession()
	if err != nil {
		return fmt.Errorf("run %s on %s: %w: %w", prog, c.Client.Host, ErrConnectionLost, err)
	}
	modes := ssh.TerminalModes{ssh.ECHO: 1, ssh.TTY_OP_ISPEED: 38400, ssh.TTY_OP_OSPEED: 38400}
	if err := sess.RequestPty("dumb", 40, 120, modes); err != nil {
		sess.Close()
		return fmt.Errorf("run %s on %s: no pseudo-terminal there: %w", prog, c.Client.Host, err)
	}
	stdin, err1 := sess.StdinPipe()
	stdout, err2 := sess.StdoutPipe()
	if err := errors.Join(err1, err2); err != nil {
		sess.Close()
		return fmt.Errorf("run %s on %s: %w", prog, c.Client.Host, err)
	}
	if err := sess.Start(c.line()); err != nil {
		sess.Close()
		return fmt.Errorf("start %s on %s: %s", prog, c.Client.Host, secrets.String(err.Error()))
	}
	t := &remoteTerm{sess: sess, stdin: stdin, exited: make(chan struct{})}
	go func() {
		t.waitErr = sess.Wait()
		close(t.exited)
	}()
	br := bufio.NewReaderSize(stdout, 32<<10)
	info, err := c.readHeader(ctx, br, t)
	if err != nil {
		sess.Close()
		<-t.exited
		if errors.Is(err, ErrConnectionLost) {
			return fmt.Errorf("run %s on %s: %w", prog, c.Client.Host, err)
		}
		return fmt.Errorf("run %s on %s: %s", prog, c.Client.Host, secrets.String(err.Error()))
	}
	t.out = br
	if c.OnProcess != nil {
		c.OnProcess(info)
	}
	if rio.OnStart != nil {
		rio.OnStart(info.PID)
	}
	cancelled, waitErr := actions.RunTerminal(ctx, t, c.Answers, c.Settle, c.KillGrace, rio)
	if cancelled {
		return fmt.Errorf("%s on %s stopped: %w", prog, c.Client.Host, ctx.Err())
	}
	var ee *ssh.ExitError
	switch {
	case waitErr == nil:
		return nil
	case errors.As(waitErr, &ee) && ee.Signal() != "":
		return &actions.ExitError{Program: prog, Code: -1, Signal: "SIG" + ee.Signal()}
	case errors.As(waitErr, &ee):
		return &actions.ExitError{Program: prog, Code: ee.ExitStatus()}
	}
	return fmt.Errorf("%s on %s (pid %d): %w", prog, c.Client.Host, info.PID, ErrConnectionLost)
}

// readHeader reads the wrapper's line: the process's identity there.
func (c *Command) readHeader(ctx context.Context, br *bufio.Reader, t *remoteTerm) (ProcessInfo, error) {
	type res struct {
		line string
		err  error
	}
	ch := make(chan res, 1)
	go func() {
		l, err := br.ReadString('\n')
		ch <- res{l, err}
	}()
	var r res
	select {
	case r = <-ch:
	case <-ctx.Done():
		t.sess.Close()
		<-ch
		return ProcessInfo{}, ctx.Err()
	}
	if r.err != nil {
		// The session ended before the first line: the connection broke,
		// or sshd ended the session. The command may have started: that
		// is a step in doubt, not a failure.
		return ProcessInfo{}, fmt.Errorf("the session ended before the command said it had started (%v): %w", r.err, ErrConnectionLost)
	}
	info, remoteNow, ok := parseHeader(r.line)
	if !ok {
		// sh or the login shell said something else first (a missing
		// sh, a cd that failed): that is the error.
		return ProcessInfo{}, fmt.Errorf("the command did not start there: %s", strings.TrimSpace(actions.Sanitize(r.line)))
	}
	info.Host = c.Client.Host
	if remoteNow > 0 {
		c.Client.mu.Lock()
		c.Client.skew = time.Unix(remoteNow, 0).Sub(time.Now())
		c.Client.mu.Unlock()
	}
	return info, nil
}

func parseHeader(line string) (info ProcessInfo, remoteNow int64, ok bool) {
	f := strings.Fields(line)
	if len(f) != 5 || f[0] != headerTag {
		return info, 0, false
	}
	pid, err := strconv.Atoi(f[1])
	if err != nil || pid <= 0 {
		return info, 0, false
	}
	start, _ := strconv.ParseUint(f[2], 10, 64)
	now, _ := strconv.ParseInt(f[4], 10, 64)
	boot := f[3]
	if boot == "-" {
		boot = ""
	}
	return ProcessInfo{PID: pid, Start: start, BootID: boot}, now, true
}

// remoteTerm is an SSH session's pseudo-terminal as actions drives it.
type remoteTerm struct {
	sess    *ssh.Session
	stdin   io.WriteCloser
	out     io.Reader
	exited  chan struct{}
	waitErr error
	once    sync.Once
}

func (t *remoteTerm) Read(p []byte) (int, error)  { return t.out.Read(p) }
func (t *remoteTerm) Write(p []byte) (int, error) { return t.stdin.Write(p) }
func (t *remoteTerm) Modes() (bool, bool, error)  { return false, false, actions.ErrModesUnknown }
func (t *remoteTerm) WaitExited()                 { <-t.exited }

func (t *remoteTerm) Close() error {
	t.once.Do(func() { t.sess.Close() })
	return nil
}

func (t *remoteTerm) Wait() error {
	<-t.exited
	return t.waitErr
}

// Signal: SIGTERM through the session (sshd passes it on); for a kill, the
// session is closed too, and sshd's hang-up of the terminal reaches the
// whole process group.
func (t *remoteTerm) Signal(kill bool) {
	if !kill {
		t.sess.Signal(ssh.SIGTERM)
		return
	}
	t.sess.Signal(ssh.SIGKILL)
	t.Close()
}

// Alive asks the host whether the process a journal recorded still runs:
// the same pid with the same start time, in the same boot. A boot id that
// differs means the host rebooted, so it does not.
func (c *Client) Alive(ctx context.Context, p ProcessInfo) (bool, error) {
	out, err := c.Output(ctx, "sh", "-c", `cat /proc/sys/kernel/random/boot_id; cut -d' ' -f22 "/proc/$1/stat" 2>/dev/null || true`, "sh", strconv.Itoa(p.PID))
	if err != nil {
		return false, fmt.Errorf("%s: cannot look at pid %d: %w", c.Host, p.PID, err)
	}
	lines := readLines(out)
	if len(lines) == 0 {
		return false, fmt.Errorf("%s: no answer about pid %d", c.Host, p.PID)
	}
	if p.BootID != "" && strings.TrimSpace(lines[0]) != p.BootID {
		return false, nil
	}
	if len(lines) < 2 {
		return false, nil
	}
	st, err := strconv.ParseUint(strings.TrimSpace(lines[1]), 10, 64)
	return err == nil && (p.Start == 0 || st == p.Start), nil
}
