package runner_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"zenrecover/procedures"
	"zenrecover/runner"
)

const threeSteps = `
id: three-steps
title: Three steps
section: "9.8"
summary: A test of definitions that change under a run.
steps:
  - id: one
    ref: "1"
    title: Restart
    idempotent: true
    run: [/etc/init.d/novell-zenserver, restart]
  - id: two
    ref: "2"
    title: Status
    idempotent: true
    run: [/etc/init.d/novell-zenserver, status]
  - id: three
    ref: "3"
    title: Look
    manual: Look at the server.
`

// startAndStop runs step one of threeSteps and leaves the run interrupted.
func startAndStop(t *testing.T, f *fixture) string {
	t.Helper()
	ctx := context.Background()
	s, err := runner.Start(ctx, f.opts(), parseDef(t, threeSteps), nil)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := s.Next(ctx)
	if o, err := s.ExecuteWith(ctx, n.(*runner.NeedStep).Key, "", runner.ExecIO{Out: &bytes.Buffer{}}); err != nil || !o.OK {
		t.Fatalf("%v %+v", err, o)
	}
	id := s.Run().ID
	s.Close()
	return id
}

func TestAChangedDefinitionOnResume(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		name     string
		edit     func(string) string
		blocking bool
		kind     string
	}{
		{"finished step edited", func(d string) string { return strings.Replace(d, "title: Restart", "title: Restart it", 1) }, true, "edited"},
		{"finished step removed", func(d string) string {
			i, j := strings.Index(d, "  - id: one"), strings.Index(d, "  - id: two")
			return d[:i] + d[j:]
		}, true, "removed"},
		{"pending step edited", func(d string) string {
			return strings.Replace(d, "Look at the server.", "Look at the server twice.", 1)
		}, false, "edited"},
		{"pending steps reordered", func(d string) string {
			i, j := strings.Index(d, "  - id: two"), strings.Index(d, "  - id: three")
			return d[:i] + d[j:] + d[i:j]
		}, false, "moved"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			id := startAndStop(t, f)
			current := parseDef(t, tc.edit(threeSteps))

			// By default the run finishes on its recorded copy, and says
			// what changed.
			o := f.opts()
			o.Current = current
			s, err := runner.Resume(ctx, o, id)
			if err != nil {
				t.Fatal(err)
			}
			changes, adopted := s.DefinitionChanges()
			if adopted || len(changes) == 0 || !strings.Contains(changes[0].Kind, tc.kind) {
				t.Errorf("changes %v adopted %v", changes, adopted)
			}
			if s.Definition().Hash == current.Hash {
				t.Error("the run took the new definition without being asked")
			}
			s.Close()

			// Taking the new definition: blocked when a begun step changed,
			// otherwise only with the operator's confirmation.
			o.AdoptDefinition = true
			_, err = runner.Resume(ctx, o, id)
			var changed *runner.DefinitionChangedError
			if !errors.As(err, &changed) || changed.Blocking != tc.blocking {
				t.Fatalf("adopting: %v", err)
			}
			if tc.blocking {
				return
			}
			o.ConfirmChanges = true
			s, err = runner.Resume(ctx, o, id)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if _, adopted := s.DefinitionChanges(); !adopted || s.Definition().Hash != current.Hash {
				t.Error("the confirmed change was not taken")
			}
			var out bytes.Buffer
			if _, done := drive(t, s, nil, &out).(*runner.Done); !done {
				t.Fatal("the run did not finish on the new definition")
			}
			// A later resume sees no change any more: the run recorded it.
			run, _ := f.store.Run(ctx, id)
			if recorded, err := procedures.ParseBundle("x", run.DefText); err != nil || len(runner.CompareDefinitions(recorded, current, s.State())) != 0 {
				t.Errorf("the adopted definition was not recorded: %v", err)
			}
		})
	}
}
