package lab

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The second Primary Server has a tree of its own, without the CA's files,
// and resolves the zone's names from its own hosts file.
func TestTheSecondServerHasItsOwnTree(t *testing.T) {
	l, err := Init(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	peer, err := l.Host(labPeer)
	if err != nil {
		t.Fatal(err)
	}
	if peer.IsHome() || peer.Hostname() != labPeer {
		t.Fatalf("host %s home=%v", peer.Hostname(), peer.IsHome())
	}
	if _, err := os.Stat(peer.Rebase(ServerConfDir + "/DeviceGuid")); err != nil {
		t.Error(err)
	}
	if _, err := os.Stat(peer.Rebase(ServerKeystore)); !os.IsNotExist(err) {
		t.Errorf("the second server has the CA keystore: %v", err)
	}
	if filepath.Dir(peer.Rebase(ServerKeystore)) == filepath.Dir(l.Rebase(ServerKeystore)) {
		t.Error("both hosts share one tree")
	}
	got, err := peer.LookupHost(context.Background(), DefaultHostname+"."+LabDomain)
	if err != nil || !slices.Contains(got, labAddress) {
		t.Errorf("lookup: %v %v", got, err)
	}
	local, _ := peer.LocalAddrs()
	if !slices.Contains(local, labPeerAddress) || slices.Contains(local, labAddress) {
		t.Errorf("peer addresses %v", local)
	}
	if back, _ := peer.Host(DefaultHostname); !back.IsHome() {
		t.Error("the lab server seen from the peer is not the lab server")
	}
	if _, err := l.Host("../etc"); err == nil {
		t.Error("a path was accepted as a host name")
	}
}

// A tool run with the host in its environment acts as that host: a restart
// there counts for that server, not for the lab server.
func TestToolsRunAsTheHostInTheirEnvironment(t *testing.T) {
	l, err := Init(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	peer, _ := l.Host(labPeer)
	if !slices.Contains(peer.Env(nil), HostEnv+"="+labPeer) || slices.ContainsFunc(l.Env(nil), func(kv string) bool { return strings.HasPrefix(kv, HostEnv) }) {
		t.Fatalf("env %v / %v", peer.Env(nil), l.Env(nil))
	}
	t.Setenv(HostEnv, labPeer)
	var out, errb strings.Builder
	if code := Exec(l.Dir(), ToolZenserver, []string{"restart"}, nil, &out, &errb); code != 0 {
		t.Fatalf("restart on the peer: %d %s", code, errb.String())
	}
	z, _ := l.Zone()
	srv, _ := z.Server(labPeer)
	if srv.Restarts != 1 || z.Restarts != 0 {
		t.Errorf("peer restarts %d, lab server restarts %d", srv.Restarts, z.Restarts)
	}
}
