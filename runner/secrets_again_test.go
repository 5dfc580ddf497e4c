package runner_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"zenrecover/runner"
)

func TestAuthFailureWords(t *testing.T) {
	t.Parallel()
	for text, want := range map[string]bool{
		"Authentication failed: invalid ZENworks administrator name or password.": true,
		"ERROR: INVALID PASSWORD":                        true,
		"gpg: invalid passphrase":                        true,
		"Incorrect password for user root":               true,
		"archive: incorrect passphrase":                  true,
		"Login failed for user 'zenadmin'.":              true,
		"System error 5 has occurred. Access is denied.": false, // "access is denied" is not "access denied"
		"Access denied for user 'zen'@'localhost'":       true,
		"exit status 1":                                  false,
		"No such file or directory":                      false,
		"":                                               false,
	} {
		if got := runner.AuthFailure(text); got != want {
			t.Errorf("AuthFailure(%q) = %v, want %v", text, got, want)
		}
	}
}

// After zman refuses a wrong administrator password, the operator retries
// with the secrets typed again: the next need asks for the password, says
// the last one was refused, and the right one completes the step. The wrong
// one is nowhere on disk.
func TestRetryWithNewSecretsAsksThemAgain(t *testing.T) {
	t.Parallel()
	const wrong = "Wrong-Admin-Pw-7781"
	f := newFixture(t)
	ctx := context.Background()
	s := f.start("1.3", nil)
	var out bytes.Buffer
	need := drive(t, s, map[string]string{"remove_ca_role": "no", "admin_password": wrong, "ca_passphrase": passphrase}, &out)
	failed, ok := need.(*runner.NeedFailed)
	if !ok {
		t.Fatalf("got %T %+v, want a failed step\n%s", need, need, out.String())
	}
	var ids []string
	for _, in := range failed.Secrets {
		ids = append(ids, in.ID)
	}
	if strings.Join(ids, ",") != "admin_password,ca_passphrase" {
		t.Errorf("secrets the step read: %v", ids)
	}
	if !failed.AuthFailure {
		t.Errorf("zman's refusal was not seen as one: %q\n%s", failed.Error, out.String())
	}
	if err := s.RetryWithNewSecrets(ctx, failed.Key); err != nil {
		t.Fatal(err)
	}
	need, err := s.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	in, ok := need.(*runner.NeedInput)
	if !ok || in.Input.ID != "admin_password" || !in.Refused {
		t.Fatalf("after RetryWithNewSecrets: %T %+v", need, need)
	}
	if err := s.Answer(ctx, "admin_password", adminPW); err != nil {
		t.Fatal(err)
	}
	need, _ = s.Next(ctx)
	if in, ok := need.(*runner.NeedInput); !ok || in.Input.ID != "ca_passphrase" || !in.Refused {
		t.Fatalf("the passphrase is asked again too: %T %+v", need, need)
	}
	if err := s.Answer(ctx, "ca_passphrase", passphrase); err != nil {
		t.Fatal(err)
	}
	need, _ = s.Next(ctx)
	if n, ok := need.(*runner.NeedStep); !ok || n.Key != "export-ca" {
		t.Fatalf("then the step: %T %+v", need, need)
	}
	if n := drive(t, s, nil, &out); !isDone(n) {
		t.Fatalf("with the right password: %T %+v\n%s", n, n, out.String())
	}
	evs, _ := f.store.Journal(ctx, s.Run().ID)
	b, _ := json.Marshal(evs)
	if strings.Contains(string(b), wrong) {
		t.Error("the refused password reached the journal")
	}
	if strings.Contains(out.String(), wrong) {
		t.Error("the refused password reached the output")
	}
	s.Close()
	secretsNowhere(t, f.store.Dir(), wrong, adminPW, passphrase)
}

// A step that read no secret is retried as it was.
func TestRetryWithNewSecretsNeedsASecretAndAFailure(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	s := exported13(t, f)
	if err := s.RetryWithNewSecrets(ctx, "export-ca"); err == nil || !strings.Contains(err.Error(), "has not failed") {
		t.Errorf("on a succeeded step: %v", err)
	}
}

// A resumed run says a secret is asked again only when a step that used
// it began before: one asked for the first time is just asked.
func TestAResumedRunSaysASecretIsAskedAgainOnlyWhenItWasUsed(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	resumeNeed := func(s *runner.Session) *runner.NeedInput {
		t.Helper()
		id := s.Run().ID
		s.Close()
		r, err := runner.Resume(ctx, f.opts(), id)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		for i := 0; i < 5; i++ {
			need, err := r.Next(ctx)
			if f, ok := need.(*runner.NeedFailed); ok {
				// Retried as it was: its secrets are asked, as after
				// any resume.
				if err := r.Retry(ctx, f.Key); err != nil {
					t.Fatal(err)
				}
				continue
			}
			in, ok := need.(*runner.NeedInput)
			if err != nil || !ok {
				t.Fatalf("after resuming: %T %+v %v", need, need, err)
			}
			if in.Input.Secret() {
				return in
			}
			if err := r.Answer(ctx, in.Input.ID, in.Input.Default); err != nil {
				t.Fatal(err)
			}
		}
		t.Fatal("no secret was asked")
		return nil
	}
	fresh := f.start("1.3", nil)
	if err := fresh.Answer(ctx, "remove_ca_role", "no"); err != nil {
		t.Fatal(err)
	}
	if n, _ := fresh.Next(ctx); n == nil {
		t.Fatal("no need")
	}
	if in := resumeNeed(fresh); in.Input.ID != "admin_password" || in.Again {
		t.Errorf("a password no step used yet is said to be asked again: %+v", in)
	}

	used := f.start("1.3", nil)
	var out bytes.Buffer
	if _, ok := drive(t, used, map[string]string{"remove_ca_role": "no", "admin_password": "Wrong-Admin-Pw-7781", "ca_passphrase": passphrase}, &out).(*runner.NeedFailed); !ok {
		t.Fatalf("the step did not fail:\n%s", out.String())
	}
	if in := resumeNeed(used); in.Input.ID != "admin_password" || !in.Again {
		t.Errorf("a password a step used is not said to be asked again: %+v", in)
	}
}
