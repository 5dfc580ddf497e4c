package procedures_test

// Issue 12, "Less than the reference": what the reference makes
// conditional, checks, warns of or prescribes must be so in the loaded
// definitions, not only in their sentences.

import (
	"regexp"
	"strings"
	"testing"

	"zenrecover/procedures"
)

// appliesByRef returns, for the steps of d whose ref is ref, how each
// applies under vals, keyed by step id.
func appliesByRef(d *procedures.Definition, ref string, vals procedures.Values) map[string]procedures.Applies {
	out := map[string]procedures.Applies{}
	for _, p := range d.Plan(vals) {
		if p.Step.Ref == ref && p.Step.Actionable() {
			out[p.Step.ID] = p.Applies
		}
	}
	return out
}

func anyApplies(m map[string]procedures.Applies) bool {
	for _, a := range m {
		if a != procedures.No {
			return true
		}
	}
	return false
}

// A sentence that starts "If ..." or "(Optional)" in a step that always
// applies is a condition the engine cannot see: the operator is asked to
// confirm a step that may not be theirs to do.
var textCondition = regexp.MustCompile(`(?i)^\s*(if |optional|\(optional\))`)

// 1.4 step 5, 1.5 step 6's optional move and 2.1 11e apply only when the
// reference's condition holds, decided by a fact or a step's result.
func TestReferenceConditionsAreConditionsNotSentences(t *testing.T) {
	lib := library(t)

	d14 := lib.Get("1.4")
	// On either platform step 4's edit says whether it changed the file,
	// and the restart follows only a change.
	for pl, edited := range map[string]string{"linux": "keystore_edited", "windows": "keystore_edited_windows"} {
		for val, want := range map[string]bool{"true": true, "false": false} {
			if got := appliesByRef(d14, "5", procedures.Values{"platform": pl, edited: val}); anyApplies(got) != want {
				t.Errorf("1.4 on %s, %s=%s: step 5 %v, want applies=%v", pl, edited, val, got, want)
			}
		}
	}

	d15 := lib.Get("1.5")
	base := procedures.Values{"source_platform": "linux", "destination_platform": "linux"}
	move := func(v string) procedures.Values {
		vals := procedures.Values{"move_source_ca_files": v}
		for k, x := range base {
			vals[k] = x
		}
		return vals
	}
	if got := appliesByRef(d15, "6", move("true")); got["move-source-ca-files"] != procedures.Yes {
		t.Errorf("1.5: moving the source's CA files is not a step of its own when chosen: %v", got)
	}
	if got := appliesByRef(d15, "6", move("false")); got["move-source-ca-files"] != procedures.No || got["disable-ca-source"] != procedures.Yes {
		t.Errorf("1.5: without the optional move, step 6 should be zman card alone: %v", got)
	}

	d21 := lib.Get("2.1")
	db := func(external, onFirst string) procedures.Values {
		return procedures.Values{"move_database": "true", "external_db": external, "database_on_first_server": onFirst}
	}
	if got := appliesByRef(d21, "11e", db("true", "false")); anyApplies(got) {
		t.Errorf("2.1: 11e applies to an external database on another device: %v", got)
	}
	if got := appliesByRef(d21, "11e", db("true", "true")); !anyApplies(got) {
		t.Errorf("2.1: 11e does not apply to an external database on the first server's device: %v", got)
	}
	if got := appliesByRef(d21, "11e", procedures.Values{"move_database": "true", "external_db": "false"}); !anyApplies(got) {
		t.Errorf("2.1: 11e does not apply to the embedded database: %v", got)
	}
	if f := d21.FactByID("database_on_first_server"); f == nil || d21.Asks(f, procedures.Values{"move_database": "true", "external_db": "false"}) {
		t.Error("2.1 asks where an embedded database is, though 11e's other branch alone reads it")
	}

	for _, c := range []struct {
		d   *procedures.Definition
		ref string
	}{{d14, "5"}, {d15, "6"}, {d21, "11e"}} {
		c.d.Walk(func(s *procedures.Step) {
			if s.Ref != c.ref {
				return
			}
			texts := []string{s.Manual, s.Instructions}
			for _, n := range s.Notes {
				texts = append(texts, n.Text)
			}
			for _, txt := range texts {
				if textCondition.MatchString(txt) {
					t.Errorf("%s %s: the condition is only a sentence: %q", c.d.Section, s.ID, txt)
				}
			}
		})
	}
}

