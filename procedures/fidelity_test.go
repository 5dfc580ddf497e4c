package procedures_test

// Checks on the embedded definitions for what issue 12 ("Wrong or
// dangerous") found: what a definition says must be what the reference
// says, and nothing may be typed or done blind.

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"zenrecover/procedures"
)

// menus are numbered questions the tools zenrecover answers ask, as the
// lab words them (lab/configure.go): a prefix and the options in order.
var menus = []struct {
	prefix  string
	options []string
}{
	{"Select the Action for the selected services", []string{"Start", "Stop", "Restart"}},
	{"Select an option", []string{"Remint the server certificate", "Remint the certificate authority and server certificates"}},
}

// permutations of 0..n-1.
func permutations(n int) [][]int {
	if n == 1 {
		return [][]int{{0}}
	}
	var out [][]int
	for _, p := range permutations(n - 1) {
		for i := 0; i <= len(p); i++ {
			q := append(append(append([]int{}, p[:i]...), n-1), p[i:]...)
			out = append(out, q)
		}
	}
	return out
}

// menuPrompt writes a menu with its options in the order perm gives.
func menuPrompt(prefix string, options []string, perm []int) string {
	parts := make([]string, len(perm))
	for i, j := range perm {
		parts[i] = fmt.Sprintf("%d %s", i+1, options[j])
	}
	return prefix + " (" + strings.Join(parts, ", ") + "): "
}

// A fixed answer to a numbered menu is typed only when the prompt itself
// shows that the number means what the step intends: whatever order a
// version of the tool lists its options in, every prompt the rule answers
// gives its number the same meaning, a prompt without the numbers is
// handed to the operator, and the rule does answer the tool's own menu.
func TestMenuAnswersAreTypedOnlyWhenThePromptShowsTheirMeaning(t *testing.T) {
	intended := map[string]string{ // step → the option its answer must choose
		"1.5 restart-source": "Restart", "1.5 restart-destination": "Restart",
		"2.2 stop-services-linux": "Stop", "2.2 stop-services-windows": "Stop",
	}
	seen := map[string]bool{}
	for _, d := range library(t).All() {
		d.Walk(func(s *procedures.Step) {
			for _, a := range s.Answers {
				if a.Value == "" {
					continue
				}
				name := d.Section + " " + s.ID
				if d.Section == "" {
					name = d.ID + " " + s.ID
				}
				seen[name] = true
				re := regexp.MustCompile(a.Prompt)
				meanings := map[string]bool{}
				n := 0
				for _, m := range menus {
					if bare := m.prefix + ": "; re.MatchString(bare) {
						t.Errorf("%s answers %q to %q, which shows no numbers", name, a.Value, bare)
					}
					for _, perm := range permutations(len(m.options)) {
						p := menuPrompt(m.prefix, m.options, perm)
						if !re.MatchString(p) {
							continue
						}
						n++
						var v int
						if _, err := fmt.Sscan(a.Value, &v); err != nil || v < 1 || v > len(perm) {
							t.Errorf("%s types %q to %q, which is not one of its numbers", name, a.Value, p)
							continue
						}
						meanings[m.options[perm[v-1]]] = true
					}
				}
				if n == 0 {
					t.Errorf("%s: %q never answers the tool's menu", name, a.Prompt)
				}
				if len(meanings) > 1 {
					t.Errorf("%s types %q blind: depending on the menu it chooses %v (prompt rule %q)", name, a.Value, meanings, a.Prompt)
				}
				if want, ok := intended[name]; ok && !meanings[want] {
					t.Errorf("%s does not choose %s: %v", name, want, meanings)
				}
			}
		})
	}
	for name := range intended {
		if !seen[name] {
			t.Errorf("%s has no fixed answer any more", name)
		}
	}
}

// Steps that remove something for good ask for the server's name first
// (destructive), and one that cannot be repeated safely is not offered as
// safe to repeat when it is found interrupted (idempotent).
func TestStepsThatRemoveThingsAreDestructive(t *testing.T) {
	lib := library(t)
	for _, c := range []struct {
		section, step string
		repeatable    bool
	}{
		// A remint cut short leaves certificates half replaced; running it
		// again reminted what the first run may already have changed.
		{"3.2.2", "ssl", false},
		// The deletes leave the table as they found it when repeated.
		{"2.1", "11c2", true},
		{"2.1", "uninstall", false},
		{"2.2", "uninstall-old", false},
	} {
		s := lib.Get(c.section).Step(c.step)
		if s == nil {
			t.Errorf("%s has no step %s", c.section, c.step)
			continue
		}
		if !s.Destructive {
			t.Errorf("%s step %s (%s) is not marked destructive", c.section, s.Ref, s.Title)
		}
		if s.Idempotent != c.repeatable {
			t.Errorf("%s step %s: idempotent is %v, want %v", c.section, s.Ref, s.Idempotent, c.repeatable)
		}
	}
}

