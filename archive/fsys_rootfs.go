//go:build windows || rootfs

package archive

import (
	"errors"
	"os"
)

// The os.Root layer (fsys_root.go) is the archive's layer on Windows. On
// Linux, `go test -tags rootfs ./archive/` runs the whole archive suite
// over it instead of the descriptor layer (.ci/cross-build does), so the
// walk, the reader and the extractor Windows runs are exercised here,
// apart from Windows's file IDs (fsys_windows.go).

type (
	dirH   = rootDir
	fileH  = rootFile
	outDir = rootOut
)

var noFile = noRootFile

func openTop(root string) (dirH, fileStat, error) { return openRootTop(root) }

func openOutRoot(path string) (outDir, error) { return openRootOut(path) }

func isLink(err error) bool { return errors.Is(err, errLink) }

func isNotFolder(err error) bool { return errors.Is(err, errNotFolder) }

// fileMeta: Windows has no modes or numeric owners to apply.
func fileMeta(*os.File, bool, int, int, Mode) error { return nil }

// syncFile makes each restored file durable before its rename, since a
// Windows folder cannot be synced as a whole.
func syncFile(f *os.File) error { return f.Sync() }
