//go:build !unix

package lab

// lockFile is a no-op where flock is missing: labs are rehearsed on the
// Linux layout, and a lost update there costs only a rehearsal.
func lockFile(path string) (unlock func(), err error) {
	return func() {}, nil
}
