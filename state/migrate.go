package state

import (
	"context"
	"database/sql/driver"
	"fmt"
)

// migrations are the forward schema steps; PRAGMA user_version counts how
// many have been applied. Steps are only ever appended: a released step is
// never edited, because databases in the field already ran it.
//
// Times are TEXT in a fixed-width UTC layout (see timeLayout) so that an
// administrator reading the file with the sqlite3 shell during an outage sees
// dates, and so that they sort as text.
func migrations() []string {
	return []string{
		// 1: runs and the journal.
		`
CREATE TABLE runs (
	id           TEXT PRIMARY KEY,
	procedure_id TEXT NOT NULL,
	def_hash     TEXT NOT NULL DEFAULT '',
	step_hashes  TEXT NOT NULL DEFAULT '{}',
	def_text     BLOB NOT NULL DEFAULT x'',
	mode         TEXT NOT NULL CHECK (mode IN ('live', 'lab', 'dry-run')),
	lab_dir      TEXT NOT NULL DEFAULT '',
	host         TEXT NOT NULL DEFAULT '',
	user         TEXT NOT NULL DEFAULT '',
	boot_id      TEXT NOT NULL DEFAULT '',
	version      TEXT NOT NULL DEFAULT '',
	started_at   TEXT NOT NULL,
	ended_at     TEXT,
	status       TEXT NOT NULL CHECK (status IN ('active', 'completed', 'failed', 'stopped')),
	owner_token  TEXT NOT NULL
);
CREATE INDEX runs_started ON runs (started_at);

CREATE TABLE journal (
	seq       INTEGER PRIMARY KEY AUTOINCREMENT,
	run_id    TEXT NOT NULL REFERENCES runs (id),
	at        TEXT NOT NULL,
	step      TEXT NOT NULL DEFAULT '',
	target    TEXT NOT NULL DEFAULT '',
	kind      TEXT NOT NULL,
	attempt   INTEGER NOT NULL DEFAULT 0,
	pid       INTEGER NOT NULL DEFAULT 0,
	pid_start INTEGER NOT NULL DEFAULT 0,
	boot_id   TEXT NOT NULL DEFAULT '',
	key       TEXT NOT NULL DEFAULT '',
	value     TEXT NOT NULL DEFAULT '',
	reason    TEXT NOT NULL DEFAULT '',
	detail    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX journal_run_step ON journal (run_id, step, target, seq);

-- The journal is the record of what was done to a production server; a bug
-- elsewhere must not be able to rewrite history.
CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal
BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal
BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
`,
		// 2: the abandoned status. SQLite cannot change a CHECK constraint in
		// place, so the runs table is rebuilt as its documentation says
		// (create, copy, drop, rename), with foreign keys off (migrateOne).
		`
CREATE TABLE runs_new (
	id           TEXT PRIMARY KEY,
	procedure_id TEXT NOT NULL,
	def_hash     TEXT NOT NULL DEFAULT '',
	step_hashes  TEXT NOT NULL DEFAULT '{}',
	def_text     BLOB NOT NULL DEFAULT x'',
	mode         TEXT NOT NULL CHECK (mode IN ('live', 'lab', 'dry-run')),
	lab_dir      TEXT NOT NULL DEFAULT '',
	host         TEXT NOT NULL DEFAULT '',
	user         TEXT NOT NULL DEFAULT '',
	boot_id      TEXT NOT NULL DEFAULT '',
	version      TEXT NOT NULL DEFAULT '',
	started_at   TEXT NOT NULL,
	ended_at     TEXT,
	status       TEXT NOT NULL CHECK (status IN ('active', 'completed', 'failed', 'stopped', 'abandoned')),
	owner_token  TEXT NOT NULL
);
INSERT INTO runs_new (id, procedure_id, def_hash, step_hashes, def_text, mode, lab_dir,
	host, user, boot_id, version, started_at, ended_at, status, owner_token)
SELECT id, procedure_id, def_hash, step_hashes, def_text, mode, lab_dir,
	host, user, boot_id, version, started_at, ended_at, status, owner_token FROM runs;
DROP TABLE runs;
ALTER TABLE runs_new RENAME TO runs;
CREATE INDEX runs_started ON runs (started_at);
`,
		// 3: what tells a lost run (lost.go). Every copy of the database is
		// recorded here before it is written, so a copy whose name the
		// database does not know proves the database lost that commit; and
		// the operator's acknowledgements of runs lost that way.
		`
CREATE TABLE snapshots (
	name TEXT PRIMARY KEY,
	at   TEXT NOT NULL
);
CREATE TABLE lost_acks (
	key          TEXT PRIMARY KEY,
	run_id       TEXT NOT NULL DEFAULT '',
	procedure_id TEXT NOT NULL DEFAULT '',
	evidence     TEXT NOT NULL DEFAULT '',
	at           TEXT NOT NULL,
	user         TEXT NOT NULL DEFAULT '',
	reason       TEXT NOT NULL
);
`,
		// 4: the guide mode (a run walked here for a server zenrecover does
		// not run on); the runs table is rebuilt as in step 2.
		`
CREATE TABLE runs_new (
	id           TEXT PRIMARY KEY,
	procedure_id TEXT NOT NULL,
	def_hash     TEXT NOT NULL DEFAULT '',
	step_hashes  TEXT NOT NULL DEFAULT '{}',
	def_text     BLOB NOT NULL DEFAULT x'',
	mode         TEXT NOT NULL CHECK (mode IN ('live', 'lab', 'dry-run', 'guide')),
	lab_dir      TEXT NOT NULL DEFAULT '',
	host         TEXT NOT NULL DEFAULT '',
	user         TEXT NOT NULL DEFAULT '',
	boot_id      TEXT NOT NULL DEFAULT '',
	version      TEXT NOT NULL DEFAULT '',
	started_at   TEXT NOT NULL,
	ended_at     TEXT,
	status       TEXT NOT NULL CHECK (status IN ('active', 'completed', 'failed', 'stopped', 'abandoned')),
	owner_token  TEXT NOT NULL
);
INSERT INTO runs_new (id, procedure_id, def_hash, step_hashes, def_text, mode, lab_dir,
	host, user, boot_id, version, started_at, ended_at, status, owner_token)
SELECT id, procedure_id, def_hash, step_hashes, def_text, mode, lab_dir,
	host, user, boot_id, version, started_at, ended_at, status, owner_token FROM runs;
DROP TABLE runs;
ALTER TABLE runs_new RENAME TO runs;
CREATE INDEX runs_started ON runs (started_at);
`,
	}
}

