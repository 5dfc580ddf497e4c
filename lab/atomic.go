package lab

import (
	"io"
	"os"

	"zenrecover/atomicfile"
)

// writeFileAtomic writes data to path so that a reader (or a killed
// writer) sees the old file or the new one, never a part.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	return atomicfile.Write(path, data, perm)
}

// writeAtomic streams into path the same way, through fill.
func writeAtomic(path string, perm os.FileMode, fill func(io.Writer) error) error {
	return atomicfile.WriteFunc(path, perm, func(f *os.File) error { return fill(f) })
}
