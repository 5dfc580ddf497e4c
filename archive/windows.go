//go:build windows

package archive

import (
	"context"
	"errors"
	"os"

	"filippo.io/age"
)

// The archive's reader and writer walk a tree through directory handles
// (openat, O_NOFOLLOW, fstatat), so that no symbolic link or a folder
// swapped mid-walk can lead them outside it; that walk is written for
// Unix. On Windows the Windows branch of 1.1 and the reliable backup is
// rehearsed in a Windows-layout lab on Linux, where it runs; on a Windows
// server itself, archive create and extract say so and stop. A Windows
// walker (reparse points refused by handle) is future work.
var errNotOnWindows = errors.New("the content repository archive is not available in zenrecover's Windows build yet: copy %ZENWORKS_HOME%\\work\\content-repo to a safe place with robocopy /MIR, or archive it from a Linux machine that mounts it")

func dropCache(*os.File) {}

func produce(context.Context, string, string, *checkpoint, []age.Recipient, *tracker, *notes) error {
	return errNotOnWindows
}

func scan(context.Context, string, *totals) error { return errNotOnWindows }

// Extract is not available in the Windows build (see errNotOnWindows).
func Extract(context.Context, string, string, ExtractOptions) (*Report, error) {
	return nil, errNotOnWindows
}
