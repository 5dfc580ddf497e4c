package archive

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
)

// ManifestName is the manifest's name in a finished set: its presence
// says the set is complete (Inspect; remote.InspectArchive over SFTP).
const ManifestName = "manifest.age"

// Names inside an archive set (the directory DEST).
const (
	manifestName  = ManifestName
	identityName  = "identity.age"
	readmeName    = "README.txt"
	stateName     = "zenrecover-state.json"
	spoolName     = "manifest.spool"
	partPrefix    = "part-"
	partExt       = ".age"
	tmpExt        = ".tmp"
	partialSuffix = ".partial"
)

// DefaultPartSize bounds what an interruption that cannot close its part
// (a full disk, a power cut) loses, at the cost of one fsync per part.
// 256 MiB rather than 1 GiB: a part's fsync overlaps the writing of the
// next, so on images of a gigabyte or more the archive waits for one
// part's sync at the end, not for the whole image's (bench/archive.sh,
// 2 x 1 GiB: about 15% faster).
const DefaultPartSize int64 = 256 << 20

// MinPassphrase is the shortest passphrase a new archive accepts; it is
// the policy the procedures apply to every passphrase they create.
const MinPassphrase = 10

// PassphraseEnv is where scripts put an archive's passphrase: never argv.
const PassphraseEnv = "ZENRECOVER_SECRET_ARCHIVE_PASSPHRASE"

func partName(n int) string { return fmt.Sprintf("%s%06d%s", partPrefix, n, partExt) }

// PartialDir is the directory an archive set is built in until it is
// complete; only then is it renamed to dest.
func PartialDir(dest string) string {
	return filepath.Clean(dest) + partialSuffix
}

// canonicalDest accepts DEST or DEST.partial and returns DEST.
func canonicalDest(dest string) string {
	dest = filepath.Clean(dest)
	return strings.TrimSuffix(dest, partialSuffix)
}

// listParts returns the names of the complete part files in dir, in order.
func listParts(dir string) ([]string, error) {
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var parts []string
	for _, de := range des {
		n := de.Name()
		if strings.HasPrefix(n, partPrefix) && strings.HasSuffix(n, partExt) {
			parts = append(parts, n)
		}
	}
	sort.Strings(parts)
	return parts, nil
}

// isArchiveSet tells whether dir looks like a set zenrecover made, so that
// --force never replaces anything else.
func isArchiveSet(dir string) bool {
	for _, n := range []string{manifestName, stateName, partName(1)} {
		if _, err := os.Lstat(filepath.Join(dir, n)); err == nil {
			return true
		}
	}
	return false
}

func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		// A folder cannot be flushed there (FlushFileBuffers needs write
		// access, which a folder handle cannot have); NTFS journals the
		// renames and creates this makes durable on Unix.
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		return err
	}
	return nil
}

// writeFileAtomic writes data under a temporary name, syncs it and renames
// it over path, so a crash leaves the old file or the new one.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	tmp := path + tmpExt
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return syncDir(filepath.Dir(path))
}
