//go:build !windows

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
	"syscall"
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
	e.killedMidStep(t, db)
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

// killedMidStep runs 1.1 on the state database db until zman holds after
// its prompts, kills the wizard with SIGKILL and returns the run's id (read
// from the lock file the wizard left).
func (e *e2e) killedMidStep(t *testing.T, db string) string {
	t.Helper()
	// A backup from an earlier run, possibly within the same second, must
	// not pass for this attempt's.
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
	locks, _ := filepath.Glob(filepath.Join(filepath.Dir(db), "locks", "server-backup@*.lock"))
	for _, l := range locks {
		var info struct {
			RunID string `json:"run_id"`
		}
		if b, err := os.ReadFile(l); err == nil && json.Unmarshal(b, &info) == nil && info.RunID != "" {
			return info.RunID
		}
	}
	t.Fatal("the killed wizard left no lock file naming its run")
	return ""
}

// Issue 11, item 1: after a kill -9 mid-run, the -wal (and -shm) deleted,
// the run must not vanish: `runs` lists it as lost and says what shows it
// and what to do, `resume` and `run` refuse to go on until the operator
// acknowledges the loss, and then a new run starts from the beginning. With
// only the -wal deleted, the refusal names the run too.
func TestRunLostWithItsWALIsNeverSilentlyGone(t *testing.T) {
	withOlder := damagedFixture(t) // 1.1 and 1.3 completed before
	for _, older := range []bool{false, true} {
		for _, deleted := range []string{"-wal", "-wal and -shm"} {
			name := "first run, " + deleted + " deleted"
			if older {
				name = "after older runs, " + deleted + " deleted"
			}
			t.Run(name, func(t *testing.T) {
				e := withOlder
				var db string
				if older {
					db = e.stateCopy(t)
				} else {
					db = filepath.Join(t.TempDir(), "state", "state.db")
				}
				id := e.killedMidStep(t, db)
				log := filepath.Join(filepath.Dir(db), "logs", id+".log")
				os.Remove(db + "-wal")
				if deleted == "-wal" {
					e.refusedByBinary(t, db, db, "-wal is missing", "Put "+db+"-wal back", id)
					return
				}
				os.Remove(db + "-shm")
				ack := "zenrecover acknowledge-lost --reason TEXT --state " + db
				for _, args := range [][]string{{"runs"}, {"runs", "--json"}, {"resume", "--plain"},
					{"run", "1.1", "--lab", e.lab, "--plain", "--answers", e.answers, "--yes"}} {
					out, code := e.zr(db, labAdminPassword+"\n"+knownPassphrase+"\n", nil, args...)
					what := strings.Join(args[:1], " ")
					if code != 1 {
						t.Errorf("%s exited %d, want 1:\n%s", what, code, out)
					}
					for _, want := range []string{id, "server-backup", log, db + "-wal", "put them back", ack, "starts or resumes no run"} {
						if !strings.Contains(out, want) {
							t.Errorf("%s: the message lacks %q:\n%s", what, want, out)
						}
					}
					if strings.Contains(out, "No runs yet") || strings.Contains(out, "no interrupted run") || strings.Contains(out, "Step 1 of") {
						t.Errorf("%s went on as if nothing was lost:\n%s", what, out)
					}
				}
				if out, _ := e.zr(db, "", nil, "runs"); !strings.Contains(out, id+"   server-backup    ?        LOST") {
					t.Errorf("runs does not list the lost run:\n%s", out)
				}
				out, code := e.zr(db, "", nil, "acknowledge-lost", "--reason", "zone backup checked by hand")
				if code != 0 || !strings.Contains(out, "Acknowledged: run "+id) {
					t.Fatalf("acknowledge-lost exited %d:\n%s", code, out)
				}
				out, code = e.zr(db, "", nil, "runs")
				if code != 0 || !strings.Contains(out, id) || !strings.Contains(out, "zone backup checked by hand") {
					t.Errorf("runs after acknowledging exited %d:\n%s", code, out)
				}
				out, code = e.zr(db, labAdminPassword+"\n"+knownPassphrase+"\n", nil, "run", "1.1", "--lab", e.lab, "--plain", "--answers", e.answers, "--yes")
				if code != 0 || !strings.Contains(out, "Completed") {
					t.Errorf("a new run after acknowledging exited %d:\n%s", code, out)
				}
			})
		}
	}
}

