package state

import (
	"path/filepath"
	"testing"
)

// Where the state lives when --state is not given, per platform (issue 13:
// a Windows server keeps it in the user's local application data).
func TestDefaultStatePathPerPlatform(t *testing.T) {
	t.Parallel()
	env := map[string]string{"LOCALAPPDATA": `C:\Users\admin\AppData\Local`, "XDG_STATE_HOME": "/var/lib/admin-state"}
	getenv := func(k string) string { return env[k] }
	if p, err := defaultPathFor("windows", getenv, `C:\Users\admin`); err != nil || p != filepath.Join(`C:\Users\admin\AppData\Local`, "zenrecover", "state.db") {
		t.Errorf("windows: %q, %v", p, err)
	}
	if p, err := defaultPathFor("linux", getenv, "/root"); err != nil || p != "/var/lib/admin-state/zenrecover/state.db" {
		t.Errorf("linux with XDG_STATE_HOME: %q, %v", p, err)
	}
	delete(env, "XDG_STATE_HOME")
	if p, err := defaultPathFor("linux", getenv, "/root"); err != nil || p != "/root/.local/state/zenrecover/state.db" {
		t.Errorf("linux: %q, %v", p, err)
	}
	delete(env, "LOCALAPPDATA")
	if _, err := defaultPathFor("windows", getenv, `C:\Users\admin`); err == nil {
		t.Error("windows without LOCALAPPDATA gave a path")
	}
}

// The state database's path reaches SQLite as a file: URI; on Windows a
// read-only one too (a state folder the operator cannot write), which
// once went as C:%5C... and named no file.
func TestStateURIPerPlatform(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ goos, path, want string }{
		{"windows", `C:\Users\a b\AppData\Local\zenrecover\state.db`, "file:/C:/Users/a%20b/AppData/Local/zenrecover/state.db"},
		{"linux", "/srv/a?b#c%d/state.db", "file:/srv/a%3Fb%23c%25d/state.db"},
	} {
		if got := fileURI(c.goos, c.path); got != c.want {
			t.Errorf("%s %s: %s, want %s", c.goos, c.path, got, c.want)
		}
	}
}
