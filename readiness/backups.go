package readiness

import (
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/dustin/go-humanize/english"

	"zenrecover/archive"
	"zenrecover/lab"
)

// BackupFigures are what a backup check found.
type BackupFigures struct {
	Kind string `json:"kind"` // zman, ca, content, database
	// Path is the backup as the server names it ("" for the database,
	// which is backed up by hand).
	Path string `json:"path,omitempty"`
	// At is when it was finished; AgeSeconds is how long ago.
	At         time.Time `json:"at,omitzero"`
	AgeSeconds float64   `json:"age_seconds,omitempty"`
	// Source is journal (a step of a run recorded it) or file (found in
	// the backup folder, with no run that made it).
	Source    string `json:"source,omitempty"`
	RunID     string `json:"run_id,omitempty"`
	Procedure string `json:"procedure,omitempty"`
	Step      string `json:"step,omitempty"`
	Exists    bool   `json:"exists"`
	// For a zman backup: the server's version now, and when its version
	// files last changed; for a CA export: when the keystore last
	// changed. Stale: that was after the backup.
	ServerVersion string    `json:"server_version,omitempty"`
	Changed       time.Time `json:"changed,omitzero"`
	Stale         bool      `json:"stale"`
	// Passphrase: the backup is protected by a passphrase (so it needs
	// an escrow).
	Passphrase bool `json:"passphrase"`
}

// found is a backup that exists, for the escrow checks.
type found struct {
	kind  string
	path  string // server path
	local string // where it is on this machine
}

// backupChecks finds the last zman server backup, CA export, content
// repository archive and database backup of the examined server.
func backupChecks(o Options, t target, h *history) ([]Check, []found) {
	disk := diskEvidence(t)
	var checks []Check
	var have []found
	for _, kind := range []string{kindZman, kindCA, kindContent, kindDatabase} {
		c, f := backupCheck(o, t, h, kind, pick(t, kind, h.evidence, disk))
		checks = append(checks, c)
		if f != nil {
			have = append(have, *f)
		}
	}
	return checks, have
}

var backupTitles = map[string]string{kindZman: "zman backup", kindCA: "CA export",
	kindContent: "Content archive", kindDatabase: "Database backup"}

// chosen is the backup a check reports: the newest that still exists, or
// if none does, the newest recorded.
type chosen struct {
	ev     evidence
	local  string
	exists bool
	ok     bool
	prot   bool
}

func pick(t target, kind string, journal, disk []evidence) chosen {
	var cands []evidence
	seen := map[string]bool{}
	for _, e := range journal {
		if e.kind == kind {
			cands = append(cands, e)
			if e.path != "" {
				seen[t.path(e.path)] = true
			}
		}
	}
	for _, e := range disk {
		if e.kind == kind && !seen[t.path(e.path)] {
			cands = append(cands, e)
		}
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].at.After(cands[j].at) })
	var first chosen
	for i, e := range cands {
		c := chosen{ev: e, ok: true, local: t.path(e.path)}
		switch kind {
		case kindDatabase:
			c.exists = true
		case kindContent:
			st, err := archive.Inspect(c.local)
			c.exists = err == nil && st.State == archive.StateComplete
			c.prot = st.Passphrase
		default:
			c.exists, c.prot = e.path != "" && fileExists(c.local), true
		}
		if i == 0 {
			first = c
		}
		if c.exists {
			return c
		}
	}
	return first
}

