//go:build windows

package actions

import (
	"io/fs"
)

// fileOwner: Windows files have no numeric owner; chown steps are Linux
// steps (the definitions' Windows branches have none).
func fileOwner(fs.FileInfo) (uid, gid int, ok bool) { return 0, 0, false }

// setLinkMeta: a link's own time cannot be set through the standard
// library on Windows, and its owner is not numeric; the link is kept as
// made.
func setLinkMeta(string, fs.FileInfo) error { return nil }

// syncDir: Windows cannot flush a folder; its renames are journaled by
// NTFS itself.
func syncDir(string) error { return nil }
