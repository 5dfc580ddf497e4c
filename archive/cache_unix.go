//go:build !windows

package archive

import (
	"os"

	"golang.org/x/sys/unix"
)

// dropCache advises the kernel that a written part's pages need not stay
// cached (parts.go says why). Only advice: an error changes nothing.
func dropCache(f *os.File) { _ = unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED) }
