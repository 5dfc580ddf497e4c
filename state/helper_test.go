package state

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The tests that need a second process (a crashed wizard, a lock holder)
// re-execute this test binary, which then runs only TestHelperProcess with
// the mode named in helperEnv. Parent and child synchronise on lines written
// to the child's stdout and read from its stdin; nothing waits on a clock.
const (
	helperEnv     = "ZENRECOVER_STATE_TEST_HELPER"
	helperPathEnv = "ZENRECOVER_STATE_TEST_PATH"
	helperProc    = "ZENRECOVER_STATE_TEST_PROC"
	helperHost    = "ZENRECOVER_STATE_TEST_HOST"
	helperRun     = "ZENRECOVER_STATE_TEST_RUN"
)

func TestHelperProcess(t *testing.T) {
	mode := os.Getenv(helperEnv)
	if mode == "" {
		t.Skip("only runs as a child process of other tests")
	}
	fail := func(err error) {
		fmt.Printf("ERR %v\n", err)
		os.Exit(1)
	}
	in := bufio.NewReader(os.Stdin)
	ctx := context.Background()
	switch mode {
	case "block":
		fmt.Println("READY")

	case "crash":
		s, err := Open(os.Getenv(helperPathEnv))
		if err != nil {
			fail(err)
		}
		r, err := s.CreateRun(ctx, Run{ProcedureID: "1.1", Mode: ModeLab})
		if err != nil {
			fail(err)
		}
		start, err := ProcStartTime(os.Getpid())
		if err != nil {
			fail(err)
		}
		if _, err := s.Append(ctx, r.OwnerToken, Event{RunID: r.ID, Step: "1", Kind: EventStarted}); err != nil {
			fail(err)
		}
		if _, err := s.Append(ctx, r.OwnerToken, Event{RunID: r.ID, Step: "1", Kind: EventSucceeded}); err != nil {
			fail(err)
		}
		if _, err := s.Append(ctx, r.OwnerToken, Event{RunID: r.ID, Step: "2", Kind: EventStarted,
			PID: os.Getpid(), PIDStart: start, BootID: BootID()}); err != nil {
			fail(err)
		}
		// No Close: the store dies with the process, as in a real crash.
		fmt.Println("READY")

	case "start":
		// What runner.Start does, in its order: lock, copy, run, the run
		// in the lock, log, a step started; then it is killed mid-step.
		s, err := Open(os.Getenv(helperPathEnv))
		if err != nil {
			fail(err)
		}
		l, err := s.Lock("server-backup", "zen1", LockInfo{User: "alice"})
		if err != nil {
			fail(err)
		}
		if _, err := s.Snapshot(ctx, time.Now().UTC().Format("20060102-150405.000")+"-before-server-backup"); err != nil {
			fail(err)
		}
		r, err := s.CreateRun(ctx, Run{ProcedureID: "server-backup", Mode: ModeLab})
		if err != nil {
			fail(err)
		}
		if err := l.SetRunAt(r.ID, r.StartedAt); err != nil {
			fail(err)
		}
		lf, err := s.OpenLog(r.ID)
		if err != nil {
			fail(err)
		}
		fmt.Fprintf(lf, "=== 1.1 step 2 (zman-backup), attempt 1, %s\nEnter ZENworks administrator username: Administrator\n", time.Now().UTC().Format(time.RFC3339))
		if _, err := s.Append(ctx, r.OwnerToken, Event{RunID: r.ID, Step: "zman-backup", Kind: EventStarted, PID: os.Getpid()}); err != nil {
			fail(err)
		}
		fmt.Println("READY " + r.ID)

	case "resume":
		// What runner.Resume does to the stopped run named in the
		// environment, then a step started; then it is killed.
		s, err := Open(os.Getenv(helperPathEnv))
		if err != nil {
			fail(err)
		}
		id := os.Getenv(helperRun)
		l, err := s.Lock("server-backup", "zen1", LockInfo{User: "alice", RunID: id})
		if err != nil {
			fail(err)
		}
		tok, err := s.TakeOver(ctx, id)
		if err != nil {
			fail(err)
		}
		if err := s.SetStatus(ctx, id, tok, RunActive); err != nil {
			fail(err)
		}
		e, err := s.Append(ctx, tok, Event{RunID: id, Kind: EventResumed})
		if err != nil {
			fail(err)
		}
		if err := l.SetRunAt(id, e.At); err != nil {
			fail(err)
		}
		if _, err := s.Append(ctx, tok, Event{RunID: id, Step: "restore", Kind: EventStarted, PID: os.Getpid()}); err != nil {
			fail(err)
		}
		fmt.Println("READY " + id)

	case "lock":
		s, err := Open(os.Getenv(helperPathEnv))
		if err != nil {
			fail(err)
		}
		proc, host := os.Getenv(helperProc), os.Getenv(helperHost)
		l, err := s.Lock(proc, host, LockInfo{User: "alice"})
		if err != nil {
			fail(err)
		}
		r, err := s.CreateRun(ctx, Run{ProcedureID: proc, Mode: ModeLab, Host: host})
		if err != nil {
			fail(err)
		}
		if err := l.SetRun(r.ID); err != nil {
			fail(err)
		}
		fmt.Println("READY " + r.ID)
		// On "append", try to write as the (possibly former) owner.
		line, err := in.ReadString('\n')
		if err != nil {
			os.Exit(0)
		}
		if strings.TrimSpace(line) == "append" {
			_, err := s.Append(ctx, r.OwnerToken, Event{RunID: r.ID, Step: "9", Kind: EventStarted})
			switch {
			case err == nil:
				fmt.Println("APPENDED")
			case errors.Is(err, ErrNotOwner):
				fmt.Println("NOTOWNER")
			default:
				fmt.Printf("ERR %v\n", err)
			}
		}

	default:
		fail(fmt.Errorf("unknown helper mode %q", mode))
	}
	io.Copy(io.Discard, in) // block until the parent closes stdin or kills us
	os.Exit(0)
}

