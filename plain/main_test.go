package plain_test

import (
	"os"
	"testing"

	"zenrecover/lab/labtest"
)

func TestMain(m *testing.M) {
	labtest.ServeShim()
	os.Exit(m.Run())
}
