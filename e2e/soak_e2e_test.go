//go:build !windows

package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"zenrecover/lab"
	"zenrecover/procedures"
	"zenrecover/state"
)

// The random-kill soak (issue 6): section 2.1 in a lab, 52 steps in --plain
// mode (an archive, three zman commands with pseudo-terminals and verify
// checks, fan-out steps and many confirmations), is killed with SIGKILL at
// random moments, again and again, and resumed until it completes (should
// a busy machine let the run complete before the last kill, a fresh run
// takes the kills left, checked the same way). After
// every kill the database passes sqlite3's own integrity_check and the
// journal is the previous one with rows added (append-only); at the end
// every step of the plan was completed exactly once, in the order an
// uninterrupted run completes them, and a step ran again only after an
// in-doubt finding that its verify checks or the operator settled.
//
// How many kills, and the seed of their moments, come from
// -soak.kills / ZENRECOVER_SOAK_KILLS (default 25) and -soak.seed /
// ZENRECOVER_SOAK_SEED (default: the clock, printed so a failure can be
// replayed). The kill moments are drawn against the timeline of an
// uninterrupted calibration run: half of them at a random moment inside a
// step drawn at random (before started is committed, mid-command, after
// the outcome; confirmations too), a quarter by time (so long steps, the
// archive and zman, take more), and a quarter in the first moments of a
// process (opening the database, the snapshot, taking the run over,
// answering the questions, settling in-doubt steps), where all the last
// kills go when few steps remain. The operator answers what a resumed run
// asks on standard input, as a person would (see soakOperator).
var (
	soakKills = flag.Int("soak.kills", envInt("ZENRECOVER_SOAK_KILLS", 25), "random-kill soak: how many times to kill the wizard")
	soakSeed  = flag.Int64("soak.seed", int64(envInt("ZENRECOVER_SOAK_SEED", 0)), "random-kill soak: seed of the kill moments (0: from the clock)")
)

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

// The answers of the soak: every branch of 2.1 that runs in a lab.
const soakAnswers = `same_platform: yes
addon_images: yes
imaging_bundle: yes
reporting: yes
extra_rules: yes
reregister: yes
move_database: yes
external_db: no
database_on_first_server: no
multizone_publisher: yes
internal_ca_here: yes
embedded_db_here: yes
second_server: zen-primary-2
other_primaries: zen-primary-2
other_primaries_platform: linux
devices: sat-1, dev-7
register_url: https://zen-primary-2.example.com:443
`

// soakAnswersFor writes the soak's answers for e's lab to e.answers, with
// the GUID of the lab's zen-primary-2 (2.1's step 11d2 inserts its roles,
// and the lab checks the server exists), and returns the operator that
// answers the same on standard input.
func (e *e2e) soakAnswersFor(t *testing.T) soakOperator {
	t.Helper()
	l, err := lab.Open(e.lab)
	if err != nil {
		t.Fatal(err)
	}
	z, err := l.Zone()
	if err != nil {
		t.Fatal(err)
	}
	second, ok := z.Server("zen-primary-2")
	if !ok {
		t.Fatal("the lab has no zen-primary-2")
	}
	answers := soakAnswers + "second_ps_guid: " + second.GUID + "\n"
	if err := os.WriteFile(e.answers, []byte(answers), 0o600); err != nil {
		t.Fatal(err)
	}
	return newSoakOperator(t, e, answers)
}

// What the soak's operator types (the secrets come from the environment,
// as a script would give them).
var soakSecretEnv = []string{
	"ZENRECOVER_SECRET_ADMIN_PASSWORD=" + labAdminPassword,
	"ZENRECOVER_SECRET_CA_PASSPHRASE=" + knownPassphrase,
	"ZENRECOVER_SECRET_BACKUP_PASSPHRASE=" + knownPassphrase,
	"ZENRECOVER_SECRET_ARCHIVE_PASSPHRASE=" + knownPassphrase,
}

