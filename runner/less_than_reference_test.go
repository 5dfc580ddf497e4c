package runner_test

// Issue 12, "Less than the reference", rehearsed: a step the reference
// makes conditional is offered only when its condition holds.

import (
	"bytes"
	"slices"
	"testing"

	"zenrecover/procedures"
	"zenrecover/runner"
)

// offeredSteps drives s to its end and returns the ids of the steps
// offered, manual ones confirmed as the operator would.
func offeredSteps(t *testing.T, s *runner.Session, answers map[string]string) ([]string, runner.Need, *bytes.Buffer) {
	t.Helper()
	var ids []string
	var out bytes.Buffer
	need := driveDoing(t, s, answers, &out, func(n *runner.NeedStep) { ids = append(ids, n.Step.ID) })
	return ids, need, &out
}

// 1.5 step 6's optional move of the source's CA files is a step only when
// the operator chose it.
func TestMigrateCARoleOffersTheOptionalMoveOnlyWhenChosen(t *testing.T) {
	t.Parallel()
	for _, move := range []string{"true", "false"} {
		f := newFixture(t)
		vals := answers15("linux", "linux")
		vals["move_source_ca_files"] = move
		ids, need, out := offeredSteps(t, f.start("1.5", vals), secrets15)
		if _, ok := need.(*runner.Done); !ok {
			t.Fatalf("move=%s: 1.5 ended on %T %+v\n%s", move, need, need, out)
		}
		if got := slices.Contains(ids, "move-source-ca-files"); got != (move == "true") {
			t.Errorf("move=%s: the move was offered=%v; manual steps %v", move, got, ids)
		}
	}
}

// 1.4 on Windows: steps 4 (correct <Keystore>) and 5 (restart) are offered
// only when the operator found the path wrong.
func TestCARestoreOnWindowsEditsAndRestartsOnlyAWrongPath(t *testing.T) {
	t.Parallel()
	for _, correct := range []string{"true", "false"} {
		f := newFixture(t)
		s := f.start("1.3", procedures.Values{"remove_ca_role": "false"})
		drive(t, s, map[string]string{"admin_password": adminPW, "ca_passphrase": passphrase}, &bytes.Buffer{})
		s.Close()
		ids, need, out := offeredSteps(t, f.start("1.4", procedures.Values{"platform": "windows", "keystore_correct": correct}),
			map[string]string{"admin_password": adminPW, "ca_passphrase": passphrase})
		if _, ok := need.(*runner.Done); !ok {
			t.Fatalf("keystore_correct=%s: 1.4 ended on %T %+v\n%s", correct, need, need, out)
		}
		want := []string{"keystore-path-windows", "restart-windows"}
		if correct == "true" {
			want = nil
		}
		if !slices.Equal(ids, want) {
			t.Errorf("keystore_correct=%s: manual steps %v, want %v", correct, ids, want)
		}
	}
}
