package procedures_test

import (
	"errors"
	"strings"
	"testing"

	"zenrecover/procedures"
)

// Every template of a step is expanded in one place, and a secret stays a
// reference: 1.5's copy (host, paths, checks) and 1.3's export (argv,
// answers).
func TestResolveExpandsEveryTemplateAndKeepsSecretsByReference(t *testing.T) {
	lib := library(t)
	d := lib.Get("1.5")
	vals := procedures.Values{"source_platform": "linux", "destination_platform": "linux",
		"source_server": "zen-1", "destination_server": "zen-2", "staging_dir": "/root/stage"}
	r, err := d.Resolve(d.Step("copy-keystore"), vals)
	if err != nil {
		t.Fatal(err)
	}
	if r.On != "zen-2" || r.Copy.FromHost != "zen-1" || r.Copy.To != "/root/stage/zenca.keystore" ||
		r.Verify[0].FileExists != "/root/stage/zenca.keystore" {
		t.Errorf("copy-keystore resolved as on %q, %+v, verify %+v", r.On, *r.Copy, r.Verify)
	}
	if s := d.Step("copy-keystore"); s.Copy.To != "${staging_dir}/zenca.keystore" {
		t.Errorf("resolving changed the definition: %q", s.Copy.To)
	}

	d = lib.Get("1.3")
	r, err = d.Resolve(d.Step("export-ca"), procedures.Values{"remove_ca_role": "false",
		"admin_user": "Administrator", "ca_backup_file": "/root/ca.bak", "admin_password": "not-a-value"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(r.Argv, " ") != "zman certificate-authority-export /root/ca.bak" {
		t.Errorf("argv %q", r.Argv)
	}
	var secret, user *procedures.ResolvedAnswer
	for i := range r.Answers {
		switch a := &r.Answers[i]; {
		case a.Secret == "admin_password":
			secret = a
		case a.Value == "Administrator":
			user = a
		}
	}
	if secret == nil || secret.Value != "" || user == nil {
		t.Errorf("answers %+v: the password must be named, never carried; the user name carried", r.Answers)
	}
}

// A value that is missing, or that would lead out of its folder, is a
// ResolveError naming the step, where in it, and the value.
func TestResolveNamesTheStepAndTheValue(t *testing.T) {
	d := library(t).Get("1.5")
	vals := procedures.Values{"source_platform": "linux", "destination_platform": "linux",
		"source_server": "zen-1", "destination_server": "zen-2"}
	_, err := d.Resolve(d.Step("copy-keystore"), vals)
	var re *procedures.ResolveError
	if !errors.As(err, &re) || re.Step.ID != "copy-keystore" || re.Field != "copy.to" {
		t.Fatalf("got %v", err)
	}
	if want := "step 3 (copy-keystore), copy.to: no value yet for staging_dir"; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}
