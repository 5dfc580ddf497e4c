package actions

import (
	"errors"
	"io"
	"strings"
	"sync"
	"unicode/utf8"
)

// Sanitize makes command output safe to show and store: see SanitizeWriter.
func Sanitize(s string) string {
	var b strings.Builder
	w := SanitizeWriter(&b)
	io.WriteString(w, s)
	w.Close()
	return b.String()
}

// SanitizeWriter returns a writer that passes text to w with
//
//   - escape sequences removed: CSI (colours, cursor movement, erasing),
//     OSC (window titles, hyperlinks, clipboard), DCS, SOS, PM and APC
//     strings, and two- and three-byte ESC sequences, in their 7-bit and
//     (UTF-8 encoded) C1 forms;
//   - every other control character removed except \n and \t, as well as
//     the Unicode bidirectional overrides and isolates, which can make a
//     line display differently from what it says;
//   - each run of carriage returns, with or without a following \n, turned
//     into one \n, so progress lines redrawn with \r stay readable as
//     separate lines and \r\n (or the \r\r\n a terminal may produce) is one
//     line break;
//   - invalid UTF-8 replaced by U+FFFD, one per invalid byte.
//
// The state is kept across writes, so an escape sequence or a UTF-8 sequence
// split between two writes is handled as if it had come in one. An
// unterminated string sequence (OSC and the like) ends at a newline or after
// 16 KiB, so that a stray ESC ] cannot swallow the rest of the output.
// Close writes an incomplete trailing UTF-8 sequence as U+FFFD; it does not
// close w. The writer does its own locking.
func SanitizeWriter(w io.Writer) io.WriteCloser {
	return &sanitizer{w: w}
}

type sanState uint8

const (
	stGround    sanState = iota
	stEsc                // after ESC
	stEscInter           // ESC followed by intermediate bytes
	stCSI                // control sequence: parameters, intermediates, final
	stString             // OSC, DCS, SOS, PM, APC body until ST or BEL
	stStringEsc          // ESC inside a string: ST if followed by '\'
)

const maxStringSeq = 16 << 10

type sanitizer struct {
	mu     sync.Mutex
	w      io.Writer
	state  sanState
	cr     bool   // the last line break came from \r: swallow \r and \n that follow
	strLen int    // bytes of the current string sequence
	part   []byte // an incomplete UTF-8 sequence from the end of the last write
	out    []byte
	closed bool
}

func (s *sanitizer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return 0, errors.New("write after close")
	}
	data := p
	if len(s.part) > 0 {
		data = append(s.part, p...)
		s.part = nil
	}
	s.out = s.out[:0]
	for len(data) > 0 {
		if !utf8.FullRune(data) {
			s.part = append([]byte(nil), data...)
			break
		}
		r, n := utf8.DecodeRune(data)
		data = data[n:]
		s.rune(r)
	}
	if len(s.out) > 0 {
		if _, err := s.w.Write(s.out); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

func (s *sanitizer) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	s.out = s.out[:0]
	for range s.part {
		s.rune(utf8.RuneError)
	}
	s.part = nil
	if len(s.out) > 0 {
		_, err := s.w.Write(s.out)
		return err
	}
	return nil
}

func (s *sanitizer) emit(r rune) {
	s.cr = false
	s.out = utf8.AppendRune(s.out, r)
}

// rune advances the state machine by one decoded rune (utf8.RuneError for
// an invalid byte).
func (s *sanitizer) rune(r rune) {
	switch s.state {
	case stGround:
		s.ground(r)
	case stEsc:
		switch {
		case r == '[':
			s.state = stCSI
		case r == ']' || r == 'P' || r == 'X' || r == '^' || r == '_':
			s.state, s.strLen = stString, 0
		case r >= 0x20 && r <= 0x2f:
			s.state = stEscInter
		case r >= 0x30 && r <= 0x7e:
			s.state = stGround
		case r == 0x1b:
			// another ESC starts over
		default:
			s.abort(r)
		}
	case stEscInter:
		switch {
		case r >= 0x20 && r <= 0x2f:
		case r >= 0x30 && r <= 0x7e:
			s.state = stGround
		default:
			s.abort(r)
		}
	case stCSI:
		switch {
		case r >= 0x20 && r <= 0x3f:
		case r >= 0x40 && r <= 0x7e:
			s.state = stGround
		default:
			s.abort(r)
		}
	case stString:
		switch {
		case r == 0x07 || r == 0x9c || r == 0x18 || r == 0x1a:
			s.state = stGround
		case r == 0x1b:
			s.state = stStringEsc
		case r == '\n':
			s.abort(r)
		default:
			s.strLen += utf8.RuneLen(r)
			if s.strLen > maxStringSeq {
				s.state = stGround
			}
		}
	case stStringEsc:
		if r == '\\' {
			s.state = stGround
			return
		}
		s.state = stEsc
		s.rune(r)
	}
}

// abort ends a malformed or interrupted sequence; the rune that interrupted
// it is treated as ordinary input, except CAN and SUB whose meaning is
// exactly "cancel the sequence".
func (s *sanitizer) abort(r rune) {
	s.state = stGround
	if r == 0x18 || r == 0x1a {
		return
	}
	s.ground(r)
}

func (s *sanitizer) ground(r rune) {
	switch {
	case r == 0x1b:
		s.state = stEsc
	case r == 0x9b:
		s.state = stCSI
	case r == 0x9d || r == 0x90 || r == 0x98 || r == 0x9e || r == 0x9f:
		s.state, s.strLen = stString, 0
	case r == '\r':
		if !s.cr {
			s.out = append(s.out, '\n')
			s.cr = true
		}
	case r == '\n':
		if s.cr {
			s.cr = false
			return
		}
		s.emit(r)
	case r == '\t':
		s.emit(r)
	case r < 0x20 || (r >= 0x7f && r <= 0x9f):
		// other C0 and C1 controls, DEL
	case (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069):
		// bidi embeddings, overrides and isolates
	default:
		s.emit(r) // includes utf8.RuneError for invalid input
	}
}
