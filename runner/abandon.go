package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"zenrecover/lab"
	"zenrecover/state"
)

// byWhom is the Detail of a changed or abandoned event: who did it (and,
// for a change, what the answer was before). Never a secret.
type byWhom struct {
	User string `json:"user,omitempty"`
	Old  string `json:"old,omitempty"`
}

func (b byWhom) String() string {
	j, _ := json.Marshal(b)
	return string(j)
}

func parseByWhom(s string) byWhom {
	var b byWhom
	_ = json.Unmarshal([]byte(s), &b) // hand-written rows: no detail
	return b
}

// Abandon ends the run for good: the reason (required, masked) and the
// user are journaled with the abandoned status in one transaction, and the
// lock is released, so a new run of the procedure can start. The session
// is closed after, whatever the outcome.
func (s *Session) Abandon(ctx context.Context, reason string) error {
	defer s.Close()
	if strings.TrimSpace(reason) == "" {
		return fmt.Errorf("abandoning run %s needs a reason (it goes in the run's report)", s.run.ID)
	}
	if s.run.Status.Final() {
		return fmt.Errorf("run %s is already %s; only an unfinished run can be abandoned (%w)", s.run.ID, s.run.Status, state.ErrRunFinished)
	}
	e, err := s.store.Abandon(ctx, s.token, state.Event{RunID: s.run.ID, Kind: state.EventAbandoned,
		Reason: s.masker.String(strings.TrimSpace(reason)), Detail: byWhom{User: currentUser()}.String()})
	if err != nil {
		if errors.Is(err, state.ErrRunFinished) {
			return fmt.Errorf("run %s is already finished; only an unfinished run can be abandoned (%w)", s.run.ID, state.ErrRunFinished)
		}
		return err
	}
	s.events = append(s.events, e)
	s.run.Status = state.RunAbandoned
	s.run.EndedAt = e.At
	return nil
}

// Abandon ends a run that is not open in this process. It takes the run's
// lock as Resume does (or, with o.ForceUnlock, takes it over), so a run
// that another zenrecover is walking is refused with who holds it. A
// completed, failed or already abandoned run is refused. The rehearsal's
// lab need not exist any more: a run whose lab was removed is what one most
// often abandons.
func Abandon(ctx context.Context, o Options, runID, reason string) error {
	if strings.TrimSpace(reason) == "" {
		return fmt.Errorf("abandoning run %s needs a reason (it goes in the run's report)", runID)
	}
	run, err := o.Store.Run(ctx, runID)
	if err != nil {
		return err
	}
	if run.Status.Final() {
		return fmt.Errorf("run %s is already %s; only an unfinished run can be abandoned (%w; `zenrecover report %s` shows what it did)", run.ID, run.Status, state.ErrRunFinished, run.ID)
	}
	host := run.Host
	if run.LabDir != "" {
		if l, err := lab.Open(run.LabDir); err == nil {
			host = l.Hostname()
		}
	} else if o.Lab == nil {
		host = o.Hostname()
	}
	lh := lockHostOf(host, run.LabDir)
	info := state.LockInfo{PID: os.Getpid(), User: currentUser(), Host: host, RunID: run.ID, Since: time.Now()}
	var lock *state.Lock
	var token string
	if o.ForceUnlock {
		lock, token, err = o.Store.ForceUnlock(ctx, run.ProcedureID, lh, run.ID, info)
		if err != nil {
			return err
		}
	} else {
		lock, err = o.Store.Lock(run.ProcedureID, lh, info)
		if err != nil {
			var le *state.LockedError
			if errors.As(err, &le) {
				return fmt.Errorf("run %s cannot be abandoned while another zenrecover works on it; stop it there first (or abandon it from there): %w", run.ID, err)
			}
			return err
		}
		if token, err = o.Store.TakeOver(ctx, run.ID); err != nil {
			lock.Release()
			return err
		}
	}
	s := newSession(o, nil, run, token, lock)
	return s.Abandon(ctx, reason)
}

// Abandonment says who abandoned a run and why, from its journal; empty
// for a run that is not abandoned.
func Abandonment(ctx context.Context, st *state.Store, run state.Run) (reason, user string, err error) {
	if run.Status != state.RunAbandoned {
		return "", "", nil
	}
	events, err := st.Journal(ctx, run.ID)
	if err != nil {
		return "", "", err
	}
	for i := len(events) - 1; i >= 0; i-- {
		if e := events[i]; e.Kind == state.EventAbandoned {
			return e.Reason, parseByWhom(e.Detail).User, nil
		}
	}
	return "", "", nil
}
