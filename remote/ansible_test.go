package remote

import (
	"strings"
	"testing"
)

// The export and the import without Ansible: what the inventory and the
// playbook say, and how ansible.posix.jsonl lines become per-host results
// (the runner's tests run ansible-playbook itself where it is installed).

func TestTheInventoryKeepsEachArgumentAsItIsAndRefusesABadHostName(t *testing.T) {
	task := &FleetTask{Name: "refresh", Hosts: []string{"dev-01"},
		Argv: map[string][]string{"dev-01": {"zac", "ref", "{{ lookup('pipe', 'id') }}", `a "quoted" 'word'`}}}
	inv, err := task.Inventory()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`!unsafe "{{ lookup('pipe', 'id') }}"`, `!unsafe "a \"quoted\" 'word'"`} {
		if !strings.Contains(string(inv), want) {
			t.Errorf("the inventory lacks %s (a template Ansible would run, or a word changed):\n%s", want, inv)
		}
	}
	task.Hosts = []string{"dev-01\n[all:vars]"}
	if _, err := task.Inventory(); err == nil {
		t.Error("a target that is not a host name went into the inventory")
	}
}

func TestAPromptingStepTypesItsSecretThroughVarsPromptOnly(t *testing.T) {
	task := &FleetTask{Name: "retr", Hosts: []string{"dev-01"}, Argv: map[string][]string{"dev-01": {"zac", "retr", "-u", "admin"}},
		Answers: []FleetAnswer{{Prompt: "(?i)password", Secret: "admin_password"}, {Prompt: "(?i)sure", Value: "y"}}}
	play := string(task.Playbook())
	for _, want := range []string{"vars_prompt:", "- name: zr_secret_admin_password", "private: true", "no_log: true", "ansible.builtin.expect:",
		`"(?i)password": "{{ zr_secret_admin_password }}"`, `"(?i)sure": !unsafe "y"`, "ansible.builtin.assert:"} {
		if !strings.Contains(play, want) {
			t.Errorf("the playbook lacks %q:\n%s", want, play)
		}
	}
	if !SecretPromptPattern("admin_password").MatchString("zenrecover-secret admin_password: ") {
		t.Error("the wizard's rule does not match ansible-playbook's prompt")
	}
}

func TestResultLinesBecomePerHostOutcomesAsTheyArrive(t *testing.T) {
	var got []HostResult
	var text strings.Builder
	w := NewResultWriter(func(r HostResult) { got = append(got, r) }, &text)
	lines := `{"_event":"v2_playbook_on_play_start","play":{"name":"x"}}
{"_event":"v2_runner_on_ok","hosts":{"dev-01":{"rc":0,"stdout":"refreshed"}},"task":{"name":"step"}}
WARNING: something
{"_event":"v2_runner_on_failed","hosts":{"dev-02":{"rc":7,"msg":"non-zero return code"}},"task":{"name":"step"}}
{"_event":"v2_runner_on_unreachable","hosts":{"dev-03":{"msg":"Failed to connect"}},"task":{"name":"step"}}
{"_event":"v2_runner_on_ok","hosts":{"dev-04"`
	// In pieces, as a pipe delivers it; the last line is cut by a kill.
	for i := 0; i < len(lines); i += 7 {
		w.Write([]byte(lines[i:min(i+7, len(lines))]))
	}
	w.Close()
	if len(got) != 3 || got[0].Host != "dev-01" || got[0].Status != "ok" || got[1].Status != "failed" || *got[1].RC != 7 ||
		got[2].Status != "unreachable" || got[2].Msg != "Failed to connect" {
		t.Fatalf("results %+v", got)
	}
	if !strings.Contains(text.String(), "WARNING: something") {
		t.Errorf("a line that is no result was lost: %q", text.String())
	}
}
