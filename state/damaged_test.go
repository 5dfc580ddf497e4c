package state

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Issue 6, damaged state: every kind of damage gets a message that names
// the file and points to the newest copy (Snapshot), Open changes nothing,
// and nothing is ever replaced by a new empty state.

// withHistory makes a database with one run in it and a copy of it in
// snapshots/, as every run's start leaves, and returns its path and the
// copy's.
func withHistory(t *testing.T) (string, string) {
	t.Helper()
	path := newStorePath(t)
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	r := mustCreateRun(t, s, Run{ProcedureID: "server-backup"})
	mustAppend(t, s, r.OwnerToken, Event{RunID: r.ID, Kind: EventAnswered, Key: "db_on_server", Value: "false"})
	snap, err := s.Snapshot(context.Background(), "20260102-030405.000-before-server-backup")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return path, snap
}

// refused opens path, which must fail without changing the file, with a
// message that says all of want.
func refused(t *testing.T, path string, want ...string) string {
	t.Helper()
	before, _ := os.ReadFile(path)
	s, err := Open(path)
	if err == nil {
		runs, _ := s.Runs(context.Background())
		s.Close()
		t.Fatalf("Open succeeded (%d runs): a damaged state was taken for a usable one", len(runs))
	}
	t.Log(err)
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("the message lacks %q:\n%v", w, err)
		}
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Errorf("Open changed the damaged file (%d bytes before, %d after)", len(before), len(after))
	}
	return err.Error()
}

func TestTruncatedToNothingIsNotANewEmptyState(t *testing.T) {
	path, snap := withHistory(t)
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	refused(t, path, path, "is empty", "truncated", snap, "zenrecover --state "+snap+" runs", "taken ")
	// The way forward works: the copy opens and holds the run.
	cp := mustOpen(t, snap)
	if runs, err := cp.Runs(context.Background()); err != nil || len(runs) != 1 {
		t.Errorf("the copy the message points to: %d runs, %v", len(runs), err)
	}
}

func TestTruncatedMidFileIsDamaged(t *testing.T) {
	path, snap := withHistory(t)
	fi, _ := os.Stat(path)
	if err := os.Truncate(path, fi.Size()/2+100); err != nil {
		t.Fatal(err)
	}
	refused(t, path, path, "damaged", "did not change it", snap)
}

