package e2e

import (
	"bufio"
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"zenrecover/assets"
	"zenrecover/lab"
	"zenrecover/procedures"
)

// Issue 6, damaged state, through the real binary: a truncated or
// corrupted database, a deleted -wal, a state directory or database with
// the wrong owner or mode, a database of another schema version. `runs`
// and `resume --plain` each exit 1 with a message that names the file and
// says what to do, pointing to the newest copy (state.Snapshot) where
// there is one; they never panic, never change the file, and never carry
// on with a new empty state.

// damagedFixture runs 1.1 and then 1.3 to completion in a lab, so the
// state directory holds two runs and two copies (the newest, taken as 1.3
// started, holds the 1.1 run).
func damagedFixture(t *testing.T) *e2e {
	e := newE2E(t)
	os.WriteFile(e.answers, []byte("db_on_server: no\nonly_content_server: no\n"), 0o600)
	out, err := e.cmd(labAdminPassword+"\n"+knownPassphrase+"\n", "run", "1.1", "--lab", e.lab, "--plain", "--answers", e.answers, "--yes").CombinedOutput()
	if err != nil {
		t.Fatalf("run 1.1: %v\n%s", err, out)
	}
	ca := filepath.Join(filepath.Dir(e.answers), "ca.yaml")
	os.WriteFile(ca, []byte("remove_ca_role: no\n"), 0o600)
	out, err = e.cmd(labAdminPassword+"\n"+knownPassphrase+"\n", "run", "1.3", "--lab", e.lab, "--plain", "--answers", ca, "--yes").CombinedOutput()
	if err != nil {
		t.Fatalf("run 1.3: %v\n%s", err, out)
	}
	return e
}

// stateCopy copies the fixture's state directory for one case to damage.
func (e *e2e) stateCopy(t *testing.T) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "state")
	err := filepath.WalkDir(e.stateDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(e.stateDir, p)
		to := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.MkdirAll(to, info.Mode().Perm())
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(to, b, info.Mode().Perm())
	})
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dst, "state.db")
}

// zr runs the binary on the state database db.
func (e *e2e) zr(db, stdin string, env []string, args ...string) (string, int) {
	c := exec.Command(e.bin, append([]string{"--state", db}, args...)...)
	c.Stdin = strings.NewReader(stdin)
	c.Env = append(append(os.Environ(), "NO_COLOR=1"), env...)
	out, err := c.CombinedOutput()
	return string(out), exitCode(err)
}

func newestSnapshot(t *testing.T, db string) string {
	t.Helper()
	snaps, _ := filepath.Glob(filepath.Join(filepath.Dir(db), "snapshots", "*.db"))
	if len(snaps) == 0 {
		t.Fatal("the fixture has no copy of the database")
	}
	return snaps[len(snaps)-1] // names start with the time
}

// refusedByBinary runs `runs` and `resume --plain` on db, each of which must
// exit 1 with a message holding every want, leave db as it was and never
// panic.
func (e *e2e) refusedByBinary(t *testing.T, db string, want ...string) {
	t.Helper()
	before, _ := os.ReadFile(db)
	for _, args := range [][]string{{"runs"}, {"runs", "--json"}, {"resume", "--plain"}} {
		out, code := e.zr(db, "", nil, args...)
		if code != 1 {
			t.Errorf("%s exited %d, want 1:\n%s", strings.Join(args, " "), code, out)
		}
		if strings.Contains(out, "panic") || strings.Contains(out, "goroutine ") {
			t.Errorf("%s panicked:\n%s", strings.Join(args, " "), out)
		}
		if !strings.HasPrefix(out, "zenrecover: ") {
			t.Errorf("%s did not say what is wrong on its first line:\n%s", strings.Join(args, " "), out)
		}
		for _, w := range want {
			if !strings.Contains(out, w) {
				t.Errorf("%s: the message lacks %q:\n%s", strings.Join(args, " "), w, out)
			}
		}
		if strings.Contains(out, "No runs yet") || strings.Contains(out, "[]") {
			t.Errorf("%s went on with an empty state:\n%s", strings.Join(args, " "), out)
		}
	}
	after, _ := os.ReadFile(db)
	if !bytes.Equal(before, after) {
		t.Errorf("the damaged database was changed (%d bytes before, %d after)", len(before), len(after))
	}
}

