package lab

import (
	"os"
	"testing"

	"zenrecover/lab/labtest/tmpfs"
)

// asCLI makes the test binary stand in for zenrecover when a shim runs it,
// so a test can drive the simulated tools through real processes and pipes.
const asCLI = "ZENRECOVER_LAB_TEST_AS_CLI"

func TestMain(m *testing.M) {
	if os.Getenv(asCLI) == "1" {
		os.Exit(cliMain(os.Args[1:]))
	}
	os.Exit(tmpfs.Main(m))
}

// cliMain is the shape of `zenrecover lab exec --lab DIR TOOL ARGS...`.
func cliMain(args []string) int {
	if len(args) < 5 || args[0] != "lab" || args[1] != "exec" || args[2] != "--lab" {
		os.Stderr.WriteString("usage: lab exec --lab DIR TOOL ARGS...\n")
		return 2
	}
	return Exec(args[3], args[4], args[5:], os.Stdin, os.Stdout, os.Stderr)
}
