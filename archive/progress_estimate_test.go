//go:build !windows

package archive

import (
	"testing"
	"time"
)

// The time left counts bytes and files together: a tree whose big files
// came first is not promised a minute for its few hundred small ones, and
// one whose small files came first does not spread their slowness over
// its big ones.
func TestTheTimeLeftWeighsBytesAndFilesTogether(t *testing.T) {
	const mib = 1 << 20
	for _, c := range []struct {
		name              string
		bytes, bytesTotal int64
		files, filesTotal int64
		least, most       time.Duration
	}{
		{"big files first", 264 * mib, 798 * mib, 4, 411, 4 * time.Second, 8 * time.Second},
		{"small files first", 10 * mib, 1010 * mib, 10_000, 10_001, 2 * time.Second, 5 * time.Second},
		{"all done", 798 * mib, 798 * mib, 411, 411, 0, 0},
	} {
		var got Progress
		tr := newTracker(func(p Progress) { got = p }, -1)
		tr.p.Bytes, tr.p.BytesTotal, tr.p.Files, tr.p.FilesTotal = c.bytes, c.bytesTotal, c.files, c.filesTotal
		tr.start = time.Now().Add(-2 * time.Second)
		tr.session = tr.start.Add(-time.Second)
		tr.emit(true)
		if got.Left < c.least || got.Left > c.most {
			t.Errorf("%s: %v left, want between %v and %v", c.name, got.Left, c.least, c.most)
		}
		if got.Elapsed < 3*time.Second {
			t.Errorf("%s: elapsed %v, want the session's (3s)", c.name, got.Elapsed)
		}
	}
}

// A resumed archive has done more than a first pass just begun has
// counted: the totals shown are never below what is done.
func TestTotalsAreNeverBelowWhatIsDone(t *testing.T) {
	var got Progress
	tr := newTracker(func(p Progress) { got = p }, -1)
	tr.totals = &totals{}
	tr.totals.bytes.Store(10)
	tr.p.Bytes, tr.p.Files = 1<<30, 9
	tr.emit(true)
	if !got.Counting || got.BytesTotal != 1<<30 || got.FilesTotal != 9 {
		t.Errorf("got %+v", got)
	}
}
