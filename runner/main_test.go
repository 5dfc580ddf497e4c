package runner_test

import (
	"flag"
	"os"
	"testing"

	"zenrecover/actions/lab"
)

// The lab's shims run `<exe> lab exec --lab DIR TOOL ARGS...`. Pointed at
// this test binary, they land here and play the simulated tool.
func TestMain(m *testing.M) {
	if len(os.Args) > 3 && os.Args[1] == "lab" && os.Args[2] == "exec" {
		fs := flag.NewFlagSet("lab exec", flag.ContinueOnError)
		dir := fs.String("lab", "", "")
		if err := fs.Parse(os.Args[3:]); err != nil || fs.NArg() < 1 {
			os.Exit(2)
		}
		os.Exit(lab.Exec(*dir, fs.Arg(0), fs.Args()[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}
