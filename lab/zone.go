package lab

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Zone is what the simulated zone database holds about the Management Zone.
type Zone struct {
	Name     string   `json:"name"`
	GUID     string   `json:"guid"`
	Servers  []Server `json:"servers"`
	Database Database `json:"database"`
	Admin    Admin    `json:"admin"`
	// Restarts counts `novell-zenserver restart` (and start) runs on this
	// server, so a check can tell that a restart step really happened.
	Restarts int  `json:"restarts"`
	Running  bool `json:"running"`
	// ConfigureRuns lists the novell-zenworks-configure actions that
	// completed, oldest first, so a check can see that a step really ran.
	ConfigureRuns []ConfigureRun `json:"configure_runs,omitempty"`
	// PermissionsFixed names the server of each permission.sh run.
	PermissionsFixed []string `json:"permissions_fixed,omitempty"`
	// DeviceLog lists the zac commands that completed, oldest first.
	DeviceLog []DeviceCall `json:"device_log,omitempty"`
	// Failures are rehearsal faults waiting to fire, in the order added.
	Failures []Failure `json:"failures,omitempty"`
	// OpaqueData is the zOpaqueData table; ReportLoads the zman rpld runs (reports.go).
	OpaqueData  []OpaqueDatum `json:"opaque_data,omitempty"`
	ReportLoads []ReportLoad  `json:"report_loads,omitempty"`
	// Certificates is the zone's certificate state (cert.go); nil until a
	// tool first changes it, which reads as the zone as installed.
	Certificates *Certificates `json:"certificates,omitempty"`
}

// Server is one Primary Server of the zone.
type Server struct {
	Name    string   `json:"name"`
	GUID    string   `json:"guid"`
	Address string   `json:"address"`
	Roles   []string `json:"roles"`
	// For the lab's other servers (the lab server's own are Zone.Running
	// and Zone.Restarts): whether ZENworks is stopped there, and how often
	// it was (re)started.
	Stopped  bool `json:"stopped,omitempty"`
	Restarts int  `json:"restarts,omitempty"`
}

// HasRole reports whether the server holds role.
func (s Server) HasRole(role string) bool { return slices.Contains(s.Roles, role) }

// Database says where the zone database lives.
type Database struct {
	Embedded bool   `json:"embedded"` // embedded Sybase SQL Anywhere on Host
	Host     string `json:"host"`
	Address  string `json:"address"`
	Port     int    `json:"port"`
	Name     string `json:"name"`
}

// Admin is the zone administrator. Only a salted SHA-256 of the password is
// kept: the lab must not teach storing a secret in plain text.
type Admin struct {
	Name           string `json:"name"`
	PasswordSalt   string `json:"password_salt"`
	PasswordSHA256 string `json:"password_sha256"`
}

// Failure makes Tool's Subcommand fail with Message for the next Times runs.
// An empty Subcommand matches every subcommand of Tool.
type Failure struct {
	Tool       string `json:"tool"`
	Subcommand string `json:"subcommand,omitempty"`
	Times      int    `json:"times"`
	Message    string `json:"message"`
}

// ConfigureRun is one completed `novell-zenworks-configure -c Action`.
// Option is the answer that mattered: the service action chosen for Start,
// the remint option for SSL.
type ConfigureRun struct {
	Server string `json:"server"`
	Action string `json:"action"`
	Option string `json:"option,omitempty"`
}

// DeviceCall is one completed zac command on Device. Args are as typed,
// except that passwords and passphrases are replaced by "****".
type DeviceCall struct {
	Device     string   `json:"device"`
	Subcommand string   `json:"subcommand"`
	Args       []string `json:"args"`
}

// Server returns the server called name.
func (z Zone) Server(name string) (Server, bool) {
	for _, s := range z.Servers {
		if s.Name == name {
			return s, true
		}
	}
	return Server{}, false
}

// CertificateAuthority names the servers holding the CertAuth role.
func (z Zone) CertificateAuthority() []string {
	var out []string
	for _, s := range z.Servers {
		if s.HasRole(RoleCertAuth) {
			out = append(out, s.Name)
		}
	}
	return out
}

func (z *Zone) server(name string) *Server {
	for i := range z.Servers {
		if z.Servers[i].Name == name {
			return &z.Servers[i]
		}
	}
	return nil
}

func (s *Server) setRole(role string, on bool) {
	has := s.HasRole(role)
	switch {
	case on && !has:
		s.Roles = append(s.Roles, role)
	case !on && has:
		s.Roles = slices.DeleteFunc(s.Roles, func(r string) bool { return r == role })
	}
}