// Issue 11, item 5: a state directory the user cannot write to. `runs`
// lists (and says it is read only); starting a run says what is read-only
// and how to fix it, not "unable to open database file (14)".
func TestReadOnlyStateDirectoryListsAndSaysHowToFix(t *testing.T) {
	e := damagedFixture(t)
	// Somewhere another user can reach: the binary and the state.
	top, err := os.MkdirTemp("", "zenrecover-ro-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(filepath.Join(top, "state"), 0o700); os.RemoveAll(top) })
	os.Chmod(top, 0o755)
	bin := filepath.Join(top, "zenrecover")
	b, _ := os.ReadFile(e.bin)
	if err := os.WriteFile(bin, b, 0o755); err != nil {
		t.Fatal(err)
	}
	src := e.stateCopy(t)
	dir := filepath.Join(top, "state")
	if out, err := exec.Command("cp", "-a", filepath.Dir(src), dir).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v %s", err, out)
	}
	db := filepath.Join(dir, "state.db")
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		// Root writes through any mode: the directory is given to nobody,
		// who runs zenrecover.
		if out, err := exec.Command("chown", "-R", "65534:65534", dir).CombinedOutput(); err != nil {
			t.Skipf("cannot give the state to another user: %v %s", err, out)
		}
		cred = &syscall.Credential{Uid: 65534, Gid: 65534}
	}
	os.Chmod(dir, 0o500)
	zr := func(args ...string) (string, int) {
		c := exec.Command(bin, append([]string{"--state", db}, args...)...)
		c.Env = append(os.Environ(), "NO_COLOR=1", "HOME="+top)
		c.Dir = top
		if cred != nil {
			c.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		}
		out, err := c.CombinedOutput()
		return string(out), exitCode(err)
	}
	out, code := zr("runs")
	if code != 0 || !strings.Contains(out, "server-backup") || !strings.Contains(out, "ca-backup") || !strings.Contains(out, "read-only for you (mode 0500)") {
		t.Errorf("runs in a read-only state directory exited %d:\n%s", code, out)
	}
	out, code = zr("run", "1.3", "--dry-run", "--plain")
	if code != 1 || strings.Contains(out, "(14)") {
		t.Errorf("run exited %d:\n%s", code, out)
	}
	for _, want := range []string{db, dir + " is read-only for you (mode 0500)", "chmod 700 " + dir, "--state"} {
		if !strings.Contains(out, want) {
			t.Errorf("the refusal lacks %q:\n%s", want, out)
		}
	}
}

// Issue 11, item 5: while one zenrecover runs 1.1, a second `run 1.1` says
// who runs it (pid, since when) instead of "resume it", and `resume`
// suggests a --force-unlock command that works as printed.
func TestHeldRunRefusalsNameTheHolderAndACommandThatWorks(t *testing.T) {
	e := newE2E(t)
	first := e.heldRun(t)
	pid := fmt.Sprint(first.Process.Pid)

	out, code := e.zr(e.stateDB, "", nil, "run", "1.1", "--lab", e.lab, "--plain")
	if code != 2 {
		t.Errorf("a second run exited %d:\n%s", code, out)
	}
	for _, want := range []string{"unfinished", "another zenrecover is working on it right now", "pid " + pid, "since ", "--force-unlock"} {
		if !strings.Contains(out, want) {
			t.Errorf("the refusal of a second run lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "resume it with") {
		t.Errorf("a run that another zenrecover is running was offered for resuming:\n%s", out)
	}

	out, code = e.zr(e.stateDB, "", nil, "resume", "--plain")
	if code != 2 || !strings.Contains(out, "pid "+pid) {
		t.Fatalf("resume of the held run exited %d:\n%s", code, out)
	}
	// The command between the last pair of backquotes, run as printed.
	parts := strings.Split(out, "`")
	if len(parts) < 3 {
		t.Fatalf("the refusal suggests no command:\n%s", out)
	}
	suggested := parts[len(parts)-2]
	words := strings.Fields(suggested)
	if len(words) < 3 || words[0] != "zenrecover" || !strings.Contains(suggested, "--force-unlock") || !strings.Contains(suggested, "--state "+e.stateDB) {
		t.Fatalf("suggested command: %q", suggested)
	}
	c := exec.Command(e.bin, words[1:]...)
	c.Stdin = strings.NewReader(labAdminPassword + "\n" + knownPassphrase + "\n")
	c.Env = append(os.Environ(), "NO_COLOR=1")
	b, err := c.CombinedOutput()
	taken := string(b)
	// zman of the first wizard still runs: the step is in doubt, and with
	// no more input the run stops, resumable (3). A flag cobra rejected
	// would have been 2.
	if code := exitCode(err); code != 3 || !strings.Contains(taken, "zenrecover: run ") || !strings.Contains(taken, "is in doubt") {
		t.Fatalf("the suggested %q exited %d:\n%s", suggested, code, taken)
	}
}
