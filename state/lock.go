package state

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"time"
)

// LockInfo describes the holder of a run lock; it is written into the lock
// file so that a refused second instance can say who is in the way.
type LockInfo struct {
	PID   int       `json:"pid"`
	User  string    `json:"user"`
	Host  string    `json:"host"`
	Since time.Time `json:"since"`
	RunID string    `json:"run_id,omitempty"`
	// Recorded is the time of a record the holder committed for RunID
	// after taking the lock (the run's start, or its resumed event). A
	// database that holds nothing of the run that recent has lost commits
	// (lost.go); a lock without it proves nothing of the kind.
	Recorded time.Time `json:"recorded,omitzero"`
}

// Lock is a held run lock: one active run per procedure and host. It is not
// safe for concurrent use.
type Lock struct {
	f    *os.File
	path string
	info LockInfo
}

// LockedError: the procedure is locked on this host by another process.
type LockedError struct {
	Holder      LockInfo // what the holder wrote; fields may be empty if it had not written yet
	Path        string   // the lock file
	ProcedureID string
	Host        string
	State       string // the state database, for the command the message suggests
}

func (e *LockedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "procedure %s on %s is already in progress", e.ProcedureID, e.Host)
	h := e.Holder
	if h.PID != 0 {
		who := "user " + h.User
		if h.User == "" {
			who = "another user"
		}
		fmt.Fprintf(&b, ": held by %s (pid %d", who, h.PID)
		if h.Host != "" {
			fmt.Fprintf(&b, " on %s", h.Host)
		}
		b.WriteString(")")
		if !h.Since.IsZero() {
			fmt.Fprintf(&b, " since %s", h.Since.Local().Format("2006-01-02 15:04:05"))
		}
	} else {
		b.WriteString(" in another zenrecover process")
	}
	if h.RunID != "" {
		fmt.Fprintf(&b, ", run %s. Wait for it to finish; if that zenrecover is gone or hung, take the run over with `%s`",
			h.RunID, CommandLine(e.State, "resume", h.RunID, "--force-unlock"))
	} else {
		b.WriteString(", which has not created its run yet. Wait for it, or stop that process")
	}
	fmt.Fprintf(&b, " [lock file %s]", e.Path)
	return b.String()
}

// Who words the holder for a message: "pid 123, user alice, on zen1, since
// 2026-01-02 03:04:05".
func (e *LockedError) Who() string {
	h := e.Holder
	if h.PID == 0 {
		return "a zenrecover that has not said who it is yet"
	}
	s := fmt.Sprintf("pid %d", h.PID)
	if h.User != "" {
		s += ", user " + h.User
	}
	if h.Host != "" {
		s += ", on " + h.Host
	}
	if !h.Since.IsZero() {
		s += ", since " + h.Since.Local().Format("2006-01-02 15:04:05")
	}
	return s
}

// lockPath names the lock of procedureID on host, in locks/ beside the
// database. The lock is a separate file because a POSIX lock on the
// database itself would be dropped whenever any descriptor of that file in
// this process is closed, SQLite's own included; flock belongs to the open
// file description and survives that.
func (s *Store) lockPath(procedureID, host string) string {
	return filepath.Join(s.dir, "locks", fileSafe(procedureID)+"@"+fileSafe(host)+".lock")
}

func fillLockInfo(info LockInfo, host string) LockInfo {
	if info.PID == 0 {
		info.PID = os.Getpid()
	}
	if info.User == "" {
		if u, err := user.Current(); err == nil {
			info.User = u.Username
		}
	}
	if info.Host == "" {
		info.Host = host
	}
	if info.Since.IsZero() {
		info.Since = time.Now()
	}
	return info
}

