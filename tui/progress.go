package tui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/progress"
	tea "charm.land/bubbletea/v2"
	"github.com/dustin/go-humanize"

	"zenrecover/actions"
)

// A long step (an archive being made or restored) reports its progress
// through runner.ExecIO.Progress. startExecution (ops.go) sets it to
// outStream.progress, called from the action's goroutine: it keeps only the
// latest snapshot, and the stream's re-armed Cmd hands it to the run view
// as a progressMsg after any output waiting, so the bar never overtakes
// the output nor outlives the step. Snapshots closer than progressGap to
// the last one kept are dropped (a change of phase never is): at most four
// a second reach the screen, so a slow SSH link is not flooded with
// repaints, and the archive is never held up by the screen. The bar is
// drawn from the snapshot alone (ViewAs, no animation), so nothing
// repaints on a timer.

// progressGap is the least time between two snapshots kept.
const progressGap = 250 * time.Millisecond

// progressMsg carries the latest snapshot of a running step's progress.
type progressMsg struct {
	gen int
	p   actions.Progress
}

// progressSlot holds the snapshot the stream has not delivered yet.
type progressSlot struct {
	pending *actions.Progress
	at      time.Time // when the last snapshot kept came
	phase   actions.Phase
}

// put keeps p when a snapshot is waiting (it is newer), when the phase
// changed, or when progressGap has passed since the last one kept; it
// reports whether the reader must be woken.
func (s *progressSlot) put(p actions.Progress, now time.Time) bool {
	switch {
	case s.pending != nil:
		*s.pending = p
		return false
	case !s.at.IsZero() && p.Phase == s.phase && now.Sub(s.at) < progressGap:
		return false
	}
	s.pending, s.at, s.phase = &p, now, p.Phase
	return true
}

// take hands the waiting snapshot over.
func (s *progressSlot) take() (actions.Progress, bool) {
	if s.pending == nil {
		return actions.Progress{}, false
	}
	p := *s.pending
	s.pending = nil
	return p, true
}

// progress is the stream's ExecIO.Progress callback; it never blocks.
func (o *outStream) progress(p actions.Progress) {
	o.mu.Lock()
	wake := o.prog.put(p, time.Now())
	o.mu.Unlock()
	if wake {
		o.signal()
	}
}

// progressPane is the bar of a running step, with what it stands for:
//
//	███████████████░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░  31%
//	Archiving: 642.0 MiB of 2.0 GiB · 212 of 640 files
//	54.3 MiB/s · about 25s left
//
// While the first pass is still counting, the totals are lower bounds:
// the bar stays empty, the text says "at least" and no time is guessed.
type progressPane struct {
	ctx   *uictx
	bar   progress.Model
	p     actions.Progress
	has   bool
	width int
}

func newProgressPane(ctx *uictx) progressPane {
	b := progressPane{ctx: ctx, bar: progress.New()}
	b.restyle()
	return b
}

// restyle takes the bar's colours and characters from the styles.
func (b *progressPane) restyle() {
	st := b.ctx.styles.Bar
	b.bar.Full, b.bar.Empty = st.Full, st.Empty
	b.bar.FullColor, b.bar.EmptyColor = st.FullColor, st.EmptyColor
	b.bar.PercentageStyle = st.Percent
}

func (b *progressPane) SetSize(w, _ int) {
	b.width = max(w, 1)
	b.bar.SetWidth(b.width)
}

// Reset forgets the last step's progress.
func (b *progressPane) Reset() { b.p, b.has = actions.Progress{}, false }

func (b progressPane) Update(msg tea.Msg) (progressPane, tea.Cmd) {
	if m, ok := msg.(progressMsg); ok {
		b.p, b.has = m.p, true
	}
	return b, nil
}

// View is the bar and two lines under it, or nothing before the step has
// said anything of its progress.
func (b progressPane) View() string {
	if !b.has {
		return ""
	}
	s := b.ctx.styles
	p := b.p
	bar := b.bar
	bar.ShowPercentage = !p.Counting
	out := []string{bar.ViewAs(p.Fraction())}
	out = append(out, styled(wrap(progressWhat(p), b.width), s.Text.Render)...)
	if t := progressPace(p); t != "" {
		out = append(out, styled(wrap(t, b.width), s.Faint.Render)...)
	}
	return strings.Join(out, "\n")
}

// progressWhat says how much is done, of what.
func progressWhat(p actions.Progress) string {
	of := "of"
	if p.Counting {
		of = "of at least"
	}
	phase := string(p.Phase)
	if phase != "" {
		phase = strings.ToUpper(phase[:1]) + phase[1:] + ": "
	}
	if p.Phase == actions.PhaseDone {
		return fmt.Sprintf("Done: %s, %s files", actions.Bytes(p.Bytes), humanize.Comma(p.Files))
	}
	return fmt.Sprintf("%s%s %s %s · %s %s %s files", phase, actions.Bytes(p.Bytes), of, actions.Bytes(p.BytesTotal),
		humanize.Comma(p.Files), of, humanize.Comma(p.FilesTotal))
}

// progressPace says how fast it goes and how long is left, as far as that
// can be told honestly.
func progressPace(p actions.Progress) string {
	var parts []string
	switch {
	case p.Phase == actions.PhaseDone:
		return "in " + p.Elapsed.Round(time.Second/10).String()
	case p.Phase == actions.PhaseFinish:
		return "writing the manifest and putting the set in place"
	case p.Counting:
		parts = append(parts, "still counting the files, so no estimate yet")
	}
	if p.Rate > 0 {
		parts = append(parts, actions.Bytes(int64(p.Rate))+"/s")
	}
	if !p.Counting {
		switch {
		case p.Left > 0:
			parts = append(parts, "about "+leftWords(p.Left)+" left")
		case p.Rate == 0:
			parts = append(parts, "measuring the speed")
		}
	}
	return strings.Join(parts, " · ")
}

func leftWords(d time.Duration) string {
	switch {
	case d >= time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	case d >= time.Minute:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%ds", max(int(d.Round(time.Second).Seconds()), 1))
}
