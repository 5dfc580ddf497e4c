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
