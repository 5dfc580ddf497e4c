// Package state is zenrecover's checkpoint store: one SQLite database per
// user and machine holding the runs, an append-only journal of what every
// step did, and beside it per-run log files and per-procedure lock files.
// An interrupted recovery resumes from the journal exactly where it stopped.
//
// # The step protocol
//
// For each step the wizard:
//
//  1. appends started (its own pid, pid start time and the boot id). Append
//     returns only after the commit is durable, and the action may begin
//     only if it returned no error: a step that has run always has a
//     started row.
//  2. starts the action; if it spawns a process, appends running with the
//     child's pid and start time (see below).
//  3. appends the outcome: succeeded, failed, skipped or confirmed.
//
// The state of a run is Fold over its journal. Besides the step protocol,
// the journal records corrected answers (changed, with the old value and
// the user), finished steps put back to run again (redo: pending in the
// fold, and confirmable or succeedable once more), and the end of an
// abandoned run (abandoned, written by Abandon together with the status). A step whose last started
// has no later outcome is in doubt: zenrecover cannot know whether the
// action took effect. Diagnose says why (the machine rebooted, the child or
// the wizard is still running, or the wizard died), the wizard runs the
// step's verify checks, and where those cannot decide the operator resolves
// the step (a resolved event: "done" counts as succeeded, "not-done" makes
// it pending again, with the operator's reason) or re-runs it.
//
// A manual step has no action: its confirmation is a single confirmed row,
// one transaction. Append refuses succeeded, failed or confirmed for a step
// that is already succeeded or confirmed with no started since
// (ErrAlreadyDone), so a confirmation is recorded exactly once, and refuses
// running outside an attempt in progress (ErrNoOpenAttempt).
//
// Decision: DESIGN.md has started carry the child's pid and start time. The
// child cannot exist before started is durable (that is the point of
// started), so started carries the wizard's own pid, and the child's pid
// and start time go in a separate running event appended right after the
// spawn. A crash between the spawn and running leaves a step in doubt
// without a child pid; Diagnose then reports that the wizard died, and the
// verify checks decide.
//
// # Ownership
//
// Every run has an owner token. Append and SetStatus carry it and are
// refused with ErrNotOwner once TakeOver (done by ForceUnlock) has rotated
// it: the check and the write are in one IMMEDIATE transaction, so a
// leftover process cannot slip one more row in after a takeover.
//
// # Locks
//
// One active run per procedure and host: an exclusive, non-blocking flock
// on locks/<procedure>@<host>.lock beside the database, holding the
// holder's LockInfo as JSON. It is a separate file and a flock, never a
// POSIX (fcntl) lock on the database: POSIX locks belong to the process and
// vanish when any descriptor of the file is closed, and SQLite opens and
// closes descriptors of the database on its own. The kernel drops a flock
// when its holder dies, kill -9 included, and a reboot forgets it, so a dead
// holder never blocks. ForceUnlock replaces the lock file (a live holder
// keeps a flock on the orphaned inode, which guards nothing any more) and
// rotates the run's token; Lock checks, after locking, that the inode it
// locked is still the one at the path.
//
// On Windows (lock_windows.go) the same protocol runs on LockFileEx, which
// Windows also drops when the process ends however it ends: exclusive and
// non-blocking, a shared probe for Held, on one byte far past the holder's
// details, since a Windows lock is mandatory and a locked byte 0 would let
// nobody read who holds the lock. Lock files are opened there with
// FILE_SHARE_DELETE (Go's opens leave it out, and Windows then refuses to
// rename a file anyone holds open), and ForceUnlock renames through
// os.Root, whose rename has POSIX semantics and replaces a file a hung
// holder still has open (Windows 10 1709 and later). None of it has run on
// Windows: it is compiled and vetted here (.ci/cross-build).
//
// The lock calls are golang.org/x/sys's (flock(2), LockFileEx), not
// github.com/gofrs/flock's, although gofrs/flock is maintained (v0.13.2 of
// 2026-11-08, v0.13.1 of 2026-08, v0.13.0 of 2025-10) and makes those same
// calls: it keeps its file handle to itself, and this protocol needs the
// locked handle (write the holder into it, compare it with the path after a
// ForceUnlock, truncate it on release); a second handle would do on Linux,
// but on Windows gofrs/flock locks byte 0, so that handle could not write
// the holder's details and a refused instance could not read them. Using it
// would lose a guarantee for one system call saved.
//
// # The database
//
// Every pragma is set in the DSN, because database/sql pools connections
// and a PRAGMA statement configures only the connection it runs on:
// WAL, synchronous=FULL (NORMAL can lose the last commits on power loss,
// and a lost started row means a step ran without a trace), busy_timeout,
// foreign keys, and _txlock=immediate so write transactions take the write
// lock at BEGIN. Open reads the pragmas back and runs quick_check, and
// reports a damaged or foreign file as an error naming it; it never
// replaces it with a new database. The schema version is PRAGMA
// user_version, with forward migrations (version 2 rebuilds runs so its
// status may be abandoned: SQLite cannot change a CHECK in place; a
// migration runs on a connection of its own with foreign keys off, checks
// them before it commits, and that connection is discarded); a database
// from a newer
// zenrecover is refused. WAL needs a local file system: Open refuses NFS,
// SMB/CIFS and CephFS on Linux.
//
// The directory is 0700 and must belong to the user and not be writable by
// group or others; the database and the logs are 0600.
//
// # Lost runs
//
// Deleting state.db-wal after a zenrecover was killed (a clean-up script,
// a copy of the database file alone, a file-level restore) makes SQLite
// open the older file without a word. With the -shm still there Open
// refuses (recover.go). With both gone the database looks healthy, so
// LostRuns compares it with the files beside it, each written only after
// the record that makes it unremarkable was committed:
//
//   - logs/<run>.log, created after the run's row;
//   - a lock file naming a run (written after the run's row) that the
//     database does not hold, or naming one whose newest record is older
//     than LockInfo.Recorded, the time of the record its holder committed
//     after taking the lock: the run's start, or the resumed event that
//     Resume journals (so a resumed run that lost its newest steps is
//     found too, while a kill before that record proves nothing);
//   - a copy in snapshots/ that the database has no record of taking and
//     that is newer than its newest record: Snapshot records each copy in
//     the snapshots table before writing it (migration 3).
//
// Files are listed before the database is read, so a run another process
// is starting is never taken for a lost one, and a kill -9 at any moment
// without a deleted -wal leaves nothing that looks lost.
//
// Decision: until the operator acknowledges a loss, CanRecord refuses
// (LostRunsError), and runner refuses to start or resume any run, of any
// procedure: the whole database lost its newest commits, not one run. The
// message names the run, its log, lock file and copy, and the two ways
// on: put the -wal and -shm back, or check on the server what the run did
// and run `zenrecover acknowledge-lost --reason TEXT`, which records every
// loss listed now in lost_acks with the user and reason. A lost run stays
// listed by `runs` (status lost, with who acknowledged it and why); it
// cannot be resumed, and a new run starts from the first step. Listing and
// reports keep working meanwhile.
//
// # A read-only state directory
//
// A state directory that cannot be written (a read-only file system, or a
// mode that denies this user) is opened read-only: mode=ro when a -wal and
// its -shm are there (the newest records are in the -wal), immutable=1 when
// there is no -wal (everything is in the file). A -wal without its -shm
// cannot be read without writing one, and is refused rather than skipped.
// `runs` and reports work; every write, and CanRecord, is refused with a
// ReadOnlyError that says what is read-only and how to fix it.
//
// # Secrets
//
// Nothing in this package encrypts or masks. Callers guarantee that no
// secret (password, passphrase, key) reaches it: not in answered events,
// not in reasons or details, not in the definition text, not in the logs
// (which receive already masked output). On resume secrets are asked again.
package state
