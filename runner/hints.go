package runner

import (
	"path/filepath"
	"strings"

	"zenrecover/state"
)

// Command is the zenrecover command line that does verb (resume, report,
// abandon) for run id, as the operator must type it: with --state when the
// run's state is not in the default place, or the command would find
// nothing. Every front end and message that suggests a command asks here.
func Command(st *state.Store, verb, id string) string {
	c := "zenrecover " + verb + " " + id
	if st == nil {
		return c
	}
	def, err := state.DefaultPath()
	if err == nil && sameFile(def, st.Path()) {
		return c
	}
	return c + " --state " + shellWord(st.Path())
}

// Command is the command line that does verb for this session's run.
func (s *Session) Command(verb string) string { return Command(s.store, verb, s.run.ID) }

func sameFile(a, b string) bool {
	a, _ = filepath.Abs(a)
	b, _ = filepath.Abs(b)
	return filepath.Clean(a) == filepath.Clean(b)
}

// shellWord quotes a path for a POSIX shell when it needs it.
func shellWord(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./+=:,@%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