func newZone(p treeParams, o Options) (Zone, error) {
	salt, err := newGUID()
	if err != nil {
		return Zone{}, err
	}
	roles := []string{RolePrimary}
	if p.dbLocal {
		roles = append(roles, RoleDatabase)
	}
	roles = append(roles, RoleMasterPrimary, RoleCertAuth)
	return Zone{
		Name: p.zone,
		GUID: p.zoneGUID,
		Servers: []Server{
			{Name: p.hostname, GUID: p.guid, Address: p.address, Roles: roles},
			{Name: p.peer, GUID: p.peerGUID, Address: p.peerAddr, Roles: []string{RolePrimary}},
		},
		Database: Database{Embedded: p.dbLocal, Host: p.dbHost, Address: p.dbAddress,
			Port: 2638, Name: "zenworks_" + p.zone},
		Admin:   Admin{Name: o.AdminUser, PasswordSalt: salt, PasswordSHA256: passwordHash(salt, o.AdminPassword)},
		Running: true,
	}, nil
}

func passwordHash(salt, password string) string {
	sum := sha256.Sum256([]byte(salt + ":" + password))
	return hex.EncodeToString(sum[:])
}

// check compares the password in constant time; ZENworks administrator
// names are not case-sensitive.
func (a Admin) check(name, password string) bool {
	pwOK := subtle.ConstantTimeCompare([]byte(passwordHash(a.PasswordSalt, password)), []byte(a.PasswordSHA256)) == 1
	return strings.EqualFold(a.Name, name) && pwOK
}

// Zone reads the simulated zone state.
func (l *Lab) Zone() (Zone, error) {
	var z Zone
	data, err := os.ReadFile(filepath.Join(l.dir, zoneFile))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return z, fmt.Errorf("lab: %s has no zone state (%s); the lab is damaged, create a new one", l.dir, zoneFile)
		}
		return z, fmt.Errorf("lab: %w", err)
	}
	if err := json.Unmarshal(data, &z); err != nil {
		return z, fmt.Errorf("lab: %s: %w", zoneFile, err)
	}
	return z, nil
}

func (l *Lab) writeZone(z Zone) error {
	data, err := json.MarshalIndent(z, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(l.dir, zoneFile), append(data, '\n'), 0o600)
}

// updateZone is the only way the zone changes after Init: read, change,
// write, all under the lab's lock, so concurrent tools cannot lose updates.
// When change returns an error nothing is written.
func (l *Lab) updateZone(change func(*Zone) error) error {
	unlock, err := lockFile(filepath.Join(l.dir, zoneLock))
	if err != nil {
		return fmt.Errorf("lab: lock zone state: %w", err)
	}
	defer unlock()
	z, err := l.Zone()
	if err != nil {
		return err
	}
	if err := change(&z); err != nil {
		return err
	}
	return l.writeZone(z)
}

// InjectFailure makes the next `times` runs of tool's subcommand fail with
// message, so a rehearsal can practise recovering from a failed step. For
// zman, sub may be the long or the short name; an empty sub matches any.
func (l *Lab) InjectFailure(tool, sub string, times int, message string) error {
	if times < 1 {
		return fmt.Errorf("lab: inject failure: times must be at least 1, not %d", times)
	}
	canon, err := canonicalSub(tool, sub)
	if err != nil {
		return err
	}
	if tool == ToolPermissionAlias {
		tool = ToolPermission
	}
	if message == "" {
		message = fmt.Sprintf("Error: %s %s failed (injected by the rehearsal).", tool, canon)
	}
	return l.updateZone(func(z *Zone) error {
		z.Failures = append(z.Failures, Failure{Tool: tool, Subcommand: canon, Times: times, Message: message})
		return nil
	})
}

// takeFailure consumes one firing of the first failure matching tool and
// sub, returning its message.
func (l *Lab) takeFailure(tool, sub string) (string, bool, error) {
	var msg string
	var hit bool
	err := l.updateZone(func(z *Zone) error {
		for i := range z.Failures {
			f := &z.Failures[i]
			if f.Tool != tool || (f.Subcommand != "" && f.Subcommand != sub) || f.Times < 1 {
				continue
			}
			msg, hit = f.Message, true
			f.Times--
			if f.Times == 0 {
				z.Failures = slices.Delete(z.Failures, i, i+1)
			}
			return nil
		}
		return errNoChange
	})
	if errors.Is(err, errNoChange) {
		err = nil
	}
	return msg, hit, err
}

// errNoChange lets an updateZone callback skip the write.
var errNoChange = errors.New("no change")
