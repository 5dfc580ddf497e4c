//go:build !windows

package archive

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRoundTripRestoresTheTreeExactly(t *testing.T) {
	src, _ := makeTree(t)
	k := newKey(t)
	dest := filepath.Join(t.TempDir(), "backup")
	var last Progress
	res := create(t, src, dest, CreateOptions{Recipients: []string{k.rec}, Require: []string{"images"},
		Progress: func(p Progress) { last = p }})
	if res.Parts < 5 {
		t.Errorf("parts: %d, want the big file to span several", res.Parts)
	}
	if last.Phase != PhaseDone || last.Files != 7 || last.FilesTotal != 7 || last.Fraction() != 1 {
		t.Errorf("last progress: %+v", last)
	}
	if len(res.Required) != 1 || res.Required[0].Files != 1 || res.Required[0].Bytes != 300_017 {
		t.Errorf("required: %+v", res.Required)
	}
	if _, err := os.Stat(PartialDir(dest)); !os.IsNotExist(err) {
		t.Errorf("the .partial folder is left: %v", err)
	}
	rep, err := Verify(context.Background(), dest, openWith(k))
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if rep.Files != 7 || rep.Summary.Files != 7 {
		t.Errorf("verify report: %+v", rep)
	}
	out := filepath.Join(t.TempDir(), "restored")
	if _, err := Extract(context.Background(), dest, out, ExtractOptions{OpenOptions: openWith(k)}); err != nil {
		t.Fatalf("extract: %v", err)
	}
	compareTrees(t, src, out)
	if strings.Contains(tree(t, out), ".zenrecover") {
		t.Errorf("temporary files left:\n%s", tree(t, out))
	}
}