// followCopy checks the way forward the message gives: the copy opens and
// lists the 1.1 run.
func (e *e2e) followCopy(t *testing.T, snap string) {
	t.Helper()
	out, code := e.zr(snap, "", nil, "runs")
	if code != 0 || !strings.Contains(out, "server-backup") {
		t.Errorf("`zenrecover --state %s runs` exited %d:\n%s", snap, code, out)
	}
}

func TestDamagedStateGetsAClearMessageAndAWayForward(t *testing.T) {
	e := damagedFixture(t)
	damage := []struct {
		name   string
		damage func(t *testing.T, db string)
		want   []string
		copy   bool // the message points to the newest copy
	}{
		{"truncated to nothing", func(t *testing.T, db string) { os.Truncate(db, 0) },
			[]string{"is empty (0 bytes)", "truncated"}, true},
		{"truncated mid-file", func(t *testing.T, db string) {
			fi, _ := os.Stat(db)
			os.Truncate(db, fi.Size()/2+123)
		}, []string{"damaged", "did not change it"}, true},
		{"corrupted pages", func(t *testing.T, db string) {
			fi, _ := os.Stat(db)
			f, _ := os.OpenFile(db, os.O_WRONLY, 0)
			f.WriteAt(bytes.Repeat([]byte{0xA5}, int(fi.Size())-4096), 4096)
			f.Close()
		}, []string{"damaged", "did not change it"}, true},
		{"corrupted header", func(t *testing.T, db string) {
			f, _ := os.OpenFile(db, os.O_WRONLY, 0)
			f.WriteAt(bytes.Repeat([]byte("garbage!"), 8), 0)
			f.Close()
		}, []string{"not a SQLite database", "did not change it"}, true},
		{"schema version reset", func(t *testing.T, db string) { setUserVersion(t, db, 0) },
			[]string{"no zenrecover schema version"}, true},
		{"newer schema version", func(t *testing.T, db string) { setUserVersion(t, db, 99) },
			[]string{"schema version 99", "newer zenrecover", "Use that version"}, false},
		{"directory writable by others", func(t *testing.T, db string) { os.Chmod(filepath.Dir(db), 0o777) },
			[]string{"writable by group or others", "chmod 700", "--state"}, false},
		{"directory of another user", func(t *testing.T, db string) { chownOrSkip(t, filepath.Dir(db)) },
			[]string{"belongs to user id 65534", "chown", "--state"}, false},
		{"database of another user", func(t *testing.T, db string) { chownOrSkip(t, db) },
			[]string{"belongs to user id 65534", "chown", "--state"}, false},
	}
	for _, c := range damage {
		t.Run(c.name, func(t *testing.T) {
			db := e.stateCopy(t)
			snap := newestSnapshot(t, db)
			c.damage(t, db)
			want := append([]string{}, c.want...)
			if c.copy {
				want = append(want, db, snap, "zenrecover --state "+snap+" runs")
			}
			e.refusedByBinary(t, db, want...)
			if c.copy {
				e.followCopy(t, snap)
			}
		})
	}
}

func setUserVersion(t *testing.T, db string, v int) {
	t.Helper()
	h, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if _, err := h.Exec(fmt.Sprintf("PRAGMA user_version = %d", v)); err != nil {
		t.Fatal(err)
	}
}

func chownOrSkip(t *testing.T, p string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("only root can give a file to another user; not root here")
	}
	if err := os.Chown(p, 65534, 65534); err != nil {
		t.Fatal(err)
	}
}

