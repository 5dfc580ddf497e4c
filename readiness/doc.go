// Package readiness says how ready a server (or a lab) is for a disaster
// before anything fails (DESIGN.md, "Readiness"; issue 15): `zenrecover
// doctor` and, later, the TUI's first screen draw the same Result, and
// `zenrecover report --drills` the same DrillReport. It holds the logic
// and the formats (JSON, the Prometheus text format, the drill report's
// Markdown and HTML), never drawing: no styles, no terminal.
//
// Imports: state (the journal), procedures (a run's recorded
// definition), lab (the server's paths and a lab's zone), archive (an
// archive set's state, the escrow's name, the team's recipients). Never
// runner, cli, tui or plain: what it needs of a run it reads from the
// journal itself.
//
// # The checks
//
// Each Check has a level (green, amber, red), a line of text, and when it
// is not green what to do: an action in words, the command, and the
// procedure's id and section. doctor's exit status is the worst level
// (0, 1, 2); 2 is also the exit status of bad usage, as the issue asks.
//
// Certificates (cert.server, cert.ca): the server's certificate and the
// CA's, from every source there is, the earliest expiry deciding:
//
//   - the TLS endpoint, by a real handshake (crypto/tls; the chain is read
//     with InsecureSkipVerify because verifying would refuse the expired
//     and untrusted certificates doctor is there to report; nothing is
//     sent). The first CA certificate of the chain is the CA's. Default:
//     this host's name on port 443; in a lab none (its addresses are
//     documentation addresses), --endpoint gives one;
//   - on a server, the keystore CaConfig.xml names (zenca.keystore, the
//     reference's file) and security/zenserver.keystore when present,
//     read without their password: JKS and JCEKS keep certificates in the
//     clear (jks.go); a PKCS #12 keystore is reported unreadable;
//   - in a lab, its zone, where the lab keeps the certificates the
//     services present, the ones in force and the CA (lab/cert.go): the
//     lab's keystores are placeholders.
//
// Amber within 90 days (ZENworks's own warning, chapter 4), red once
// expired. The procedure: once expired, section 5; before, 4.2 for an
// internal certificate (option 2 when the CA expires too), 4.3 for an
// external one, 4.4 when the external CA itself expires. 4.1 (internal to
// external) is a choice, never advised. The kind is --cert-kind, else the
// lab zone's, else internal on a server holding the CA's keystore, else
// judged from the presented certificate's issuer (a "ZENworks" CA is
// internal) and said so. A server certificate that could not be read at
// all is amber; a CA certificate that is not seen on a server that is not
// the CA is green with "not examined" (run doctor on the CA's server).
//
// Backups (backup.zman, backup.ca, backup.content, backup.database): the
// newest that still exists, from the journal and from the backup folder
// of the reference's examples (zone_backup*.bak, ca*.bak,
// content-repo*.archive, for backups made by hand). From the journal, a
// step counts by what it does, whichever procedure included it: a
// succeeded `zman zenserver-backup` or `certificate-authority-export`
// (its file: the step's creates: input, else its command's last
// argument), a succeeded archive of the content repository, a confirmed
// manual step titled as backing up a database. Runs count for the server
// examined: lab runs made in that lab, or live runs on this host; a step
// on another host or fanned out does not. Levels:
//
//   - none, or the file gone: red (the restore procedures need one);
//   - zman: once per ZENworks version (reference 1.1), so age does not
//     matter; but a backup older than the last change of the server's
//     version files (version.txt, primary_server_version.txt,
//     ZenServerVersion.xml, database-migration.properties) is stale, and
//     red: zman restores only on the version a backup was made on, so it
//     is as useless as none. The backup file is encrypted with the
//     operator's passphrase, so its own version cannot be read: the
//     version files' modification time is the evidence. A change made
//     while a journaled zman zenserver-restore ran is that restore (it
//     puts the same version back), not an update. A restore or reinstall
//     done outside zenrecover therefore asks for a new backup, which is
//     the right advice after one anyway;
//   - CA export: likewise stale (red) once the keystore CaConfig.xml
//     names changed after it (a remint replaces the key pair), unless a
//     journaled CA import or server restore did it (both put a saved key
//     pair back); not needed on a server that is not the
//     CA (no CaConfig.xml). In a lab a remint changes only the zone, so
//     this is not seen there;
//   - content and database: repeated "on a regular basis" (1.1 step 6):
//     amber after 7 days, red after 30; the database only where its
//     folder is (else "not needed").
//
// Escrow: escrow.recipients is amber without team recipients (or when
// their file cannot be read); escrow.backups is amber when a backup that
// a passphrase protects (the zman backup, the CA export, a content
// archive with a passphrase; one sealed to recipients only needs none)
// has no FILE.escrow.age beside it. One check for all of them, so the
// screen stays short; the JSON and the Prometheus file have each backup.
//
// Rehearsals (rehearsal.PROCEDURE): a rehearsal is a lab run, of any lab.
// Listed: 1.2 and (on the CA's server) 1.4, the procedure the
// certificate checks ask for, and every procedure ever rehearsed. Amber
// when never rehearsed to the end, or when the last completed rehearsal
// is over a year old. Duration is working time: from the run's start to
// its last record, less every gap that begins at a stop or ends at a
// resume (stopped, or the wizard gone); each gap counted is put on the
// step whose record ended it. The live estimate is the last completed
// rehearsal's working time with each step that completed live runs timed
// replaced by the median of those times; without live runs it is the
// rehearsal's (commands in a lab take seconds, so it is a floor), and
// the JSON's estimate_basis says which.
//
// # Formats
//
// JSON keys are lower case with underscores, lists [] when empty, times
// RFC 3339, durations in seconds (…_seconds). The Prometheus file
// (WritePrometheusFile) is the text exposition format: every family a
// gauge with HELP and TYPE, prefix zenrecover_, one zenrecover_check_level
// series per check, times as Unix seconds (certificate expiry, backup
// and rehearsal times), backup ages, labelled with the host. It lands by
// rename from a temporary file in the same folder (node_exporter reads
// *.prom only), flushed first, mode 0644 (node_exporter runs as another
// user; the figures are no secret). With --prometheus doctor prints
// nothing else (cron mails what a job prints), unless --json.
//
// The drill report lists every procedure of the library (an auditor sees
// what was never rehearsed) and every run but dry runs: rehearsals (lab)
// and live runs (live, guide), with date, operator, outcome (the run's
// status), working time, steps finished, and the steps done by hand
// (confirmed, or marked done by the operator). Written 0600, as a run's
// report is.
package readiness
