package actions

import (
	"strings"
	"testing"
)

func TestSanitize(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, in, want string }{
		{"plain", "hello\tworld\n", "hello\tworld\n"},
		{"colours", "\x1b[1;31mred\x1b[0m \x1b[38;2;1;2;3mrgb\x1b[m", "red rgb"},
		{"cursor", "a\x1b[2K\x1b[1G\x1b[10;20Hb\x1b[?25l\x1b[?1049h", "ab"},
		{"esc two-byte", "\x1b7a\x1b8\x1b(Bb\x1b=c\x1bMd", "abcd"},
		{"osc bel", "\x1b]0;window title\x07text", "text"},
		{"osc st hyperlink", "\x1b]8;;http://x/\x1b\\link\x1b]8;;\x1b\\", "link"},
		{"dcs", "\x1bP1$r0m\x1b\\ok", "ok"},
		{"c1 csi", "\u009b31mX\u009b0m", "X"},
		{"c1 osc", "\u009d0;t\u009cY", "Y"},
		{"progress", "10%\r20%\r100%\n", "10%\n20%\n100%\n"},
		{"crlf", "a\r\nb\r\n", "a\nb\n"},
		{"cr cr lf", "a\r\r\nb", "a\nb"},
		{"cr erase", "50%\r\x1b[K100%\n", "50%\n100%\n"},
		{"lone cr at end", "a\r", "a\n"},
		{"lf cr", "a\n\rb", "a\n\nb"},
		{"controls", "a\x00b\x07c\x08d\x7fe\x0cf", "abcdef"},
		{"invalid utf8", "a\xffb\xc3", "a\uFFFDb\uFFFD"},
		{"valid utf8", "héllo ✓ 日本 ••", "héllo ✓ 日本 ••"},
		{"bidi", "a\u202eb\u2066c\u2069", "abc"},
		{"unterminated osc ends at newline", "\x1b]0;abc\nvisible", "\nvisible"},
		{"can aborts", "\x1b[12\x18x", "x"},
		{"interrupted csi", "\x1b[12\nx", "\nx"},
		{"esc esc", "\x1b\x1b[31mx", "x"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Sanitize(c.in)
			if got != c.want {
				t.Errorf("Sanitize(%q) = %q, want %q", c.in, got, c.want)
			}
			if again := Sanitize(got); again != got {
				t.Errorf("not idempotent: %q -> %q", got, again)
			}
		})
	}
}

func TestSanitizeWriterSplits(t *testing.T) {
	t.Parallel()
	cases := []struct {
		chunks []string
		want   string
	}{
		{[]string{"\x1b[3", "1mX\x1b", "[0m"}, "X"},
		{[]string{"\x1b]0;ti", "tle\x1b", "\\Y"}, "Y"},
		{[]string{"caf\xc3", "\xa9"}, "café"},
		{[]string{"\xe2\x9c", "\x93"}, "✓"},
		{[]string{"a\r", "\nb"}, "a\nb"},
		{[]string{"tail\xe2\x9c"}, "tail\uFFFD\uFFFD"},
	}
	for _, c := range cases {
		var b strings.Builder
		w := SanitizeWriter(&b)
		for _, ch := range c.chunks {
			if n, err := w.Write([]byte(ch)); n != len(ch) || err != nil {
				t.Fatalf("Write = %d, %v", n, err)
			}
		}
		w.Close()
		if b.String() != c.want {
			t.Errorf("chunks %q: got %q, want %q", c.chunks, b.String(), c.want)
		}
	}
}

func TestSanitizeUnterminatedStringIsBounded(t *testing.T) {
	t.Parallel()
	in := "\x1b]" + strings.Repeat("x", maxStringSeq+10)
	if got := Sanitize(in); len(got) == 0 || len(got) > 20 {
		t.Errorf("an unterminated OSC should end after %d bytes; got %d bytes out", maxStringSeq, len(got))
	}
}
