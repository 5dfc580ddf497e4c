//go:build windows

package state

import (
	"fmt"
	"io/fs"
	"os"
)

// readOnlyDir says why this process cannot write in dir, or "" when it
// can: Windows has no access(2) for effective rights, so it tries.
func readOnlyDir(dir string) string {
	f, err := os.CreateTemp(dir, ".zenrecover-write-test-*")
	if err != nil {
		if os.IsPermission(err) {
			return fmt.Sprintf("its directory %s is read-only for you", dir)
		}
		return ""
	}
	name := f.Name()
	f.Close()
	os.Remove(name)
	return ""
}

// ownerOf: Windows files have no numeric owner to compare with ours.
func ownerOf(fs.FileInfo) (int, bool) { return 0, false }
