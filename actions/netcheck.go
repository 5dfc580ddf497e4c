package actions

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"time"
)

// Network is what the chapter-3 checks ask of the machine: how a name
// resolves and which addresses are its own. A lab answers from its own
// hosts file and interface list.
type Network interface {
	LookupHost(ctx context.Context, name string) ([]string, error)
	LocalAddrs() ([]string, error)
}

// SystemNetwork asks the operating system: the resolver the server itself
// uses (hosts file, then DNS) and the addresses on its interfaces.
type SystemNetwork struct{}

func (SystemNetwork) LookupHost(ctx context.Context, name string) ([]string, error) {
	return net.DefaultResolver.LookupHost(ctx, name)
}

func (SystemNetwork) LocalAddrs() ([]string, error) {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, a := range addrs {
		if p, err := netip.ParsePrefix(a.String()); err == nil {
			out = append(out, p.Addr().String())
		}
	}
	return out, nil
}

// sameAddr compares two addresses as addresses ("192.0.2.010" is not one,
// "::ffff:192.0.2.10" is 192.0.2.10).
func sameAddr(a, b string) bool {
	x, err1 := netip.ParseAddr(strings.TrimSpace(a))
	y, err2 := netip.ParseAddr(strings.TrimSpace(b))
	if err1 != nil || err2 != nil {
		return strings.TrimSpace(a) == strings.TrimSpace(b)
	}
	return x.Unmap() == y.Unmap()
}

// ResolvesTo holds when Name resolves to Address (among others): devices
// find the server by its DNS name, so after a new IP address the name must
// lead to it (reference 3.1 step 3).
type ResolvesTo struct {
	Name, Address string
	Net           Network
}

func (c *ResolvesTo) Describe() string { return c.Name + " resolves to " + c.Address }

func (c *ResolvesTo) Check(ctx context.Context, _ time.Time) (bool, string, error) {
	if _, err := netip.ParseAddr(c.Address); err != nil {
		return false, fmt.Sprintf("%q is not an IP address", c.Address), nil
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	got, err := c.Net.LookupHost(ctx, c.Name)
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
		return false, c.Name + " does not resolve at all: add it to DNS (or the hosts file) with " + c.Address, nil
	}
	if err != nil {
		return false, "", fmt.Errorf("looking up %s: %w", c.Name, err)
	}
	if slices.ContainsFunc(got, func(a string) bool { return sameAddr(a, c.Address) }) {
		return true, fmt.Sprintf("%s resolves to %s", c.Name, strings.Join(got, ", ")), nil
	}
	return false, fmt.Sprintf("%s resolves to %s, not %s: correct its DNS record (or hosts file entry)", c.Name, strings.Join(got, ", "), c.Address), nil
}

// AddressLocal holds when Address is on one of this machine's interfaces.
type AddressLocal struct {
	Address string
	Net     Network
}

func (c *AddressLocal) Describe() string { return c.Address + " is an address of this server" }

func (c *AddressLocal) Check(ctx context.Context, _ time.Time) (bool, string, error) {
	if err := ctx.Err(); err != nil {
		return false, "", err
	}
	if _, err := netip.ParseAddr(c.Address); err != nil {
		return false, fmt.Sprintf("%q is not an IP address", c.Address), nil
	}
	got, err := c.Net.LocalAddrs()
	if err != nil {
		return false, "", fmt.Errorf("listing this server's addresses: %w", err)
	}
	if slices.ContainsFunc(got, func(a string) bool { return sameAddr(a, c.Address) }) {
		return true, c.Address + " is on an interface of this server", nil
	}
	return false, fmt.Sprintf("%s is not on any interface of this server (it has %s)", c.Address, strings.Join(got, ", ")), nil
}