func backupCheck(o Options, t target, h *history, kind string, c chosen) (Check, *found) {
	ck := Check{ID: "backup." + kind, Area: AreaBackup, Title: backupTitles[kind]}
	f := &BackupFigures{Kind: kind}
	ck.Backup = f
	proc, section := "server-backup", "1.1"
	if kind == kindCA {
		proc, section = "ca-backup", "1.3"
	}
	advise := func(level Level, action string) {
		ck.Level, ck.Procedure, ck.Section = level, proc, section
		ck.Action, ck.Command = action, t.runCommand(section, proc)
	}
	// What is needed here at all.
	switch kind {
	case kindCA:
		if !fileExists(t.path(t.layout.CaConfig)) {
			ck.Text = "not needed: this server is not the internal CA"
			return ck, nil
		}
	case kindDatabase:
		if fi, err := os.Stat(t.path(t.layout.DatabaseDir)); err != nil || !fi.IsDir() {
			ck.Text = "not needed: the zone's database is not on this server"
			return ck, nil
		}
	}
	again := map[string]string{
		kindZman:     "back up the server",
		kindCA:       "export the certificate authority",
		kindContent:  "archive the content repository (step 5)",
		kindDatabase: "back up the database (step 1)",
	}[kind]
	if !c.ok {
		switch kind {
		case kindZman:
			ck.Text = "None recorded, none in " + t.layout.BackupDir + ": restoring this server (1.2) needs one."
		case kindCA:
			ck.Text = "None recorded, none in " + t.layout.BackupDir + ": restoring the certificate authority (1.4) needs one."
		case kindContent:
			ck.Text = "None recorded, none in " + t.layout.BackupDir + ": a server that alone holds all content cannot be recovered without it."
		default:
			ck.Text = "None recorded: the reference has it repeated regularly (1.1 steps 1 and 6)."
		}
		advise(Red, again)
		return ck, nil
	}
	e := c.ev
	f.Path, f.At, f.AgeSeconds, f.Exists, f.Passphrase = e.path, e.at.UTC(), o.Now.Sub(e.at).Seconds(), c.exists, c.prot
	f.Source = "journal"
	if e.onDisk {
		f.Source = "file"
	} else {
		f.RunID, f.Procedure, f.Step = e.runID, e.procedure, e.step
	}
	age := ago(o.Now.Sub(e.at))
	if !c.exists {
		ck.Text = fmt.Sprintf("The last one, %s, made %s, is gone or incomplete.", e.path, age)
		advise(Red, again)
		return ck, nil
	}
	name := baseName(e.path)
	switch kind {
	case kindZman:
		v, changed := serverVersion(t, h.restores)
		f.ServerVersion, f.Changed = v, changed
		if !changed.IsZero() && changed.After(e.at) {
			f.Stale = true
			ck.Text = fmt.Sprintf("Stale: %s (%s) predates ZENworks %s; zman restores a backup only on its own version.",
				name, age, orUnknown(v))
			advise(Red, "take a new server backup for this version")
		} else {
			ck.Text = fmt.Sprintf("%s, %s, on %s", name, age, orUnknown(v))
		}
	case kindCA:
		ks, changed := keystoreChanged(t, append(h.caImports, h.restores...))
		f.Changed = changed
		if !changed.IsZero() && changed.After(e.at) {
			f.Stale = true
			ck.Text = fmt.Sprintf("Stale: %s (%s) predates a change of the CA's keystore %s: it holds the old key pair.",
				name, age, baseName(ks))
			advise(Red, again)
		} else {
			ck.Text = fmt.Sprintf("%s, %s", name, age)
		}
	default:
		d := o.Now.Sub(e.at)
		ck.Text = fmt.Sprintf("%s, %s", name, age)
		if kind == kindDatabase {
			ck.Text = "confirmed " + age + " (" + e.step + ")"
		}
		switch {
		case d > BackupRed:
			ck.Text += fmt.Sprintf(": older than %d days; the reference has it repeated regularly (1.1 step 6).", int(BackupRed.Hours()/24))
			advise(Red, again)
		case d > BackupAmber:
			ck.Text += fmt.Sprintf(": older than %d days; the reference has it repeated regularly (1.1 step 6).", int(BackupAmber.Hours()/24))
			advise(Amber, again)
		}
	}
	if kind == kindDatabase {
		return ck, nil
	}
	return ck, &found{kind: kind, path: e.path, local: c.local}
}

