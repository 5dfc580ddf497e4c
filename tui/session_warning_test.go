package tui

import (
	"testing"
	"zenrecover/runner"
)

func TestSessionAtRiskOnlyOverSSHOutsideAMultiplexer(t *testing.T) {
	t.Parallel()
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }
	cases := []struct {
		env  map[string]string
		want bool
	}{
		{map[string]string{"SSH_CONNECTION": "10 1 10 22"}, true},
		{map[string]string{"SSH_TTY": "/dev/pts/3"}, true},
		{map[string]string{"SSH_CONNECTION": "10 1 10 22", "TMUX": "/tmp/tmux-0/default,1,0"}, false},
		{map[string]string{"SSH_CONNECTION": "10 1 10 22", "STY": "123.pts-0"}, false},
		{map[string]string{}, false}, // at the console: nothing to drop
	}
	for _, c := range cases {
		if got := runner.SessionAtRisk(env(c.env)); got != c.want {
			t.Errorf("%v: %v, want %v", c.env, got, c.want)
		}
	}
}

// The warning is on the first screen and gone after the first key.
func TestSessionWarningShowsOnceThenGoes(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	cfg := f.config()
	cfg.AtRisk = true
	h := newHarness(t, cfg, nil, "", 80, 24)
	h.mustSee("Not in tmux or screen", "tmux new -A -s zenrecover zenrecover", "Choose a procedure")
	h.press("down")
	h.mustNotSee("Not in tmux or screen")
	h.mustSee("Choose a procedure")
}
