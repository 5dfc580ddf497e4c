package procedures

import (
	"bufio"
	"os"
	"slices"
	"strings"
	"testing"

	"zenrecover/assets"
)

// referenceSteps reads testdata/reference-steps.txt: section → the step
// numbers the reference prints, in order.
func referenceSteps(t *testing.T) (sections []string, steps map[string][]string) {
	t.Helper()
	f, err := os.Open("testdata/reference-steps.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	steps = map[string][]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		sec, rest, ok := strings.Cut(line, ":")
		if !ok {
			t.Fatalf("reference-steps.txt: %q has no section", line)
		}
		sections = append(sections, sec)
		steps[sec] = strings.Fields(rest)
	}
	return sections, steps
}

// ownRefs lists the refs of a definition's own steps in reference order,
// splitting "2, 3, 4"; steps brought in by an include carry their own
// procedure's numbers and are left out.
func ownRefs(d *Definition) []string {
	var out []string
	d.Walk(func(s *Step) {
		if s.Origin != "" || s.fragment {
			return
		}
		for _, r := range strings.Split(s.Ref, ",") {
			out = append(out, strings.TrimSpace(r))
		}
	})
	return out
}

// Every numbered and lettered step of every section has a step that refers
// to it, in the reference's order; section 5 includes the four procedures
// of chapter 4 it sends the reader to.
func TestEveryReferenceStepIsEncoded(t *testing.T) {
	lib, err := LoadFS(assets.FS, "procedures")
	if err != nil {
		t.Fatal(err)
	}
	sections, want := referenceSteps(t)
	if len(sections) != 15 {
		t.Errorf("reference-steps.txt lists %d sections, the reference has 15", len(sections))
	}
	for _, sec := range sections {
		d := lib.Get(sec)
		if d == nil {
			t.Errorf("section %s has no definition", sec)
			continue
		}
		if want[sec][0] == "include" {
			var got []string
			d.Walk(func(s *Step) {
				if s.Include != "" {
					if inc := lib.Get(s.Include); inc != nil {
						got = append(got, inc.Section)
					}
				}
			})
			for _, w := range want[sec][1:] {
				if !slices.Contains(got, w) {
					t.Errorf("section %s does not include section %s (it includes %v)", sec, w, got)
				}
			}
			continue
		}
		refs := ownRefs(d)
		last, lastStep := -1, ""
		for _, w := range want[sec] {
			at := slices.Index(refs, w)
			if at < 0 {
				t.Errorf("section %s: no step refers to the reference's step %s (%s)", sec, w, d.File)
				continue
			}
			if at < last {
				t.Errorf("section %s: step %s is encoded before step %s; the reference has them the other way round", sec, w, lastStep)
			}
			last, lastStep = at, w
		}
	}
}
