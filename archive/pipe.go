package archive

import (
	"io"
	"sync"
)

// chunkPipe hands buffers from a producer goroutine to a reader without
// copying them twice through io.Pipe's rendezvous: the decrypting
// goroutine runs ahead of the hashing and writing one, by at most
// bufCount buffers.
type chunkPipe struct {
	full chan []byte
	free chan []byte
	quit chan struct{}
	once sync.Once
	err  error // set by the producer before full is closed

	cur  []byte
	held []byte
}

func newChunkPipe() *chunkPipe {
	p := &chunkPipe{full: make(chan []byte, bufCount), free: make(chan []byte, bufCount), quit: make(chan struct{})}
	for range bufCount {
		p.free <- make([]byte, bufSize)
	}
	return p
}

// fill runs in the producer: it reads r to its end into the pipe. It
// returns false when the reader has gone.
func (p *chunkPipe) fill(r io.Reader) (int64, error, bool) {
	var total int64
	for {
		var b []byte
		select {
		case b = <-p.free:
		case <-p.quit:
			return total, nil, false
		}
		n, err := io.ReadFull(r, b[:cap(b)])
		total += int64(n)
		if n > 0 {
			select {
			case p.full <- b[:n]:
			case <-p.quit:
				return total, nil, false
			}
		} else {
			p.free <- b
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return total, nil, true
		}
		if err != nil {
			return total, err, true
		}
	}
}

// finish is the producer's last call.
func (p *chunkPipe) finish(err error) {
	p.err = err
	close(p.full)
}

func (p *chunkPipe) Read(b []byte) (int, error) {
	for len(p.cur) == 0 {
		if p.held != nil {
			p.free <- p.held
			p.held = nil
		}
		c, ok := <-p.full
		if !ok {
			if p.err != nil {
				return 0, p.err
			}
			return 0, io.EOF
		}
		p.cur, p.held = c, c
	}
	n := copy(b, p.cur)
	p.cur = p.cur[n:]
	return n, nil
}

// close tells the producer to stop; the reader calls it when done.
func (p *chunkPipe) close() { p.once.Do(func() { close(p.quit) }) }

// bufSize and bufCount bound the memory between reading and writing: the
// producer fills one buffer while the part writer encrypts the others.
const (
	bufSize  = 1 << 20
	bufCount = 8
)
