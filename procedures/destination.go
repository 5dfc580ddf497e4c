package procedures

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"
)

// The values a run provides itself, beside the answers: a default such as
// /root/zcm_backups/zone_backup-${run.date}.bak gives each run's backup a
// name of its own, so a second backup does not meet the first.
const (
	RunDate = "run.date" // the local date the run started, 2026-12-02
	RunID   = "run.id"   // the run's id, 20261202-141503-ab12
)

// RunDateLayout is how ${run.date} is written: it sorts, and reads the same
// in every locale.
const RunDateLayout = "2006-01-02"

// RunValues are the values a run provides: fixed when the run starts (from
// its recorded start time, not the clock), so a resume a day later still
// offers the same names.
func RunValues(id string, started time.Time) Values {
	return Values{RunDate: started.Local().Format(RunDateLayout), RunID: id}
}

func isRunValue(name string) bool { return name == RunDate || name == RunID }

// runValueNames lists the names for an error message.
const runValueNames = "${" + RunDate + "} or ${" + RunID + "}"

// DefaultWith is the input's default as offered to the operator: the run's
// values filled in; any other name stays a readable placeholder. A default
// given per platform is the one of the platform the answers name (the
// input's DefaultPlatformFact), and "" while they name none: nothing is
// offered where the platform is not known.
func (in *Input) DefaultWith(vals Values) string {
	def := in.Default
	if def == "" {
		def = in.DefaultFor(vals[in.DefaultPlatformFact()])
	}
	if def == "" {
		return ""
	}
	return ExpandOrPlaceholder(def, vals)
}

// CreatesInput is the id of the path input naming what the step writes
// (its creates: "${backup_file}"), or "".
func (s *Step) CreatesInput() string {
	m := templateRef.FindStringSubmatch(strings.TrimSpace(s.Creates))
	if m == nil || m[0] != strings.TrimSpace(s.Creates) {
		return ""
	}
	return m[1]
}

// defaultRefs checks the names an input's default uses: only the run's
// own values, since a default is offered before anything else is known.
func (v *validator) defaultRefs(in *Input, def, path string) {
	if strings.ContainsAny(def, "*?[") {
		if in.Type != "path" {
			v.errf(path, "only a path input's default may be a pattern (the newest match is offered)")
		} else if _, err := filepath.Match(def, ""); err != nil {
			v.errf(path, "default %q is not a valid pattern: %v", def, err)
		}
	}
	for _, name := range templateRefs(def) {
		switch {
		case strings.Contains(name, "."):
			if err := refRunValue(name); err != nil {
				v.errf(path, "%v", err)
			}
		case !isRunValue(name):
			v.errf(path, "a default may use only %s; ${%s} is not one", runValueNames, name)
		}
	}
}

// creates checks a step's creates: one path input, written by the step's
// own command or archive, on a step that is not fanned out.
func (v *validator) creates(s *Step, p string) {
	if s.Creates == "" {
		return
	}
	p += ".creates"
	id := s.CreatesInput()
	in := v.d.InputByID(id)
	switch {
	case id == "":
		v.errf(p, "creates: names one path input, as \"${backup_file}\" (got %q)", s.Creates)
		return
	case in == nil:
		v.errf(p, "creates: names %q, which is not an input of this procedure", id)
		return
	case in.Type != "path":
		v.errf(p, "creates: names %q, a %s input; it must be a path input", id, in.Type)
		return
	case s.Each != "" || v.inEach(s):
		v.errf(p, "creates: is for a step done once, not for a fanned-out step")
		return
	}
	used := false
	ref := "${" + id + "}"
	for _, a := range s.Run {
		used = used || a.Value == ref
	}
	if s.Archive != nil && s.Archive.To == ref {
		used = true
	}
	if !used {
		v.errf(p, "creates: %s must be what the step writes: an argument of its run: or its archive's to:", ref)
	}
}

// refRunValue reports a dotted name that is not one of the run's values.
func refRunValue(name string) error {
	if isRunValue(name) {
		return nil
	}
	return fmt.Errorf("${%s} is not a value of the run (%s)", name, runValueNames)
}
