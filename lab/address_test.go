package lab

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

const newTestAddress = "192.0.2.50"

func lookup(t *testing.T, l *Lab, name string) []string {
	t.Helper()
	got, err := l.LookupHost(context.Background(), name)
	if err != nil {
		return nil
	}
	return got
}

// A new address moves the server's interface and its DNS record (as every
// host of the lab resolves it), the zone's record of it and the embedded
// database with it; the other server's zdm.xml is the procedure's work.
func TestSetAddressMovesTheMachineAndItsDNSRecord(t *testing.T) {
	l := newTestLab(t)
	peer, _ := l.Host(labPeer)
	res, err := l.SetAddress(AddressChange{Address: newTestAddress})
	if err != nil {
		t.Fatal(err)
	}
	if res.OldAddress != labAddress || res.NewAddress != newTestAddress || res.OldName != DefaultHostname || res.NewName != DefaultHostname || !res.Database {
		t.Errorf("result %+v", res)
	}
	local, _ := l.LocalAddrs()
	if !slices.Contains(local, newTestAddress) || slices.Contains(local, labAddress) || !slices.Contains(local, "127.0.0.1") {
		t.Errorf("interfaces %v", local)
	}
	for _, h := range []*Lab{l, peer} {
		for _, name := range []string{DefaultHostname, DefaultHostname + "." + LabDomain} {
			if got := lookup(t, h, name); !slices.Equal(got, []string{newTestAddress}) {
				t.Errorf("%s resolves %s to %v", h.Hostname(), name, got)
			}
		}
		if got := lookup(t, h, labPeer); !slices.Equal(got, []string{labPeerAddress}) {
			t.Errorf("%s: the peer's record changed: %v", h.Hostname(), got)
		}
	}
	z, _ := l.Zone()
	if z.Database.Address != newTestAddress {
		t.Errorf("the database on this server did not move with it: %+v", z.Database)
	}
	if srv, _ := z.Server(DefaultHostname); srv.Address != newTestAddress {
		t.Errorf("the zone's record: %+v", srv)
	}
	// The second server still points at the old address until 3.1 step 6.
	if zdm := readFile(t, peer.Rebase(ServerConfDir+"/datamodel/zdm.xml")); !strings.Contains(zdm, ">"+labAddress+"<") {
		t.Errorf("the peer's zdm.xml changed by itself:\n%s", zdm)
	}
}

// A new DNS name renames the lab's server everywhere a tool looks: the lab
// reopened, the zone, its certificates' filing; the old name no longer
// resolves, and the certificate still names it until it is replaced.
func TestSetAddressRenamesTheServer(t *testing.T) {
	l := newTestLab(t) // its certificates as installed: no tool has touched them
	res, err := l.SetAddress(AddressChange{Address: newTestAddress, Name: "zen-renamed." + LabDomain})
	if err != nil {
		t.Fatal(err)
	}
	if res.NewName != "zen-renamed" || l.Hostname() != "zen-renamed" {
		t.Fatalf("result %+v, host %s", res, l.Hostname())
	}
	again, err := Open(l.Dir())
	if err != nil || again.Hostname() != "zen-renamed" {
		t.Fatalf("reopened: %v %v", again, err)
	}
	peer, _ := l.Host(labPeer)
	if got := lookup(t, peer, "zen-renamed."+LabDomain); !slices.Equal(got, []string{newTestAddress}) {
		t.Errorf("the new name resolves to %v", got)
	}
	if got := lookup(t, peer, DefaultHostname); got != nil {
		t.Errorf("the old name still resolves to %v", got)
	}
	z, _ := l.Zone()
	if z.Database.Host != "zen-renamed" {
		t.Errorf("database host %q", z.Database.Host)
	}
	srv, ok := z.Server("zen-renamed")
	if !ok || srv.Address != newTestAddress || !srv.HasRole(RoleCertAuth) {
		t.Errorf("the zone's record: %+v (found %v)", srv, ok)
	}
	if _, ok := z.Server(DefaultHostname); ok {
		t.Error("the zone still has a server under the old name")
	}
	c := z.Certs()
	sc, ok := c.Presenting("zen-renamed")
	if !ok || sc.Subject != "CN="+DefaultHostname+"."+LabDomain {
		t.Errorf("the renamed server presents %+v (found %v); want its old certificate", sc, ok)
	}
	if _, ok := c.Server(DefaultHostname); ok {
		t.Error("a certificate is still filed under the old name")
	}
	// The rest of the zone still reaches it, and ZENworks restarts on it
	// under its new name.
	if err := z.reach(labPeer, time.Now()); err != nil {
		t.Error(err)
	}
	if code, _, errs := run(t, l, answers("3"), ToolConfigure, "-c", "Start"); code != 0 {
		t.Errorf("restart after the rename: %d %s", code, errs)
	}
}

// KeepDNS changes the machine only, so the DNS check of 3.1 step 3 has
// something to find, until set-address is given the same address again; a
// database elsewhere stays where it is.
func TestSetAddressCanLeaveDNSBehind(t *testing.T) {
	l, err := Init(t.TempDir(), Options{ExternalDatabase: true})
	if err != nil {
		t.Fatal(err)
	}
	res, err := l.SetAddress(AddressChange{Address: newTestAddress, KeepDNS: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.HostsFiles) != 0 || res.Database {
		t.Errorf("result %+v", res)
	}
	if got := lookup(t, l, DefaultHostname); !slices.Equal(got, []string{labAddress}) {
		t.Errorf("DNS changed: %v", got)
	}
	z, _ := l.Zone()
	if z.Database.Address != labDBAddress {
		t.Errorf("an external database moved: %+v", z.Database)
	}
	// The same address again brings the DNS record up to date.
	if res, err := l.SetAddress(AddressChange{Address: newTestAddress}); err != nil || len(res.HostsFiles) == 0 {
		t.Fatalf("updating the DNS record: %+v %v", res, err)
	}
	if got := lookup(t, l, DefaultHostname); !slices.Equal(got, []string{newTestAddress}) {
		t.Errorf("DNS after the update: %v", got)
	}
}

func TestSetAddressRefusesWhatCannotBe(t *testing.T) {
	l := newTestLab(t)
	before, _ := os.ReadFile(l.Rebase("/etc/hosts"))
	for _, c := range []struct {
		change AddressChange
		want   string
	}{
		{AddressChange{Address: "192.0.2.300"}, "not an IP address"},
		{AddressChange{Address: "127.0.0.2"}, "cannot be a server's address"},
		{AddressChange{Address: labPeerAddress}, "address of " + labPeer},
		{AddressChange{Name: labPeer}, "already the name"},
		{AddressChange{Name: "../etc"}, "not a host name"},
		{AddressChange{Name: "zen.example.com"}, "not a host name"},
		{AddressChange{Address: labAddress}, "already has the address"},
		{AddressChange{}, "already has the address"},
	} {
		if _, err := l.SetAddress(c.change); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: got %v, want %q", c.change, err, c.want)
		}
	}
	after, _ := os.ReadFile(l.Rebase("/etc/hosts"))
	if string(before) != string(after) || l.Hostname() != DefaultHostname {
		t.Error("a refused change changed the lab")
	}
	peer, _ := l.Host(labPeer)
	if _, err := peer.SetAddress(AddressChange{Address: newTestAddress}); err == nil {
		t.Error("set-address changed another host than the lab's own server")
	}
}
