package actions

import (
	"errors"
	"io"
	"sort"
	"strings"
	"sync"
)

// Mask replaces every secret in anything shown, logged or stored. It has a
// fixed length so that the mask does not reveal how long the secret was.
const Mask = "••••••"

// Masker knows every secret value of a run and hides them in text. It is
// safe for concurrent use: the engine adds secrets while an action streams
// output through a Writer.
type Masker struct {
	mu      sync.RWMutex
	secrets []string // unique, longest first
}

// NewMasker returns a Masker that knows the given secrets ("" is ignored).
func NewMasker(secrets ...string) *Masker {
	m := &Masker{}
	for _, s := range secrets {
		m.Add(s)
	}
	return m
}

// Add makes secret known to the Masker. The empty string is ignored, since
// masking it would mean masking between every two characters.
func (m *Masker) Add(secret string) {
	if secret == "" {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, s := range m.secrets {
		if s == secret {
			return
		}
	}
	m.secrets = append(m.secrets, secret)
	sort.SliceStable(m.secrets, func(i, j int) bool { return len(m.secrets[i]) > len(m.secrets[j]) })
}

// snapshot returns the current secrets; the slice must not be modified. A
// nil Masker knows no secrets, so that a zero IO still works.
func (m *Masker) snapshot() []string {
	if m == nil {
		return nil
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.secrets
}

// Contains reports whether s contains any known secret. Commands use it to
// refuse an argv or environment that would expose a secret to other
// processes.
func (m *Masker) Contains(s string) bool {
	for _, sec := range m.snapshot() {
		if strings.Contains(s, sec) {
			return true
		}
	}
	return false
}

// String returns s with every occurrence of every secret replaced by Mask.
// Where occurrences overlap or touch (two secrets, or a secret repeated),
// the whole covered run becomes one Mask: masking them one after the other
// would leave the tail of the second one in plain text.
func (m *Masker) String(s string) string {
	secrets := m.snapshot()
	if len(secrets) == 0 || s == "" {
		return s
	}
	cov := make([]bool, len(s))
	if !cover(s, secrets, cov) {
		return s
	}
	var b strings.Builder
	emitMasked(&b, s, cov, false)
	return b.String()
}

// cover marks in cov every byte of s that belongs to an occurrence of a
// secret, and reports whether it marked any.
func cover(s string, secrets []string, cov []bool) bool {
	found := false
	for _, sec := range secrets {
		for i := 0; i+len(sec) <= len(s); {
			j := strings.Index(s[i:], sec)
			if j < 0 {
				break
			}
			start := i + j
			for k := start; k < start+len(sec); k++ {
				cov[k] = true
			}
			found = true
			i = start + 1 // overlapping occurrences, e.g. "aaa" in "aaaa"
		}
	}
	return found
}

// emitMasked writes s with each covered run replaced by one Mask. lastMasked
// says whether the previous output (of a stream) ended in a Mask that the
// first covered run continues; it returns the same for the end of s.
func emitMasked(w io.StringWriter, s string, cov []bool, lastMasked bool) bool {
	start := 0
	for i := 0; i < len(s); i++ {
		if !cov[i] {
			continue
		}
		if start < i {
			w.WriteString(s[start:i])
			lastMasked = false
		}
		if !lastMasked {
			w.WriteString(Mask)
			lastMasked = true
		}
		start = i + 1
	}
	if start < len(s) {
		w.WriteString(s[start:])
		lastMasked = false
	}
	return lastMasked
}

// Writer returns a writer that passes everything to w with the secrets
// masked. Because a secret may arrive split across two writes, it holds back
// the shortest tail that could still become a secret and writes it with the
// next write; Close writes what is held back. Close does not close w.
func (m *Masker) Writer(w io.Writer) io.WriteCloser {
	return &maskWriter{m: m, w: w}
}

type maskWriter struct {
	m *Masker
	w io.Writer

	mu         sync.Mutex
	buf        []byte
	cov        []bool // for buf: already known to be part of a secret
	lastMasked bool
	closed     bool
}

func (mw *maskWriter) Write(p []byte) (int, error) {
	mw.mu.Lock()
	defer mw.mu.Unlock()
	if mw.closed {
		return 0, errors.New("write after close")
	}
	mw.buf = append(mw.buf, p...)
	mw.cov = append(mw.cov, make([]bool, len(p))...)
	secrets := mw.m.snapshot()
	s := string(mw.buf)
	cover(s, secrets, mw.cov)
	h := holdPoint(s, secrets)
	if err := mw.flush(s[:h], mw.cov[:h]); err != nil {
		return 0, err
	}
	// Coverage of the held bytes is kept: they may be the tail of a secret
	// whose head has already been written as a Mask, and must not reappear
	// in plain text once the context that identified them is gone.
	mw.buf = append(mw.buf[:0], mw.buf[h:]...)
	mw.cov = append(mw.cov[:0], mw.cov[h:]...)
	return len(p), nil
}

func (mw *maskWriter) flush(s string, cov []bool) error {
	if s == "" {
		return nil
	}
	var b strings.Builder
	mw.lastMasked = emitMasked(&b, s, cov, mw.lastMasked)
	_, err := io.WriteString(mw.w, b.String())
	return err
}

func (mw *maskWriter) Close() error {
	mw.mu.Lock()
	defer mw.mu.Unlock()
	if mw.closed {
		return nil
	}
	mw.closed = true
	s := string(mw.buf)
	cover(s, mw.m.snapshot(), mw.cov)
	err := mw.flush(s, mw.cov)
	mw.buf, mw.cov = nil, nil
	return err
}

// holdPoint returns the smallest i such that s[i:] is a proper prefix of a
// secret (so later input could complete it), or len(s).
func holdPoint(s string, secrets []string) int {
	if len(secrets) == 0 {
		return len(s)
	}
	longest := len(secrets[0])
	i := len(s) - longest + 1
	if i < 0 {
		i = 0
	}
	for ; i < len(s); i++ {
		tail := s[i:]
		for _, sec := range secrets {
			if len(sec) > len(tail) && strings.HasPrefix(sec, tail) {
				return i
			}
		}
	}
	return len(s)
}
