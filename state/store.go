package state

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"modernc.org/sqlite"
)

// Store is the checkpoint database of one user on one machine. It is safe for
// concurrent use by several goroutines and, through SQLite's own locking, by
// several processes.
type Store struct {
	db   *sql.DB
	path string
	dir  string
	// readOnly says why the state directory cannot be written ("" when it
	// can): the store then lists and reads, and every write is refused
	// with that reason and how to fix it (ReadOnlyError).
	readOnly string
}

// DefaultPath is $XDG_STATE_HOME/zenrecover/state.db, or
// ~/.local/state/zenrecover/state.db when XDG_STATE_HOME is unset. A relative
// XDG_STATE_HOME is ignored, as the XDG specification asks. On Windows it is
// in the user's local application data: %LOCALAPPDATA%\zenrecover\state.db
// (local, never roaming: a roaming profile is copied to a server, and SQLite's
// WAL needs a local disk).
func DefaultPath() (string, error) {
	home, _ := os.UserHomeDir()
	return defaultPathFor(runtime.GOOS, os.Getenv, home)
}

func defaultPathFor(goos string, getenv func(string) string, home string) (string, error) {
	if goos == "windows" {
		if x := getenv("LOCALAPPDATA"); x != "" {
			return filepath.Join(x, "zenrecover", "state.db"), nil
		}
		return "", fmt.Errorf("cannot find the default state directory (LOCALAPPDATA is not set); name one with --state PATH")
	}
	if x := getenv("XDG_STATE_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "zenrecover", "state.db"), nil
	}
	if home == "" {
		return "", fmt.Errorf("cannot find the default state directory (no home directory); name one with --state PATH")
	}
	return filepath.Join(home, ".local", "state", "zenrecover", "state.db"), nil
}

// dsn sets every pragma in the connection string because database/sql pools
// connections: a PRAGMA statement run after opening would configure only the
// one connection it happened to run on, and the next Append could commit on
// a connection with synchronous=NORMAL. The driver applies _pragma values to
// each connection it opens. _txlock=immediate makes every write transaction
// take the write lock at BEGIN, so the owner-token check and the insert that
// follows it cannot be interleaved with another writer's, and a busy database
// waits (busy_timeout) at BEGIN instead of failing at COMMIT.
func dsn(path string) string {
	return fileURI(runtime.GOOS, path) +
		"?_pragma=busy_timeout(10000)" +
		"&_pragma=foreign_keys(1)" +
		"&_pragma=journal_mode(WAL)" +
		"&_pragma=synchronous(FULL)" +
		"&_txlock=immediate"
}

