//go:build !windows

package e2e

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"zenrecover/archive"
)

// Issue 12, rehearsal gaps: every one of the fifteen sections rehearses to
// completion in a lab prepared only as the README says (section 5 in each
// of its four scenarios). Each lab command a case runs must be written in
// the README exactly as run (with /tmp/zenlab for the lab), so the README
// and the rehearsals cannot drift apart; the answers are the operator's,
// with the lab's names.

// readmeLab is the lab directory the README's commands name.
const readmeLab = "/tmp/zenlab"

// The README's preparations, by name.
var (
	prep41 = []string{
		"zenrecover lab external-ca /tmp/zenlab corp",
		"zenrecover lab issue-cert /tmp/zenlab --ca corp --host zen-primary-1 --root /root/zcm_certs/root-ca.der",
		"zenrecover lab issue-cert /tmp/zenlab --ca corp --host zen-primary-2 --root /root/zcm_certs/root-ca.der",
		"zenrecover lab issue-cert /tmp/zenlab --ca corp --host dev-7 --new-host --root-only --root /root/zcm_certs/root-ca.der",
	}
	prep43 = []string{
		"zenrecover lab issue-cert /tmp/zenlab --ca corp --host zen-primary-1",
		"zenrecover lab issue-cert /tmp/zenlab --ca corp --host zen-primary-2",
	}
	prep44 = []string{
		"zenrecover lab external-ca /tmp/zenlab newcorp",
		"zenrecover lab issue-cert /tmp/zenlab --ca newcorp --host zen-primary-1 --root /root/zcm_certs/root-ca.der",
		"zenrecover lab issue-cert /tmp/zenlab --ca newcorp --host zen-primary-2 --root /root/zcm_certs/root-ca.der",
		"zenrecover lab issue-cert /tmp/zenlab --ca newcorp --host dev-7 --root-only --root /root/zcm_certs/root-ca.der",
	}
	labInit   = "zenrecover lab init /tmp/zenlab"
	expire    = "zenrecover lab expire-certs /tmp/zenlab"
	newAddr   = "zenrecover lab set-address /tmp/zenlab --address 192.0.2.44"
	newName   = "zenrecover lab set-address /tmp/zenlab --address 192.0.2.44 --name zen-renamed"
	renamedCA = "zenrecover lab issue-cert /tmp/zenlab --ca corp --host zen-renamed"
)

// The operator's answers, with the lab's names.
var (
	answers11 = "db_on_server: yes\nonly_content_server: yes\n"
	answers12 = "platform: linux\ndb_on_server: yes\nhave_image_backups: yes\nimages_in_archive: yes\n"
	answers13 = "remove_ca_role: no\n"
	answers14 = "platform: linux\n"
	answers15 = "source_platform: linux\ndestination_platform: linux\nsource_server: zen-primary-1\ndestination_server: zen-primary-2\n"
	answers21 = `same_platform: yes
addon_images: yes
imaging_bundle: yes
reporting: yes
extra_rules: yes
reregister: yes
move_database: yes
external_db: no
multizone_publisher: yes
internal_ca_here: yes
embedded_db_here: yes
second_server: zen-primary-2
other_primaries: [zen-primary-2]
devices: [sat-1, dev-7]
register_url: https://zen-primary-2.zenlab.example:443
second_ps_guid: GUID
`
	answers22 = `same_platform: yes
platform: linux
ca_here: yes
embedded_db: yes
external_db_here: no
reporting: yes
install_reporting: yes
`
	answers31 = `cn_has_address: no
platform: linux
other_primaries_platform: linux
only_primary: no
db_here: yes
has_satellites: yes
reporting_here: yes
multizone_publisher: yes
internal_ca_here: yes
embedded_db_here: yes
new_address: 192.0.2.44
server_dns: zen-primary-1.zenlab.example
other_primaries: zen-primary-2
satellites: sat-1
`
	answers32 = `cn_is_fqdn: yes
address_changes: yes
platform: linux
other_primaries_platform: linux
only_primary: no
db_here: yes
has_satellites: yes
devices_unreachable: yes
intel_amt: yes
multizone_publisher: yes
reporting_here: yes
internal_ca_here: yes
embedded_db_here: yes
new_dns: zen-renamed.zenlab.example
new_address: 192.0.2.44
other_primaries: zen-primary-2
devices: dev-7
unreachable_devices: dev-7
`
	answers321 = with(answers32, "has_satellites: no", "devices_unreachable: no", "-unreachable_devices",
		"import_root: no", "root_by_bundle: no", "internal_ca_here: no",
		"server_zcc_path: /Devices/Servers/zen-renamed", "server_cert: /root/zcm_certs/zen-renamed.der")
	answers322 = with(answers32, "windows_auth_satellites: yes", "linux_auth_satellites: yes",
		"satellites: sat-win, sat-lin", "windows_auth_sats: sat-win", "linux_auth_sats: sat-lin")
	// Chapter 4: the facts every procedure there asks.
	answersCh4 = `only_primary: no
devices_unreachable: no
has_satellites: no
intel_amt: no
multizone_publisher: no
embedded_db_here: yes
this_server: zen-primary-1
other_primaries: zen-primary-2
devices: dev-7
ca_cert: /root/zcm_certs/root-ca.der
`
	answers41 = with(answersCh4, "import_root: yes", "root_by_bundle: no", "internal_ca_here: yes")
	answers42 = with(answersCh4, "-has_satellites", "-this_server", "-ca_cert", "zone_external: no", "ca_expired: no",
		"windows_auth_satellites: no", "linux_auth_satellites: no", "internal_ca_here: yes", "ca_server: zen-primary-1")
	answers43 = with(answersCh4, "-ca_cert", "replace_here: yes", "replace_others: yes", "replaced_primaries: zen-primary-2")
	answers44 = with(answersCh4, "root_by_bundle: no")
	// Section 5 asks the facts of every scenario's procedure (until it
	// asks only the chosen one's): the ones not chosen are answered too.
	answers5 = with(answersCh4, "internal_ca_here: yes", "ca_expired: no", "windows_auth_satellites: no",
		"linux_auth_satellites: no", "replace_here: yes", "replace_others: yes", "replaced_primaries: zen-primary-2",
		"ca_server: zen-primary-1")
)

