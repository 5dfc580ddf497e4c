package actions

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"
)

type fakeNet struct {
	hosts map[string][]string
	local []string
}

func (f fakeNet) LookupHost(_ context.Context, name string) ([]string, error) {
	if a, ok := f.hosts[name]; ok {
		return a, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

func (f fakeNet) LocalAddrs() ([]string, error) { return f.local, nil }

// After a new IP address, a stale DNS record is the usual mistake: the
// check names what the name resolves to and what it should.
func TestResolvesToNamesTheStaleAddress(t *testing.T) {
	t.Parallel()
	n := fakeNet{hosts: map[string][]string{"zen1.example": {"192.0.2.10"}}}
	for _, tc := range []struct {
		name, addr string
		ok         bool
		detail     string
	}{
		{"zen1.example", "192.0.2.10", true, "resolves to 192.0.2.10"},
		{"zen1.example", "::ffff:192.0.2.10", true, ""},
		{"zen1.example", "192.0.2.44", false, "resolves to 192.0.2.10, not 192.0.2.44"},
		{"zen9.example", "192.0.2.44", false, "does not resolve at all"},
		{"zen1.example", "not-an-ip", false, "is not an IP address"},
	} {
		ok, detail, err := (&ResolvesTo{Name: tc.name, Address: tc.addr, Net: n}).Check(context.Background(), time.Time{})
		if err != nil || ok != tc.ok || !strings.Contains(detail, tc.detail) {
			t.Errorf("%s → %s: ok=%v %q %v", tc.name, tc.addr, ok, detail, err)
		}
	}
}

func TestAddressLocalListsTheServersAddresses(t *testing.T) {
	n := fakeNet{local: []string{"127.0.0.1", "192.0.2.10"}}
	if ok, _, _ := (&AddressLocal{Address: "192.0.2.10", Net: n}).Check(context.Background(), time.Time{}); !ok {
		t.Error("an address on an interface was not found")
	}
	ok, detail, _ := (&AddressLocal{Address: "192.0.2.44", Net: n}).Check(context.Background(), time.Time{})
	if ok || !strings.Contains(detail, "192.0.2.10") {
		t.Errorf("ok=%v %q", ok, detail)
	}
}
