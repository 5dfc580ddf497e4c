//go:build !windows

package archive

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
)

func TestALinkPointingOutsideIsArchivedAsALinkNeverFollowed(t *testing.T) {
	src, outside := makeTree(t)
	k := newKey(t)
	dest := filepath.Join(t.TempDir(), "backup")
	create(t, src, dest, CreateOptions{Recipients: []string{k.rec}})
	var stream bytes.Buffer
	parts, err := listParts(dest)
	must(t, err)
	for _, p := range parts {
		f, err := os.Open(filepath.Join(dest, p))
		must(t, err)
		r, err := age.Decrypt(f, k.id)
		must(t, err)
		_, err = io.Copy(&stream, r)
		must(t, err)
		f.Close()
	}
	if bytes.Contains(stream.Bytes(), []byte("never archive me")) {
		t.Fatal("the file outside the tree is in the archive")
	}
	out := filepath.Join(t.TempDir(), "restored")
	if _, err := Extract(context.Background(), dest, out, ExtractOptions{OpenOptions: openWith(k)}); err != nil {
		t.Fatal(err)
	}
	for _, l := range []string{"content/escape-link", "content/escape-dir"} {
		fi, err := os.Lstat(filepath.Join(out, l))
		if err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Errorf("%s is not restored as a link: %v", l, err)
		}
	}
	if b, _ := os.ReadFile(outside); string(b) != "never archive me" {
		t.Error("the file outside was changed")
	}
}

// writeSet builds a set by hand, the way a forger holding a recipient's
// public key could.
func writeSet(t *testing.T, dest string, k key, entries []Entry, data map[string]string) {
	t.Helper()
	must(t, os.MkdirAll(dest, 0o700))
	var stream, man bytes.Buffer
	var scratch bytes.Buffer
	for i := range entries {
		e := &entries[i]
		if e.Type == TypeFile {
			e.Size = int64(len(data[e.Path]))
			sum := sha256.Sum256([]byte(data[e.Path]))
			e.SHA256 = hex.EncodeToString(sum[:])
		}
		hb, err := headerBytes(e, &scratch)
		must(t, err)
		stream.Write(hb)
		stream.WriteString(data[e.Path])
		stream.Write(make([]byte, padding(e.Size)))
		line, _ := json.Marshal(e)
		man.Write(append(line, '\n'))
	}
	stream.Write(make([]byte, endOfArchive))
	seal := func(name string, b []byte) {
		var enc bytes.Buffer
		w, err := age.Encrypt(&enc, k.id.Recipient())
		must(t, err)
		w.Write(b)
		must(t, w.Close())
		must(t, os.WriteFile(filepath.Join(dest, name), enc.Bytes(), 0o600))
	}
	seal(partName(1), stream.Bytes())
	sum, _ := json.Marshal(Summary{Format: formatName, Version: formatVersion, Entries: int64(len(entries)),
		Parts: []PartInfo{{Name: partName(1), Plain: int64(stream.Len())}}})
	seal(manifestName, append(append(sum, '\n'), man.Bytes()...))
}

func TestExtractNeverWritesThroughALinkInTheArchive(t *testing.T) {
	victim := t.TempDir()
	k := newKey(t)
	for name, entries := range map[string][]Entry{
		"file under a link": {
			{Path: ".", Type: TypeDir, Mode: 0o755},
			{Path: "evil", Type: TypeSymlink, Mode: 0o777, Link: victim},
			{Path: "evil/pwned", Type: TypeFile, Mode: 0o644},
		},
		"folder over a link": {
			{Path: ".", Type: TypeDir, Mode: 0o755},
			{Path: "evil", Type: TypeSymlink, Mode: 0o777, Link: victim},
			{Path: "evil", Type: TypeDir, Mode: 0o755},
			{Path: "evil/pwned", Type: TypeFile, Mode: 0o644},
		},
		"climbing out": {
			{Path: ".", Type: TypeDir, Mode: 0o755},
			{Path: "../pwned", Type: TypeFile, Mode: 0o644},
		},
	} {
		t.Run(name, func(t *testing.T) {
			dest := filepath.Join(t.TempDir(), "forged")
			writeSet(t, dest, k, entries, map[string]string{"evil/pwned": "gotcha", "../pwned": "gotcha"})
			out := filepath.Join(t.TempDir(), "restored")
			_, err := Extract(context.Background(), dest, out, ExtractOptions{OpenOptions: openWith(k)})
			if err == nil {
				t.Error("extract accepted the forged archive")
			}
			t.Log(err)
			if des, _ := os.ReadDir(victim); len(des) != 0 {
				t.Fatalf("extract wrote outside its folder: %v", des)
			}
			if _, err := os.Lstat(filepath.Join(filepath.Dir(out), "pwned")); err == nil {
				t.Fatal("extract wrote beside its folder")
			}
			if err != nil && strings.Contains(err.Error(), "gotcha") {
				t.Errorf("error: %v", err)
			}
		})
	}
}
