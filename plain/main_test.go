package plain_test

import (
	"os"
	"testing"

	"zenrecover/lab/labtest"
	"zenrecover/lab/labtest/tmpfs"
)

func TestMain(m *testing.M) {
	labtest.ServeShim()
	os.Exit(tmpfs.Main(m))
}
