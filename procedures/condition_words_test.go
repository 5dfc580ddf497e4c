package procedures_test

import (
	"strings"
	"testing"

	"zenrecover/assets"
	"zenrecover/procedures"
)

// Issue 10: the operator reads conditions as words, never as an
// expression such as !remove_ca_role, in every built-in procedure and
// every fragment it includes.
func TestNoBuiltInConditionReadsAsAnExpression(t *testing.T) {
	t.Parallel()
	lib, err := procedures.LoadFS(assets.FS, "procedures")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range lib.All() {
		for _, p := range d.Plan(procedures.Values{}) {
			if w := d.ConditionWords(p.Step); strings.HasPrefix(w, "Only if: ") {
				t.Errorf("%s step %s (%s): %q", d.Section, p.Step.Ref, p.Step.ID, w)
			}
		}
	}
}
