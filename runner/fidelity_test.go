//go:build !windows

package runner_test

// Rehearsals of what issue 12 ("Wrong or dangerous") found: each test drives
// a procedure in a lab as an operator would and checks what the reference
// promises, or what it must never do.

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"zenrecover/lab"
	"zenrecover/procedures"
	"zenrecover/runner"
	"zenrecover/state"
)

// The zone of the 2.1 rehearsals: the lab's server is the first Primary
// Server, zen-primary-2 takes over, zen-primary-3 is a third Primary
// Server, sat-1 a Satellite and dev-7 a managed device.
var (
	primaries21 = []string{"zen-primary-2", "zen-primary-3"}
	satellite21 = "sat-1"
	managed21   = "dev-7"
)

// listByPrompt answers a list input as an operator who reads its prompt:
// the Primary Servers when it asks for Primary Servers, the Satellite when
// it asks for Satellites, the managed device when it asks for managed
// devices.
func listByPrompt(in *procedures.Input) string {
	p := strings.ToLower(in.Prompt)
	var out []string
	if strings.Contains(p, "primary server") {
		out = append(out, primaries21...)
	}
	if strings.Contains(p, "satellite") {
		out = append(out, satellite21)
	}
	if strings.Contains(p, "managed device") {
		out = append(out, managed21)
	}
	return strings.Join(out, ", ")
}

// facts21 are every branch of 2.1 that a lab rehearses; second_ps_guid is
// the lab's own second server's, as an operator reads it on that server.
func facts21(t *testing.T, f *fixture) map[string]string {
	t.Helper()
	z, err := f.lab.Zone()
	if err != nil {
		t.Fatal(err)
	}
	second, ok := z.Server("zen-primary-2")
	if !ok {
		t.Fatal("the lab has no zen-primary-2")
	}
	return map[string]string{
		"same_platform": "true", "addon_images": "true", "imaging_bundle": "true", "reporting": "true",
		"extra_rules": "true", "reregister": "true", "move_database": "true", "external_db": "false",
		"multizone_publisher": "true", "internal_ca_here": "true", "embedded_db_here": "true",
		"second_server": "zen-primary-2", "register_url": "https://zen-primary-2.example.com:443",
		"second_ps_guid": strings.ToUpper(second.GUID),
		"admin_password": adminPW, "ca_passphrase": passphrase, "backup_passphrase": passphrase,
		"archive_passphrase": passphrase,
	}
}

// run21 is one rehearsal of 2.1: facts and inputs from answers (list
// inputs by their prompts when answers has none), every step run or
// confirmed, byHand called before each step. It returns where the run
// stopped and every step it offered, in order.
func run21(t *testing.T, f *fixture, answers map[string]string, out *bytes.Buffer, byHand func(*runner.Session, *runner.NeedStep)) (*runner.Session, runner.Need, []*runner.NeedStep) {
	t.Helper()
	ctx := context.Background()
	s := f.start("2.1", nil)
	var offered []*runner.NeedStep
	for i := 0; i < 300; i++ {
		need, err := s.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		switch n := need.(type) {
		case *runner.NeedFact:
			v, ok := answers[n.Fact.ID]
			if !ok {
				return s, n, offered
			}
			if err := s.Answer(ctx, n.Fact.ID, v); err != nil {
				t.Fatal(err)
			}
		case *runner.NeedInput:
			v, ok := answers[n.Input.ID]
			switch {
			case ok:
			case n.Input.Type == "list":
				v = listByPrompt(n.Input)
			default:
				v = n.Input.Default
			}
			if v == "" {
				return s, n, offered
			}
			if err := s.Answer(ctx, n.Input.ID, v); err != nil {
				t.Fatal(err)
			}
		case *runner.NeedStep:
			offered = append(offered, n)
			if byHand != nil {
				byHand(s, n)
			}
			if n.Manual {
				if err := s.Confirm(ctx, n.Key, n.ConfirmWord); err != nil {
					t.Fatal(err)
				}
				continue
			}
			if _, err := s.ExecuteWith(ctx, n.Key, n.ConfirmWord, runner.ExecIO{Out: out}); err != nil {
				t.Fatal(err)
			}
		default:
			return s, need, offered
		}
	}
	t.Fatal("the run did not settle")
	return nil, nil, nil
}