// A zenrecover killed mid-step leaves its last commits in state.db-wal.
// With that file deleted, the interrupted run would vanish without a word;
// instead both commands refuse, and with the file put back the run
// resumes to completion.
func TestDeletedWALIsReportedAndTheRunResumesOnceItIsBack(t *testing.T) {
	e := damagedFixture(t)
	db := e.stateCopy(t)
	// The fixture's backup, possibly written within the same second, must
	// not pass for this attempt's (its check compares to the second).
	if f, err := labFile(e.lab, "root/zcm_backups/zone_backup-*.bak"); err == nil {
		os.Remove(f)
	}
	c := exec.Command(e.bin, "--state", db, "run", "1.1", "--lab", e.lab, "--plain", "--answers", e.answers, "--yes")
	c.Stdin = strings.NewReader(labAdminPassword + "\n" + knownPassphrase + "\n")
	c.Env = append(os.Environ(), "NO_COLOR=1", lab.HangEnv+"=1")
	stdout, _ := c.StdoutPipe()
	c.Stderr = c.Stdout
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	sc.Split(scanPrompts)
	held := false
	for sc.Scan() {
		if strings.Contains(sc.Text(), lab.HangNotice) {
			held = true
			break
		}
	}
	c.Process.Kill()
	go io.Copy(io.Discard, stdout)
	c.Wait()
	if !held {
		t.Fatal("zman never held after its prompts")
	}
	snap := newestSnapshot(t, db) // the copy taken as this run started
	wal := db + "-wal"
	saved, err := os.ReadFile(wal)
	if err != nil || len(saved) == 0 {
		t.Fatalf("the killed wizard left no -wal: %v", err)
	}
	os.Remove(wal)
	e.refusedByBinary(t, db, db, "-wal is missing", "Put "+wal+" back", snap)

	if err := os.WriteFile(wal, saved, 0o600); err != nil {
		t.Fatal(err)
	}
	out, code := e.zr(db, "", nil, "runs")
	if code != 0 || !strings.Contains(out, "active") {
		t.Fatalf("runs with the -wal back exited %d:\n%s", code, out)
	}
	out, code = e.zr(db, labAdminPassword+"\n"+knownPassphrase+"\n", nil, "resume", "--plain", "--yes")
	if code != 0 || !strings.Contains(out, "is in doubt") || !strings.Contains(out, "running it again") || !strings.Contains(out, "Completed") {
		t.Fatalf("resume with the -wal back exited %d:\n%s", code, out)
	}
}

// A database written at schema version 1 (the tables and rows as
// zenrecover wrote them then, frozen here) opens, lists its stopped run,
// and resumes it to completion. Once a migration 2 exists, this is the
// test that it carries version 1 forward.
func TestVersion1DatabaseResumes(t *testing.T) {
	e := newE2E(t)
	if err := os.MkdirAll(e.stateDir, 0o700); err != nil {
		t.Fatal(err)
	}
	lib, err := procedures.LoadFS(assets.FS, "procedures")
	if err != nil {
		t.Fatal(err)
	}
	def := lib.Get("1.1")
	hashes, _ := json.Marshal(def.StepHashes())
	labDir, _ := filepath.Abs(e.lab)
	h, err := sql.Open("sqlite", e.stateDB+"?_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	const id = "20260102-030405-abcd"
	at := time.Now().UTC().Add(-time.Hour).Format("2006-01-02T15:04:05.000000000Z07:00")
	stmts := []string{version1Schema, "PRAGMA user_version = 1"}
	for _, s := range stmts {
		if _, err := h.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := h.Exec(`INSERT INTO runs (id, procedure_id, def_hash, step_hashes, def_text, mode, lab_dir, host, user, boot_id, version, started_at, ended_at, status, owner_token)
VALUES (?, 'server-backup', ?, ?, ?, 'lab', ?, 'zen-primary-1', 'root', '', 'v1', ?, NULL, 'stopped', 'old-token')`,
		id, def.Hash, string(hashes), def.Bundle(), labDir, at); err != nil {
		t.Fatal(err)
	}
	for _, kv := range [][2]string{{"db_on_server", "false"}, {"only_content_server", "false"}, {"backup_file", "/root/zcm_backups/zone_backup.bak"}, {"admin_user", "Administrator"}} {
		if _, err := h.Exec(`INSERT INTO journal (run_id, at, kind, key, value) VALUES (?, ?, 'answered', ?, ?)`, id, at, kv[0], kv[1]); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := h.Exec(`INSERT INTO journal (run_id, at, kind, reason) VALUES (?, ?, 'stopped', 'no value for admin_password')`, id, at); err != nil {
		t.Fatal(err)
	}
	h.Close()

	out, code := e.zr(e.stateDB, "", nil, "runs")
	if code != 0 || !strings.Contains(out, id) || !strings.Contains(out, "stopped") {
		t.Fatalf("runs on a version 1 database exited %d:\n%s", code, out)
	}
	out, code = e.zr(e.stateDB, labAdminPassword+"\n"+knownPassphrase+"\n", nil, "resume", "--plain", "--yes")
	if code != 0 || !strings.Contains(out, "Completed") || !strings.Contains(out, id) {
		t.Fatalf("resume of a version 1 run exited %d:\n%s", code, out)
	}
	if _, err := os.Stat(filepath.Join(e.lab, "root/zcm_backups/zone_backup.bak")); err != nil {
		t.Errorf("the resumed run did not back up: %v", err)
	}
}

// version1Schema is migration 1 as released; never edit it.
const version1Schema = `
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
CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal
BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal
BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
`
