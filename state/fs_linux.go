//go:build linux

package state

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// checkLocalFS refuses network file systems: WAL needs shared memory between
// the processes using the database and fcntl locks that behave, and neither
// holds on NFS or SMB, where a "committed" step could be lost or the file
// corrupted. When statfs itself fails we cannot tell and let SQLite decide.
func checkLocalFS(dir string) error {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return nil
	}
	var name string
	switch uint32(st.Type) {
	case unix.NFS_SUPER_MAGIC:
		name = "NFS"
	case unix.SMB_SUPER_MAGIC, unix.SMB2_SUPER_MAGIC, unix.CIFS_SUPER_MAGIC:
		name = "SMB/CIFS"
	case unix.CEPH_SUPER_MAGIC:
		name = "CephFS"
	default:
		return nil
	}
	return fmt.Errorf("%s is on a network file system (%s); SQLite's WAL mode does not work there and checkpoints could be lost: keep the state on a local disk (--state PATH)", dir, name)
}
