package procedures_test

import (
	"slices"
	"sort"
	"testing"

	"zenrecover/procedures"
)

// asked answers the facts a run asks, in its order, the first choice or no
// unless given, and returns the ids asked.
func asked(d *procedures.Definition, given procedures.Values) []string {
	vals := given.Clone()
	var out []string
	for {
		next := d.FactsToAsk(vals)
		if len(next) == 0 {
			sort.Strings(out)
			return out
		}
		f := next[0]
		out = append(out, f.ID)
		if _, ok := vals[f.ID]; !ok {
			vals[f.ID] = "false"
			if f.Type == "choice" {
				vals[f.ID] = f.Choices[0]
			}
		}
	}
}

// Issue 12: section 5 asks the facts of the chapter 4 procedure chosen,
// not those of all four.
func TestSection5AsksOnlyTheFactsOfTheScenarioChosen(t *testing.T) {
	lib := library(t)
	d := lib.Get("5")
	for _, c := range []struct {
		scenario, section string
		want, not         []string
	}{
		{"new-internal", "4.2", []string{"ca_expired", "windows_auth_satellites"}, []string{"has_satellites", "replace_here", "replace_others"}},
		{"internal-to-external", "4.1", []string{"has_satellites", "only_primary"}, []string{"ca_expired", "windows_auth_satellites", "replace_here"}},
		{"external-same-ca", "4.3", []string{"has_satellites", "replace_here", "replace_others"}, []string{"ca_expired", "internal_ca_here", "linux_auth_satellites"}},
		{"external-new-ca", "4.4", []string{"has_satellites", "devices_unreachable"}, []string{"ca_expired", "replace_here", "internal_ca_here"}},
	} {
		got := asked(d, procedures.Values{"scenario": c.scenario})
		own := []string{"scenario", "has_satellites"}
		for _, f := range lib.Get(c.section).Facts {
			own = append(own, f.ID)
		}
		for _, id := range got {
			if id != "scenario" && !slices.Contains(own, id) {
				t.Errorf("%s: %s is asked, which %s does not ask", c.scenario, id, c.section)
			}
		}
		for _, id := range c.want {
			if !slices.Contains(got, id) {
				t.Errorf("%s: %s is not asked (asked %q)", c.scenario, id, got)
			}
		}
		for _, id := range c.not {
			if slices.Contains(got, id) {
				t.Errorf("%s: %s is asked (asked %q)", c.scenario, id, got)
			}
		}
	}
}

// Before the scenario is known, every fact may matter; a fact a refusal
// reads is always asked; a standalone procedure's facts are all asked
// unless an answer rules their every reader out.
func TestFactsToAsk(t *testing.T) {
	lib := library(t)
	d := lib.Get("5")
	if got, all := len(d.FactsToAsk(nil)), len(d.Facts); got != all {
		t.Errorf("with no answer, %d of %d facts are to be asked", got, all)
	}
	d22 := lib.Get("2.2")
	if got := asked(d22, procedures.Values{"reporting": "false"}); !slices.Contains(got, "same_platform") || !slices.Contains(got, "install_reporting") {
		// install_reporting is read by 9g alone (when: install_reporting).
		t.Errorf("2.2 asks %q", got)
	}
	d41 := lib.Get("4.1")
	withRoot := asked(d41, procedures.Values{"import_root": "true"})
	withoutRoot := asked(d41, procedures.Values{"import_root": "false"})
	if !slices.Contains(withRoot, "root_by_bundle") || slices.Contains(withoutRoot, "root_by_bundle") {
		t.Errorf("4.1 asks how the root certificate is imported: with import %q, without %q", withRoot, withoutRoot)
	}
}
