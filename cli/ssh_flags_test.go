package cli

import (
	"strings"
	"testing"

	"zenrecover/runner"
)

// A live run reaches other hosts over SSH unless --no-ssh; a rehearsal
// only the hosts --lab-ssh names (issue 16).
func TestSSHFlags(t *testing.T) {
	var o runner.Options
	if err := (&runFlags{}).sshOptions(&o); err != nil || o.SSH == nil || o.LabSSH != nil {
		t.Errorf("by default: SSH %v, lab hosts %v, %v", o.SSH, o.LabSSH, err)
	}
	o = runner.Options{}
	if err := (&runFlags{noSSH: true}).sshOptions(&o); err != nil || o.SSH != nil {
		t.Errorf("--no-ssh: SSH %v, %v", o.SSH, err)
	}
	o = runner.Options{}
	if err := (&runFlags{labSSH: []string{"zen-primary-2=admin@127.0.0.1:2222"}}).sshOptions(&o); err != nil || o.LabSSH["zen-primary-2"] != "admin@127.0.0.1:2222" {
		t.Errorf("--lab-ssh: %v, %v", o.LabSSH, err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "1.1", "--lab-ssh", "zen-primary-2=127.0.0.1:2222"}, "give --lab DIR too"},
		{[]string{"run", "1.1", "--lab-ssh", "127.0.0.1:2222"}, "write HOST=[USER@]ADDR[:PORT]"},
		{[]string{"run", "1.1", "--lab-ssh", "bad host=127.0.0.1"}, "bad host"},
		{[]string{"run", "1.1", "--no-ssh", "--lab-ssh", "zen-primary-2=127.0.0.1"}, "contradict"},
		{[]string{"run", "1.1", "--target", "zen-old", "--platform", "linux", "--lab-ssh", "zen-primary-2=127.0.0.1"}, "guide mode"},
	} {
		_, errOut, code := runCLI(t, c.args...)
		if code != exitUsage || !strings.Contains(errOut, c.want) {
			t.Errorf("%q: exit %d, %q; want exit %d saying %q", c.args, code, errOut, exitUsage, c.want)
		}
	}
}