// 1.4 step 4 and 1.5 step 5: the reference asks to make sure <Keystore>
// holds the right path. The edit-xml step reads it first and writes only a
// wrong value (actions.EditXML), and its words must say so rather than
// promise a rewrite; the definition's notes give the decision.
func TestKeystorePathIsCheckedBeforeItIsEdited(t *testing.T) {
	lib := library(t)
	for _, c := range []struct{ section, ref string }{{"1.4", "4"}, {"1.5", "5"}} {
		d := lib.Get(c.section)
		noted := false
		for _, n := range d.Notes {
			if strings.Contains(n.Text, "checks before it changes anything") {
				noted = true
			}
		}
		if !noted {
			t.Errorf("%s: no note says that step %s checks before it changes anything", c.section, c.ref)
		}
		edits := 0
		d.Walk(func(s *procedures.Step) {
			if s.Ref != c.ref || !s.Actionable() {
				return
			}
			switch {
			case s.EditXML != nil:
				edits++
				if !strings.HasPrefix(s.Title, "Check") {
					t.Errorf("%s %s: title %q does not say it checks first", c.section, s.ID, s.Title)
				}
				if s.EditXML.Element != "Keystore" || !strings.Contains(s.Instructions, "nothing is written") {
					t.Errorf("%s %s: the instructions do not say that a right path is left alone: %q", c.section, s.ID, s.Instructions)
				}
			case s.Manual != "":
				t.Errorf("%s %s: <Keystore> is left to the operator: %q", c.section, s.ID, s.Manual)
			}
		})
		if edits != 2 {
			t.Errorf("%s: %d edit-xml steps for step %s, want the Linux one and the Windows one", c.section, edits, c.ref)
		}
	}
}

// 1.1 step 6 repeats steps 1 and 5; where both are switched off (every
// reliable backup, which backs the database and content up itself) there
// is nothing to repeat and no step to confirm.
func TestScheduleOnlyWhenThereIsABackupToRepeat(t *testing.T) {
	lib := library(t)
	d11 := lib.Get("1.1")
	for vals, want := range map[[2]string]procedures.Applies{
		{"false", "false"}: procedures.No, {"true", "false"}: procedures.Yes, {"false", "true"}: procedures.Yes,
	} {
		got := appliesByRef(d11, "6", procedures.Values{"db_on_server": vals[0], "only_content_server": vals[1]})
		if got["schedule"] != want {
			t.Errorf("1.1 with db_on_server=%s only_content_server=%s: step 6 %v, want %v", vals[0], vals[1], got["schedule"], want)
		}
	}
	// A copy whose enclosing steps apply must be left out; one under a
	// branch not decided yet (section 5's scenario) may not be offered.
	decided := 0
	for _, d := range lib.All() {
		plan := d.Plan(procedures.Values{})
		applies := map[*procedures.Step]procedures.Applies{}
		for _, p := range plan {
			applies[p.Step] = p.Applies
		}
		for _, p := range plan {
			if p.Step.Origin != "1.1" || !strings.HasSuffix(p.Step.ID, "/schedule") {
				continue
			}
			if applies[p.Step.Parent] == procedures.Yes {
				decided++
				if p.Applies != procedures.No {
					t.Errorf("%s %s: 1.1 step 6 is offered inside a reliable backup", d.ID, p.Step.ID)
				}
			} else if p.Applies == procedures.Yes {
				t.Errorf("%s %s: 1.1 step 6 is offered inside a reliable backup", d.ID, p.Step.ID)
			}
		}
	}
	if decided == 0 {
		t.Fatal("no included copy of 1.1 step 6 under an applying step found")
	}
}

