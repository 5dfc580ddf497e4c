package state

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// BootID identifies the current boot of this machine (Linux's random boot
// id); "" when it cannot be read. A step started under another boot id was
// interrupted by a reboot.
func BootID() string {
	b, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// ProcStartTime is the start time of process pid in clock ticks since boot
// (field 22 of /proc/PID/stat). Together with the pid it names a process
// unambiguously within one boot, which a pid alone does not once pids are
// reused. A missing process is an error satisfying errors.Is(err, fs.ErrNotExist).
func ProcStartTime(pid int) (uint64, error) {
	_, start, err := procStat(pid)
	return start, err
}

// procStat returns the state letter (field 3) and start time (field 22).
// The command name (field 2) is in parentheses and may itself contain
// spaces and ')', so the fields are counted from the last ')'.
func procStat(pid int) (byte, uint64, error) {
	if pid <= 0 {
		return 0, 0, fmt.Errorf("process %d: invalid pid", pid)
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, 0, fmt.Errorf("process %d: %w", pid, err)
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, 0, fmt.Errorf("process %d: malformed /proc/%d/stat", pid, pid)
	}
	f := strings.Fields(string(b[i+1:]))
	const state, starttime = 3 - 3, 22 - 3 // f[0] is field 3
	if len(f) <= starttime || len(f[state]) != 1 {
		return 0, 0, fmt.Errorf("process %d: malformed /proc/%d/stat", pid, pid)
	}
	st, err := strconv.ParseUint(f[starttime], 10, 64)
	if err != nil {
		return 0, 0, fmt.Errorf("process %d: malformed start time in /proc/%d/stat: %w", pid, pid, err)
	}
	return f[state][0], st, nil
}

// alive reports whether the very process (pid, start) still runs. Zombies
// count as gone: they have finished, only their exit status waits.
func alive(pid int, start uint64) bool {
	if pid <= 0 || start == 0 {
		return false
	}
	st, s, err := procStat(pid)
	return err == nil && s == start && st != 'Z' && st != 'X'
}

// Alive reports whether the very process (pid, start) still runs in this
// boot: a pid with another start time is another process. Zombies count
// as gone.
func Alive(pid int, start uint64) bool { return alive(pid, start) }

// DoubtReason says why a step is in doubt.
type DoubtReason string

const (
	DoubtRebooted     DoubtReason = "rebooted"      // the machine rebooted since the step started
	DoubtStillRunning DoubtReason = "still-running" // its process is still running
	DoubtWizardDied   DoubtReason = "wizard-died"   // zenrecover died and the step's process is gone
)

// Diagnose says why an in-doubt step is in doubt, with a sentence for the
// operator. It returns "", "" for a step that is not in doubt.
//
// rebooted: the started event's boot id differs from currentBootID (both
// known). still-running: the child named by the running event, or else the
// zenrecover that wrote started, is alive with the recorded start time in
// this boot; the step may yet finish. Otherwise wizard-died.
func Diagnose(st StepState, currentBootID string) (DoubtReason, string) {
	if st.Status != StepInDoubt || st.Started == nil {
		return "", ""
	}
	label := stepLabel(st.Step, st.Target) // "step 2", "step 2 for server-a"
	Label := "S" + label[1:]
	when := clock(st.Started.At)
	if st.Started.BootID != "" && currentBootID != "" && st.Started.BootID != currentBootID {
		return DoubtRebooted, fmt.Sprintf("The machine rebooted since %s started at %s, so whatever it was doing was interrupted.", label, when)
	}
	sameBoot := func(e *Event) bool {
		return e.BootID == "" || currentBootID == "" || e.BootID == currentBootID
	}
	if r := st.Running; r != nil && sameBoot(r) && alive(r.PID, r.PIDStart) {
		return DoubtStillRunning, fmt.Sprintf("%s started at %s and its command (pid %d) is still running.", Label, when, r.PID)
	}
	if s := st.Started; sameBoot(s) && alive(s.PID, s.PIDStart) {
		return DoubtStillRunning, fmt.Sprintf("%s started at %s and the zenrecover that started it (pid %d) is still running.", Label, when, s.PID)
	}
	if r := st.Running; r != nil {
		return DoubtWizardDied, fmt.Sprintf("zenrecover stopped while %s was running (started at %s) and its command (pid %d) has ended; it may or may not have taken effect.", label, when, r.PID)
	}
	return DoubtWizardDied, fmt.Sprintf("zenrecover stopped during %s (started at %s) before recording how it ended; it may or may not have taken effect.", label, when)
}

// clock shows a time the way an operator reads a wall clock: just the time
// today, with the date otherwise.
func clock(t time.Time) string {
	t = t.Local()
	y, m, d := t.Date()
	if ny, nm, nd := time.Now().Date(); y == ny && m == nm && d == nd {
		return t.Format("15:04")
	}
	return t.Format("2006-01-02 15:04")
}