func mustComplete(t *testing.T, need runner.Need, out *bytes.Buffer) {
	t.Helper()
	if _, ok := need.(*runner.Done); !ok {
		t.Fatalf("the run ended on %T %+v\n%s", need, need, out.String())
	}
}

// Issue 12: 2.1 step 10 re-registers managed devices and Satellites, never
// a Primary Server, least of all the one taking over. An operator who
// answers each list as its prompt asks must not be shown zac unr -f for
// zen-primary-2, while step 9 still refreshes every Primary Server.
func TestReplaceFirstPrimaryReregistersOnlyDevicesAndSatellites(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var out bytes.Buffer
	_, need, offered := run21(t, f, facts21(t, f), &out, nil)
	mustComplete(t, need, &out)
	reregistered := map[string][]string{}
	var refreshed []string
	for _, n := range offered {
		switch {
		case n.Step.ID == "10a" || n.Step.ID == "10b":
			reregistered[n.Step.ID] = append(reregistered[n.Step.ID], n.Target)
		case n.Step.Ref == "9":
			refreshed = append(refreshed, n.Key+" "+n.Describe)
		}
	}
	for _, id := range []string{"10a", "10b"} {
		got := reregistered[id]
		slices.Sort(got)
		if want := []string{managed21, satellite21}; !slices.Equal(got, want) {
			t.Errorf("step %s is shown for %v; want the managed devices and Satellites only, %v", id, got, want)
		}
	}
	all := strings.Join(refreshed, "\n")
	for _, name := range append([]string{satellite21, managed21, "this server"}, primaries21...) {
		if !strings.Contains(all, name) {
			t.Errorf("step 9 does not refresh %s:\n%s", name, all)
		}
	}
}

// Issue 12: 2.1 steps 11c and 11d are the reference's statements, run
// through zenrecover-sql, so a rehearsal moves the Database, MasterPrimary
// and CertAuth roles from the first Primary Server to the second, and a
// wrong GUID stops the run at 11d2 with what was wrong.
func TestReplaceFirstPrimaryMovesTheRolesInTheDatabase(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var out bytes.Buffer
	s, need, _ := run21(t, f, facts21(t, f), &out, nil)
	mustComplete(t, need, &out)
	z, _ := f.lab.Zone()
	first, _ := z.Server(f.lab.Hostname())
	second, _ := z.Server("zen-primary-2")
	for _, role := range []string{lab.RoleDatabase, lab.RoleMasterPrimary, lab.RoleCertAuth} {
		if first.HasRole(role) {
			t.Errorf("the first Primary Server still has the %s role", role)
		}
		if !second.HasRole(role) {
			t.Errorf("the second Primary Server lacks the %s role: %v", role, second.Roles)
		}
	}
	for _, key := range []string{"11c2", "11d2"} {
		if ss := s.State().Steps[key]; ss == nil || ss.Status != state.StepSucceeded {
			t.Errorf("step %s was not run by zenrecover: %+v", key, ss)
		}
	}

	g := newFixture(t)
	answers := facts21(t, g)
	answers["second_ps_guid"] = "1F2E3D4C5B6A79881F2E3D4C5B6A7988" // no server of this lab
	out.Reset()
	_, need, _ = run21(t, g, answers, &out, nil)
	nf, ok := need.(*runner.NeedFailed)
	if !ok || nf.Step.ID != "11d2" || !strings.Contains(out.String(), "no server in the zone has the id 0x1F2E3D4C5B6A79881F2E3D4C5B6A7988") {
		t.Fatalf("with a wrong GUID the run ended on %T %+v\n%s", need, need, out.String())
	}
	z, _ = g.lab.Zone()
	if second, _ := z.Server("zen-primary-2"); second.HasRole(lab.RoleDatabase) {
		t.Error("a failed 11d2 changed the zone")
	}
}