// Lock takes the run lock of procedureID on host without waiting, or
// returns a *LockedError naming the holder. The kernel releases a flock
// when its holder dies, even by kill -9, and a reboot forgets it, so a dead
// holder never blocks.
func (s *Store) Lock(procedureID, host string, info LockInfo) (*Lock, error) {
	if procedureID == "" || host == "" {
		return nil, fmt.Errorf("lock: procedure id and host are required (got %q, %q)", procedureID, host)
	}
	if err := ensurePrivateDir(filepath.Join(s.dir, "locks")); err != nil {
		return nil, fmt.Errorf("lock %s on %s: %w", procedureID, host, err)
	}
	path := s.lockPath(procedureID, host)
	info = fillLockInfo(info, host)
	// A ForceUnlock can replace the file between our open and our flock;
	// the lock we then hold is on an orphaned inode, which protects nothing.
	// Comparing the inode we locked with the one the path names catches that.
	for i := 0; i < 100; i++ {
		f, err := openLockFile(path, os.O_RDWR|os.O_CREATE)
		if err != nil {
			return nil, fmt.Errorf("lock %s on %s: %w", procedureID, host, err)
		}
		if err := tryLock(f, true); err != nil {
			f.Close()
			if errors.Is(err, errWouldBlock) {
				return nil, &LockedError{Holder: readLockInfo(path), Path: path, ProcedureID: procedureID, Host: host, State: s.path}
			}
			return nil, fmt.Errorf("lock %s on %s: %w", procedureID, host, err)
		}
		if same, err := isSameFile(f, path); err != nil || !same {
			f.Close()
			continue
		}
		l := &Lock{f: f, path: path, info: info}
		if err := l.write(); err != nil {
			l.Release()
			return nil, fmt.Errorf("lock %s on %s: %w", procedureID, host, err)
		}
		return l, nil
	}
	return nil, fmt.Errorf("lock %s on %s: the lock file %s keeps being replaced; is another zenrecover forcing the lock in a loop?", procedureID, host, path)
}

// ForceUnlock takes the run lock from whoever holds it and takes over the
// run: a fresh lock file, created and locked under a temporary name, is
// renamed over the old one. A live holder keeps its flock on the orphaned
// old inode, which no longer guards anything; the rename (rather than unlink
// then create) leaves no moment when the path is free for a third instance.
// Then the run's owner token is rotated, so the old holder's Appends fail
// with ErrNotOwner. The run must belong to procedureID.
func (s *Store) ForceUnlock(ctx context.Context, procedureID, host, runID string, info LockInfo) (*Lock, string, error) {
	if procedureID == "" || host == "" {
		return nil, "", fmt.Errorf("force unlock: procedure id and host are required (got %q, %q)", procedureID, host)
	}
	r, err := s.Run(ctx, runID)
	if err != nil {
		return nil, "", fmt.Errorf("force unlock: %w", err)
	}
	if r.ProcedureID != procedureID {
		return nil, "", fmt.Errorf("force unlock: run %s is a run of %s, not of %s", runID, r.ProcedureID, procedureID)
	}
	if r.Status.final() {
		return nil, "", fmt.Errorf("force unlock: run %s (%s): %w", runID, r.Status, ErrRunFinished)
	}
	dir := filepath.Join(s.dir, "locks")
	if err := ensurePrivateDir(dir); err != nil {
		return nil, "", fmt.Errorf("force unlock %s on %s: %w", procedureID, host, err)
	}
	path := s.lockPath(procedureID, host)
	info = fillLockInfo(info, host)
	info.RunID = runID

	f, err := createLockTemp(dir) // 0600
	if err != nil {
		return nil, "", fmt.Errorf("force unlock %s on %s: %w", procedureID, host, err)
	}
	tmp := f.Name()
	fail := func(err error) (*Lock, string, error) {
		f.Close()
		os.Remove(tmp)
		return nil, "", fmt.Errorf("force unlock %s on %s: %w", procedureID, host, err)
	}
	if err := tryLock(f, true); err != nil {
		return fail(err)
	}
	l := &Lock{f: f, path: path, info: info}
	if err := l.write(); err != nil {
		return fail(err)
	}
	if err := replaceLockFile(tmp, path); err != nil {
		return fail(err)
	}
	// Two forced takeovers at once: the later rename wins the path, and
	// the loser must not believe it holds the lock.
	if same, err := isSameFile(f, path); err != nil || !same {
		f.Close()
		return nil, "", &LockedError{Holder: readLockInfo(path), Path: path, ProcedureID: procedureID, Host: host, State: s.path}
	}
	tok, err := s.TakeOver(ctx, runID)
	if err != nil {
		l.Release()
		return nil, "", fmt.Errorf("force unlock: %w", err)
	}
	return l, tok, nil
}

