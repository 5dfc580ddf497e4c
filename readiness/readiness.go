package readiness

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"zenrecover/archive"
	"zenrecover/lab"
	"zenrecover/procedures"
	"zenrecover/state"
)

// Level is how a check stands. Its number is the exit status of doctor.
type Level int

const (
	Green Level = iota
	Amber
	Red
)

func (l Level) String() string {
	switch l {
	case Green:
		return "green"
	case Amber:
		return "amber"
	}
	return "red"
}

// MarshalJSON writes the level as its name.
func (l Level) MarshalJSON() ([]byte, error) { return json.Marshal(l.String()) }

// UnmarshalJSON reads a level's name.
func (l *Level) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	switch s {
	case "green":
		*l = Green
	case "amber":
		*l = Amber
	case "red":
		*l = Red
	default:
		return fmt.Errorf("readiness: %q is not a level (green, amber, red)", s)
	}
	return nil
}

// Areas of the checks, in the order they are shown.
const (
	AreaCertificate = "certificate"
	AreaBackup      = "backup"
	AreaEscrow      = "escrow"
	AreaRehearsal   = "rehearsal"
)

// Check is one finding: what was looked at, how it stands, and what to do.
type Check struct {
	// ID is stable, for monitoring: cert.server, cert.ca, backup.zman,
	// backup.ca, backup.content, backup.database, escrow.recipients,
	// escrow.backups, rehearsal.PROCEDURE.
	ID    string `json:"id"`
	Area  string `json:"area"`
	Title string `json:"title"`
	Level Level  `json:"level"`
	// Text says what was found: a short line when all is well, a
	// sentence or two when not.
	Text string `json:"text"`
	// Action says what to do, in words; Command is the command that does
	// it (as typed on this machine: in a lab, with --lab); Procedure and
	// Section name the procedure to run for it, when one does.
	Action    string `json:"action,omitempty"`
	Command   string `json:"command,omitempty"`
	Procedure string `json:"procedure,omitempty"`
	Section   string `json:"section,omitempty"`

	Certificate *CertFigures      `json:"certificate,omitempty"`
	Backup      *BackupFigures    `json:"backup,omitempty"`
	Escrow      *EscrowFigures    `json:"escrow,omitempty"`
	Rehearsal   *RehearsalFigures `json:"rehearsal,omitempty"`
}

// Result is what doctor found, worst level first in Level.
type Result struct {
	Host      string    `json:"host"`
	Lab       string    `json:"lab,omitempty"`
	Generated time.Time `json:"generated"`
	Level     Level     `json:"level"`
	Checks    []Check   `json:"checks"`
}

// Counts returns how many checks are green, amber and red.
func (r *Result) Counts() (green, amber, red int) {
	for _, c := range r.Checks {
		switch c.Level {
		case Green:
			green++
		case Amber:
			amber++
		default:
			red++
		}
	}
	return
}

// Options say what to examine. Store is required.
type Options struct {
	Store *state.Store
	// Library gives the procedures' titles and sections (the rehearsals
	// of procedures never run); nil uses what the runs recorded only.
	Library *procedures.Library
	// Lab examines a lab instead of this server; its runs are the lab
	// runs made in it.
	Lab *lab.Lab
	// Root is where this server's / is (tests); "" is /.
	Root string
	// Host is this server's name; "" is os.Hostname.
	Host string
	// Endpoint is the TLS endpoint (host:port) whose certificate is read
	// by a handshake. "" is this server on port 443, and none in a lab
	// (its addresses are documentation addresses); "-" reads none.
	Endpoint string
	// Timeout bounds the handshake (default 5 s).
	Timeout time.Duration
	// CertKind is "internal" or "external" when the operator says so;
	// otherwise it is read from the lab's zone or judged (certs.go).
	CertKind string
	// Now is the time the checks are made at (default time.Now).
	Now time.Time
	// Recipients returns the team's escrow recipients and the file they
	// are configured in (default archive.TeamRecipients).
	Recipients func() ([]string, string, error)
}

// Thresholds, from the reference where it gives one.
const (
	// CertWarning is ZENworks's own: it warns 90 days before a
	// certificate expires (chapter 4).
	CertWarning = 90 * 24 * time.Hour
	// BackupAmber and BackupRed are the ages at which a content or
	// database backup, which the reference has repeated "on a regular
	// basis" (1.1 step 6), is old.
	BackupAmber = 7 * 24 * time.Hour
	BackupRed   = 30 * 24 * time.Hour
	// RehearsalAmber is the age at which a rehearsal no longer counts.
	RehearsalAmber = 365 * 24 * time.Hour
)

// Assess runs every check. An error is returned only when the journal
// cannot be read; everything else that cannot be examined becomes a
// check that says so.
func Assess(ctx context.Context, o Options) (*Result, error) {
	if o.Store == nil {
		return nil, fmt.Errorf("readiness: no state store")
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.Timeout <= 0 {
		o.Timeout = 5 * time.Second
	}
	if o.Recipients == nil {
		o.Recipients = archive.TeamRecipients
	}
	t := newTarget(o)
	hist, err := readHistory(ctx, o.Store, t)
	if err != nil {
		return nil, err
	}
	r := &Result{Host: t.host, Generated: o.Now.UTC(), Checks: []Check{}}
	if o.Lab != nil {
		r.Lab = o.Lab.Dir()
	}
	certs := certChecks(ctx, o, t)
	r.Checks = append(r.Checks, certs...)
	backups, found := backupChecks(o, t, hist)
	r.Checks = append(r.Checks, backups...)
	r.Checks = append(r.Checks, escrowChecks(o, t, found)...)
	r.Checks = append(r.Checks, rehearsalChecks(o, t, hist, advised(certs))...)
	for _, c := range r.Checks {
		r.Level = max(r.Level, c.Level)
	}
	return r, nil
}

// target is the server examined: its paths, name and platform.
type target struct {
	host   string
	lab    *lab.Lab
	root   string
	layout lab.Layout
}

func newTarget(o Options) target {
	t := target{lab: o.Lab, root: o.Root}
	if o.Lab != nil {
		t.host, t.layout = o.Lab.Hostname(), o.Lab.Layout()
		return t
	}
	t.host = o.Host
	if t.host == "" {
		t.host, _ = os.Hostname()
	}
	if runtime.GOOS == "windows" {
		t.layout = lab.WindowsLayout()
	} else {
		t.layout = lab.LinuxLayout()
	}
	return t
}

// path maps a server path to where it is on this machine.
func (t target) path(p string) string {
	if t.lab != nil {
		return t.lab.Rebase(p)
	}
	if t.root == "" || runtime.GOOS == "windows" {
		return p
	}
	return filepath.Join(t.root, filepath.FromSlash(p))
}

// conf is a file of the configuration folder, as a server path.
func (t target) conf(name string) string { return t.layout.Join(t.layout.ConfDir, name) }

// runCommand is how doctor tells the operator to run a procedure: in a
// lab, in that lab.
func (t target) runCommand(section, id string) string {
	arg := section
	if arg == "" {
		arg = id
	}
	if t.lab != nil {
		return "zenrecover run " + arg + " --lab " + t.lab.Dir()
	}
	return "zenrecover run " + arg
}
