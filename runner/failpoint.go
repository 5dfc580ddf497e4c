//go:build failpoints

package runner

import (
	"os"
	"strings"
	"syscall"
)

// failpoint kills this process, as kill -9 would, when ZENRECOVER_FAILPOINT
// names this point and step ("after-started:zman-backup"). It exists only
// in binaries built with -tags failpoints, for the crash tests.
func failpoint(point, step string) {
	want, ok := os.LookupEnv("ZENRECOVER_FAILPOINT")
	if !ok {
		return
	}
	p, s, _ := strings.Cut(want, ":")
	if p == point && (s == "" || s == step) {
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {} // the signal is on its way
	}
}