type helper struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   *bufio.Reader
	done  bool
}

func startHelper(t *testing.T, mode string, env ...string) *helper {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), append([]string{helperEnv + "=" + mode}, env...)...)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	h := &helper{cmd: cmd, stdin: stdin, out: bufio.NewReader(stdout)}
	t.Cleanup(h.kill)
	return h
}

// expect reads the child's next protocol line, which must start with word,
// and returns the rest of it.
func (h *helper) expect(t *testing.T, word string) string {
	t.Helper()
	for {
		line, err := h.out.ReadString('\n')
		if err != nil {
			t.Fatalf("helper ended before saying %s: %v (last output %q)", word, err, line)
		}
		line = strings.TrimRight(line, "\n")
		if strings.HasPrefix(line, "=== ") || strings.HasPrefix(line, "--- ") {
			continue // test framework chatter, if -test.v was inherited
		}
		if line == word || strings.HasPrefix(line, word+" ") {
			return strings.TrimSpace(strings.TrimPrefix(line, word))
		}
		t.Fatalf("helper said %q, want %s", line, word)
	}
}

func (h *helper) send(t *testing.T, line string) {
	t.Helper()
	if _, err := io.WriteString(h.stdin, line+"\n"); err != nil {
		t.Fatal(err)
	}
}

// kill sends SIGKILL and reaps the child; once Wait returns the kernel has
// closed its descriptors and dropped its flocks.
func (h *helper) kill() {
	if h.done {
		return
	}
	h.done = true
	h.cmd.Process.Kill()
	h.cmd.Wait()
}

func helperEnvFor(path string) string { return helperPathEnv + "=" + path }

func newStorePath(t *testing.T) string {
	return filepath.Join(t.TempDir(), "zenrecover", "state.db")
}

func mustOpen(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func mustCreateRun(t *testing.T, s *Store, r Run) Run {
	t.Helper()
	if r.ProcedureID == "" {
		r.ProcedureID = "1.1"
	}
	if r.Mode == "" {
		r.Mode = ModeLab
	}
	got, err := s.CreateRun(context.Background(), r)
	if err != nil {
		t.Fatalf("CreateRun: %v", err)
	}
	return got
}

func mustAppend(t *testing.T, s *Store, token string, e Event) Event {
	t.Helper()
	got, err := s.Append(context.Background(), token, e)
	if err != nil {
		t.Fatalf("Append %s %s: %v", e.Kind, e.Step, err)
	}
	return got
}
