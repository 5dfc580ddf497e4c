//go:build !windows

package archive

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
)

// These tests run Debian's age (installed by .ci/deps/archive.sh) against
// what zenrecover writes, and zenrecover against what age writes.

func needAge(t *testing.T) {
	t.Helper()
	for _, c := range []string{"age", "age-keygen", "tar", "bash"} {
		if _, err := exec.LookPath(c); err != nil {
			t.Skipf("%s is not installed (.ci/deps/archive.sh installs Debian's age): interop with the age command not tested", c)
		}
	}
}

func sh(t *testing.T, dir string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// ageKey makes a key with age-keygen and returns the identity file and
// its recipient.
func ageKey(t *testing.T) (string, string) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "key.txt")
	sh(t, "", "age-keygen", "-o", p)
	return p, strings.TrimSpace(sh(t, "", "age-keygen", "-y", p))
}

// restoreScript is the README's restore block, with its placeholders
// filled in: what an operator would paste.
func restoreScript(t *testing.T, dest, keyfile, shmKey string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dest, readmeName))
	must(t, err)
	text := string(b)
	i := strings.Index(text, "from inside the folder that is to hold the tree:")
	if i < 0 {
		t.Fatalf("README has no restore block:\n%s", text)
	}
	var lines []string
	sc := bufio.NewScanner(strings.NewReader(text[i:]))
	sc.Scan()
	sc.Scan() // the blank line
	for sc.Scan() && strings.HasPrefix(sc.Text(), "  ") {
		lines = append(lines, strings.TrimPrefix(sc.Text(), "  "))
	}
	script := strings.Join(lines, "\n")
	script = strings.ReplaceAll(script, "/path/to/"+filepath.Base(dest), dest)
	script = strings.ReplaceAll(script, "KEYFILE", keyfile)
	script = strings.ReplaceAll(script, "/dev/shm/zenrecover-key.txt", shmKey)
	return script
}

func TestAgeAndTarRestoreAnArchiveByTheReadme(t *testing.T) {
	needAge(t)
	src, _ := makeTree(t)
	keyfile, rec := ageKey(t)
	dest := filepath.Join(t.TempDir(), "backup")
	create(t, src, dest, CreateOptions{Recipients: []string{rec}})
	out := t.TempDir()
	sh(t, out, "bash", "-ec", restoreScript(t, dest, keyfile, ""))
	compareTreesTo(t, src, out, time.Second)

	// zenrecover reads age-keygen's identity file.
	ids, err := LoadIdentities(keyfile, nil)
	must(t, err)
	if _, err := Verify(context.Background(), dest, OpenOptions{Identities: ids}); err != nil {
		t.Fatal(err)
	}
}