// 2.1 steps 11c and 11d are the reference's statements, run through the
// SQL client with a check of the result, not a script to copy by hand.
func TestReplaceFirstPrimaryRoleMovesAreSQLSteps(t *testing.T) {
	d := library(t).Get("2.1")
	for id, want := range map[string][]string{
		"11c2": {
			"delete from zZENServerRoles where Roles='Database';",
			"delete from zZENServerRoles where Roles='MasterPrimary';",
			"delete from zZENServerRoles where Roles='CertAuth';",
			"commit;",
		},
		"11d2": {
			"Insert into zZENServerRoles (id, Roles, position) values (0x${second_ps_guid}, 'Database', (select max(position) from zZENServerRoles where id=0x${second_ps_guid})+1);",
			"Insert into zZENServerRoles (id, Roles, position) values (0x${second_ps_guid}, 'MasterPrimary', (select max(position) from zZENServerRoles where id=0x${second_ps_guid})+1);",
			"Insert into zZENServerRoles (id, Roles, position) values (0x${second_ps_guid}, 'CertAuth', (select max(position) from zZENServerRoles where id=0x${second_ps_guid})+1);",
			"commit;",
		},
	} {
		s := d.Step(id)
		if s == nil || s.Kind() != "sql" {
			t.Errorf("2.1 step %s is not an sql step: %+v", id, s)
			continue
		}
		if s.SQL.Expect == "" {
			t.Errorf("2.1 step %s checks nothing in the result", id)
		}
		for _, stmt := range want {
			if !strings.Contains(s.SQL.Script, stmt) {
				t.Errorf("2.1 step %s lacks the reference's %q", id, stmt)
			}
		}
	}
}

// On Linux the CA's configuration file is CaConfig.xml (1.4 step 4 names
// it so, with its Linux folder), and Linux file names are case-sensitive:
// every text of 1.5 says it one way, and only the procedure's note names the
// reference's other spelling.
func TestMigrateCARoleNamesTheCAConfigurationFileOneWay(t *testing.T) {
	d := library(t).Get("1.5")
	d.Walk(func(s *procedures.Step) {
		texts := []string{s.Title, s.Instructions, s.Manual}
		for _, n := range s.Notes {
			texts = append(texts, n.Text)
		}
		if s.Copy != nil {
			texts = append(texts, s.Copy.From, s.Copy.To)
		}
		if s.EditXML != nil {
			texts = append(texts, s.EditXML.File)
		}
		if s.Chown != nil {
			texts = append(texts, s.Chown.Paths...)
		}
		for _, c := range append(append([]procedures.CheckSpec{}, s.Check...), s.Verify...) {
			texts = append(texts, c.FileExists)
			if c.XMLPathExists != nil {
				texts = append(texts, c.XMLPathExists.File)
			}
		}
		for _, x := range texts {
			if strings.Contains(x, "caConfig.xml") {
				t.Errorf("1.5 step %s (%s) says caConfig.xml: %q", s.Ref, s.ID, x)
			}
		}
	})
	said := 0
	for _, n := range d.Notes {
		if strings.Contains(n.Text, "caConfig.xml") && strings.Contains(n.Text, "CaConfig.xml") {
			said++
		}
	}
	if said != 1 {
		t.Errorf("1.5 explains the two spellings in %d notes, want one", said)
	}
	// The file the operator places by hand on Linux is checked before step 5 edits it.
	plan := d.Plan(procedures.Values{"source_platform": "windows", "destination_platform": "linux"})
	placed, checked := -1, -1
	for i, p := range plan {
		if p.Applies != procedures.Yes {
			continue
		}
		switch s := p.Step; {
		case s.ID == "place-by-hand-linux":
			placed = i
		case placed >= 0 && checked < 0 && s.Kind() == "check":
			for _, c := range s.Check {
				if c.FileExists == "/etc/opt/novell/zenworks/security/CaConfig.xml" {
					checked = i
				}
			}
		case s.ID == "keystore-path-linux":
			if checked < 0 {
				t.Error("step 5 edits CaConfig.xml with nothing checking that the operator placed it")
			}
		}
	}
}

// Section 5's zac iac imports a certificate an external CA signed; a zone
// whose certificate is re-created as a new internal one (4.2) has no such
// files, so the step does not apply to it, and the note says why beside
// the steps of 4.1, 4.3 and 4.4 that already configured the Satellites.
func TestAfterExpirySatellitesIACOnlyForExternalCertificates(t *testing.T) {
	d := library(t).Get("5")
	for scenario, want := range map[string]procedures.Applies{
		"internal-to-external": procedures.Yes, "new-internal": procedures.No,
		"external-same-ca": procedures.Yes, "external-new-ca": procedures.Yes,
	} {
		for _, p := range d.Plan(procedures.Values{"scenario": scenario, "has_satellites": "true"}) {
			if p.Step.ID == "satellites" && p.Applies != want {
				t.Errorf("scenario %s: the zac iac step applies=%v, want %v", scenario, p.Applies, want)
			}
		}
	}
	s := d.Step("satellites")
	var notes string
	for _, n := range s.Notes {
		notes += n.Text + "\n"
	}
	for _, ref := range []string{"4.1", "4.2", "4.3", "4.4"} {
		if !strings.Contains(notes, ref) {
			t.Errorf("the note of section 5's Satellites step does not mention %s:\n%s", ref, notes)
		}
	}
}