// Issue 12: 2.1's role deletions and its uninstall ask for the server's
// name before they go ahead.
func TestReplaceFirstPrimaryAsksBeforeDeletingRolesAndUninstalling(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var out bytes.Buffer
	asked := map[string]string{}
	byHand := func(s *runner.Session, n *runner.NeedStep) {
		if n.Key != "11c2" && n.Key != "uninstall" {
			return
		}
		asked[n.Key] = n.ConfirmWord
		// Going ahead without the name is refused, whatever the kind of step.
		var err error
		if n.Manual {
			err = s.Confirm(context.Background(), n.Key, "")
		} else {
			_, err = s.ExecuteWith(context.Background(), n.Key, "", runner.ExecIO{Out: &bytes.Buffer{}})
		}
		if err == nil {
			t.Errorf("step %s went ahead without the server's name", n.Key)
		}
	}
	_, need, _ := run21(t, f, facts21(t, f), &out, byHand)
	mustComplete(t, need, &out)
	for _, key := range []string{"11c2", "uninstall"} {
		if asked[key] != f.lab.Hostname() {
			t.Errorf("step %s does not ask for the server's name (asks for %q)", key, asked[key])
		}
	}
}

// Issue 12: the CA export with -d of 2.1 step 6a does not overwrite the
// CA backup of step 1 (both are copies of 1.3 with one input): both files
// are kept, step 1's unchanged, the journal says why the input changed,
// and step 6b sends the operator to the file 6a wrote, not to step 1's.
func TestReplaceFirstPrimaryKeepsBothCABackups(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var out bytes.Buffer
	var step1 []byte
	var restore string
	byHand := func(_ *runner.Session, n *runner.NeedStep) {
		switch n.Key {
		case "6a/export-ca-remove-role":
			// Step 1's export, as it is before 6a runs.
			matches, _ := filepath.Glob(f.lab.Rebase("/root/zcm_backups/ca-*.bak"))
			if len(matches) != 1 {
				t.Fatalf("before 6a: %v", matches)
			}
			step1 = mustRead(t, matches[0])
		case "6b-copy":
			restore = n.Describe
		}
	}
	s, need, _ := run21(t, f, facts21(t, f), &out, byHand)
	mustComplete(t, need, &out)
	date := runDate(s)
	first := "/root/zcm_backups/ca-" + date + ".bak"
	moved := "/root/zcm_backups/ca-" + date + "-2.bak"
	if got := mustRead(t, f.lab.Rebase(first)); !bytes.Equal(got, step1) {
		t.Error("step 6a changed the CA backup of step 1")
	}
	if _, err := os.Stat(f.lab.Rebase(moved)); err != nil {
		t.Errorf("the export of step 6a is not beside step 1's: %v", err)
	}
	if !strings.Contains(out.String(), "credentials to "+f.lab.Rebase(moved)) {
		t.Errorf("zman cae -d did not write %s:\n%s", moved, out.String())
	}
	if e := answered(t, f, s, "ca_backup_file"); e.Value != moved || !strings.Contains(e.Reason, "keep both") {
		t.Errorf("journal: ca_backup_file %q (%q), want %q, keep both", e.Value, e.Reason, moved)
	}
	if strings.Contains(restore, first) || !strings.Contains(restore, moved) {
		t.Errorf("step 6b does not send the operator to the file step 6a wrote:\n%s", restore)
	}
}

// Issue 12: on a Linux destination the CA's configuration file is
// CaConfig.xml. An operator who puts the file from a Windows server there
// under its Windows spelling, caConfig.xml, is stopped by a check before
// step 5 edits a file that is not the one placed.
func TestMigrateCARoleChecksTheFilePlacedByHand(t *testing.T) {
	t.Parallel()
	f := newWinFixture(t)
	dst := peerOn(t, f.lab, lab.PlatformLinux)
	s := f.start("1.5", answers15("windows", "linux"))
	var out bytes.Buffer
	need := driveDoing(t, s, secrets15, &out, func(n *runner.NeedStep) {
		if n.Key != "place-by-hand-linux" {
			return
		}
		sy := f.lab.Layout()
		for p, as := range map[string]string{sy.Keystore: "zenca.keystore", sy.CaConfig: "caConfig.xml"} {
			data, err := os.ReadFile(f.lab.Rebase(p))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(dst.Rebase(lab.ServerSecurityDir+"/"+as), data, 0o600); err != nil {
				t.Fatal(err)
			}
		}
	})
	nf, ok := need.(*runner.NeedFailed)
	if !ok || nf.Step.Ref != "4" || !strings.Contains(nf.Error, "CaConfig.xml") {
		t.Fatalf("got %T %+v\n%s", need, need, out.String())
	}
	if ss := s.State().Steps["keystore-path-linux"]; ss != nil {
		t.Errorf("step 5 ran on a file the operator did not place: %+v", ss)
	}
}