// fileURI is path as a file: URI for SQLite on goos: characters such as
// '?', '#' and '%' in it are escaped or SQLite would read them as URI
// syntax, and a Windows path goes as /C:/x, which SQLite reads as C:\x.
func fileURI(goos, path string) string {
	if goos == "windows" {
		path = "/" + strings.ReplaceAll(path, `\`, "/")
	}
	u := url.URL{Path: path}
	return "file:" + u.EscapedPath()
}

// dsnReadOnly opens a database in a directory this process cannot write.
// SQLite reads a WAL database only through its -shm file, which it cannot
// create there: with a -wal and a -shm left beside it, mode=ro reads both;
// with no -wal (closed cleanly: everything is in the file) immutable=1
// reads the file alone. Open refuses the remaining case (a -wal without
// its -shm), where immutable would silently skip the newest records.
func dsnReadOnly(path string, immutable bool) string {
	d := fileURI(runtime.GOOS, path) + "?mode=ro"
	if immutable {
		d += "&immutable=1"
	}
	return d + "&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)"
}

// Open opens (creating if needed) the state database at path, checks that it
// is configured as required and undamaged, and brings its schema up to date.
// It never replaces an unreadable database with a new one.
func Open(path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("state database: no path given")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("state database %s: %w", path, err)
	}
	dir := filepath.Dir(abs)
	if err := ensurePrivateDir(dir); err != nil {
		return nil, fmt.Errorf("state database %s: %w", abs, err)
	}
	if err := checkLocalFS(dir); err != nil {
		return nil, fmt.Errorf("state database %s: %w", abs, err)
	}
	fi, statErr := os.Stat(abs)
	existed := statErr == nil
	ro := readOnlyDir(dir)
	switch {
	case ro != "" && !existed:
		return nil, fmt.Errorf("state database %s does not exist and cannot be created: %s. %s", abs, ro, fixReadOnly(dir))
	case ro != "" && !fi.Mode().IsRegular():
		return nil, fmt.Errorf("state database %s: not a regular file", abs)
	case ro == "":
		if err := ensurePrivateFile(abs); err != nil {
			return nil, fmt.Errorf("state database %s: %w", abs, err)
		}
	}
	if err := checkLostWAL(abs); err != nil {
		return nil, err
	}
	if err := checkFile(abs, existed); err != nil {
		return nil, err
	}
	source := dsn(abs)
	if ro != "" {
		wal, werr := os.Stat(abs + "-wal")
		_, serr := os.Stat(abs + "-shm")
		hasWAL := werr == nil && wal.Size() > 0
		if hasWAL && serr != nil {
			return nil, fmt.Errorf("state database %s cannot be read: %s, and %s-wal holds records not yet written into it, which SQLite reads only through a %s-shm file it would have to create there. zenrecover changed nothing. %s",
				abs, ro, abs, abs, fixReadOnly(dir))
		}
		source = dsnReadOnly(abs, !hasWAL)
	}
	db, err := sql.Open("sqlite", source)
	if err != nil {
		return nil, fmt.Errorf("state database %s: %w", abs, err)
	}
	s := &Store{db: db, path: abs, dir: dir, readOnly: ro}
	ctx := context.Background()
	if err := s.verify(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.checkNotReplaced(ctx, existed); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the database. SQLite checkpoints the WAL into the main file
// when the last connection closes.
func (s *Store) Close() error { return s.db.Close() }

// ReadOnly says why the state directory cannot be written, or "" when it
// can. A read-only store lists runs and reports; every write is refused.
func (s *Store) ReadOnly() string { return s.readOnly }

// ReadOnlyError refuses a write to a store whose directory cannot be
// written, saying why and how to fix it.
type ReadOnlyError struct {
	Path, Dir, Why string
}

func (e *ReadOnlyError) Error() string {
	return fmt.Sprintf("state database %s can be read but not written: %s, so zenrecover can list runs and reports but cannot record one. %s", e.Path, e.Why, fixReadOnly(e.Dir))
}

// CheckWritable returns a *ReadOnlyError when nothing can be recorded.
func (s *Store) CheckWritable() error {
	if s.readOnly == "" {
		return nil
	}
	return &ReadOnlyError{Path: s.path, Dir: s.dir, Why: s.readOnly}
}

// Path is the absolute path of the database file.
func (s *Store) Path() string { return s.path }

// Dir is the directory holding the database, its logs/ and locks/.
func (s *Store) Dir() string { return s.dir }

// LogPath is where the (masked) long output of a run goes.
func (s *Store) LogPath(runID string) string {
	return filepath.Join(s.dir, "logs", fileSafe(runID)+".log")
}

// OpenLog opens the run's log for appending, creating it 0600 in a 0700
// logs/ directory: output can name servers, paths and users, so it is as
// private as the database.
func (s *Store) OpenLog(runID string) (*os.File, error) {
	if runID == "" {
		return nil, errors.New("open log: empty run id")
	}
	if err := ensurePrivateDir(filepath.Join(s.dir, "logs")); err != nil {
		return nil, fmt.Errorf("open log of run %s: %w", runID, err)
	}
	p := s.LogPath(runID)
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open log of run %s: %w", runID, err)
	}
	return f, nil
}

// Check runs SQLite's full integrity_check (slower than the quick_check that
// Open runs) and reports any problem as an error naming the file.
func (s *Store) Check(ctx context.Context) error {
	return s.check(ctx, "integrity_check")
}

// verify reads the pragmas back on one connection: the driver would not
// complain about a pragma that silently did not take (journal_mode stays
// "delete" where WAL is impossible), and a database that does not give the
// durability the journal's protocol assumes must not be used at all.
func (s *Store) verify(ctx context.Context) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return s.openError(err)
	}
	defer conn.Close()

	var journalMode string
	if err := conn.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&journalMode); err != nil {
		return s.openError(err)
	}
	if s.readOnly == "" && !strings.EqualFold(journalMode, "wal") {
		return fmt.Errorf("state database %s: journal_mode is %q, not wal; WAL needs a local file system that supports shared memory (not NFS or SMB): keep the state on a local disk", s.path, journalMode)
	}
	for _, p := range []struct {
		name string
		want int
		why  string
	}{
		{"synchronous", 2, "FULL is required so that a committed step survives a power loss"},
		{"foreign_keys", 1, "foreign keys keep journal rows tied to their run"},
		{"busy_timeout", 10000, "a busy database must be waited for, not reported as an error"},
	} {
		if s.readOnly != "" && p.name == "synchronous" {
			continue // nothing is written through a read-only store
		}
		var got int
		if err := conn.QueryRowContext(ctx, "PRAGMA "+p.name).Scan(&got); err != nil {
			return s.openError(err)
		}
		if got != p.want {
			return fmt.Errorf("state database %s: PRAGMA %s is %d, want %d (%s)", s.path, p.name, got, p.want, p.why)
		}
	}
	return s.check(ctx, "quick_check")
}

func (s *Store) check(ctx context.Context, pragma string) error {
	rows, err := s.db.QueryContext(ctx, "PRAGMA "+pragma)
	if err != nil {
		return s.openError(err)
	}
	defer rows.Close()
	var msgs []string
	for rows.Next() {
		var m string
		if err := rows.Scan(&m); err != nil {
			return s.openError(err)
		}
		msgs = append(msgs, m)
	}
	if err := rows.Err(); err != nil {
		return s.openError(err)
	}
	if len(msgs) == 1 && msgs[0] == "ok" {
		return nil
	}
	if len(msgs) > 5 {
		msgs = append(msgs[:5], fmt.Sprintf("and %d more", len(msgs)-5))
	}
	return fmt.Errorf("state database %s is damaged (%s found: %s). zenrecover did not change it; keep it for the record.%s",
		s.path, pragma, strings.Join(msgs, "; "), wayForward(s.path))
}

// openError turns SQLite's terse codes into a sentence naming the file. The
// important promise is in it: nothing was overwritten.
func (s *Store) openError(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case 26: // SQLITE_NOTADB
			return fmt.Errorf("state database %s is not a SQLite database or its header is damaged (%v). zenrecover did not change it; keep it for the record.%s", s.path, err, wayForward(s.path))
		case 11: // SQLITE_CORRUPT
			return fmt.Errorf("state database %s is damaged (%v). zenrecover did not change it; keep it for the record.%s", s.path, err, wayForward(s.path))
		}
	}
	return fmt.Errorf("state database %s: %w", s.path, err)
}

// ensurePrivateDir creates dir 0700, or accepts an existing one only if this
// user owns it and nobody else can write to it: whoever can write there can
// replace the database or a lock file and steer the next recovery.
func ensurePrivateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create state directory: %w", err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is not a directory", dir)
	}
	if uid, ok := ownerOf(fi); ok && uid != os.Geteuid() {
		return fmt.Errorf("state directory %s belongs to user id %d, not to you (%d); refusing to keep checkpoints there: if it is yours, give it back to yourself (as root: chown -R %d %s), or choose another --state", dir, uid, os.Geteuid(), os.Geteuid(), dir)
	}
	if fi.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("state directory %s is writable by group or others (mode %04o); refusing to keep checkpoints there: run chmod 700 %s or choose another --state", dir, fi.Mode().Perm(), dir)
	}
	return nil
}

// ensurePrivateFile creates the database file 0600 before SQLite sees it:
// SQLite would create it with the umask's mode, and it gives the -wal and
// -shm files the mode of the database file.
func ensurePrivateFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err == nil {
		return f.Close()
	}
	if !errors.Is(err, fs.ErrExist) {
		return err
	}
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return errors.New("not a regular file")
	}
	if uid, ok := ownerOf(fi); ok && uid != os.Geteuid() {
		return fmt.Errorf("the file belongs to user id %d, not to you (%d): if it is yours, give it back to yourself (as root: chown %d %s), or choose another --state", uid, os.Geteuid(), os.Geteuid(), path)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		// Ours, in a directory only we can write: tightening is safe and
		// better than refusing a recovery over a mode bit.
		if err := os.Chmod(path, 0o600); err != nil {
			return err
		}
	}
	return nil
}

// fixReadOnly is the sentence that says how to go on from a read-only
// state directory.
func fixReadOnly(dir string) string {
	return fmt.Sprintf("To record runs, make it writable again (chmod 700 %s, or remount its file system read-write), or copy the whole directory to a writable disk and point --state at the copy's state.db.", dir)
}

// fileSafe maps an id onto one harmless path element: letters, digits, '.',
// '_' and '-' stay (a leading '.' does not), everything else becomes %XX, so
// "../x" or a '/' in a procedure id cannot leave the directory and '@' stays
// free to separate procedure from host.
func fileSafe(id string) string {
	var b strings.Builder
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9',
			c == '_', c == '-', c == '.' && i > 0:
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
