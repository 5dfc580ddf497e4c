package actions

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const caConfig = `<?xml version="1.0" encoding="UTF-8"?>
<!-- ZENworks CA configuration -->
<CaConfig version="2" xmlns:z="urn:zen">
    <Subject>CN=zone, O=Example &amp; Co</Subject>
    <Store>
        <Keystore type="jks">/etc/opt/novell/zenworks/security/old.keystore</Keystore>
    </Store>
    <!-- keep me -->
    <z:Extra a="1" b="two"/>
</CaConfig>
`

const (
	oldKeystore = "/etc/opt/novell/zenworks/security/old.keystore"
	newKeystore = "/etc/opt/novell/zenworks/security/zenca.keystore"
)

func writeTemp(t *testing.T, name, content string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
	return p
}

func backups(t *testing.T, file string) []string {
	t.Helper()
	m, err := filepath.Glob(file + ".*.bak")
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestEditXMLChangesOnlyTheElement(t *testing.T) {
	p := writeTemp(t, "CaConfig.xml", caConfig, 0o640)
	changed := false
	e := &EditXML{File: p, Element: "Keystore", Value: newKeystore, KeepBackup: true, Changed: &changed}
	var out strings.Builder
	if err := e.Run(context.Background(), IO{Output: &out}); err != nil {
		t.Fatal(err)
	}
	if !changed {
		t.Error("Changed not set")
	}
	got, _ := os.ReadFile(p)
	if want := strings.Replace(caConfig, oldKeystore, newKeystore, 1); string(got) != want {
		t.Errorf("file:\n%s\nwant:\n%s", got, want)
	}
	fi, _ := os.Stat(p)
	if fi.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want 0640", fi.Mode().Perm())
	}
	baks := backups(t, p)
	if len(baks) != 1 {
		t.Fatalf("backups %v", baks)
	}
	if b, _ := os.ReadFile(baks[0]); string(b) != caConfig {
		t.Errorf("backup holds %q", b)
	}
	if !strings.Contains(out.String(), "was \""+oldKeystore+"\"") {
		t.Errorf("output %q", out.String())
	}
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(p), ".*zenrecover*"))
	if len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}

	// The same value again: nothing is written.
	before, _ := os.Stat(p)
	if err := e.Run(context.Background(), IO{}); err != nil {
		t.Fatal(err)
	}
	if changed {
		t.Error("Changed set for an unchanged file")
	}
	after, _ := os.Stat(p)
	if !after.ModTime().Equal(before.ModTime()) || len(backups(t, p)) != 1 {
		t.Error("an unchanged file was rewritten or backed up")
	}
}

func TestEditXMLWithoutBackup(t *testing.T) {
	t.Parallel()
	p := writeTemp(t, "CaConfig.xml", caConfig, 0o600)
	if err := (&EditXML{File: p, Element: "//Keystore", Value: newKeystore}).Run(context.Background(), IO{}); err != nil {
		t.Fatal(err)
	}
	if b := backups(t, p); len(b) != 0 {
		t.Errorf("backups %v without KeepBackup", b)
	}
}

func TestEditXMLKeepsCRLFAndBOM(t *testing.T) {
	t.Parallel()
	orig := "\xef\xbb\xbf" + strings.ReplaceAll(caConfig, "\n", "\r\n")
	p := writeTemp(t, "CaConfig.xml", orig, 0o644)
	if err := (&EditXML{File: p, Element: "Keystore", Value: newKeystore}).Run(context.Background(), IO{}); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(p)
	if want := strings.Replace(orig, oldKeystore, newKeystore, 1); string(got) != want {
		t.Errorf("file:\n%q\nwant:\n%q", got, want)
	}
}

func TestEditXMLEditsThroughSymlink(t *testing.T) {
	p := writeTemp(t, "CaConfig.xml", caConfig, 0o644)
	link := filepath.Join(t.TempDir(), "link.xml")
	if err := os.Symlink(p, link); err != nil {
		t.Fatal(err)
	}
	if err := (&EditXML{File: link, Element: "Keystore", Value: newKeystore}).Run(context.Background(), IO{}); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v", err)
	}
	if b, _ := os.ReadFile(p); !strings.Contains(string(b), newKeystore) {
		t.Error("the target was not edited")
	}
}

func TestEditXMLErrors(t *testing.T) {
	dir := t.TempDir()
	notXML := writeTemp(t, "bad.xml", "<CaConfig>\n  <Keystore>x</Store>\n</CaConfig>\n", 0o644)
	good := writeTemp(t, "CaConfig.xml", caConfig, 0o644)
	nested := writeTemp(t, "n.xml", "<a><Keystore><b/></Keystore></a>", 0o644)
	empty := writeTemp(t, "empty.xml", "", 0o644)
	cases := []struct {
		file, element, want string
	}{
		{filepath.Join(dir, "missing.xml"), "Keystore", "no such file"},
		{notXML, "Keystore", "not well-formed XML: line 2"},
		{good, "Missing", "has no element <Missing>"},
		{nested, "Keystore", "contains other elements"},
		{empty, "Keystore", "no root element"},
	}
	for _, c := range cases {
		before, _ := os.ReadFile(c.file)
		err := (&EditXML{File: c.file, Element: c.element, Value: "v", KeepBackup: true}).Run(context.Background(), IO{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s <%s>: error %v, want %q", filepath.Base(c.file), c.element, err, c.want)
		}
		if after, _ := os.ReadFile(c.file); string(after) != string(before) {
			t.Errorf("%s was modified", c.file)
		}
	}
}

func TestEditXMLDescribe(t *testing.T) {
	t.Parallel()
	d := (&EditXML{File: "/etc/x/CaConfig.xml", Element: "Keystore", Value: newKeystore, KeepBackup: true}).Describe()
	for _, want := range []string{"/etc/x/CaConfig.xml", "<Keystore>", newKeystore, "CaConfig.xml.<timestamp>.bak"} {
		if !strings.Contains(d, want) {
			t.Errorf("Describe %q lacks %q", d, want)
		}
	}
}
