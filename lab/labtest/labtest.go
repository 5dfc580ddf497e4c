// Package labtest lets a package's tests rehearse against a lab whose
// simulated tools are played by the test binary itself, so no zenrecover
// binary has to be built.
package labtest

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"zenrecover/lab"
)

// ServeShim plays the simulated tool and exits when this process was
// started by a lab shim (`<exe> lab exec --lab DIR TOOL ARGS...`); call it
// first thing in TestMain. Otherwise it returns and the tests run.
func ServeShim() {
	if len(os.Args) < 4 || os.Args[1] != "lab" || os.Args[2] != "exec" {
		return
	}
	fs := flag.NewFlagSet("lab exec", flag.ContinueOnError)
	dir := fs.String("lab", "", "")
	if err := fs.Parse(os.Args[3:]); err != nil || fs.NArg() < 1 {
		os.Exit(2)
	}
	os.Exit(lab.Exec(*dir, fs.Arg(0), fs.Args()[1:], os.Stdin, os.Stdout, os.Stderr))
}

// New builds a lab in a temporary directory with its shims pointing at the
// test binary.
func New(t testing.TB) *lab.Lab {
	t.Helper()
	return NewWith(t, lab.Options{})
}

// NewWith is New with a lab built from o (an external database, Reporting).
func NewWith(t testing.TB, o lab.Options) *lab.Lab {
	t.Helper()
	l, err := lab.Init(filepath.Join(t.TempDir(), "lab"), o)
	if err != nil {
		t.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if err := l.InstallShims(exe); err != nil {
		t.Fatal(err)
	}
	return l
}