// with is an answers file with lines changed: "key: value" sets (in
// place, or at the end), "-key" removes.
func with(base string, changes ...string) string {
	lines := strings.Split(strings.TrimRight(base, "\n"), "\n")
	for _, c := range changes {
		key, _, _ := strings.Cut(strings.TrimPrefix(c, "-"), ":")
		i := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, key+":") })
		switch {
		case strings.HasPrefix(c, "-"):
			if i >= 0 {
				lines = slices.Delete(lines, i, i+1)
			}
		case i >= 0:
			lines[i] = c
		default:
			lines = append(lines, c)
		}
	}
	return strings.Join(lines, "\n") + "\n"
}

// act is one thing the operator does: a lab command from the README, or a
// run of a section with its answers.
type act struct {
	readme  string // a command as the README writes it
	section string
	answers string
}

func readmeActs(lines ...string) []act {
	out := make([]act, len(lines))
	for i, l := range lines {
		out[i] = act{readme: l}
	}
	return out
}

func runAct(section, answers string) act { return act{section: section, answers: answers} }

func seq(parts ...[]act) []act { return slices.Concat(parts...) }

func TestEverySectionRehearsesAsTheREADMESays(t *testing.T) {
	slow(t, "rehearsing every section through the binary")
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	after41 := seq(readmeActs(labInit), readmeActs(prep41...), []act{runAct("4.1", answers41)})
	cases := []struct {
		name string
		acts []act
		// check looks at the lab afterwards.
		check func(t *testing.T, labDir string)
	}{
		{name: "1.1 1.3 1.2 1.4", acts: seq(readmeActs(labInit), []act{runAct("1.1", answers11), runAct("1.3", answers13),
			runAct("1.2", answers12), runAct("1.4", answers14)})},
		{name: "1.5", acts: seq(readmeActs(labInit), []act{runAct("1.5", answers15)})},
		{name: "2.1", acts: seq(readmeActs(labInit), []act{runAct("2.1", answers21)})},
		{name: "2.2", acts: seq(readmeActs("zenrecover lab init /tmp/zenlab --reporting", "zenrecover lab export-reports /tmp/zenlab"),
			[]act{runAct("2.2", answers22)})},
		{name: "3.1", acts: seq(readmeActs(labInit, newAddr), []act{runAct("3.1", answers31)})},
		{name: "3.2.2", acts: seq(readmeActs(labInit, newName), []act{runAct("3.2.2", answers322)})},
		{name: "3.2.1", acts: seq(after41, readmeActs(newName, renamedCA), []act{runAct("3.2.1", answers321)})},
		{name: "4.2", acts: seq(readmeActs(labInit), []act{runAct("4.2", answers42)})},
		{name: "4.1 4.3 4.4", acts: seq(after41, readmeActs(prep43...), []act{runAct("4.3", answers43)},
			readmeActs(prep44...), []act{runAct("4.4", answers44)}), check: secondBackupKept},
		{name: "5 new-internal", acts: seq(readmeActs(labInit, "zenrecover lab expire-certs /tmp/zenlab --ca-too"),
			[]act{runAct("5", with(answers5, "scenario: new-internal", "ca_expired: yes"))})},
		{name: "5 internal-to-external", acts: seq(readmeActs(labInit, expire), readmeActs(prep41...),
			[]act{runAct("5", with(answers5, "scenario: internal-to-external"))})},
		{name: "5 external-same-ca", acts: seq(after41, readmeActs(expire), readmeActs(prep43...),
			[]act{runAct("5", with(answers5, "scenario: external-same-ca"))})},
		{name: "5 external-new-ca", acts: seq(after41, readmeActs(expire), readmeActs(prep44...),
			[]act{runAct("5", with(answers5, "scenario: external-new-ca"))})},
	}
	sections := map[string]bool{}
	for _, c := range cases {
		t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
			e := newE2E(t)
			labDir := filepath.Join(t.TempDir(), "zenlab")
			for _, a := range c.acts {
				if a.readme != "" {
					if !strings.Contains(string(readme), a.readme+"\n") && !strings.Contains(string(readme), a.readme+" ") {
						t.Fatalf("the README does not say %q", a.readme)
					}
					args := strings.Fields(strings.ReplaceAll(a.readme, readmeLab, labDir))[1:]
					if out, err := e.cmd("", args...).CombinedOutput(); err != nil {
						t.Fatalf("%s: %v\n%s", a.readme, err, out)
					}
					continue
				}
				answers := strings.ReplaceAll(a.answers, "GUID", guidOf(t, labDir, "zen-primary-2"))
				if err := os.WriteFile(e.answers, []byte(answers), 0o600); err != nil {
					t.Fatal(err)
				}
				run := e.cmd("", "run", a.section, "--lab", labDir, "--plain", "--yes", "--answers", e.answers)
				run.Env = append(run.Env, labSecrets()...)
				out, err := run.CombinedOutput()
				if code := exitCode(err); code != 0 || !strings.Contains(string(out), "Completed: every step of "+a.section+" ") {
					t.Fatalf("%s: run %s exited %d\n%s", c.name, a.section, code, tail(string(out), 40))
				}
				sections[a.section] = true
			}
			if c.check != nil {
				c.check(t, labDir)
			}
		})
	}
	var got []string
	for s := range sections {
		got = append(got, s)
	}
	slices.Sort(got)
	if want := []string{"1.1", "1.2", "1.3", "1.4", "1.5", "2.1", "2.2", "3.1", "3.2.1", "3.2.2", "4.1", "4.2", "4.3", "4.4", "5"}; !slices.Equal(got, want) {
		t.Errorf("sections rehearsed %q, want all fifteen %q", got, want)
	}
}