// soakOperatorMark is in the reason of every decision the soak's operator
// types, so the journal tells them from the wizard's own.
const soakOperatorMark = "soak operator"

var stepHeader = regexp.MustCompile(`^Step (\d+) of (\d+) `)

// soakTimeline is when each step's header appeared in the calibration run,
// counted from the start of the process.
type soakTimeline struct {
	header []time.Duration // header[k] for step number k (1-based); first header of a fan-out step
	end    time.Duration   // the "Completed" line
	total  int
}

// stepAt is the step number whose window (from its header to the next)
// holds the moment u, and how far into it u is.
func (tl soakTimeline) stepAt(u time.Duration) (int, time.Duration) {
	k := 1
	for i := 1; i <= tl.total; i++ {
		if tl.header[i] <= u {
			k = i
		}
	}
	return k, u - tl.header[k]
}

// duration is how long step k took in the calibration run.
func (tl soakTimeline) duration(k int) time.Duration {
	return tl.at(k+1) - tl.header[k]
}

// at is when step k's header appeared, or the end for the step after the
// last.
func (tl soakTimeline) at(k int) time.Duration {
	if k > tl.total {
		return tl.end
	}
	return tl.header[k]
}

// killPlan says when to kill one process: at delay after it starts
// (atStep 0), or jitter after the header of step atStep (or of the first
// step after it that the process shows).
type killPlan struct {
	atStep int
	jitter time.Duration
	delay  time.Duration
	none   bool // let it run to its end
}

// soakProcess is what one zenrecover process did.
type soakProcess struct {
	out       strings.Builder
	killed    bool
	exit      int
	headers   []time.Duration
	lastStep  int
	completed bool
	unexpect  []string // prompts the operator could not answer
}

// soakOperator answers what the wizard asks on standard input: the
// questions from the answers file (a resumed run has no answers file, so a
// question not journaled before the kill is asked again), Enter for an
// input with a default, and "rerun" (or "override" past the in-doubt limit)
// for an in-doubt step its verify checks could not settle: in the lab the
// steps that can be in doubt are backups, safe to take again.
type soakOperator struct {
	questions map[string]string // question or prompt text → answer ("" for Enter)
	lab       string            // the lab the run works on, to check as an operator would
}

// insertsInDoubt is the step of 2.1 whose SQL inserts fail when run twice:
// the soak's operator looks in the zone's database before deciding.
const insertsInDoubt = "Insert the second Primary Server's role entries"

// answer answers prompt; doubt is the last "… is in doubt" line seen.
func (o soakOperator) answer(prompt, doubt string) (string, bool) {
	p := strings.TrimPrefix(strings.TrimSpace(prompt), "? ")
	switch {
	case strings.HasPrefix(p, "Type rerun REASON") && strings.Contains(doubt, insertsInDoubt) && o.rolesInserted():
		return "done " + soakOperatorMark + ": zZENServerRoles already holds zen-primary-2's roles", true
	case strings.HasPrefix(p, "Type rerun REASON"):
		return "rerun " + soakOperatorMark + ": the verify checks could not show that it took effect", true
	case strings.HasPrefix(p, "Type override REASON"):
		return "override " + soakOperatorMark + ": in doubt again after another kill; the checks could not show that it took effect", true
	}
	best, ans := "", ""
	for q, a := range o.questions {
		if strings.HasPrefix(p, q) && len(q) > len(best) {
			best, ans = q, a
		}
	}
	return ans, best != ""
}

// rolesInserted reports whether 2.1 step 11d's inserts took effect in the
// lab's zone: zen-primary-2 holds the Database role.
func (o soakOperator) rolesInserted() bool {
	l, err := lab.Open(o.lab)
	if err != nil {
		return false
	}
	z, err := l.Zone()
	if err != nil {
		return false
	}
	s, ok := z.Server("zen-primary-2")
	return ok && s.HasRole(lab.RoleDatabase)
}

