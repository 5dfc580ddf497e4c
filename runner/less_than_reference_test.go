//go:build !windows

package runner_test

// Issue 12, "Less than the reference", rehearsed: a step the reference
// makes conditional is offered only when its condition holds.

import (
	"bytes"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"zenrecover/lab"
	"zenrecover/procedures"
	"zenrecover/runner"
	"zenrecover/state"
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

// 1.4 on Windows, in a Windows-layout lab: step 4 reads <Keystore> in
// %ZENWORKS_HOME%\conf\security\CaConfig.xml and writes it only when it
// names another path; step 5 restarts the service (net stop, net start)
// only after such a change.
func TestCARestoreOnWindowsEditsAndRestartsOnlyAWrongPath(t *testing.T) {
	t.Parallel()
	for _, wrong := range []bool{false, true} {
		f := newWinFixture(t)
		s := f.start("1.3", procedures.Values{"remove_ca_role": "false"})
		drive(t, s, map[string]string{"admin_password": adminPW, "ca_passphrase": passphrase}, &bytes.Buffer{})
		s.Close()
		caConfig := f.lab.Rebase(f.lab.Layout().CaConfig)
		before, _ := f.lab.Zone()
		r := f.start("1.4", nil)
		var out bytes.Buffer
		answers := map[string]string{"admin_password": adminPW, "ca_passphrase": passphrase}
		// The import of step 1 writes CaConfig.xml; a wrong path is one
		// found after it.
		if n, ok := driveTo(t, r, answers, &out, "keystore-path-windows").(*runner.NeedStep); !ok || n.Step.Ref != "4" {
			t.Fatalf("1.4 did not reach step 4 on Windows:\n%s", out.String())
		}
		if wrong {
			b, err := os.ReadFile(caConfig)
			if err != nil {
				t.Fatal(err)
			}
			b = regexp.MustCompile(`<Keystore>[^<]*</Keystore>`).ReplaceAll(b, []byte(`<Keystore>D:\old-server\zenca.keystore</Keystore>`))
			if err := os.WriteFile(caConfig, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		need := drive(t, r, answers, &out)
		if _, ok := need.(*runner.Done); !ok {
			t.Fatalf("wrong=%v: 1.4 ended on %T %+v\n%s", wrong, need, need, out.String())
		}
		st := r.State()
		_, restarted := st.Steps["restart-windows-start"]
		if restarted != wrong {
			t.Errorf("wrong=%v: the service was restarted=%v\n%s", wrong, restarted, out.String())
		}
		if ss := st.Steps["keystore-path-windows"]; ss == nil || ss.Status != state.StepSucceeded {
			t.Errorf("wrong=%v: step 4 on Windows: %+v", wrong, ss)
		}
		b, _ := os.ReadFile(caConfig)
		if !strings.Contains(string(b), "<Keystore>"+lab.WindowsKeystore+"</Keystore>") {
			t.Errorf("wrong=%v: CaConfig.xml names another keystore:\n%s", wrong, b)
		}
		after, _ := f.lab.Zone()
		if got := after.Restarts - before.Restarts; (got > 0) != wrong {
			t.Errorf("wrong=%v: %d restarts of the service", wrong, got)
		}
		if _, ok := st.Steps["restart-linux"]; ok {
			t.Error("the Linux init script ran on Windows")
		}
	}
}