func TestCorruptHeaderAndPagesPointToTheCopy(t *testing.T) {
	for _, what := range []string{"header", "pages"} {
		t.Run(what, func(t *testing.T) {
			path, snap := withHistory(t)
			fi, _ := os.Stat(path)
			at, n := int64(0), 3000
			if what == "pages" {
				at, n = 4096, int(fi.Size())-4096 // every page but the first
			}
			f, err := os.OpenFile(path, os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			f.WriteAt(bytes.Repeat([]byte{0xA5}, n), at)
			f.Close()
			refused(t, path, path, "did not change it", snap)
		})
	}
}

// A fresh database file (created empty by a first Open that died before
// it wrote the schema) with no copies or logs beside it is simply new.
func TestEmptyFileWithoutHistoryIsNew(t *testing.T) {
	path := newStorePath(t)
	os.MkdirAll(filepath.Dir(path), 0o700)
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	s := mustOpen(t, path)
	if v, _ := s.userVersion(context.Background()); v != len(migrations()) {
		t.Errorf("schema version %d", v)
	}
}

// A zenrecover killed mid-run leaves its last commits in the -wal file.
// Deleting that file (or cutting it short) would silently lose them: the
// run in progress and its in-doubt step.
func TestDeletedOrCutWALIsReported(t *testing.T) {
	for _, how := range []string{"deleted", "cut"} {
		t.Run(how, func(t *testing.T) {
			path, snap := withHistory(t)
			h := startHelper(t, "crash", helperEnvFor(path))
			h.expect(t, "READY")
			h.kill()
			wal := path + "-wal"
			fi, err := os.Stat(wal)
			if err != nil || fi.Size() == 0 {
				t.Fatalf("the killed process left no -wal: %v", err)
			}
			saved, _ := os.ReadFile(wal)
			if how == "deleted" {
				os.Remove(wal)
				refused(t, path, path, "-wal is missing", "-shm", snap, "Put "+wal+" back")
			} else {
				os.Truncate(wal, fi.Size()/2)
				refused(t, path, path, "shorter", snap)
			}
			// Putting the log back is the way forward the message gives.
			if err := os.WriteFile(wal, saved, 0o600); err != nil {
				t.Fatal(err)
			}
			s := mustOpen(t, path)
			runs, err := s.Unfinished(context.Background())
			if err != nil || len(runs) != 2 {
				t.Fatalf("after putting the -wal back: %d unfinished runs, %v; want the first and the crashed one", len(runs), err)
			}
			if st := foldRun(t, s, runs[0].ID).Steps["2"]; st == nil || st.Status != StepInDoubt {
				t.Errorf("the crashed step: %+v, want in doubt", st)
			}
		})
	}
}

// A cleanly closed database has nothing in its -wal (SQLite removed it):
// there is nothing to lose and nothing to report.
func TestNoWALAfterCleanCloseIsFine(t *testing.T) {
	path, _ := withHistory(t)
	os.Remove(path + "-wal")
	os.Remove(path + "-shm")
	s := mustOpen(t, path)
	if runs, _ := s.Runs(context.Background()); len(runs) != 1 {
		t.Errorf("runs: %d", len(runs))
	}
}

// Tables without a schema version: another program's database, or one
// whose header was reset. Migrating into it would mix the two.
func TestTablesWithoutSchemaVersionAreRefused(t *testing.T) {
	path, snap := withHistory(t)
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("PRAGMA user_version = 0"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	refused(t, path, path, "no zenrecover schema version", "runs", snap)

	other := filepath.Join(t.TempDir(), "z", "other.db")
	os.MkdirAll(filepath.Dir(other), 0o700)
	db, _ = sql.Open("sqlite", other)
	if _, err := db.Exec("CREATE TABLE photos (id INTEGER)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	refused(t, other, other, "not a zenrecover state database", "move this file aside")
}

// A database written at an older schema version is migrated forward with
// its runs intact. Each older version is rebuilt from the migrations as
// they were released (they are never edited) with a run in it.
func TestOlderSchemaVersionsMigrateKeepingRuns(t *testing.T) {
	steps := migrations()
	for v := 1; v <= len(steps); v++ {
		t.Run(fmt.Sprint("version ", v), func(t *testing.T) {
			path := newStorePath(t)
			os.MkdirAll(filepath.Dir(path), 0o700)
			db, err := sql.Open("sqlite", path)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range steps[:v] {
				if _, err := db.Exec(m); err != nil {
					t.Fatal(err)
				}
			}
			// The columns of version 1, which later versions may only add to.
			if _, err := db.Exec(fmt.Sprintf(`PRAGMA user_version = %d;
INSERT INTO runs (id, procedure_id, mode, started_at, status, owner_token)
VALUES ('20260102-030405-abcd', 'server-backup', 'lab', '2026-01-02T03:04:05.000000000Z', 'stopped', 'tok');
INSERT INTO journal (run_id, at, kind, key, value) VALUES ('20260102-030405-abcd', '2026-01-02T03:04:06.000000000Z', 'answered', 'db_on_server', 'false');`, v)); err != nil {
				t.Fatal(err)
			}
			db.Close()
			s := mustOpen(t, path)
			if got, _ := s.userVersion(context.Background()); got != len(steps) {
				t.Errorf("schema version after Open: %d, want %d", got, len(steps))
			}
			runs, err := s.Unfinished(context.Background())
			if err != nil || len(runs) != 1 || runs[0].ID != "20260102-030405-abcd" {
				t.Fatalf("runs after migrating from version %d: %+v, %v", v, runs, err)
			}
			if a := foldRun(t, s, runs[0].ID).Answers["db_on_server"]; a != "false" {
				t.Errorf("answers after migrating: %q", a)
			}
		})
	}
}

// Without any copy, the message still says what to do.
func TestDamageWithoutACopySaysHowToStartOver(t *testing.T) {
	path := newStorePath(t)
	s := mustOpen(t, path)
	mustCreateRun(t, s, Run{})
	s.Close()
	os.WriteFile(path, bytes.Repeat([]byte("garbage!"), 512), 0o600)
	refused(t, path, path, "No copy of it was found", "move "+path)
}
