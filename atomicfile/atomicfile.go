// Package atomicfile writes a file so that it appears whole or not at all:
// a reader, a printer or a killed writer sees the old file or the new one,
// never a part, and after a power cut the new one is there only if it is
// complete. It imports nothing of ours, so every package may use it.
//
// The data goes to a temporary file in the same folder (the same file
// system, so the rename is atomic), is synced to the disk, gets its mode,
// and is renamed over the destination; the folder is synced so the rename
// itself survives a power cut. On Windows, os.Rename replaces the
// destination (MoveFileEx with MOVEFILE_REPLACE_EXISTING) and a folder
// cannot be synced; that step is skipped.
//
// github.com/google/renameio/v2 does the same on Unix but does not build
// for Windows, which zenrecover must (issue 13), so this is our own, small.
package atomicfile

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"runtime"
)

// Write writes data to path atomically with mode perm.
func Write(path string, data []byte, perm os.FileMode) error {
	return WriteFunc(path, perm, func(f *os.File) error {
		_, err := io.Copy(f, bytes.NewReader(data))
		return err
	})
}

// WriteFunc streams into a temporary file beside path, through fill, and
// puts it at path only once fill succeeded and the data reached the disk.
// fill may also set the file's owner. On any error the temporary file is
// removed and path is untouched.
func WriteFunc(path string, perm os.FileMode, fill func(f *os.File) error) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(f.Name())
		}
	}()
	if err = fill(f); err != nil {
		return err
	}
	if err = f.Chmod(perm); err != nil && runtime.GOOS != "windows" {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return err
	}
	SyncDir(dir)
	return nil
}

// SyncDir makes a rename or a create in dir durable. A failure only weakens
// durability (and a folder cannot be synced on Windows), so it is not
// reported.
func SyncDir(dir string) {
	if runtime.GOOS == "windows" {
		return
	}
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	_ = d.Close()
}
