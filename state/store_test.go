package state

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDefaultPath(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", "/var/tmp/xdg")
	if p, err := DefaultPath(); err != nil || p != "/var/tmp/xdg/zenrecover/state.db" {
		t.Errorf("with XDG_STATE_HOME: %q, %v", p, err)
	}
	home := t.TempDir()
	t.Setenv("HOME", home)
	want := filepath.Join(home, ".local", "state", "zenrecover", "state.db")
	t.Setenv("XDG_STATE_HOME", "")
	if p, err := DefaultPath(); err != nil || p != want {
		t.Errorf("without XDG_STATE_HOME: %q, %v; want %q", p, err, want)
	}
	t.Setenv("XDG_STATE_HOME", "relative/dir") // the XDG spec says to ignore it
	if p, err := DefaultPath(); err != nil || p != want {
		t.Errorf("with a relative XDG_STATE_HOME: %q, %v; want %q", p, err, want)
	}
}

func TestOpenCreatesPrivateDirAndFile(t *testing.T) {
	path := newStorePath(t)
	s := mustOpen(t, path)
	if s.Path() != path || s.Dir() != filepath.Dir(path) {
		t.Errorf("Path, Dir = %q, %q", s.Path(), s.Dir())
	}
	for p, want := range map[string]os.FileMode{filepath.Dir(path): 0o700, path: 0o600} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s: mode %04o, want %04o", p, got, want)
		}
	}
	// The WAL files inherit the database's mode; they hold the same data.
	for _, suffix := range []string{"-wal", "-shm"} {
		if fi, err := os.Stat(path + suffix); err == nil && fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s%s: mode %04o is readable by others", path, suffix, fi.Mode().Perm())
		}
	}
}

func TestOpenPragmasOnEveryConnection(t *testing.T) {
	s := mustOpen(t, newStorePath(t))
	ctx := context.Background()
	// Hold several connections at once so the pool must open distinct ones:
	// a pragma run as a statement would have configured only the first.
	var conns []*sql.Conn
	for i := 0; i < 4; i++ {
		c, err := s.db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns = append(conns, c)
	}
	for i, c := range conns {
		var mode string
		var sync, fk, busy int
		if err := c.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
			t.Fatal(err)
		}
		for _, p := range []struct {
			name string
			v    *int
		}{{"synchronous", &sync}, {"foreign_keys", &fk}, {"busy_timeout", &busy}} {
			if err := c.QueryRowContext(ctx, "PRAGMA "+p.name).Scan(p.v); err != nil {
				t.Fatal(err)
			}
		}
		if mode != "wal" || sync != 2 || fk != 1 || busy != 10000 {
			t.Errorf("connection %d: journal_mode=%s synchronous=%d foreign_keys=%d busy_timeout=%d; want wal 2 1 10000",
				i, mode, sync, fk, busy)
		}
	}
}

