package procedures

import (
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/goccy/go-yaml/lexer"

	"zenrecover/assets"
)

// measure returns what the limits count of a file: words (with YAML
// symbols), nesting depth, aliases.
func measure(t *testing.T, src []byte) (words, depth, aliases int) {
	t.Helper()
	isSpace := func(r rune) bool { return r == ' ' || r == '\t' || r == '\r' || r == '\n' } // as checkText
	for _, f := range strings.FieldsFunc(string(src), isSpace) {
		words++
		for _, r := range f {
			if r < 128 && indicator[r] {
				words++
			}
		}
	}
	tks := lexer.Tokenize(string(src))
	var cols []int
	flow := 0
	for i, tk := range tks {
		switch tk.Type.String() {
		case "SequenceStart", "MappingStart":
			flow++
			depth = max(depth, flow+len(cols))
		case "SequenceEnd", "MappingEnd":
			flow = max(flow-1, 0)
		case "Alias":
			aliases++
		}
		if flow > 0 {
			continue
		}
		if tk.Type.String() == "SequenceEntry" || (tk.Type.String() != "MappingValue" && i+1 < len(tks) && tks[i+1].Type.String() == "MappingValue") {
			c := tk.Position.Column
			for len(cols) > 0 && cols[len(cols)-1] > c {
				cols = cols[:len(cols)-1]
			}
			if len(cols) == 0 || cols[len(cols)-1] < c {
				cols = append(cols, c)
				depth = max(depth, len(cols))
			}
		}
	}
	return words, depth, aliases
}

// The limits are far above what the shipped definitions need: each uses
// at most a quarter of every limit, so that a definition growing towards
// one is noticed here, long before an operator's file hits it.
func TestShippedDefinitionsAreFarInsideTheLimits(t *testing.T) {
	entries, err := fs.ReadDir(assets.FS, "procedures")
	if err != nil {
		t.Fatal(err)
	}
	var most struct{ size, words, depth, aliases int }
	for _, e := range entries {
		src, err := fs.ReadFile(assets.FS, "procedures/"+e.Name())
		if err != nil {
			t.Fatal(err)
		}
		words, depth, aliases := measure(t, src)
		most.size, most.words = max(most.size, len(src)), max(most.words, words)
		most.depth, most.aliases = max(most.depth, depth), max(most.aliases, aliases)
		if len(src) > MaxFileSize/4 || words > maxWords/4 || depth > maxDepth/2 || aliases > maxAliases/4 {
			t.Errorf("%s is %d bytes, %d words, %d deep, %d aliases: near the limits (%d, %d, %d, %d)",
				e.Name(), len(src), words, depth, aliases, MaxFileSize, maxWords, maxDepth, maxAliases)
		}
	}
	t.Logf("the shipped definitions: at most %d bytes, %d words, %d levels deep, %d aliases", most.size, most.words, most.depth, most.aliases)
}

// The word count bounds the lexer's tokens, so that checking it first
// bounds what the lexer makes: over the fuzz seeds (every shipped
// definition, and the hostile inputs), the lexer makes no more tokens than
// the count says.
func TestWordCountBoundsTheTokens(t *testing.T) {
	files, _ := filepath.Glob("testdata/fuzz/*/*")
	if len(files) == 0 {
		t.Fatal("no fuzz seeds")
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, src := range seedValues(t, raw) {
			if len(src) > MaxFileSize || checkText("x", src) != nil {
				continue
			}
			words, _, _ := measure(t, src)
			if n := len(lexer.Tokenize(string(src))); n > words+1 {
				t.Errorf("%s: %d tokens, but only %d words counted", f, n, words)
			}
		}
	}
}

// seedValues reads the values of a seed file of Go's fuzzing corpus
// ("go test fuzz v1", then one []byte("...") a line).
func seedValues(t *testing.T, raw []byte) [][]byte {
	t.Helper()
	var out [][]byte
	for _, line := range strings.Split(string(raw), "\n")[1:] {
		lit, ok := strings.CutPrefix(line, "[]byte(")
		if !ok {
			continue
		}
		s, err := strconv.Unquote(strings.TrimSuffix(lit, ")"))
		if err != nil {
			t.Fatalf("%q: %v", line[:min(len(line), 40)], err)
		}
		out = append(out, []byte(s))
	}
	return out
}