// SetRun records the run in the lock file once the run exists, so a refused
// second instance can name it.
func (l *Lock) SetRun(runID string) error {
	if l.f == nil {
		return errors.New("lock: already released")
	}
	l.info.RunID = runID
	return l.write()
}

// SetRunAt records the run in the lock file together with the time of a
// record just committed for it (its start, or its resumed event), so that
// a database that later lacks that record is known to have lost it.
func (l *Lock) SetRunAt(runID string, recorded time.Time) error {
	if l.f == nil {
		return errors.New("lock: already released")
	}
	l.info.RunID, l.info.Recorded = runID, recorded
	return l.write()
}

// Held reports who holds the run lock of procedureID on host right now, as
// a *LockedError, or nil when nobody does (or the lock file does not
// exist). It takes no lock and changes no file: it tries a shared lock on
// the file and lets it go at once.
func (s *Store) Held(procedureID, host string) *LockedError {
	path := s.lockPath(procedureID, host)
	f, err := openLockFile(path, os.O_RDONLY)
	if err != nil {
		return nil
	}
	defer f.Close()
	err = tryLock(f, false)
	if err == nil {
		unlock(f)
		return nil
	}
	if !errors.Is(err, errWouldBlock) {
		return nil
	}
	return &LockedError{Holder: readLockInfo(path), Path: path, ProcedureID: procedureID, Host: host, State: s.path}
}

// CommandLine is the zenrecover command line that does verb with args, as
// the operator must type it: with --state when the database at statePath
// is not in the default place, or the command would look elsewhere.
func CommandLine(statePath, verb string, args ...string) string {
	c := "zenrecover " + verb
	for _, a := range args {
		c += " " + shellWord(a)
	}
	if statePath == "" {
		return c
	}
	if def, err := DefaultPath(); err == nil && filepath.Clean(def) == filepath.Clean(statePath) {
		return c
	}
	return c + " --state " + shellWord(statePath)
}

// shellWord quotes a word for a POSIX shell when it needs it.
func shellWord(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./+=:,@%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Info is what the lock file says about its holder.
func (l *Lock) Info() LockInfo { return l.info }

// Path is the lock file.
func (l *Lock) Path() string { return l.path }

// Release unlocks. The file stays: removing it would race with another
// instance that has it open and is about to lock it. Its content is
// truncated (through our descriptor, so only our inode is touched, even if
// a ForceUnlock replaced the path) so that nobody reads a stale holder from
// it. Releasing twice is harmless.
func (l *Lock) Release() error {
	if l.f == nil {
		return nil
	}
	f := l.f
	l.f = nil
	terr := f.Truncate(0)
	uerr := unlock(f)
	cerr := f.Close()
	return errors.Join(terr, uerr, cerr)
}

func (l *Lock) write() error {
	b, err := json.Marshal(l.info)
	if err != nil {
		return err
	}
	if err := l.f.Truncate(0); err != nil {
		return err
	}
	_, err = l.f.WriteAt(append(b, '\n'), 0)
	return err
}

func isSameFile(f *os.File, path string) (bool, error) {
	a, err := f.Stat()
	if err != nil {
		return false, err
	}
	b, err := os.Stat(path)
	if err != nil {
		return false, err
	}
	return os.SameFile(a, b), nil
}

// readLockInfo is best effort: a holder that has just taken the lock may
// not have written yet, and the error message copes with empty fields.
func readLockInfo(path string) LockInfo {
	var info LockInfo
	f, err := openLockFile(path, os.O_RDONLY)
	if err != nil {
		return info
	}
	defer f.Close()
	// A holder's details are a few hundred bytes; anything longer is not
	// one of ours.
	if b, err := io.ReadAll(io.LimitReader(f, 64<<10)); err == nil {
		json.Unmarshal(b, &info)
	}
	return info
}