// labSecrets are the secrets every section asks for, in the variables a
// script gives them in: one passphrase for every backup, so each restore
// opens what its backup wrote.
func labSecrets() []string {
	out := []string{"ZENRECOVER_SECRET_ADMIN_PASSWORD=" + labAdminPassword}
	for _, s := range []string{"BACKUP", "ARCHIVE", "CA", "RESTORE", "RESTORE_ARCHIVE", "SOURCE_BACKUP", "DESTINATION_BACKUP"} {
		out = append(out, "ZENRECOVER_SECRET_"+s+"_PASSPHRASE="+knownPassphrase)
	}
	return out
}

// guidOf reads a lab host's DeviceGuid, where the README says it is.
func guidOf(t *testing.T, labDir, host string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(labDir, "hosts", host, "etc/opt/novell/zenworks/DeviceGuid"))
	if err != nil {
		return "GUID" // not needed before the lab has the host
	}
	return strings.TrimSpace(string(b))
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// secondBackupKept: 4.1, 4.3 and 4.4 each take a reliable backup in the
// same lab; each is written beside the ones before (a dated name, then the
// next free one), and every one is whole.
func secondBackupKept(t *testing.T, labDir string) {
	t.Helper()
	dir := filepath.Join(labDir, "root", "zcm_backups")
	sets, _ := filepath.Glob(filepath.Join(dir, "content-repo-*.archive"))
	for _, set := range sets {
		if st, err := archive.Inspect(set); err != nil || st.State != archive.StateComplete {
			t.Errorf("%s: %+v %v", set, st, err)
		}
	}
	zman, _ := filepath.Glob(filepath.Join(dir, "zone_backup-*.bak"))
	if len(sets) != 3 || len(zman) != 3 {
		t.Errorf("three reliable backups left %d archive sets and %d zman backups, want 3 each: %q %q", len(sets), len(zman), sets, zman)
	}
}