func TestAgeRestoresAnArchiveMadeForAnSSHKey(t *testing.T) {
	needAge(t)
	if _, err := exec.LookPath("ssh-keygen"); err != nil {
		t.Skip("ssh-keygen is not installed: SSH keys not tested")
	}
	src, _ := makeTree(t)
	keyfile := filepath.Join(t.TempDir(), "id_ed25519")
	sh(t, "", "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "team@example", "-f", keyfile)
	pub, err := os.ReadFile(keyfile + ".pub")
	must(t, err)
	dest := filepath.Join(t.TempDir(), "backup")
	create(t, src, dest, CreateOptions{Recipients: []string{strings.TrimSpace(string(pub))}})
	out := t.TempDir()
	sh(t, out, "bash", "-ec", restoreScript(t, dest, keyfile, ""))
	compareTreesTo(t, src, out, time.Second)
	ids, err := LoadIdentities(keyfile, nil)
	must(t, err)
	if _, err := Verify(context.Background(), dest, OpenOptions{Identities: ids}); err != nil {
		t.Fatal(err)
	}
}

// age asks a passphrase on the terminal only, so this runs the README's
// block under a pseudo-terminal and types it when age asks.
func TestAgeRestoresAPassphraseArchiveAskingOnce(t *testing.T) {
	needAge(t)
	src, _ := makeTree(t)
	dest := filepath.Join(t.TempDir(), "backup")
	create(t, src, dest, CreateOptions{Passphrase: testPassphrase, ScryptWorkFactor: 10})
	out := t.TempDir()
	shm := filepath.Join(t.TempDir(), "key.txt")
	cmd := exec.Command("bash", "-ec", restoreScript(t, dest, "", shm)+"\necho RESTORED")
	cmd.Dir = out
	tty, err := pty.Start(cmd)
	must(t, err)
	defer tty.Close()
	var seen bytes.Buffer
	asked := 0
	buf := make([]byte, 4096)
	for {
		n, err := tty.Read(buf)
		seen.Write(buf[:n])
		if strings.Count(strings.ToLower(seen.String()), "passphrase") > asked {
			asked++
			tty.Write([]byte(testPassphrase + "\n"))
		}
		if err != nil {
			break
		}
	}
	if err := cmd.Wait(); err != nil || !strings.Contains(seen.String(), "RESTORED") {
		t.Fatalf("restore: %v\n%s", err, seen.String())
	}
	if asked != 1 {
		t.Errorf("age asked the passphrase %d times", asked)
	}
	if _, err := os.Stat(shm); !os.IsNotExist(err) {
		t.Error("the README's block leaves the key behind")
	}
	compareTreesTo(t, src, out, time.Second)
}

// Every file of a set is a plain age file: re-encrypted by the age command
// to another key, the set still verifies with that key.
func TestZenrecoverReadsPartsAndManifestEncryptedByAge(t *testing.T) {
	needAge(t)
	src, _ := makeTree(t)
	k := newKey(t)
	dest := filepath.Join(t.TempDir(), "backup")
	create(t, src, dest, CreateOptions{Recipients: []string{k.rec}})
	keyfile, rec := ageKey(t)
	oldKey := filepath.Join(t.TempDir(), "old.txt")
	must(t, os.WriteFile(oldKey, []byte(k.id.String()+"\n"), 0o600))
	names, err := listParts(dest)
	must(t, err)
	for _, n := range append(names, manifestName) {
		p := filepath.Join(dest, n)
		sh(t, "", "bash", "-ec", `age -d -i "$1" "$2" | age -r "$3" -o "$2.new" && mv "$2.new" "$2"`, "-", oldKey, p, rec)
	}
	ids, err := LoadIdentities(keyfile, nil)
	must(t, err)
	if _, err := Verify(context.Background(), dest, OpenOptions{Identities: ids}); err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(context.Background(), dest, openWith(k)); err == nil {
		t.Fatal("the old key still opens the re-encrypted set")
	}
}

func TestEscrowInteroperatesWithAge(t *testing.T) {
	needAge(t)
	keyfile, rec := ageKey(t)
	dir := t.TempDir()
	p := filepath.Join(dir, "ca.bak"+EscrowExt)
	must(t, SealEscrow(p, Escrow{Label: "CA export passphrase", For: "/root/ca.bak", Secret: "the CA passphrase"}, []string{rec}, false))
	text := sh(t, "", "age", "-d", "-i", keyfile, p)
	if !strings.HasSuffix(text, "\n\nthe CA passphrase\n") || !strings.Contains(text, "Label: CA export passphrase") {
		t.Errorf("age -d shows:\n%s", text)
	}
	// Sealed by hand with age: its one line is the secret.
	hand := filepath.Join(dir, "by-hand.age")
	cmd := exec.Command("age", "-r", rec, "-o", hand)
	cmd.Stdin = strings.NewReader("typed by hand\n")
	must(t, cmd.Run())
	ids, err := LoadIdentities(keyfile, nil)
	must(t, err)
	e, err := OpenEscrow(hand, ids)
	if err != nil || e.Secret != "typed by hand" {
		t.Fatalf("open: %+v %v", e, err)
	}
}
