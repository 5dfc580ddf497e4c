//go:build !windows

package actions

import (
	"strings"
	"testing"
)

var (
	_ Action = (*Command)(nil)
	_ Action = (*Copy)(nil)
	_ Action = (*EditXML)(nil)
	_ Check  = (*FileExists)(nil)
	_ Check  = (*NewerThanStart)(nil)
	_ Check  = (*Writable)(nil)
	_ Check  = (*XMLPathExists)(nil)
)

func TestSafeWriterNilTargets(t *testing.T) {
	t.Parallel()
	w := SafeWriter(nil, nil)
	if _, err := w.Write([]byte("x\x1b[0m")); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// Text that went through SafeWriter passes through it again unchanged, so
// an engine that wraps Output once more does no harm.
func TestSafeWriterIdempotent(t *testing.T) {
	t.Parallel()
	m := NewMasker("topsecret")
	safe := func(s string) string {
		var b strings.Builder
		w := SafeWriter(&b, m)
		w.Write([]byte(s))
		w.Close()
		return b.String()
	}
	once := safe("a\x1b[31mtopsecret\x1b[0m\r\nb\rc\xff")
	if want := "a" + Mask + "\nb\nc\uFFFD"; once != want {
		t.Errorf("once = %q, want %q", once, want)
	}
	if twice := safe(once); twice != once {
		t.Errorf("twice = %q", twice)
	}
}

func TestCopyDescribe(t *testing.T) {
	t.Parallel()
	src, _ := makeTree(t)
	d := (&Copy{From: src, To: "/backup/zenworks"}).Describe()
	for _, want := range []string{"directory tree " + src, "/backup/zenworks", "created", "not followed", "stops the copy"} {
		if !strings.Contains(d, want) {
			t.Errorf("Describe %q lacks %q", d, want)
		}
	}
	d = (&Copy{From: "/nonexistent/x", To: "/y", Overwrite: true}).Describe()
	if !strings.Contains(d, "does not exist now") || !strings.Contains(d, "replaced") {
		t.Errorf("Describe %q", d)
	}
}
