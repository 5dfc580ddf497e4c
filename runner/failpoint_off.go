//go:build !failpoints

package runner

// failpoint is a no-op outside the crash tests' builds (-tags failpoints).
func failpoint(point, step string) {}
