// Package lab is the simulated ZENworks Primary Server that zenrecover
// rehearses against (DESIGN.md, "Rehearsal in a lab").
//
// A lab is a directory that mirrors the Linux layout (or the Windows one:
// see "Windows-layout labs" below) the ZENworks 11 SP3
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
// plus /etc/init.d/novell-zenserver start|stop|restart|status (net
// stop|start on a Windows host).
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
// # Windows-layout labs
//
// `lab init DIR --platform windows` (Options.Platform) builds a Windows
// Primary Server instead, so every Windows branch rehearses on Linux. The
// platform is kept in the marker (format 2, so a zenrecover that predates
// Windows labs refuses the lab rather than rehearse it as Linux; a format 1
// marker, which has no platform, is a Linux lab). Decisions:
//
//   - Paths: Layout (layout.go) holds each platform's server paths
//     (paths.go: the reference's, with ZENWORKS_HOME = C:\Program Files
//     (x86)\Novell\ZENworks); the tree, the tools and the zone code take
//     their paths from the host's Layout, never from the Linux constants.
//   - Rebase: a Windows path (IsWindowsPath: C:\a\b, c:/a/b) maps to
//     DIR/C/a/b, drive letter upper-cased, ".." held at the drive. Windows
//     names ignore letter case, so each element that exists in the lab in
//     another case is taken as spelled there (c:\ZCM_BACKUPS is
//     DIR/C/zcm_backups). On a Windows host %NAME% is expanded first from
//     the variables Env sets (ZENWORKS_HOME), name in any case; an unknown
//     %NAME% stays as written, as cmd.exe leaves it. A Windows path is
//     mapped on a Linux host too, and a Linux path on a Windows host maps
//     as on Linux: a definition that gives a server the other platform's
//     path meets a missing file, never a file written outside the lab.
//   - The tree: the Linux fixture files at the Windows places (naming
//     Windows paths: CaConfig.xml's <Keystore> is the Windows keystore),
//     plus the files only the reference's Windows lists name (section 1.1:
//     ActionHandlersRegistration.xml, RMPolicy/, Satellite/, ...,
//     LoggerConfiguration-windows.xml), the empty C:\zcm_backups, and the
//     hosts file in C:\Windows\System32\drivers\etc. No /etc/passwd, /root
//     or /tmp. C:\temp is not made (Windows has none): the reference's
//     C:\temp\zenbackup\ca.bak meets zman's missing-folder error, as /tmp's
//     missing zenbackup folder does on Linux. zman zenserver-backup on
//     Windows stores the reference's Windows list, not the Linux one.
//   - Tools: a tool given a Windows path (or a %NAME% path on a Windows
//     host) rebases it and names it as typed in its messages. Other paths
//     are used as given, as before: the wizard rebases a step's Linux paths.
//   - The service: the Windows host has no init script; `net stop|start
//     "Novell ZENworks Server"` (net.go; the display name or
//     novell-zenserver, any letter case; net.exe and zman.bat as Windows
//     names them) drives the same state as the init script. net.exe's
//     messages and statuses: 2 for an unknown service, stopping a stopped
//     one or starting a started one; 1 for bad syntax. Its shim is in the
//     host's own C:\Windows\System32, on PATH after the ZENworks bin.
//   - Hosts: another host has the lab server's platform (a peer of a
//     Windows lab is a Windows server) unless HostOn gave it another, which
//     is recorded in hosts/NAME/.platform; a host whose tree is built in
//     one layout, and the lab server, keep theirs.
//   - lab issue-cert and lab export-reports default to the host's layout
//     (C:\zcm_certs\HOST.der, C:\zcm_backups\reports) and take Windows
//     paths; set-address updates each host's own hosts file.
//
// It is a simulator, not an executor, so it is a package of its own beside
// actions: runner and the command line use it (runner → lab); lab imports
// no other package of ours.
package lab
