//go:build !windows

package archive

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"filippo.io/age"
)

func TestEscrowSealsForEveryRecipientAndOpensWithAnyOne(t *testing.T) {
	a, b := newKey(t), newKey(t)
	dir := t.TempDir()
	backup := filepath.Join(dir, "zone_backup.bak")
	p := EscrowPath(backup)
	e := Escrow{Label: "zman backup passphrase", For: backup, Secret: "s3cret passphrase!"}
	must(t, SealEscrow(p, e, []string{a.rec, b.rec}, false))
	fi, err := os.Stat(p)
	must(t, err)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode())
	}
	assertNowhere(t, dir, e.Secret)
	for _, k := range []key{a, b} {
		got, err := OpenEscrow(p, []age.Identity{k.id})
		if err != nil {
			t.Fatal(err)
		}
		if got.Secret != e.Secret || got.Label != e.Label || got.For != backup || got.Host == "" || got.Created.IsZero() {
			t.Errorf("opened %+v", got)
		}
	}
	if _, err := OpenEscrow(p, []age.Identity{newKey(t).id}); err == nil {
		t.Error("a stranger's key opened the escrow")
	}
	if err := SealEscrow(p, e, []string{a.rec}, false); !errors.Is(err, ErrExists) {
		t.Errorf("sealing over an escrow: %v", err)
	}
	must(t, SealEscrow(p, e, []string{a.rec}, true))
	if err := SealEscrow(p, Escrow{Secret: "two\nlines"}, []string{a.rec}, true); err == nil {
		t.Error("a secret with a line break was sealed")
	}
}
