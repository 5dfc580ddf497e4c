//go:build !windows

package remote

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"zenrecover/actions"
)

// 2.1 step 6b: the CA backup goes from this server to the second one. The
// folder there is made (owner-only), the file keeps its mode and time,
// and running the copy again is a no-op rather than an error.
func TestAFileIsCopiedToTheOtherHostAndACompletedCopyRunsAgain(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.trust()
	c := dialed(t, srv)
	here, there := t.TempDir(), t.TempDir()
	from := filepath.Join(here, "zenca.bak")
	os.WriteFile(from, []byte("ca backup"), 0o600)
	stamp := time.Now().Add(-time.Hour).Truncate(time.Second)
	os.Chtimes(from, stamp, stamp)
	to := filepath.Join(there, "backups", "zenca.bak")
	p := &Put{Client: c, From: from, To: to, CreateFolder: true}
	out := &syncBuf{}
	if err := p.Run(context.Background(), actions.IO{Output: out}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(to)
	fi, err := os.Stat(to)
	if string(b) != "ca backup" || err != nil || fi.Mode().Perm() != 0o600 || !fi.ModTime().Equal(stamp) {
		t.Errorf("the copy there: %q %v %v", b, fi, err)
	}
	if di, _ := os.Stat(filepath.Dir(to)); di == nil || di.Mode().Perm() != 0o700 {
		t.Errorf("the folder made there: %v", di)
	}
	out = &syncBuf{}
	if err := p.Run(context.Background(), actions.IO{Output: out}); err != nil || !strings.Contains(out.String(), "already holds this file") {
		t.Errorf("a second run: %v\n%s", err, out)
	}
	if left, _ := filepath.Glob(filepath.Join(there, "backups", ".*")); len(left) != 0 {
		t.Errorf("temporary files left there: %v", left)
	}
}

// A different file already there is a wrong path or someone else's file:
// it is not replaced unless the step says so, and a missing folder is not
// made unless the step says so.
func TestACopyToTheOtherHostNeverReplacesADifferentFileUnasked(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.trust()
	c := dialed(t, srv)
	here, there := t.TempDir(), t.TempDir()
	from := filepath.Join(here, "zenca.bak")
	os.WriteFile(from, []byte("new"), 0o600)
	to := filepath.Join(there, "zenca.bak")
	os.WriteFile(to, []byte("old"), 0o600)
	err := (&Put{Client: c, From: from, To: to}).Run(context.Background(), actions.IO{})
	if err == nil || !strings.Contains(err.Error(), "exists and differs") {
		t.Errorf("a different file there: %v", err)
	}
	if b, _ := os.ReadFile(to); string(b) != "old" {
		t.Errorf("the file there became %q", b)
	}
	if err := (&Put{Client: c, From: from, To: to, Overwrite: true}).Run(context.Background(), actions.IO{}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(to); string(b) != "new" {
		t.Errorf("overwrite: the file there is %q", b)
	}
	err = (&Put{Client: c, From: from, To: filepath.Join(there, "nowhere", "x")}).Run(context.Background(), actions.IO{})
	if err == nil || !strings.Contains(err.Error(), "does not exist there") {
		t.Errorf("a missing folder there: %v", err)
	}
	// A folder as the target: the file goes into it, as scp does.
	if err := (&Put{Client: c, From: from, To: filepath.Join(there)}).Run(context.Background(), actions.IO{}); err != nil {
		t.Errorf("into a folder there: %v", err)
	}
}

// CaConfig.xml on the second server: the element is set, the original is
// kept beside it, the rest of the file is as it was, a link to the file
// survives, and running the edit again changes nothing.
func TestAnXMLFileThereIsEditedOverSFTPWithABackup(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.trust()
	c := dialed(t, srv)
	there := t.TempDir()
	real := filepath.Join(there, "real", "CaConfig.xml")
	os.MkdirAll(filepath.Dir(real), 0o700)
	orig := "<?xml version=\"1.0\"?>\r\n<CaConfig>\r\n  <!-- kept -->\r\n  <Keystore>old.keystore</Keystore>\r\n  <Other a='1'>x</Other>\r\n</CaConfig>\r\n"
	os.WriteFile(real, []byte(orig), 0o640)
	link := filepath.Join(there, "CaConfig.xml")
	os.Symlink(real, link)
	changed := false
	e := &EditXML{Client: c, File: link, Element: "Keystore", Value: "/etc/opt/novell/zenworks/security/zenca.keystore", KeepBackup: true, Changed: &changed}
	out := &syncBuf{}
	if err := e.Run(context.Background(), actions.IO{Output: out}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(real)
	if !changed || !strings.Contains(string(b), "<Keystore>/etc/opt/novell/zenworks/security/zenca.keystore</Keystore>\r\n") ||
		!strings.Contains(string(b), "<!-- kept -->") || !strings.Contains(string(b), "<Other a=\"1\">x</Other>") {
		t.Errorf("edited there (changed %v):\n%s", changed, b)
	}
	if fi, _ := os.Lstat(link); fi == nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Error("the link there was replaced by a file")
	}
	if fi, _ := os.Stat(real); fi == nil || fi.Mode().Perm() != 0o640 {
		t.Errorf("the file's mode there: %v", fi)
	}
	baks, _ := filepath.Glob(real + ".*.bak")
	if len(baks) != 1 {
		t.Fatalf("backups there: %v", baks)
	}
	if b, _ := os.ReadFile(baks[0]); string(b) != orig {
		t.Errorf("the backup there holds %q", b)
	}
	out = &syncBuf{}
	if err := e.Run(context.Background(), actions.IO{Output: out}); err != nil || changed || !strings.Contains(out.String(), "nothing changed") {
		t.Errorf("a second run: %v changed=%v\n%s", err, changed, out)
	}
	if baks, _ := filepath.Glob(real + ".*.bak"); len(baks) != 1 {
		t.Errorf("a second run kept another backup: %v", baks)
	}
}

// A broken file there is reported with the host, file and line, and left
// exactly as it was.
func TestABrokenXMLFileThereIsReportedAndLeftAlone(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.trust()
	c := dialed(t, srv)
	f := filepath.Join(t.TempDir(), "CaConfig.xml")
	broken := "<CaConfig>\n<Keystore>x</Keystore>\n</Ca>\n"
	os.WriteFile(f, []byte(broken), 0o644)
	err := (&EditXML{Client: c, File: f, Element: "Keystore", Value: "y", KeepBackup: true}).Run(context.Background(), actions.IO{})
	if err == nil || !strings.Contains(err.Error(), "127.0.0.1:"+f) || !strings.Contains(err.Error(), "line 3") {
		t.Errorf("a broken file there: %v", err)
	}
	if b, _ := os.ReadFile(f); string(b) != broken {
		t.Errorf("the broken file became %q", b)
	}
	if baks, _ := filepath.Glob(f + ".*.bak"); len(baks) != 0 {
		t.Errorf("a backup of a file that was not edited: %v", baks)
	}
}