func newSoakOperator(t *testing.T, e *e2e, answers string) soakOperator {
	t.Helper()
	out, err := e.cmd("", "show", "2.1", "--json").Output()
	if err != nil {
		t.Fatalf("show 2.1: %v", err)
	}
	var show struct {
		Facts []struct {
			ID, Question string
			Detect       *struct{ Platform bool }
		}
		Inputs []struct {
			ID, Prompt string
			Secret     bool
		}
	}
	if err := json.Unmarshal(out, &show); err != nil {
		t.Fatal(err)
	}
	vals := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(answers), "\n") {
		k, v, _ := strings.Cut(line, ":")
		vals[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	o := soakOperator{questions: map[string]string{}, lab: e.lab}
	for _, f := range show.Facts {
		if f.Detect != nil && f.Detect.Platform {
			continue // zenrecover settles it (this server's platform); never asked
		}
		v, ok := vals[f.ID]
		if !ok {
			t.Fatalf("the soak's answers lack fact %s", f.ID)
		}
		o.questions[f.Question] = v
	}
	for _, in := range show.Inputs {
		if !in.Secret {
			o.questions[in.Prompt] = vals[in.ID] // "" takes the default
		}
	}
	return o
}

// drive runs one zenrecover process, answering as op, and kills it as
// plan says.
func (e *e2e) drive(op soakOperator, plan killPlan, args ...string) *soakProcess {
	e.t.Helper()
	c := e.cmd("", args...)
	c.Stdin = nil
	c.Env = append(c.Env, soakSecretEnv...)
	stdin, err := c.StdinPipe()
	if err != nil {
		e.t.Fatal(err)
	}
	stdout, err := c.StdoutPipe()
	if err != nil {
		e.t.Fatal(err)
	}
	c.Stderr = c.Stdout
	p := &soakProcess{}
	start := time.Now()
	if err := c.Start(); err != nil {
		e.t.Fatal(err)
	}
	var once sync.Once
	kill := func() {
		once.Do(func() {
			c.Process.Signal(syscall.SIGKILL)
		})
	}
	var timer *time.Timer
	if !plan.none && plan.atStep == 0 {
		timer = time.AfterFunc(plan.delay, kill)
	}
	repeats := map[string]int{}
	doubt := "" // the last step reported in doubt
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	sc.Split(scanPrompts)
	for sc.Scan() {
		tok := sc.Text()
		p.out.WriteString(tok)
		if m := stepHeader.FindStringSubmatch(tok); m != nil {
			n, _ := strconv.Atoi(m[1])
			p.lastStep = n
			p.headers = append(p.headers, time.Since(start))
			if !plan.none && plan.atStep > 0 && n >= plan.atStep && timer == nil {
				timer = time.AfterFunc(plan.jitter, kill)
			}
		}
		if strings.HasPrefix(tok, "Completed:") {
			p.completed = true
		}
		if strings.Contains(tok, " is in doubt") {
			doubt = tok
		}
		if strings.HasPrefix(tok, "? ") && !strings.HasSuffix(tok, "\n") {
			ans, ok := op.answer(tok, doubt)
			repeats[tok]++
			if !ok || repeats[tok] > 3 {
				p.unexpect = append(p.unexpect, strings.TrimSpace(tok))
				stdin.Close()
				continue
			}
			io.WriteString(stdin, ans+"\n") // fails harmlessly once the process is dead
		}
	}
	if timer != nil {
		timer.Stop()
	}
	err = c.Wait()
	stdin.Close()
	if ws, ok := c.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
		p.killed = true
	} else {
		p.exit = exitCode(err)
	}
	return p
}

