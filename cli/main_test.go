package cli

import (
	"os"
	"testing"

	"zenrecover/lab/labtest"
	"zenrecover/lab/labtest/tmpfs"
)

// The lab's simulated tools call this test binary (installShims points
// them at os.Executable()); ServeShim plays them.
func TestMain(m *testing.M) {
	labtest.ServeShim()
	os.Exit(tmpfs.Main(m))
}