func TestReopenKeepsData(t *testing.T) {
	path := newStorePath(t)
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	r := mustCreateRun(t, s, Run{ProcedureID: "3.1", DefText: []byte("id: 3.1\n"), StepHashes: map[string]string{"1": "abc"}})
	mustAppend(t, s, r.OwnerToken, Event{RunID: r.ID, Kind: EventAnswered, Key: "db_local", Value: "yes"})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = mustOpen(t, path)
	got, err := s.Run(context.Background(), r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ProcedureID != "3.1" || string(got.DefText) != "id: 3.1\n" || got.StepHashes["1"] != "abc" || got.OwnerToken != r.OwnerToken {
		t.Errorf("reopened run = %+v", got)
	}
	st := foldRun(t, s, r.ID)
	if st.Answers["db_local"] != "yes" {
		t.Errorf("answers after reopen: %v", st.Answers)
	}
}

func TestOpenRefusesDamagedHeader(t *testing.T) {
	path := newStorePath(t)
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	mustCreateRun(t, s, Run{})
	s.Close()

	garbage := bytes.Repeat([]byte("not sqlite! "), 10)
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(garbage, 0); err != nil {
		t.Fatal(err)
	}
	f.Close()
	before, _ := os.ReadFile(path)

	s2, err := Open(path)
	if err == nil {
		s2.Close()
		t.Fatal("Open of a damaged database succeeded")
	}
	t.Log(err)
	msg := err.Error()
	if !strings.Contains(msg, path) || !strings.Contains(msg, "not a SQLite database") || !strings.Contains(msg, "did not change it") {
		t.Errorf("error does not name the file and the damage: %v", err)
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Error("Open changed the damaged file (a fresh empty database must never replace it)")
	}
}

func TestOpenRefusesDamagedPages(t *testing.T) {
	path := newStorePath(t)
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	r := mustCreateRun(t, s, Run{DefText: bytes.Repeat([]byte("x"), 64<<10)})
	for i := 0; i < 50; i++ {
		mustAppend(t, s, r.OwnerToken, Event{RunID: r.ID, Kind: EventOutput, Detail: strings.Repeat("y", 500)})
	}
	var pageSize int
	s.db.QueryRow("PRAGMA page_size").Scan(&pageSize)
	s.Close()

	// Keep the header (page 1) intact and overwrite the pages after it, so
	// the file still opens and only the integrity check can tell.
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(bytes.Repeat([]byte{0xA5}, 8*pageSize), int64(pageSize)); err != nil {
		t.Fatal(err)
	}
	f.Close()

	s2, err := Open(path)
	if err == nil {
		s2.Close()
		t.Fatal("Open of a database with damaged pages succeeded")
	}
	t.Log(err)
	if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("error does not name the file and the damage: %v", err)
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	path := newStorePath(t)
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Exec("PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s2, err := Open(path)
	if err == nil {
		s2.Close()
		t.Fatal("Open of a database from a newer zenrecover succeeded")
	}
	t.Log(err)
	if !strings.Contains(err.Error(), "newer zenrecover") || !strings.Contains(err.Error(), "99") {
		t.Errorf("error does not explain the version: %v", err)
	}
}

func TestOpenMigratesOldDatabase(t *testing.T) {
	// A database at version 0 with nothing in it is what a first Open sees.
	path := newStorePath(t)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	s := mustOpen(t, path)
	v, err := s.userVersion(context.Background())
	if err != nil || v != len(migrations()) {
		t.Errorf("user_version = %d, %v; want %d", v, err, len(migrations()))
	}
}

func TestOpenRefusesUnsafeDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "shared")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	_, err := Open(filepath.Join(dir, "state.db"))
	if err == nil || !strings.Contains(err.Error(), "writable by group or others") {
		t.Errorf("group/other-writable directory: err = %v", err)
	}
	if _, serr := os.Stat(filepath.Join(dir, "state.db")); serr == nil {
		t.Error("a database was created in the unsafe directory")
	}

	if os.Geteuid() != 0 {
		t.Log("not root: cannot test a directory owned by another user")
		return
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	_, err = Open(filepath.Join(dir, "state.db"))
	if err == nil || !strings.Contains(err.Error(), "belongs to user id 65534") {
		t.Errorf("directory of another user: err = %v", err)
	}
}

func TestOpenTightensLooseFileMode(t *testing.T) {
	path := newStorePath(t)
	s := mustOpen(t, path)
	s.Close()
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	mustOpen(t, path)
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode after reopen = %04o, want 0600", fi.Mode().Perm())
	}
}

func TestOpenPathNeedingEscapes(t *testing.T) {
	// '?', '#' and '%' mean something in a file: URI; the database must
	// still land at exactly this path.
	path := filepath.Join(t.TempDir(), "odd dir?#%41", "state.db")
	s := mustOpen(t, path)
	mustCreateRun(t, s, Run{})
	if _, err := os.Stat(path); err != nil {
		t.Errorf("database not at %s: %v", path, err)
	}
}

func TestOpenLog(t *testing.T) {
	s := mustOpen(t, newStorePath(t))
	r := mustCreateRun(t, s, Run{})
	if want := filepath.Join(s.Dir(), "logs", r.ID+".log"); s.LogPath(r.ID) != want {
		t.Errorf("LogPath = %q, want %q", s.LogPath(r.ID), want)
	}
	for _, line := range []string{"first\n", "second\n"} {
		f, err := s.OpenLog(r.ID)
		if err != nil {
			t.Fatal(err)
		}
		f.WriteString(line)
		f.Close()
	}
	b, err := os.ReadFile(s.LogPath(r.ID))
	if err != nil || string(b) != "first\nsecond\n" {
		t.Errorf("log = %q, %v; want both lines appended", b, err)
	}
	for p, want := range map[string]os.FileMode{filepath.Join(s.Dir(), "logs"): 0o700, s.LogPath(r.ID): 0o600} {
		fi, _ := os.Stat(p)
		if fi.Mode().Perm() != want {
			t.Errorf("%s: mode %04o, want %04o", p, fi.Mode().Perm(), want)
		}
	}
	if p := s.LogPath("../../etc/passwd"); filepath.Dir(p) != filepath.Join(s.Dir(), "logs") {
		t.Errorf("LogPath escapes logs/: %q", p)
	}
}

func TestCheck(t *testing.T) {
	s := mustOpen(t, newStorePath(t))
	if err := s.Check(context.Background()); err != nil {
		t.Error(err)
	}
}