// migrate applies the missing steps, each in its own IMMEDIATE transaction
// together with the user_version bump, so a crash leaves the database at a
// whole version.
func (s *Store) migrate(ctx context.Context) error {
	steps := migrations()
	v, err := s.userVersion(ctx)
	if err != nil {
		return err
	}
	if v < len(steps) && s.readOnly != "" {
		return fmt.Errorf("state database %s has schema version %d and this zenrecover needs version %d, but %s, so it cannot be brought up to date. zenrecover changed nothing. %s",
			s.path, v, len(steps), s.readOnly, fixReadOnly(s.dir))
	}
	for v < len(steps) {
		if err := s.migrateOne(ctx, steps, &v); err != nil {
			return err
		}
	}
	if v > len(steps) {
		return fmt.Errorf("state database %s has schema version %d, but this zenrecover knows only up to version %d: it was written by a newer zenrecover. Use that version, or move the file aside to start over",
			s.path, v, len(steps))
	}
	return nil
}

// migrateOne applies the next step. It runs on a connection of its own with foreign keys off, as SQLite
// asks of a table rebuild (dropping the parent table of the journal would
// otherwise fail or cascade); foreign_key_check before the commit proves
// the rebuilt tables still agree, and the connection is discarded after, so
// the pool never hands out one with foreign keys off.
func (s *Store) migrateOne(ctx context.Context, steps []string, v *int) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return s.openError(err)
	}
	defer func() {
		conn.Raw(func(any) error { return driver.ErrBadConn })
		conn.Close()
	}()
	if _, err := conn.ExecContext(ctx, "PRAGMA foreign_keys = OFF"); err != nil {
		return s.openError(err)
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return s.openError(err)
	}
	defer tx.Rollback()
	// Read again under the write lock: another zenrecover opening the same
	// file may have migrated while we waited for it.
	var cur int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&cur); err != nil {
		return s.openError(err)
	}
	if cur != *v {
		*v = cur
		return nil
	}
	if _, err := tx.ExecContext(ctx, steps[cur]); err != nil {
		return fmt.Errorf("state database %s: migrating schema to version %d: %w", s.path, cur+1, err)
	}
	if rows, err := tx.QueryContext(ctx, "PRAGMA foreign_key_check"); err != nil {
		return fmt.Errorf("state database %s: migrating schema to version %d: %w", s.path, cur+1, err)
	} else {
		bad := rows.Next()
		rows.Close()
		if bad {
			return fmt.Errorf("state database %s: migrating schema to version %d: the journal no longer matches the runs (foreign key check failed); nothing was changed", s.path, cur+1)
		}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", cur+1)); err != nil {
		return fmt.Errorf("state database %s: migrating schema to version %d: %w", s.path, cur+1, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("state database %s: migrating schema to version %d: %w", s.path, cur+1, err)
	}
	*v = cur + 1
	return nil
}

func (s *Store) userVersion(ctx context.Context) (int, error) {
	var v int
	if err := s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return 0, s.openError(err)
	}
	return v, nil
}
