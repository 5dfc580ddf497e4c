package archive

import (
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"time"

	"github.com/dustin/go-humanize"
)

// Phase names what an operation is doing.
type Phase string

const (
	PhaseArchive Phase = "archiving"  // reading, encrypting and writing parts
	PhaseFinish  Phase = "finishing"  // writing the manifest, renaming the set into place
	PhaseVerify  Phase = "verifying"  // reading the whole set back
	PhaseExtract Phase = "extracting" // restoring a tree
	PhaseDone    Phase = "done"
)

// Progress is a snapshot for a progress bar. Totals come from the first
// pass over the tree (archiving), which runs alongside the archiving
// itself and is much quicker, or from the manifest (verify, extract). A
// tree that grows meanwhile can pass them, so Fraction is capped at 1.
type Progress struct {
	Phase      Phase
	Counting   bool  // the first pass is still counting: the totals are lower bounds
	Files      int64 // files done (all sessions of a resumed archive)
	FilesTotal int64
	Bytes      int64 // file contents done
	BytesTotal int64
	Parts      int           // complete part files
	Rate       float64       // bytes per second in this phase of this session
	Left       time.Duration // estimate; 0 when it cannot be told yet
	Elapsed    time.Duration // since this session started
	Current    string        // the path being read or written
}

// Fraction is how much is done, from 0 to 1, by bytes (by files when the
// tree holds no bytes).
func (p Progress) Fraction() float64 {
	var f float64
	switch {
	case p.Counting:
	case p.BytesTotal > 0:
		f = float64(p.Bytes) / float64(p.BytesTotal)
	case p.FilesTotal > 0:
		f = float64(p.Files) / float64(p.FilesTotal)
	case p.Phase == PhaseDone:
		f = 1
	}
	return min(max(f, 0), 1)
}

// Line is the plain-mode progress line.
func (p Progress) Line() string {
	var b strings.Builder
	if p.Counting {
		fmt.Fprintf(&b, "%s: %s of at least %s, %s of at least %s files (counting)", p.Phase, Bytes(p.Bytes), Bytes(p.BytesTotal),
			humanize.Comma(p.Files), humanize.Comma(p.FilesTotal))
		if p.Rate > 0 {
			fmt.Fprintf(&b, ", %s/s", Bytes(int64(p.Rate)))
		}
		return b.String()
	}
	fmt.Fprintf(&b, "%s: %s of %s (%.0f%%), %s of %s files", p.Phase, Bytes(p.Bytes), Bytes(p.BytesTotal),
		100*p.Fraction(), humanize.Comma(p.Files), humanize.Comma(p.FilesTotal))
	if p.Rate > 0 {
		fmt.Fprintf(&b, ", %s/s", Bytes(int64(p.Rate)))
	}
	if p.Left > 0 && p.Phase != PhaseDone {
		fmt.Fprintf(&b, ", about %s left", roundLeft(p.Left))
	}
	if p.Phase == PhaseDone {
		fmt.Fprintf(&b, " in %s", p.Elapsed.Round(time.Second/10))
	}
	return b.String()
}

func roundLeft(d time.Duration) time.Duration {
	switch {
	case d > time.Hour:
		return d.Round(time.Minute)
	case d > time.Minute:
		return d.Round(10 * time.Second)
	}
	return d.Round(time.Second)
}

// Bytes formats a size in binary units ("1.5 GiB", "15 GiB").
func Bytes(n int64) string {
	if n < 0 {
		return fmt.Sprintf("%d B", n)
	}
	return humanize.IBytes(uint64(n))
}

// LineEvery returns a progress function that writes p.Line() to w when
// every has passed since the last line, when the phase changes, and at the
// end: the plain mode's "a line every few seconds".
func LineEvery(w io.Writer, every time.Duration) func(Progress) {
	var last time.Time
	var phase Phase
	return func(p Progress) {
		now := time.Now()
		if p.Phase == phase && p.Phase != PhaseDone && now.Sub(last) < every {
			return
		}
		last, phase = now, p.Phase
		fmt.Fprintln(w, p.Line())
	}
}

// tracker turns counters into throttled Progress calls. Calls happen on
// the goroutine that runs the operation, so a caller bound to one
// goroutine (an action's output) can write from its callback.
type tracker struct {
	fn       func(Progress)
	totals   *totals // set while a first pass runs
	every    time.Duration
	p        Progress
	session  time.Time // the operation began
	start    time.Time // the phase began
	last     time.Time
	baseByte int64 // bytes done before this session
	baseFile int64
}

func newTracker(fn func(Progress), every time.Duration) *tracker {
	if every == 0 {
		every = 100 * time.Millisecond
	}
	now := time.Now()
	return &tracker{fn: fn, every: every, session: now, start: now}
}

// fileCost is what the estimate of the time left counts a file as, in
// bytes: opening it, reading its metadata and writing its header cost
// time that its size does not show. Counted this way, a mixed tree is
// estimated sensibly whichever kind of file comes first: by files alone, a
// few big images read first make the many small files after them look
// like minutes of work; by bytes alone, many small files read first make
// the big ones after them look slow.
const fileCost = 64 << 10

// begin starts a phase whose rate is measured from here.
func (t *tracker) begin(ph Phase) {
	t.p.Phase = ph
	t.start = time.Now()
	t.baseByte, t.baseFile = t.p.Bytes, t.p.Files
	t.emit(true)
}

func (t *tracker) emit(force bool) {
	if t.fn == nil {
		return
	}
	now := time.Now()
	if !force && t.every > 0 && now.Sub(t.last) < t.every {
		return
	}
	t.last = now
	if t.totals != nil {
		t.p.FilesTotal, t.p.BytesTotal = t.totals.files.Load(), t.totals.bytes.Load()
		t.p.Counting = !t.totals.done.Load()
	}
	// What is done is there too (a resumed archive has done more than
	// a first pass just begun has counted).
	t.p.FilesTotal, t.p.BytesTotal = max(t.p.FilesTotal, t.p.Files), max(t.p.BytesTotal, t.p.Bytes)
	t.p.Elapsed = now.Sub(t.session)
	secs := now.Sub(t.start).Seconds()
	t.p.Rate, t.p.Left = 0, 0
	if secs > 0.5 && !t.p.Counting {
		done := t.p.Bytes - t.baseByte
		t.p.Rate = float64(done) / secs
		// Work is bytes plus a cost for each file (fileCost).
		work := float64(done) + float64(t.p.Files-t.baseFile)*fileCost
		left := float64(max(t.p.BytesTotal-t.p.Bytes, 0)) + float64(max(t.p.FilesTotal-t.p.Files, 0))*fileCost
		if work > 0 && left > 0 {
			t.p.Left = time.Duration(left / work * secs * float64(time.Second))
		}
	}
	t.fn(t.p)
}

func (t *tracker) done() {
	t.p.Phase = PhaseDone
	t.emit(true)
}

// totals are what the first pass has counted so far; it runs on its own
// goroutine.
type totals struct {
	files, bytes atomic.Int64
	done         atomic.Bool
}