// Chapter 4's IMPORTANT (an external certificate cannot become internal)
// is in each of its procedures.
func TestChapter4WarnsThatExternalCannotGoBackToInternal(t *testing.T) {
	lib := library(t)
	for _, sec := range []string{"4.1", "4.2", "4.3", "4.4"} {
		found := false
		for _, n := range lib.Get(sec).Notes {
			txt := strings.ToLower(n.Text)
			if n.Kind == "important" && strings.Contains(txt, "external") && strings.Contains(txt, "internal") &&
				(strings.Contains(txt, "cannot") || strings.Contains(txt, "not support")) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s has no IMPORTANT that external certificates cannot go back to internal", sec)
		}
	}
}

// zac retr and zac cert-info: the reference writes the password with -p;
// zenrecover leaves it out (argv is visible to every process) and zac asks
// for it. Each step shows the reference's command with its placeholders and
// says what runs instead and why.
func TestZacPasswordStepsShowTheReferenceCommandAndWhy(t *testing.T) {
	want := map[string]string{
		"retr":      "zac retr -u zone_administrator_username -p zone_administrator_password",
		"cert-info": "zac cert-info certificate_file_path -u zone_administrator_username -p zone_administrator_password",
	}
	seen := 0
	for _, d := range library(t).All() {
		d.Walk(func(s *procedures.Step) {
			if len(s.Run) < 2 || s.Run[0].Value != "zac" || want[s.Run[1].Value] == "" {
				return
			}
			seen++
			name := d.ID + " " + s.ID
			for _, a := range s.Run {
				if a.Value == "-p" {
					t.Errorf("%s puts the password on the command line", name)
				}
			}
			txt := strings.Join(strings.Fields(s.Instructions), " ")
			if !strings.Contains(txt, want[s.Run[1].Value]) {
				t.Errorf("%s does not show the reference's command %q:\n%s", name, want[s.Run[1].Value], txt)
			}
			if !strings.Contains(txt, "without -p") && !strings.Contains(txt, "leaves -p out") {
				t.Errorf("%s does not say that -p is left out: %s", name, txt)
			}
			if !strings.Contains(txt, "asks for the password") || !strings.Contains(txt, "command line") {
				t.Errorf("%s does not say that zac asks for the password, and why: %s", name, txt)
			}
		})
	}
	if seen < 8 {
		t.Errorf("found %d zac retr/cert-info steps, want the 8 of 4.2, cert-import-root, primary-agents-refresh and reestablish-trust", seen)
	}
}

// 2.2 step 9f runs the reference's three statements unchanged, and says
// what it adds: the terminators, straight quotes and commit;.
func TestReplacePrimary9fKeepsTheThreeStatementsAndSaysWhatItAdds(t *testing.T) {
	reference := []string{ // as the reference prints them, its quotes included
		"delete from zzenserverroles where Roles = ‘ReportCMSServer’  or Roles = ‘ReportApplicationServer’",
		"delete from zopaquedata where name = ‘boe.mysql.database.pwd’",
		"delete from zopaquedata where name like ‘%zone.configuration.reports%’",
	}
	norm := strings.NewReplacer("‘", "'", "’", "'")
	s := library(t).Get("2.2").Step("9f")
	if s == nil || s.SQL == nil {
		t.Fatal("2.2 has no sql step 9f")
	}
	var stmts []string
	for _, st := range strings.Split(s.SQL.Script, ";") {
		if st = strings.Join(strings.Fields(st), " "); st != "" {
			stmts = append(stmts, st)
		}
	}
	if len(stmts) != 4 || stmts[3] != "commit" {
		t.Fatalf("9f runs %q, want the reference's three statements and commit", stmts)
	}
	for i, r := range reference {
		if want := strings.Join(strings.Fields(norm.Replace(r)), " "); stmts[i] != want {
			t.Errorf("statement %d is %q, the reference's is %q", i+1, stmts[i], want)
		}
	}
	txt := strings.Join(strings.Fields(s.Instructions), " ")
	for _, w := range []string{"reference's three statements", "adds", "a ; ending each", "straight quotes", "commit;"} {
		if !strings.Contains(txt, w) {
			t.Errorf("9f's instructions do not say %q: %s", w, txt)
		}
	}
}
