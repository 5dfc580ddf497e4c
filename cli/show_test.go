package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// showJSON is what a script reads from `show ID --json`.
type showJSON struct {
	Facts []struct {
		ID, Type, Question, Help, Default string
		Choices                           []string
		Detect                            *struct {
			FileExists           string            `json:"file_exists"`
			FileExistsByPlatform map[string]string `json:"file_exists_by_platform"`
			Platform             bool
		}
	}
	Inputs []struct {
		ID, Type, Prompt, Help, Default, Env, Format string
		Secret, New, Escrow                          bool
		MinLength                                    int               `json:"min_length"`
		DefaultByPlatform                            map[string]string `json:"default_by_platform"`
		PlatformFact                                 string            `json:"platform_fact"`
	}
	Refuse []struct{ When, Reason string }
}

func show(t *testing.T, id string) (showJSON, string) {
	t.Helper()
	out, errs, code := runCLI(t, "show", id, "--json")
	var v showJSON
	if code != 0 {
		t.Fatalf("show %s --json: exit %d %s", id, code, errs)
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("show %s --json: %v\n%s", id, err, out)
	}
	return v, out
}

var jsonKey = regexp.MustCompile(`"([^"]*)":`)

// Issue 12: show --json gives what an answers file needs: defaults, help,
// a secret's minimum length and variable, detectors, how to write a list,
// and the combinations the procedure refuses; keys in lower case.
func TestShowJSONGivesWhatAnAnswersFileNeeds(t *testing.T) {
	v, raw := show(t, "2.2")
	for _, m := range jsonKey.FindAllStringSubmatch(raw, -1) {
		if !regexp.MustCompile(`^[a-z][a-z0-9_]*$`).MatchString(m[1]) {
			t.Errorf("key %q is not lower case like the others", m[1])
		}
	}
	inputs := map[string]int{}
	for i, in := range v.Inputs {
		inputs[in.ID] = i
	}
	bp := v.Inputs[inputs["backup_passphrase"]]
	if !bp.Secret || bp.MinLength != 10 || bp.Env != "ZENRECOVER_SECRET_BACKUP_PASSPHRASE" || !bp.New || !bp.Escrow || !strings.Contains(bp.Help, "10 characters") {
		t.Errorf("backup_passphrase: %+v", bp)
	}
	if bf := v.Inputs[inputs["backup_file"]]; bf.DefaultByPlatform["linux"] != "/root/zcm_backups/zone_backup-${run.date}.bak" ||
		bf.DefaultByPlatform["windows"] != `c:\zcm_backups\zone_backup-${run.date}.bak` || bf.PlatformFact != "platform" || bf.Secret || bf.Env != "" {
		t.Errorf("backup_file: %+v", bf)
	}
	if au := v.Inputs[inputs["admin_user"]]; au.Default != "Administrator" {
		t.Errorf("admin_user: %+v", au)
	}
	var ca, platform bool
	for _, f := range v.Facts {
		switch f.ID {
		case "ca_here":
			ca = f.Detect != nil && f.Detect.FileExistsByPlatform["linux"] == "/etc/opt/novell/zenworks/security/zenca.keystore" &&
				f.Detect.FileExistsByPlatform["windows"] == `%ZENWORKS_HOME%\conf\security\zenca.keystore` && f.Help != ""
		case "platform":
			platform = f.Detect != nil && f.Detect.Platform && len(f.Choices) == 2
		}
	}
	if !ca || !platform {
		t.Errorf("the detectors are missing: %+v", v.Facts)
	}
	if len(v.Refuse) != 1 || v.Refuse[0].When != "!same_platform" || !strings.Contains(v.Refuse[0].Reason, "not supported") {
		t.Errorf("refuse: %+v", v.Refuse)
	}
	v41, _ := show(t, "4.1")
	for _, in := range v41.Inputs {
		if (in.Type == "list") != (in.Format != "") {
			t.Errorf("%s (%s): format %q", in.ID, in.Type, in.Format)
		}
	}
}

// An answers file written from show --json alone (each fact's default or
// an answer the procedure does not refuse, each input without a default
// given a value of its type, each secret in its variable at its minimum
// length) takes every section to its end in a dry run, without a line of
// standard input.
func TestAnAnswersFileFromShowJSONAloneRunsEverySection(t *testing.T) {
	out, _, code := runCLI(t, "list", "--json")
	var list []struct{ Section string }
	if code != 0 || json.Unmarshal([]byte(out), &list) != nil || len(list) != 15 {
		t.Fatalf("list --json: %d %s", code, out)
	}
	statePath := filepath.Join(t.TempDir(), "state.db")
	for _, p := range list {
		v, _ := show(t, p.Section)
		answers := map[string]string{}
		for _, f := range v.Facts {
			switch {
			case f.Default != "":
			case f.Type == "bool":
				answers[f.ID] = "no"
			default:
				answers[f.ID] = f.Choices[0]
			}
		}
		// Answer what a refusal names the other way (the shipped ones are
		// "fact", "!fact" and fact == "choice").
		for _, r := range v.Refuse {
			w := strings.TrimSpace(r.When)
			switch id, choice, isEq := strings.Cut(w, "=="); {
			case isEq:
				for _, f := range v.Facts {
					if f.ID == strings.TrimSpace(id) && answers[f.ID] == strings.Trim(strings.TrimSpace(choice), `"`) {
						answers[f.ID] = f.Choices[1]
					}
				}
			case strings.HasPrefix(w, "!"):
				answers[strings.TrimPrefix(w, "!")] = "yes"
			default:
				answers[w] = "no"
			}
		}
		for _, in := range v.Inputs {
			switch {
			case in.Secret:
				t.Setenv(in.Env, strings.Repeat("s", max(in.MinLength, 12)))
			case in.Default != "":
			case in.Type == "list":
				answers[in.ID] = "zen-primary-2, dev-7"
			case in.Type == "path":
				answers[in.ID] = "/root/zcm_backups/" + in.ID
			default:
				answers[in.ID] = "zen-primary-1"
			}
		}
		var b strings.Builder
		for k, v := range answers {
			fmt.Fprintf(&b, "%s: %q\n", k, v)
		}
		file := filepath.Join(t.TempDir(), "answers.yaml")
		if err := os.WriteFile(file, []byte(b.String()), 0o600); err != nil {
			t.Fatal(err)
		}
		got, code := runScript(t, statePath, "run", p.Section, "--dry-run", "--plain", "--yes", "--answers", file)
		if code != exitCompleted || !strings.Contains(got, "Completed") {
			t.Errorf("%s with answers from show --json:\n%s\nexit %d\n%s", p.Section, b.String(), code, got)
		}
	}
}
