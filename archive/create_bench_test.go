//go:build !windows

package archive

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"filippo.io/age"
)

// BenchmarkCreateSmallFiles archives the tree named by ZENRECOVER_BENCH_TREE
// (skipped without it): go test -bench CreateSmall -cpuprofile cpu.out
// ./archive/ with a tree of many small files. bench/archive.sh compares the
// whole command against tar | age and cp -a.
func BenchmarkCreateSmallFiles(b *testing.B) {
	tree := os.Getenv("ZENRECOVER_BENCH_TREE")
	if tree == "" {
		b.Skip("set ZENRECOVER_BENCH_TREE to a folder to archive")
	}
	id, err := age.GenerateX25519Identity()
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		dest := filepath.Join(b.TempDir(), "set")
		if _, err := Create(context.Background(), tree, dest, CreateOptions{Recipients: []string{id.Recipient().String()}}); err != nil {
			b.Fatal(err)
		}
	}
}