// soakState opens the database after a kill: the run (nil before one was
// created) and its journal.
func (e *e2e) soakState() (*state.Run, []state.Event) {
	e.t.Helper()
	st, err := state.Open(e.stateDB)
	if err != nil {
		e.t.Fatalf("the database does not open after a kill: %v", err)
	}
	defer st.Close()
	runs, err := st.Runs(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	switch len(runs) {
	case 0:
		return nil, nil
	case 1:
	default:
		e.t.Fatalf("%d runs after the kills; the soak makes one", len(runs))
	}
	evs, err := st.Journal(context.Background(), runs[0].ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return &runs[0], evs
}

// integrityCheck asks Debian's sqlite3, not zenrecover's own driver.
func integrityCheck(t *testing.T, sqlite3, db string) {
	t.Helper()
	if _, err := os.Stat(db); os.IsNotExist(err) {
		return // killed before the database was created
	}
	out, err := exec.Command(sqlite3, db, "PRAGMA integrity_check").CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "ok" {
		t.Fatalf("sqlite3 %s 'PRAGMA integrity_check': %v\n%s", db, err, out)
	}
}

// waitGone waits until the commands the killed wizard started have exited
// (their terminal closed under them).
func (e *e2e) waitGone(evs []state.Event) {
	e.t.Helper()
	for _, ev := range evs {
		if ev.Kind != state.EventRunning {
			continue
		}
		deadline := time.Now().Add(30 * time.Second)
		for syscall.Kill(ev.PID, 0) == nil {
			if time.Now().After(deadline) {
				e.t.Fatalf("the command (pid %d) outlived its wizard by 30 s", ev.PID)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

func TestRandomKillSoak(t *testing.T) {
	slow(t, "the random-kill soak")
	sqlite3, err := exec.LookPath("sqlite3")
	if err != nil {
		t.Skip("sqlite3 is not installed (Debian package sqlite3; .ci/deps/sqlite3.sh installs it): " +
			"the soak checks the database with it after every kill")
	}
	kills, seed := *soakKills, *soakSeed
	if kills < 1 {
		t.Skipf("soak: %d kills asked for", kills)
	}
	if seed == 0 {
		seed = time.Now().UnixNano()
	}
	t.Logf("soak: seed %d, %d kills; replay with ZENRECOVER_SOAK_SEED=%d ZENRECOVER_SOAK_KILLS=%d go test -run TestRandomKillSoak .",
		seed, kills, seed, kills)
	rng := rand.New(rand.NewPCG(uint64(seed), 0x5eed))
	began := time.Now()

	e := newE2E(t)
	op := e.soakAnswersFor(t)

	// Calibration: the same run without a kill, in a lab of its own. Its
	// timeline places the kills; its journal is the order of completions
	// the soak must end with.
	dir := t.TempDir()
	cal := &e2e{t: t, bin: e.bin, stateDir: filepath.Join(dir, "state"), lab: filepath.Join(dir, "lab"), answers: filepath.Join(dir, "answers.yaml")}
	cal.stateDB = filepath.Join(cal.stateDir, "state.db")
	if out, err := cal.cmd("", "lab", "init", cal.lab).CombinedOutput(); err != nil {
		t.Fatalf("lab init: %v\n%s", err, out)
	}
	cp := cal.drive(cal.soakAnswersFor(t), killPlan{none: true}, "run", "2.1", "--lab", cal.lab, "--plain", "--answers", cal.answers, "--yes")
	if cp.exit != 0 || !cp.completed || len(cp.unexpect) > 0 {
		t.Fatalf("the uninterrupted run exited %d (unanswered: %q):\n%s", cp.exit, cp.unexpect, cp.out.String())
	}
	tl := soakTimeline{total: cp.lastStep, header: make([]time.Duration, cp.lastStep+1), end: cp.headers[len(cp.headers)-1]}
	seen := map[int]bool{}
	headerIdx := 0
	for _, line := range strings.SplitAfter(cp.out.String(), "\n") {
		if m := stepHeader.FindStringSubmatch(line); m != nil {
			n, _ := strconv.Atoi(m[1])
			if !seen[n] {
				tl.header[n] = cp.headers[headerIdx]
			}
			seen[n] = true
			headerIdx++
		}
	}
	if tl.total < 20 {
		t.Fatalf("the soak needs a procedure of 20 steps or more; 2.1 in the lab has %d", tl.total)
	}
	// The end of the last step: its header plus the mean step.
	tl.end += (tl.header[tl.total] - tl.header[1]) / time.Duration(tl.total)
	_, calEvents := cal.soakState()
	want := completions(calEvents)

	var (
		kinds     = map[string]int{}
		processes int
		stats     soakStats
		rounds    int
		// When the first step header appears, from the start of a process.
		firstHeader = tl.header[1]
	)
	// A round is one run of 2.1, in a lab and a state of its own, killed
	// and resumed until it completes. There is one round, unless a busy
	// machine let a run complete before the last kill landed: another
	// round then takes the kills left.
	for kinds["total"] < kills {
		rounds++
		if rounds > kills {
			t.Fatalf("seed %d: %d rounds for %d kills: the kills do not land", seed, rounds, kills)
		}
		e := e
		if rounds > 1 {
			dir := t.TempDir()
			e = &e2e{t: t, bin: e.bin, stateDir: filepath.Join(dir, "state"), lab: filepath.Join(dir, "lab"), answers: filepath.Join(dir, "answers.yaml")}
			e.stateDB = filepath.Join(e.stateDir, "state.db")
			if out, err := e.cmd("", "lab", "init", e.lab).CombinedOutput(); err != nil {
				t.Fatalf("lab init: %v\n%s", err, out)
			}
			op = e.soakAnswersFor(t)
		}
		runArgs := []string{"run", "2.1", "--lab", e.lab, "--plain", "--answers", e.answers, "--yes"}
		var prev []state.Event
		from := 1 // the step the last process was in
		for done := false; !done; {
			killsLeft := kills - kinds["total"]
			run, _ := e.soakState()
			args := runArgs
			if run != nil {
				args = []string{"resume", "--plain", "--yes"}
			}
			plan := killPlan{none: killsLeft == 0}
			// Each kill aimed at a step lands within the next 1/(kills left
			// + 1) of the steps still to come, and once there are hardly more
			// steps than kills left (a kill lands a step or two late on a
			// busy machine), they all go to the first moments of a process:
			// so the run lasts until the last kill.
			remaining := tl.total - from + 1
			reach := from + (remaining-1)/(killsLeft+1)
			switch r := rng.Float64(); {
			case plan.none:
			case r < 0.25 || remaining <= killsLeft+5:
				// The first moments of a process (the database, the
				// snapshot, the takeover, the questions, in-doubt steps
				// being settled), before its first step header as the
				// processes so far showed it.
				plan.delay = time.Duration(rng.Float64() * 0.9 * float64(firstHeader))
				kinds["aimed at the first moments"]++
			case r < 0.5:
				// A moment drawn by time, so long steps (the archive, zman)
				// take more kills, mid-command.
				u := tl.header[from] + time.Duration(rng.Float64()*float64(tl.at(reach+1)-tl.header[from]))
				plan.atStep, plan.jitter = tl.stepAt(u)
				kinds["aimed by time"]++
			default:
				// A step drawn at random, and a moment within it (a little
				// past its end sometimes): each kind of step gets its share,
				// short confirmations too.
				plan.atStep = from + rng.IntN(reach-from+1)
				plan.jitter = time.Duration(rng.Float64() * 1.25 * float64(tl.duration(plan.atStep)))
				kinds["aimed at a step"]++
			}
			p := e.drive(op, plan, args...)
			processes++
			if len(p.headers) > 0 && p.headers[0] < firstHeader {
				firstHeader = p.headers[0]
			}
			if len(p.unexpect) > 0 && strings.Contains(p.unexpect[0], "Type retry") {
				t.Fatalf("seed %d: after %d kills, a step failed when it ran again (the lab never fails a step by itself):\n%s",
					seed, kinds["total"], p.out.String())
			}
			if len(p.unexpect) > 0 {
				t.Fatalf("seed %d: the wizard asked what the operator cannot answer: %q\n%s", seed, p.unexpect, p.out.String())
			}
			integrityCheck(t, sqlite3, e.stateDB)
			run, evs := e.soakState()
			if !isPrefix(prev, evs) {
				t.Fatalf("seed %d: after kill %d the journal is not the previous one with rows added", seed, kinds["total"])
			}
			prev = evs
			switch {
			case p.killed:
				kinds["total"]++
				switch {
				case run == nil:
					kinds["before the run existed"]++
				case p.lastStep == 0:
					kinds["before the first step header"]++
				default:
					kinds["during or after a step"]++
				}
				for _, ss := range state.Fold(evs).Steps {
					if ss.Status == state.StepInDoubt {
						kinds["left a step in doubt"]++
						break
					}
				}
				if p.lastStep > 0 {
					from = p.lastStep
				}
				e.waitGone(evs)
				if run != nil && run.Status == state.RunCompleted {
					done = true // killed after the run had completed
				}
			case p.exit == 0 && p.completed:
				done = true
			default:
				t.Fatalf("seed %d: %s exited %d, not killed, after %d kills:\n%s", seed, args[0], p.exit, kinds["total"], p.out.String())
			}
			if processes > 2*kills+5 {
				t.Fatalf("seed %d: %d processes and the run is not complete", seed, processes)
			}
		}
		stats.add(e.checkSoakRun(seed, want))
	}
	t.Logf("soak: seed %d: %d kills in %d round(s) (aimed: %d at a process's first moments, %d by time, %d at a random step; "+
		"landed: %d before the run existed, %d before any step header, %d during or after a step; %d left a step in doubt), "+
		"%d processes, %d steps each completed once a round, %d re-runs (%d after failed verify checks, %d on the operator's word), "+
		"%d in-doubt steps settled by their verify checks, in %s",
		seed, kinds["total"], rounds, kinds["aimed at the first moments"], kinds["aimed by time"], kinds["aimed at a step"],
		kinds["before the run existed"], kinds["before the first step header"], kinds["during or after a step"],
		kinds["left a step in doubt"], processes, len(want), stats.reruns, stats.byVerify, stats.byOperator, stats.settled,
		time.Since(began).Round(time.Millisecond))
}

// checkSoakRun checks a run the soak has completed: every step completed
// once, in the order an uninterrupted run completes them (want), re-runs
// only after a settlement; the zone as the reference leaves it after 2.1;
// no secret on disk.
func (e *e2e) checkSoakRun(seed int64, want []string) soakStats {
	t := e.t
	t.Helper()
	run, evs := e.soakState()
	if run == nil || run.Status != state.RunCompleted {
		t.Fatalf("seed %d: the run is not completed: %+v", seed, run)
	}
	def, err := procedures.ParseBundle("2.1", run.DefText)
	if err != nil {
		t.Fatal(err)
	}
	if got := completions(evs); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("seed %d: steps completed, in order:\n got %q\nwant %q (as an uninterrupted run)", seed, got, want)
	}
	stats := checkExactlyOnce(t, seed, def, evs)
	l, err := lab.Open(e.lab)
	if err != nil {
		t.Fatal(err)
	}
	z, err := l.Zone()
	if err != nil {
		t.Fatal(err)
	}
	if srv, _ := z.Server(l.Hostname()); srv.HasRole(lab.RoleCertAuth) {
		t.Errorf("seed %d: the CA role is still on the first Primary Server", seed)
	}
	for _, f := range []string{"root/zcm_backups/zone_backup-*.bak", "root/zcm_backups/ca-*.bak", "root/zcm_backups/content-repo-*.archive"} {
		// 2.1 takes the CA backup twice (its steps 1 and 6a): both are kept.
		if m, _ := filepath.Glob(filepath.Join(e.lab, f)); len(m) == 0 {
			t.Errorf("seed %d: no %s in the lab", seed, f)
		}
	}
	for _, secret := range []string{knownPassphrase, labAdminPassword} {
		e.assertNowhere(e.stateDir, secret)
	}
	return stats
}

// completions lists the step keys in the order they were completed.
func completions(evs []state.Event) []string {
	var out []string
	for _, ev := range evs {
		if ev.Kind == state.EventSucceeded || ev.Kind == state.EventConfirmed ||
			ev.Kind == state.EventResolved && ev.Value == state.ResolvedDone {
			out = append(out, state.StepKey(ev.Step, ev.Target))
		}
	}
	return out
}

func isPrefix(a, b []state.Event) bool {
	if len(a) > len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.Seq != y.Seq || x.Kind != y.Kind || x.Step != y.Step || x.Target != y.Target || x.Attempt != y.Attempt ||
			x.Key != y.Key || x.Value != y.Value || x.Reason != y.Reason || x.Detail != y.Detail || !x.At.Equal(y.At) {
			return false
		}
	}
	return true
}

type soakStats struct{ reruns, byVerify, byOperator, settled int }

func (s *soakStats) add(o soakStats) {
	s.reruns += o.reruns
	s.byVerify += o.byVerify
	s.byOperator += o.byOperator
	s.settled += o.settled
}

// checkExactlyOnce walks each step's journal: it is completed once
// (succeeded, confirmed, or resolved done), never started again after
// that, never started while an attempt is open, and an attempt that was
// lost is followed by a settlement: resolved done by its verify checks or
// the operator, or resolved not-done (the checks said it did not take
// effect, for an idempotent step, or the operator said to run it again)
// before it starts again. Nothing fails or is skipped in the lab.
func checkExactlyOnce(t *testing.T, seed int64, def *procedures.Definition, evs []state.Event) soakStats {
	t.Helper()
	const (
		pending = iota
		open
		done
	)
	var stats soakStats
	where := map[string]int{}
	notDone := map[string]state.Event{} // the settlement that allows the next started
	for _, ev := range evs {
		key := state.StepKey(ev.Step, ev.Target)
		bad := func(why string) {
			t.Errorf("seed %d: step %s, event %d (%s, attempt %d): %s", seed, key, ev.Seq, ev.Kind, ev.Attempt, why)
		}
		switch ev.Kind {
		case state.EventStarted:
			switch where[key] {
			case open:
				bad("started again while its last attempt was open: a re-run without an in-doubt finding settled")
			case done:
				bad("started again after it was completed")
			}
			if ev.Attempt > 1 {
				stats.reruns++
				set, ok := notDone[key]
				switch {
				case !ok:
					bad("a re-run not preceded by a settlement")
				case strings.Contains(set.Reason, soakOperatorMark):
					stats.byOperator++
				case strings.Contains(set.Reason, "verify checks say it did not take effect"):
					stats.byVerify++
					if st := def.Step(ev.Step); st == nil || !st.Idempotent {
						bad("re-run of a step that is not idempotent on the verify checks' word alone")
					}
				default:
					bad("re-run after a settlement by neither the verify checks nor the operator: " + set.Reason)
				}
			}
			delete(notDone, key)
			where[key] = open
		case state.EventSucceeded, state.EventConfirmed:
			if where[key] == done {
				bad("completed twice")
			}
			where[key] = done
		case state.EventResolved:
			if where[key] != open {
				bad("resolved while not in doubt")
			}
			if ev.Value == state.ResolvedDone {
				where[key] = done
				if strings.HasPrefix(ev.Reason, "verify checks passed") {
					stats.settled++
				}
			} else {
				where[key] = pending
				notDone[key] = ev
			}
		case state.EventFailed, state.EventSkipped:
			bad("a step failed or was skipped in the lab: " + ev.Detail + ev.Reason)
		case state.EventRunning:
			if where[key] != open {
				bad("running outside an attempt")
			}
		}
	}
	for key, w := range where {
		if w != done {
			t.Errorf("seed %d: step %s is not completed", seed, key)
		}
	}
	return stats
}
