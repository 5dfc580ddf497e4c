package actions

import "testing"

// Issue 12: the CA-role check of 1.5 steps 1 and 10 matches the server's
// whole name, not a part of another's.
func TestSQLExpectMatchesAWholeName(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		out, want string
		ok        bool
	}{
		{"0x1f | zen-primary-1 | CertAuth | /Devices/Servers\n", "zen-primary-1", true},
		{"0x1f | zen-primary-10 | CertAuth | /Devices/Servers\n", "zen-primary-1", false},
		{"0x1f | zen-primary-1.example.com | CertAuth\n", "zen-primary-1", true},
		{"0x1f | new-zen-primary-1 | CertAuth\n", "zen-primary-1", false},
		{"3 row(s) inserted.\n", "row(s) inserted", true},
		{"ZEN-PRIMARY-1 | CertAuth\n", "zen-primary-1", true},
	} {
		if got := shows(tc.out, tc.want); got != tc.ok {
			t.Errorf("shows(%q, %q) = %v, want %v", tc.out, tc.want, got, tc.ok)
		}
	}
}
