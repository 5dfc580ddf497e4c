package actions

import (
	"math/rand"
	"strings"
	"sync"
	"testing"
)

func maskStream(m *Masker, chunks ...string) string {
	var b strings.Builder
	w := m.Writer(&b)
	for _, c := range chunks {
		w.Write([]byte(c))
	}
	w.Close()
	return b.String()
}

func TestMaskerString(t *testing.T) {
	t.Parallel()
	m := NewMasker("pass", "password", "", "hunter2")
	cases := map[string]string{
		"":                      "",
		"nothing here":          "nothing here",
		"password1":             Mask + "1",
		"pass and pass":         Mask + " and " + Mask,
		"x hunter2hunter2 y":    "x " + Mask + " y",
		"admin/password:hunter": "admin/" + Mask + ":hunter",
	}
	for in, want := range cases {
		if got := m.String(in); got != want {
			t.Errorf("String(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMaskerOverlappingSecrets(t *testing.T) {
	t.Parallel()
	m := NewMasker("abcdef", "defghi")
	if got := m.String("xabcdefghiy"); got != "x"+Mask+"y" {
		t.Errorf("String = %q", got)
	}
	if got := maskStream(m, "xabcd", "efg", "hiy"); got != "x"+Mask+"y" {
		t.Errorf("stream = %q", got)
	}
}

func TestMaskerWriterSplitSecret(t *testing.T) {
	t.Parallel()
	m := NewMasker("hunter2hunter")
	if got := maskStream(m, "pass=hunt", "er2hun", "ter!\n"); got != "pass="+Mask+"!\n" {
		t.Errorf("got %q", got)
	}
	// One byte at a time.
	in := "a hunter2hunter b"
	if got := maskStream(m, strings.Split(in, "")...); got != "a "+Mask+" b" {
		t.Errorf("byte by byte: %q", got)
	}
}

// The tail of an occurrence that was already masked stays masked even when
// the bytes that follow break the occurrence of a longer secret it might
// have started.
func TestMaskerWriterHeldTailKeepsCoverage(t *testing.T) {
	t.Parallel()
	m := NewMasker("xyzab", "abq")
	if got := maskStream(m, "xyzab", "c"); got != Mask+"c" {
		t.Errorf("got %q", got)
	}
}

func TestMaskerWriterHoldsBackUntilClose(t *testing.T) {
	m := NewMasker("abcdef")
	var b strings.Builder
	w := m.Writer(&b)
	w.Write([]byte("xyz abc"))
	if b.String() != "xyz " {
		t.Errorf("before Close: %q, want the possible start of a secret held back", b.String())
	}
	w.Close()
	if b.String() != "xyz abc" {
		t.Errorf("after Close: %q", b.String())
	}
	if _, err := w.Write([]byte("x")); err == nil {
		t.Error("write after Close succeeded")
	}
}

func TestMaskerWriterMatchesString(t *testing.T) {
	t.Parallel()
	m := NewMasker("aa", "aab", "secret", "cret!", "ééé")
	r := rand.New(rand.NewSource(1))
	alphabet := []string{"a", "b", "secret", "cret!", "é", "x", "\n", "se"}
	for i := 0; i < 2000; i++ {
		var parts []string
		for j := r.Intn(12); j >= 0; j-- {
			parts = append(parts, alphabet[r.Intn(len(alphabet))])
		}
		text := strings.Join(parts, "")
		var chunks []string
		for rest := text; rest != ""; {
			n := 1 + r.Intn(len(rest))
			chunks, rest = append(chunks, rest[:n]), rest[n:]
		}
		got, want := maskStream(m, chunks...), m.String(text)
		if got != want {
			t.Fatalf("text %q in chunks %q: stream %q, String %q", text, chunks, got, want)
		}
		for _, s := range []string{"secret", "aa", "ééé"} {
			if strings.Contains(got, s) {
				t.Fatalf("text %q: %q leaks %q", text, got, s)
			}
		}
	}
}

func TestMaskerAddConcurrent(t *testing.T) {
	m := NewMasker()
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			m.Add("secret-" + string(rune('a'+i)))
			_ = m.String("secret-a secret-b")
		}(i)
	}
	wg.Wait()
	if got := m.String("secret-a secret-h"); got != Mask+" "+Mask {
		t.Errorf("got %q", got)
	}
	m.Add("")
	if m.Contains("") || !m.Contains("x secret-c") {
		t.Error("Contains is wrong")
	}
}

func TestNilMasker(t *testing.T) {
	var m *Masker
	if m.String("abc") != "abc" || m.Contains("abc") {
		t.Error("a nil Masker must know no secrets")
	}
}

func TestSafeWriterSecretSplitByEscape(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	w := SafeWriter(&b, NewMasker("s3cr3tpass"))
	w.Write([]byte("x s3cr\x1b[0m3t"))
	w.Write([]byte("pass y\r\n"))
	w.Close()
	if got := b.String(); got != "x "+Mask+" y\n" {
		t.Errorf("got %q", got)
	}
}
