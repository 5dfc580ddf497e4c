//go:build !windows

package archive

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// The fast encoder must write exactly what archive/tar writes, and leave
// to it everything it does not handle.
func TestUstarHeaderIsArchiveTarsByteForByte(t *testing.T) {
	when := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	entries := []Entry{
		{Path: ".", Type: TypeDir, Mode: 0o755, User: "root", Group: "root", MTime: when},
		{Path: "content/0a", Type: TypeDir, Mode: 0o2750, UID: 1000, GID: 1000, User: "zenworks", Group: "zenworks", MTime: when},
		{Path: "images/server.zmg", Type: TypeFile, Size: 7<<30 + 3, Mode: 0o4755, UID: 2097151, GID: 5, MTime: when},
		{Path: "a/link", Type: TypeSymlink, Mode: 0o777, Link: "../some/where", MTime: when},
		{Path: strings.Repeat("n", 100), Type: TypeFile, Mode: 0o600, MTime: time.Unix(0, 0)},
	}
	for _, e := range entries {
		var want bytes.Buffer
		tw := tar.NewWriter(&want)
		if err := tw.WriteHeader(e.header()); err != nil {
			t.Fatal(err)
		}
		var blk [512]byte
		if !ustarHeader(&blk, &e) {
			t.Errorf("%s: not encoded", e.Path)
			continue
		}
		if !bytes.Equal(blk[:], want.Bytes()) {
			t.Errorf("%s:\n got %q\nwant %q", e.Path, blk[:], want.Bytes())
		}
	}
	for _, e := range []Entry{
		{Path: strings.Repeat("n", 101), Type: TypeFile},
		{Path: "big", Type: TypeFile, Size: 8 << 30},
		{Path: "ünï", Type: TypeFile},
		{Path: "bytes\xff", Type: TypeFile},
		{Path: "uid", Type: TypeFile, UID: 1 << 21},
		{Path: "user", Type: TypeFile, User: strings.Repeat("u", 33)},
	} {
		var blk [512]byte
		if ustarHeader(&blk, &e) {
			t.Errorf("%.20s: encoded, but archive/tar should", e.Path)
		}
	}
}

func TestManifestLinesKeepEveryName(t *testing.T) {
	when := time.Date(2024, 5, 6, 7, 8, 9, 123, time.UTC)
	for _, e := range []Entry{
		{Path: "a/b c", Type: TypeFile, Size: 3, Mode: 0o644, UID: 1, GID: 2, User: "u", Group: "g", MTime: when, SHA256: "ab"},
		{Path: "ünï\"\\\n\x01", Type: TypeSymlink, Mode: 0o777, Link: "t\xfe", MTime: when, Flag: FlagChanged, Note: "n"},
		{Path: "bytes\xff\xfe", Type: TypeDir, Mode: 0o2755, MTime: when},
	} {
		line := e.appendJSON(nil)
		var back Entry
		if err := json.Unmarshal(line, &back); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		if back != e {
			t.Errorf("%s:\n got %+v\nwant %+v", line, back, e)
		}
		if std, _ := json.Marshal(struct{ X Entry }{e}); !bytes.Contains(std, line) {
			t.Errorf("MarshalJSON is not appendJSON: %s", std)
		}
	}
}
