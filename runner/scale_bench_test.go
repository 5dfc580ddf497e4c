package runner_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"zenrecover/lab/labtest"
	"zenrecover/procedures"
	"zenrecover/runner"
	"zenrecover/state"
)

// The scale benchmark (issue 16, item 3): one step fanned out over 3,000
// simulated devices in a lab, walked the way a front end walks it (Next,
// then ExecuteWith for each target: started, running and succeeded
// journaled, the command run under a pseudo-terminal), then the costs of
// a Next, a report and a resume of that run. The command is `true`, so
// what is measured is zenrecover's own cost per target, not a tool's.
//
//	go test ./runner/ -run '^$' -bench FanOut -benchtime 1x
//
// The state goes where TMPDIR says (the tests' memory file system unless
// TMPDIR is set): TMPDIR=/var/tmp measures a disk's fsyncs too. It prints
// time per target and the peak resident memory (VmHWM).

const scaleDef = `id: scale
title: One step over every device
section: "9.9"
summary: Each device runs a command.
platforms: [linux]
inputs:
  - id: devices
    type: list
    prompt: The devices
steps:
  - id: refresh
    ref: "1"
    title: Refresh every device
    each: devices
    on: ${target}
    idempotent: true
    run: %s
`

func BenchmarkFanOut3000(b *testing.B) {
	benchFanOut(b, 3000, `["true"]`)
}

// BenchmarkFanOutLabZacRef3000 is the lab's own zac ref on each of the
// 3,000 devices (a simulated device's refresh, recorded in the zone): the
// issue's "lab fan-out of zac ref over 3,000 simulated devices".
func BenchmarkFanOutLabZacRef3000(b *testing.B) {
	benchFanOut(b, 3000, `[zac, ref]`)
}

func benchFanOut(b *testing.B, n int, run string) {
	for i := 0; i < b.N; i++ {
		f := newFixtureB(b)
		def, err := procedures.Parse("scale.yaml", []byte(fmt.Sprintf(scaleDef, run)))
		if err != nil {
			b.Fatal(err)
		}
		var hs []string
		for j := 1; j <= n; j++ {
			hs = append(hs, fmt.Sprintf("dev-%04d", j))
		}
		ctx := context.Background()
		s, err := runner.Start(ctx, f.opts(), def, procedures.Values{"devices": strings.Join(hs, ",")})
		if err != nil {
			b.Fatal(err)
		}
		runID := s.Run().ID
		start := time.Now()
		var nextTime, resume, lastNext time.Duration
		done := 0
		for {
			if done == n-1 && resume == 0 {
				// The operator stops before the last device and takes the
				// run up again: the resume reads and folds 9,000 events.
				if err := s.Stop(ctx, "bench"); err != nil {
					b.Fatal(err)
				}
				t0 := time.Now()
				if s, err = runner.Resume(ctx, f.opts(), runID); err != nil {
					b.Fatal(err)
				}
				if _, err := s.Next(ctx); err != nil {
					b.Fatal(err)
				}
				resume = time.Since(t0)
			}
			t0 := time.Now()
			need, err := s.Next(ctx)
			nextTime += time.Since(t0)
			if done == n-1 {
				lastNext = time.Since(t0)
			}
			if err != nil {
				b.Fatal(err)
			}
			ns, ok := need.(*runner.NeedStep)
			if !ok {
				if _, ok := need.(*runner.Done); !ok {
					b.Fatalf("need %T", need)
				}
				break
			}
			o, err := s.ExecuteWith(ctx, ns.Key, "", runner.ExecIO{Out: io.Discard})
			if err != nil || !o.OK {
				b.Fatalf("%s: %v %+v", ns.Key, err, o)
			}
			done++
		}
		walk := time.Since(start) - resume
		if done != n {
			b.Fatalf("%d targets done, want %d", done, n)
		}
		s.Close()

		t0 := time.Now()
		rep, err := runner.Report(ctx, f.store, runID)
		if err != nil {
			b.Fatal(err)
		}
		if err := procedures.WriteReportMarkdown(io.Discard, rep); err != nil {
			b.Fatal(err)
		}
		report := time.Since(t0)

		b.ReportMetric(float64(walk.Microseconds())/float64(n)/1000, "ms/target")
		b.ReportMetric(float64(nextTime.Microseconds())/float64(n)/1000, "ms-next/target")
		b.ReportMetric(float64(lastNext.Microseconds())/1000, "ms-next@last")
		b.ReportMetric(float64(report.Microseconds())/1000, "ms-report")
		b.ReportMetric(float64(resume.Microseconds())/1000, "ms-resume")
		hwm := vmHWM()
		b.ReportMetric(float64(hwm)/1024, "MiB-peak-rss")
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.Logf("%d targets: %v in all, %.2f ms a target (Next %.2f ms of it); Next at the last target %v; report %v; resume (Resume and its first Next) %v; peak RSS %d MiB (VmHWM), Go heap in use %d MiB",
			n, walk.Round(time.Millisecond), float64(walk.Microseconds())/float64(n)/1000, float64(nextTime.Microseconds())/float64(n)/1000,
			lastNext.Round(time.Microsecond), report.Round(time.Millisecond), resume.Round(time.Millisecond), hwm/1024, ms.HeapInuse>>20)
	}
}

// newFixtureB is newFixture for a benchmark.
func newFixtureB(b *testing.B) *fixture {
	b.Helper()
	dir := b.TempDir()
	st, err := state.Open(filepath.Join(dir, "state", "state.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	return &fixture{store: st, lab: labtest.New(b), dir: dir}
}

// vmHWM is this process's peak resident set, in KiB.
func vmHWM() int64 {
	fh, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// BenchmarkFanOut300 is the same at a tenth of the size: the ratio of the
// two per-target times shows what still grows with the run (each Next
// folds the whole journal).
func BenchmarkFanOut300(b *testing.B) {
	benchFanOut(b, 300, `["true"]`)
}

func BenchmarkFanOutLabZacRef300(b *testing.B) {
	benchFanOut(b, 300, `[zac, ref]`)
}
