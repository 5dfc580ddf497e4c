package procedures_test

import (
	"strings"
	"testing"

	"zenrecover/procedures"
)

// Issue 16: on paper, a command the wizard runs on every target says it
// can go to Ansible as a whole; a fan-out done by hand does not.
func TestAChecklistSaysWhichFanOutsCanGoToAnsible(t *testing.T) {
	t.Parallel()
	c := library(t).Get("2.1").Checklist(procedures.ChecklistOptions{})
	var fleet, byHand string
	for _, it := range c.Items {
		switch it.ID {
		case "refresh-primaries":
			fleet = it.FanOutWords()
		case "refresh":
			byHand = it.FanOutWords()
		}
	}
	if !strings.Contains(fleet, "Ansible") {
		t.Errorf("2.1 step 9's zac ref on each Primary Server: %q, want the Ansible way", fleet)
	}
	if byHand == "" || strings.Contains(byHand, "Ansible") {
		t.Errorf("2.1 step 9's refresh by hand: %q, want no Ansible", byHand)
	}
}
