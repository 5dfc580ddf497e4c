package procedures

import (
	"fmt"
	"unicode/utf8"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/lexer"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// The YAML library's parser needs memory far out of proportion to some
// small inputs (issue 11: 80 KB of nested brackets take 2.5 GB, 1 MB of
// aliases to one long note 9 GB), and running out of memory is a fatal
// error that no recover catches. So every YAML file zenrecover reads (a
// definition, a recorded bundle's part, an answers file) passes these
// limits first, each checked before the stage that would pay for it. They
// are far above what any definition needs (doc.go gives the numbers).
const (
	// MaxFileSize is the most zenrecover reads of a definition or answers
	// file; ReadFile stops reading one byte after it.
	MaxFileSize = 512 << 10
	// maxWords bounds the YAML tokens before the lexer makes them (each
	// costs the lexer and parser about 400 bytes): words, counting each
	// YAML indicator character as one more.
	maxWords = 50_000
	// maxDepth bounds nesting, counted one level per bracket and per
	// indentation column that opens a block map or list.
	maxDepth = 32
	// maxAliases bounds the *aliases of a file; maxExpanded bounds the
	// text a file would be with every alias replaced by what it names.
	maxAliases  = 100
	maxExpanded = MaxFileSize
)

// yamlIndicators are the characters that can start a YAML token of their
// own in the middle of a word (a,b or [[[ are several tokens).
const yamlIndicators = "[]{},:-?&*!|>'\"%@`#"

// parseGuarded parses src as YAML within the limits above. Its errors name
// the file and a place in it, and quote nothing from the file: they are
// given before it is known to be a definition at all.
func parseGuarded(name string, src []byte) (*ast.File, error) {
	if e := checkText(name, src); e != nil {
		return nil, Errors{e}
	}
	tks := lexer.Tokenize(string(src))
	if e := checkTokens(name, tks); e != nil {
		return nil, Errors{e}
	}
	f, err := parser.Parse(tks, 0)
	if err != nil {
		return nil, Errors{yamlError(name, err)}
	}
	if e := checkExpansion(name, f); e != nil {
		return nil, Errors{e}
	}
	return f, nil
}

// checkText checks the bytes, in one pass and no memory: the size, UTF-8
// and the number of words (an upper bound of the tokens the lexer would
// make).
func checkText(name string, src []byte) *Error {
	if len(src) > MaxFileSize {
		line, col := position(src, MaxFileSize)
		return &Error{File: name, Line: line, Column: col, Msg: fmt.Sprintf(
			"the file goes on past %s here, the most zenrecover reads of a definition or answers file: it reads no further", sizeName(MaxFileSize))}
	}
	line, col, words, inWord := 1, 1, 0, false
	for i := 0; i < len(src); {
		r, n := utf8.DecodeRune(src[i:])
		if r == utf8.RuneError && n <= 1 {
			return &Error{File: name, Line: line, Column: col, Msg: fmt.Sprintf(
				"byte 0x%02x is not UTF-8: a definition or answers file is UTF-8 text; save it as UTF-8", src[i])}
		}
		switch r {
		case ' ', '\t', '\r', '\n':
			inWord = false
		default:
			if !inWord {
				words++
				inWord = true
			}
			if r < utf8.RuneSelf && indicator[r] {
				words++
			}
		}
		if words > maxWords {
			return &Error{File: name, Line: line, Column: col, Msg: fmt.Sprintf(
				"more than %d words and YAML symbols by here, far more than any definition needs: zenrecover reads no further", maxWords)}
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		i += n
	}
	return nil
}

var indicator = func() (t [utf8.RuneSelf]bool) {
	for _, c := range yamlIndicators {
		t[c] = true
	}
	return t
}()

// position is the line and column (in characters, as the parser counts
// them) of byte off of src.
func position(src []byte, off int) (line, col int) {
	line, col = 1, 1
	for i := 0; i < off && i < len(src); {
		r, n := utf8.DecodeRune(src[i:])
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		i += n
	}
	return line, col
}

func sizeName(n int) string {
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d KiB", n>>10)
}

// checkTokens bounds the nesting and the aliases before the parser sees
// the tokens. A block map or list nests by indentation: every column a
// key, "-" or "?" opens to the right of the one it is under is a level (a
// list at its key's own column is not counted, so the true depth is at
// most twice this); every open bracket is a level.
func checkTokens(name string, tks token.Tokens) *Error {
	var cols []int // the columns of the block levels open here
	flow, aliases := 0, 0
	at := func(tk *token.Token, format string, args ...any) *Error {
		return &Error{File: name, Line: tk.Position.Line, Column: tk.Position.Column, Msg: fmt.Sprintf(format, args...)}
	}
	tooDeep := func(tk *token.Token) *Error {
		return at(tk, "nested more than %d levels deep, far more than any definition needs: zenrecover reads no further", maxDepth)
	}
	for i, tk := range tks {
		switch tk.Type {
		case token.DocumentHeaderType, token.DocumentEndType:
			flow, cols = 0, cols[:0]
		case token.SequenceStartType, token.MappingStartType:
			if flow++; flow+len(cols) > maxDepth {
				return tooDeep(tk)
			}
		case token.SequenceEndType, token.MappingEndType:
			flow = max(flow-1, 0)
		case token.AliasType:
			if aliases++; aliases > maxAliases {
				return at(tk, "more than %d aliases (*name), far more than any definition needs: zenrecover reads no further", maxAliases)
			}
		}
		if flow > 0 {
			continue
		}
		opens := tk.Type == token.SequenceEntryType || tk.Type == token.MappingKeyType ||
			(tk.Type != token.MappingValueType && i+1 < len(tks) && tks[i+1].Type == token.MappingValueType)
		if !opens {
			continue
		}
		c := tk.Position.Column
		for len(cols) > 0 && cols[len(cols)-1] > c {
			cols = cols[:len(cols)-1]
		}
		if len(cols) == 0 || cols[len(cols)-1] < c {
			if cols = append(cols, c); len(cols) > maxDepth {
				return tooDeep(tk)
			}
		}
	}
	return nil
}

// checkExpansion bounds what the aliases expand to: every alias counts
// the full text of what its anchor names, aliases inside it included, so
// that nested aliases (a "billion laughs") are counted as what they
// become. Without aliases the count is at most the file's size.
func checkExpansion(name string, f *ast.File) *Error {
	anchors := map[string]int{}
	total := 0
	var found *Error
	var walk func(n ast.Node)
	walk = func(n ast.Node) {
		if n == nil {
			return
		}
		ast.Walk(visitFunc(func(m ast.Node) bool {
			if found != nil {
				return false
			}
			switch x := m.(type) {
			case *ast.AliasNode:
				if x.Value != nil {
					total += anchors[x.Value.GetToken().Value]
				}
				if total > maxExpanded {
					tk := x.GetToken()
					found = &Error{File: name, Line: tk.Position.Line, Column: tk.Position.Column, Msg: fmt.Sprintf(
						"with this alias the file's aliases expand past %s, far more than any definition needs: zenrecover reads no further", sizeName(maxExpanded))}
				}
				return false
			case *ast.AnchorNode:
				before := total
				walk(x.Value)
				if x.Name != nil {
					anchors[x.Name.GetToken().Value] = total - before
				}
				return false
			case ast.ScalarNode:
				if tk := x.GetToken(); tk != nil {
					total += max(len(tk.Value), 1)
				}
			}
			return true
		}), n)
	}
	for _, d := range f.Docs {
		walk(d)
	}
	return found
}