// baseName is the last element of a server path, of either platform.
func baseName(p string) string {
	p = strings.TrimRight(strings.ReplaceAll(p, `\`, "/"), "/")
	if i := strings.LastIndex(p, "/"); i >= 0 {
		return p[i+1:]
	}
	return p
}

func orUnknown(v string) string {
	if v == "" {
		return "an unknown version"
	}
	return v
}

// serverVersion reads the server's version and when its version files
// last changed. A change made while a journaled zman zenserver-restore
// ran is that restore putting the same version back (zman restores only
// onto the version a backup was made on), not an update.
func serverVersion(t target, restores []span) (string, time.Time) {
	var changed time.Time
	for _, name := range lab.VersionFiles() {
		fi, err := os.Stat(t.path(t.conf(name)))
		if err != nil || explained(fi.ModTime(), restores) {
			continue
		}
		if fi.ModTime().After(changed) {
			changed = fi.ModTime()
		}
	}
	b, err := os.ReadFile(t.path(t.conf("version.txt")))
	if err != nil {
		return "", changed
	}
	v, _, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
	return strings.TrimSpace(v), changed
}

// keystoreChanged is when the CA's keystore last changed, other than by a
// journaled CA import (1.4) or server restore (1.2, whose backup holds the
// security folder): those put a saved key pair back.
func keystoreChanged(t target, imports []span) (string, time.Time) {
	ks, err := keystoreNamed(t.path(t.layout.CaConfig), t.layout)
	if err != nil {
		ks = t.layout.Keystore
	}
	fi, err := os.Stat(t.path(ks))
	if err != nil || explained(fi.ModTime(), imports) {
		return ks, time.Time{}
	}
	return ks, fi.ModTime()
}

func explained(mt time.Time, spans []span) bool {
	for _, s := range spans {
		if s.holds(mt) {
			return true
		}
	}
	return false
}

// Backups made by hand, as the reference names them: zone_backup.bak
// (1.1), ca.bak (1.3), and zenrecover's content-repo archive sets, each
// with or without a date.
var diskNames = []struct {
	kind string
	re   *regexp.Regexp
	dir  bool
}{
	{kindZman, regexp.MustCompile(`^zone_backup.*\.bak$`), false},
	{kindCA, regexp.MustCompile(`^ca.*\.bak$`), false},
	{kindContent, regexp.MustCompile(`^content-repo.*\.archive$`), true},
}

// diskEvidence lists the backups in the reference's backup folder.
func diskEvidence(t target) []evidence {
	dir := t.layout.BackupDir
	entries, err := os.ReadDir(t.path(dir))
	if err != nil {
		return nil
	}
	var out []evidence
	for _, de := range entries {
		for _, n := range diskNames {
			if !n.re.MatchString(de.Name()) || de.IsDir() != n.dir {
				continue
			}
			fi, err := de.Info()
			if err != nil {
				continue
			}
			out = append(out, evidence{kind: n.kind, path: t.layout.Join(dir, de.Name()), at: fi.ModTime(), onDisk: true})
		}
	}
	return out
}

// EscrowFigures are what an escrow check found: the team's recipients
// (escrow.recipients), or each passphrase-protected backup and whether
// its escrow is beside it (escrow.backups).
type EscrowFigures struct {
	Recipients     int            `json:"recipients"`
	RecipientsFile string         `json:"recipients_file,omitempty"`
	Backups        []EscrowBackup `json:"backups"`
}

// EscrowBackup is one backup a passphrase protects: For is the backup,
// Escrow the file beside it that holds its passphrase sealed for the team.
type EscrowBackup struct {
	Kind   string `json:"kind"`
	For    string `json:"for"`
	Escrow string `json:"escrow"`
	Sealed bool   `json:"sealed"`
}

// escrowChecks: are the team's recipients configured, and has each
// passphrase-protected backup its passphrase sealed beside it?
func escrowChecks(o Options, t target, have []found) []Check {
	rs, file, err := o.Recipients()
	rc := Check{ID: "escrow.recipients", Area: AreaEscrow, Title: "Team recipients",
		Escrow: &EscrowFigures{Recipients: len(rs), RecipientsFile: file, Backups: []EscrowBackup{}}}
	switch {
	case err != nil:
		rc.Level, rc.Text = Amber, "Cannot be read: "+err.Error()+"."
		rc.Action = "fix " + file + ": one age or SSH public key a line"
	case len(rs) == 0:
		rc.Level, rc.Text = Amber, "None configured: the passphrases of new backups are not escrowed for the team."
		rc.Action = "list the team's age or SSH public keys, one a line, in " + file
	default:
		rc.Text = fmt.Sprintf("%s in %s", english.Plural(len(rs), "recipient", ""), file)
	}
	bc := Check{ID: "escrow.backups", Area: AreaEscrow, Title: "Passphrases",
		Escrow: &EscrowFigures{Recipients: len(rs), RecipientsFile: file, Backups: []EscrowBackup{}}}
	var sealed, missing []string
	for _, f := range have {
		if f.kind == kindContent {
			st, err := archive.Inspect(f.local)
			if err != nil || !st.Passphrase {
				continue // sealed to recipients only: no passphrase to lose
			}
		}
		eb := EscrowBackup{Kind: f.kind, For: f.path, Escrow: archive.EscrowPath(f.path)}
		if _, err := os.Stat(archive.EscrowPath(f.local)); err == nil {
			eb.Sealed = true
			sealed = append(sealed, escrowNames[f.kind])
		} else {
			missing = append(missing, baseName(f.path))
			if bc.Command == "" {
				bc.Command = "zenrecover escrow seal " + f.local
			}
		}
		bc.Escrow.Backups = append(bc.Escrow.Backups, eb)
	}
	switch {
	case len(missing) > 0:
		bc.Level = Amber
		bc.Text = "No escrow beside " + strings.Join(missing, ", ") + ": if a passphrase is lost, so is its backup."
		bc.Action = "seal its passphrase for the team"
		if len(missing) > 1 {
			bc.Action = "seal each one's passphrase for the team (the command for the first)"
		}
	case len(sealed) > 0:
		bc.Text = "escrowed for " + strings.Join(sealed, ", ")
	default:
		bc.Text = "no backup that a passphrase protects"
	}
	return []Check{rc, bc}
}

var escrowNames = map[string]string{kindZman: "zman backup", kindCA: "CA export", kindContent: "content archive"}

// ago says how long ago, in the largest unit that fits.
func ago(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return english.Plural(int(d/time.Minute), "minute", "") + " ago"
	case d < 48*time.Hour:
		return english.Plural(int(d/time.Hour), "hour", "") + " ago"
	}
	return english.Plural(int(d/(24*time.Hour)), "day", "") + " ago"
}
