package remote

import (
	"os"
	"testing"

	"zenrecover/lab/labtest/tmpfs"
)

// The tests' temporary folders go where a file may be run (tmpfs.Main):
// an archive test runs the binary it copied there.
func TestMain(m *testing.M) { os.Exit(tmpfs.Main(m)) }
