// Package lab is the simulated ZENworks Primary Server that zenrecover
// rehearses against (DESIGN.md, "Rehearsal in a lab").
//
// A lab is a directory that mirrors the Linux layout the ZENworks 11 SP3
// Disaster Recovery Reference names: etc/opt/novell/zenworks with the files
// and folders the reference lists (section 1.1), the content repository with
// images under var/opt/novell/zenworks, optionally the embedded database, and
// root/ for backups. Beside the tree, .zone.json holds what a real server keeps
// in the zone database (servers, roles, the administrator, restarts, injected
// failures), and .zenrecover-lab.json marks the directory as a lab.
//
// Decisions worth knowing:
//
//   - File contents stay in the server's namespace. CaConfig.xml names
//     /etc/opt/novell/zenworks/security/zenca.keystore, not the lab path, so a
//     rehearsal checks exactly what an administrator would check on a real
//     server; tools that need the file rebase the path first.
//   - The simulated tools are real programs as far as the wizard can tell:
//     InstallShims writes shell scripts that re-enter the zenrecover binary
//     (`zenrecover lab exec`), so they run under the same pseudo-terminal,
//     prompt the same way, and can be killed mid-step like the real zman.
//   - Backups are really encrypted (age, passphrase) so a rehearsal teaches
//     that a lost passphrase is a lost backup. The scrypt work factor is low
//     because the lab protects nothing secret and tests decrypt many times.
//   - Secrets are never written: the administrator password is kept only as
//     a salted SHA-256, passphrases not at all. On a terminal, echo is turned
//     off before a secret prompt is printed (as Java's Console.readPassword,
//     which the real zman uses, does), so an answer typed the instant the
//     prompt appears is never echoed.
//   - Every change to the zone file is a read-modify-write under an flock on
//     .zone.lock and lands by rename, so two tools running at once, or a tool
//     killed mid-write, never leave a torn zone.
//   - ZENRECOVER_LAB_HANG_AFTER_PROMPTS=1 makes a zman command announce on
//     standard error that it is holding, then read standard input to its end
//     before doing its work, so an end-to-end test can kill the wizard at a
//     known point without sleeping.
//   - An injected failure fires after the prompts are answered (so the answer
//     rules are exercised too) and before anything is written.
//
// The reference's zman commands built here: zenserver-backup (zsb),
// zenserver-restore (zsr), certificate-authority-export (cae [-d]),
// certificate-authority-import (cai), and, for section 1.5,
// certificate-authority-role-disable (card) and certificate-authority-role-enable
// (care); database-get-credentials (dgc -U name -P password) for section 2.1;
// plus /etc/init.d/novell-zenserver start|stop|restart|status.
//
// For chapters 2-5, BinDir also holds novell-zenworks-configure -c Action
// (Start, SSL, CreateExtractorPacks, RebuildCustomPacks, MergeTruststore,
// EnableJMX, ZenProbe), permission.sh (also as permissions.sh, the
// reference's other spelling), zac (retr, ref, iac, cert-info, unr, reg, asr,
// rsc) and zenrecover-sql. zenrecover-sql is the lab's own name for the SQL
// editor the reference has the operator log into: it knows only the
// reference's statements on zZENServerRoles (the 1.5 step 1 query, the 2.1
// step 11c deletes, the 11d inserts and commit) and 2.2 step 9f's deletes
// (roles joined by or; zOpaqueData by name = or LIKE), maps the table onto the
// zone's server roles by server GUID, and rolls back a session that ends
// without commit. For 2.2 step 9h, zman also has report-load (rpld), and
// Options.Reporting (lab init --reporting) gives the server Reporting's roles
// and zOpaqueData rows; step 4's export of the reports, which the reference
// has done in ZENworks Reporting (no zman command), is played by
// ExportReports (`zenrecover lab export-reports DIR`), which writes the
// server's reports into the folder 9h loads. What these tools did is
// recorded in the zone (configure_runs, permissions_fixed, device_log), zac
// arguments with their passwords and passphrases masked.
//
// The lab's server has the empty folder /root/zcm_backups (0700) of the
// reference's examples, and /tmp. Its zman does not create the folder of a
// backup or export file: a missing one fails in one line before the
// passphrase is asked (the real zman fails there with a stack trace), so
// the wizard's own folder check is what a rehearsal exercises.
//
// It is a simulator, not an executor, so it is a package of its own beside
// actions: runner and the command line use it (runner → lab); lab imports
// no other package of ours.
package lab
