package archive

import (
	"bufio"
	"crypto/sha256"
	"encoding"
	"encoding/hex"
	"fmt"
	"hash"
	"sync"
)

// event tells the hasher what the bytes of a message are: data[from:to]
// are file contents (e == nil), or e is an entry that is now complete.
type event struct {
	from, to int
	e        *Entry
}

// hasher is the stage between producer and part writer: it hashes file
// contents, writes manifest lines to the spool, and completes each cut
// with the spool's length and the open file's hash state.
type hasher struct {
	h        hash.Hash
	spool    *bufio.Writer
	spoolLen int64
	line     []byte
}

func newHasher(spool *bufio.Writer, spoolLen int64, open *openFile) (*hasher, error) {
	hs := &hasher{h: sha256.New(), spool: spool, spoolLen: spoolLen}
	if open != nil {
		if err := hs.h.(encoding.BinaryUnmarshaler).UnmarshalBinary(open.Hash); err != nil {
			return nil, fmt.Errorf("the checkpoint's hash state is damaged: %w", err)
		}
	}
	return hs, nil
}

// run forwards every message to out once its events are done, and closes
// out when it returns.
func (hs *hasher) run(in <-chan msg, out chan<- msg, failed <-chan struct{}) error {
	defer close(out)
	for m := range in {
		for _, ev := range m.ev {
			if ev.e == nil {
				hs.h.Write(m.data[ev.from:ev.to])
				continue
			}
			if ev.e.Type == TypeFile {
				ev.e.SHA256 = hex.EncodeToString(hs.h.Sum(nil))
				hs.h.Reset()
			}
			hs.line = append(ev.e.appendJSON(hs.line[:0]), '\n')
			if _, err := hs.spool.Write(hs.line); err != nil {
				return err
			}
			hs.spoolLen += int64(len(hs.line))
		}
		m.ev = nil
		if m.cut != nil {
			if err := hs.spool.Flush(); err != nil {
				return err
			}
			m.cut.spool = hs.spoolLen
			if o := m.cut.cursor.Open; o != nil {
				st, err := hs.h.(encoding.BinaryMarshaler).MarshalBinary()
				if err != nil {
					return err
				}
				o.Hash = st
			}
		}
		select {
		case out <- m:
		case <-failed:
			return nil
		}
		if m.end {
			return nil
		}
	}
	return nil
}

// stageFail is how the first stage to fail stops the others.
type stageFail struct {
	once sync.Once
	ch   chan struct{}
	err  error
}

func newStageFail() *stageFail { return &stageFail{ch: make(chan struct{})} }

func (f *stageFail) fail(err error) {
	f.once.Do(func() {
		f.err = err
		close(f.ch)
	})
}
