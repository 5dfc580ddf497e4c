package plain_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"zenrecover/assets"
	"zenrecover/lab"
	"zenrecover/lab/labtest"
	"zenrecover/plain"
	"zenrecover/procedures"
	"zenrecover/runner"
)

func start13(t *testing.T) (*runner.Session, runner.Options) {
	t.Helper()
	st, err := runner.OpenStore(filepath.Join(t.TempDir(), "state", "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	lib, err := procedures.LoadFS(assets.FS, "procedures")
	if err != nil {
		t.Fatal(err)
	}
	o := runner.Options{Store: st, Lab: labtest.New(t), Version: "test"}
	s, err := runner.Start(context.Background(), o, lib.Get("1.3"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s, o
}

// After "Authentication failed", Enter retries with the secrets typed
// again; the old letters and words still work.
func TestFailedStepOffersNewSecretsAfterAnAuthenticationFailure(t *testing.T) {
	s, _ := start13(t)
	in := strings.Join([]string{
		"Wrong-Pw-3312", "Zebra-Quartz-1234", // the secrets, first time
		"",                                            // Enter: new secrets, the default after a refusal
		lab.DefaultAdminPassword, "Zebra-Quartz-1234", // typed again
	}, "\n") + "\n"
	var out bytes.Buffer
	p := &plain.Plain{In: strings.NewReader(in), Out: &out, Preset: procedures.Values{"remove_ca_role": "false"}}
	code := p.Drive(context.Background(), s)
	text := out.String()
	if code != plain.ExitCompleted {
		t.Fatalf("exit %d\n%s", code, text)
	}
	for _, want := range []string{
		"It read: ZENworks administrator password; Passphrase to encrypt the CA backup file.",
		"new (n, retry with the secrets typed again; the default)",
		"(asked again: the last one was refused)",
		"Completed",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the output does not say %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "Wrong-Pw-3312") {
		t.Error("the refused password was shown")
	}
}

// "retry" still retries as it was, with the same (wrong) secret.
func TestFailedStepRetryKeepsItsWord(t *testing.T) {
	s, _ := start13(t)
	in := "Wrong-Pw-3312\nZebra-Quartz-1234\nretry\nq\n"
	var out bytes.Buffer
	p := &plain.Plain{In: strings.NewReader(in), Out: &out, Preset: procedures.Values{"remove_ca_role": "false"}}
	code := p.Drive(context.Background(), s)
	if code != plain.ExitStopped || strings.Count(out.String(), "Failed: zman exited") != 2 || strings.Contains(out.String(), "asked again") {
		t.Fatalf("exit %d\n%s", code, out.String())
	}
}
