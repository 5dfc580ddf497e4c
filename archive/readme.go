package archive

import (
	"fmt"
	"strings"
)

// readme is the set's README.txt: how to restore it with age and tar
// alone, on any machine. The commands are the ones the interop tests run.
func readme(name string, cp *checkpoint) string {
	var b strings.Builder
	fmt.Fprintf(&b, `This folder is one zenrecover archive: a backup of
  %s
made on %s at %s.

It is one tar stream, cut into the part files part-000001.age ... in order,
each part encrypted with age (https://age-encryption.org). The stream is
only whole with every part, in order: a part alone is not a tar file.
manifest.age lists every file with its size, mode, owner, time and SHA-256;
zenrecover uses it to verify and extract:

  zenrecover archive verify %[4]s -i KEYFILE
  zenrecover archive extract %[4]s DIR -i KEYFILE

To restore without zenrecover, with only age and tar (as root, so that
owners are restored), from inside the folder that is to hold the tree:

`, cp.Source, cp.Host, cp.Created.Format("2006-01-02 15:04 MST"), name)
	key := "KEYFILE"
	if cp.Passphrase {
		fmt.Fprintf(&b, `  # identity.age holds this archive's key, protected by its passphrase:
  # the passphrase is asked once here. Keep the key in memory only.
  age -d -o /dev/shm/zenrecover-key.txt /path/to/%s/identity.age
`, name)
		key = "/dev/shm/zenrecover-key.txt"
	}
	fmt.Fprintf(&b, `  set -o pipefail
  for p in /path/to/%s/part-*.age; do age -d -i %s "$p" || exit 1; done | tar -xpf -
`, name, key)
	if cp.Passphrase {
		b.WriteString("  rm /dev/shm/zenrecover-key.txt\n")
	}
	b.WriteString(`
KEYFILE is an age identity file or an SSH private key of one of the
recipients the archive was made for. If a part is damaged or missing, age
or tar stops with an error: the restore is then incomplete.
`)
	return b.String()
}
