package lab

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"strings"
)

// The simulated server's ZENworks version, and raising it as an update
// would. A zman server backup is valid for one version only (reference
// 1.1): after `lab set-version` the backups taken before are the stale ones
// `zenrecover doctor` must point out, and the lab's zman refuses to restore
// them (zman.go compares the version in the backup with version.txt).

// VersionFiles are the files under the configuration folder that say the
// server's version (all four are in the reference's 1.1 list, so a
// server backup carries them).
func VersionFiles() []string {
	return []string{"version.txt", "primary_server_version.txt", "ZenServerVersion.xml", "database-migration.properties"}
}

// versionPattern is what a ZENworks version looks like: 11.3.0, 11.4.1.2.
var versionPattern = regexp.MustCompile(`^[0-9]+(\.[0-9]+){1,3}$`)

// Version reads the simulated server's version from version.txt.
func (l *Lab) Version() (string, error) {
	p := l.Rebase(l.layout.Join(l.layout.ConfDir, "version.txt"))
	b, err := os.ReadFile(p)
	if err != nil {
		return "", fmt.Errorf("lab: reading the server's version: %w", err)
	}
	v := strings.TrimSpace(string(b))
	if v == "" {
		return "", fmt.Errorf("lab: %s is empty", p)
	}
	return v, nil
}

// SetVersion makes the simulated server run ZENworks version v, as an
// update would: every version file is rewritten with the new number in
// place of the old (each atomically, version.txt last, so a torn update
// still reads as the old version). It returns the version replaced.
func (l *Lab) SetVersion(v string) (string, error) {
	if !versionPattern.MatchString(v) {
		return "", fmt.Errorf("lab: %q is not a ZENworks version (write it as 11.4.0)", v)
	}
	old, err := l.Version()
	if err != nil {
		return "", err
	}
	if old == v {
		return old, nil
	}
	files := VersionFiles()
	// version.txt is what the tools read: write it last.
	for _, name := range append(files[1:], files[0]) {
		p := l.Rebase(l.layout.Join(l.layout.ConfDir, name))
		b, err := os.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue // an item the server lacks, as zman would skip it
		}
		if err != nil {
			return "", fmt.Errorf("lab: %w", err)
		}
		fi, err := os.Stat(p)
		if err != nil {
			return "", fmt.Errorf("lab: %w", err)
		}
		if err := writeFileAtomic(p, []byte(strings.ReplaceAll(string(b), old, v)), fi.Mode().Perm()); err != nil {
			return "", fmt.Errorf("lab: writing %s: %w", p, err)
		}
	}
	return old, nil
}
