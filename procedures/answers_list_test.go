package procedures_test

import (
	"strings"
	"testing"

	"zenrecover/procedures"
)

// Issue 12: a list input (host names) may be written as a YAML list in an
// answers file, as well as one string separated by commas; both mean the
// same. Anything else that is a list is refused where it is.
func TestAnswersTakeAListAsAYAMLList(t *testing.T) {
	d := library(t).Get("4.1")
	for _, src := range []string{
		"devices: [sat-1, dev-7]\nother_primaries:\n  - zen-primary-2\n",
		"devices: sat-1, dev-7\nother_primaries: zen-primary-2\n",
	} {
		vals, err := procedures.ParseAnswers("answers.yaml", []byte(src), d)
		if err != nil {
			t.Fatalf("%q: %v", src, err)
		}
		if vals["devices"] != "sat-1, dev-7" || vals["other_primaries"] != "zen-primary-2" {
			t.Errorf("%q read as %q", src, vals)
		}
		if got := procedures.Targets(vals["devices"]); len(got) != 2 || got[0] != "sat-1" || got[1] != "dev-7" {
			t.Errorf("%q: targets %q", src, got)
		}
	}
	for _, c := range []struct{ src, where, want string }{
		{"cert_dir: [/root/a, /root/b]\n", "1:11", "not a list (only a list input"},
		{"import_root: [yes]\n", "1:14", "not a list"},
		{"devices: [sat-1, [dev-7]]\n", "1:10", "each item of the list"},
		{"devices: ['sat-1, dev-7']\n", "1:10", "no comma"},
		{"devices: []\n", "1:10", "one at least"},
		{"devices: [sat-1, {a: b}]\n", "1:10", "each item of the list"},
	} {
		_, err := procedures.ParseAnswers("answers.yaml", []byte(c.src), d)
		if err == nil || !strings.Contains(err.Error(), "answers.yaml:"+c.where) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v (want %s and %q)", c.src, err, c.where, c.want)
		}
	}
}
