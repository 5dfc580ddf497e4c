package remote

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Fleets through Ansible (issue 16, item 2). A fan-out step is written as
// an inventory (one host a target, with the exact command for it) and a
// playbook of one task, and ansible-playbook runs it with the
// ansible.posix.jsonl callback, one JSON line a host result, which
// ParseResults reads as they come (so a killed ansible-playbook leaves the
// hosts it reported, and only those, reported).
//
// Decisions:
//   - Debian's ansible (7.x, ansible-core 2.14) ships ansible.posix, whose
//     json callback prints everything at the end and jsonl a line per
//     result: jsonl is used, so nothing is lost with a kill.
//   - The inventory is YAML with every value of ours tagged !unsafe, so
//     Ansible's templating never reads {{ }} in an argument as code; host
//     names are checked (HostName) before they are written.
//   - A step without answer rules runs through ansible.builtin.command with
//     argv (no shell). A step whose command prompts runs through
//     ansible.builtin.expect (python3-pexpect on the device), the argv
//     quoted word by word, its answers as responses, with no_log so no
//     result carries them. A secret is a vars_prompt of the play (private,
//     unsafe): ansible-playbook asks for it on its terminal, where the
//     wizard types it as it types any answer (actions' rules); it is never
//     on a command line or in a file.
//   - The hosts to do are passed as --limit @FILE (one a line), so a
//     fleet of 3,000 does not make a 3,000-word command line.

// FleetTask is one fan-out step as Ansible runs it.
type FleetTask struct {
	Name string // the play's name: the step's ref and title
	// Hosts and, for each, the exact command there (argv; no shell).
	Hosts []string
	Argv  map[string][]string
	// Env is set for the command on every host (a lab's PATH and
	// variables); never a secret. HostNameEnv, when set, names a variable
	// that holds the inventory's name of the host the command runs on (a
	// lab's ZENRECOVER_LAB_HOST: the copy of the device it plays).
	Env         map[string]string
	HostNameEnv string
	// Answers type into the command's prompts (ansible.builtin.expect).
	Answers []FleetAnswer
	// Vars are inventory variables for every host (e.g.
	// ansible_connection=local for a rehearsal on this machine).
	Vars map[string]string
	// Forks is ansible-playbook's -f (0: Ansible's own default, 5).
	Forks int
}

// FleetAnswer is one answer rule of the step: a secret by its input's id
// (asked by the play's vars_prompt), or a plain value.
type FleetAnswer struct {
	Prompt string // a regular expression, as in the definition
	Secret string // the secret input's id, or ""
	Value  string // the value when not a secret
}

// SecretPrompt is the text ansible-playbook prints to ask for a secret
// input: what the wizard's answer rule for it matches.
func SecretPrompt(id string) string { return "zenrecover-secret " + id }

// SecretPromptPattern matches it (Ansible adds ": ").
func SecretPromptPattern(id string) *regexp.Regexp {
	return regexp.MustCompile(regexp.QuoteMeta(SecretPrompt(id)) + `:?\s*$`)
}

var hostNameRE = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9][A-Za-z0-9-]{0,62})*$`)

// HostName refuses a target that is not a host name (it would not survive
// an inventory, a --limit file or a known_hosts line unchanged).
func HostName(h string) error {
	if !hostNameRE.MatchString(h) {
		return fmt.Errorf("%q is not a host name Ansible can be given", h)
	}
	return nil
}

// yq writes s as a YAML double-quoted scalar tagged !unsafe: JSON's string
// escapes are YAML's too.
func yq(s string) string {
	b, _ := json.Marshal(s)
	return "!unsafe " + string(b)
}

// Inventory is the YAML inventory of t.
func (t *FleetTask) Inventory() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("# Written by zenrecover: the hosts of one fan-out step, each with its exact command.\nall:\n  hosts:\n")
	for _, h := range t.Hosts {
		if err := HostName(h); err != nil {
			return nil, err
		}
		argv := t.Argv[h]
		if len(argv) == 0 {
			return nil, fmt.Errorf("no command for %s", h)
		}
		q := make([]string, len(argv))
		for i, a := range argv {
			q[i] = yq(a)
		}
		fmt.Fprintf(&b, "    %s:\n      zr_argv: [%s]\n", h, strings.Join(q, ", "))
		if len(t.Answers) > 0 {
			fmt.Fprintf(&b, "      zr_command: %s\n", yq(shellLine(argv)))
		}
	}
	b.WriteString("  vars:\n")
	keys := make([]string, 0, len(t.Vars))
	for k := range t.Vars {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`).MatchString(k) {
			return nil, fmt.Errorf("inventory variable %q is not a name", k)
		}
		fmt.Fprintf(&b, "    %s: %s\n", k, yq(t.Vars[k]))
	}
	if len(t.Env) > 0 {
		b.WriteString("    zr_env:\n")
		keys = keys[:0]
		for k := range t.Env {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, "      %s: %s\n", yq(k)[len("!unsafe "):], yq(t.Env[k]))
		}
	}
	return b.Bytes(), nil
}

// Playbook is the play of t: one task, the step's command on each host.
func (t *FleetTask) Playbook() []byte {
	var b bytes.Buffer
	b.WriteString("# Written by zenrecover: one fan-out step. Secrets are asked by vars_prompt, never stored.\n")
	fmt.Fprintf(&b, "- name: %s\n  hosts: all\n  gather_facts: false\n", yq(t.Name))
	var secrets []string
	for _, a := range t.Answers {
		if a.Secret != "" && !contains(secrets, a.Secret) {
			secrets = append(secrets, a.Secret)
		}
	}
	if len(secrets) > 0 {
		b.WriteString("  vars_prompt:\n")
		for _, id := range secrets {
			fmt.Fprintf(&b, "    - name: zr_secret_%s\n      prompt: %s\n      private: true\n      unsafe: true\n", varName(id), yq(SecretPrompt(id))[len("!unsafe "):])
		}
	}
	b.WriteString("  tasks:\n")
	env := ""
	switch {
	case t.HostNameEnv != "":
		env = fmt.Sprintf("      environment: \"{{ zr_env | default({}) | combine({%s: inventory_hostname}) }}\"\n", singleQuoted(t.HostNameEnv))
	case len(t.Env) > 0:
		env = "      environment: \"{{ zr_env }}\"\n"
	}
	if len(t.Answers) == 0 {
		fmt.Fprintf(&b, "    - name: %s\n%s", yq(t.OutcomeTask()), env)
		b.WriteString("      ansible.builtin.command:\n        argv: \"{{ zr_argv }}\"\n")
		return b.Bytes()
	}
	// no_log keeps the answers out of every result and out of the
	// device's own log; the outcome (the exit status, never an answer) is
	// then reported by a task of its own.
	fmt.Fprintf(&b, "    - name: %s\n%s", yq(t.Name+" (typing its answers)"), env)
	b.WriteString("      no_log: true\n      register: zr_result\n      failed_when: false\n")
	b.WriteString("      ansible.builtin.expect:\n        command: \"{{ zr_command }}\"\n        timeout: 3600\n        responses:\n")
	for _, a := range t.Answers {
		v := yq(a.Value)
		if a.Secret != "" {
			v = fmt.Sprintf("\"{{ zr_secret_%s }}\"", varName(a.Secret))
		}
		fmt.Fprintf(&b, "          %s: %s\n", yq(a.Prompt)[len("!unsafe "):], v)
	}
	fmt.Fprintf(&b, "    - name: %s\n", yq(t.OutcomeTask()))
	b.WriteString(`      ansible.builtin.assert:
        that: ["zr_result.rc is defined", "zr_result.rc == 0"]
        quiet: true
        fail_msg: "{{ ('exited with status ' ~ zr_result.rc) if zr_result.rc is defined else 'did not run there' }}"
`)
	return b.Bytes()
}

// OutcomeTask names the task whose result is a host's outcome (the only
// one, or the one after the task that types the answers).
func (t *FleetTask) OutcomeTask() string { return t.Name }

// singleQuoted is a Jinja string literal for a variable's name.
func singleQuoted(s string) string {
	return "'" + strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' {
			return r
		}
		return -1
	}, s) + "'"
}

func varName(id string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, id)
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// FleetFiles are the files Write left in a folder.
type FleetFiles struct {
	Dir, Inventory, Playbook, Limit string
}

// Write puts the inventory, the playbook and the --limit file (every host
// of t) in dir, 0600 (they name the zone's hosts), each synced and renamed
// into place.
func (t *FleetTask) Write(dir string) (FleetFiles, error) {
	f := FleetFiles{Dir: dir, Inventory: filepath.Join(dir, "inventory.yml"), Playbook: filepath.Join(dir, "playbook.yml"), Limit: filepath.Join(dir, "limit")}
	inv, err := t.Inventory()
	if err != nil {
		return f, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return f, err
	}
	for p, data := range map[string][]byte{f.Inventory: inv, f.Playbook: t.Playbook(), f.Limit: []byte(strings.Join(t.Hosts, "\n") + "\n")} {
		if err := writeSynced(p, data); err != nil {
			return f, err
		}
	}
	return f, nil
}

func writeSynced(p string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(p), "."+filepath.Base(p)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), p)
}

// Command is the ansible-playbook command line for the files (the
// program as given: a path, or the name to print).
func (f FleetFiles) Command(program string, forks int) []string {
	argv := []string{program, "-i", f.Inventory, "--limit", "@" + f.Limit}
	if forks > 0 {
		argv = append(argv, "-f", strconv.Itoa(forks))
	}
	return append(argv, f.Playbook)
}

// AnsibleEnv is what ansible-playbook needs in its environment for
// ParseResults: the jsonl callback, no colour, no retry files beside the
// playbook (the journal is the record of what is left).
var AnsibleEnv = []string{"ANSIBLE_STDOUT_CALLBACK=ansible.posix.jsonl", "ANSIBLE_NOCOLOR=1", "ANSIBLE_FORCE_COLOR=0",
	"ANSIBLE_RETRY_FILES_ENABLED=0", "ANSIBLE_DISPLAY_ARGS_TO_STDOUT=0",
	// Modules go to the device through the connection, never as a file
	// there: the expect module's arguments hold the answers.
	"ANSIBLE_PIPELINING=1", "ANSIBLE_KEEP_REMOTE_FILES=0"}

// HostResult is one host's outcome as Ansible reported it.
type HostResult struct {
	Host   string
	Task   string // the task's name
	Status string // "ok", "failed", "unreachable", "skipped"
	RC     *int
	Msg    string // Ansible's msg (or stderr) when it failed
	Stdout string
}

// ResultWriter is an io.Writer for ansible-playbook's output: every jsonl
// line that reports a host's result goes to fn as it completes; other
// lines (warnings, the prompt for a secret) go to text.
type ResultWriter struct {
	fn   func(HostResult)
	text io.Writer
	mu   sync.Mutex
	buf  []byte
}

// NewResultWriter returns a writer that calls fn for each host result.
func NewResultWriter(fn func(HostResult), text io.Writer) *ResultWriter {
	if text == nil {
		text = io.Discard
	}
	return &ResultWriter{fn: fn, text: text}
}

const maxResultLine = 16 << 20

func (w *ResultWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		w.line(w.buf[:i])
		w.buf = w.buf[i+1:]
	}
	if len(w.buf) > maxResultLine {
		// No result is that long: keep memory bounded.
		w.text.Write(w.buf)
		w.buf = w.buf[:0]
	}
	return len(p), nil
}

// Close handles a last line without its line break.
func (w *ResultWriter) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.buf) > 0 {
		w.line(w.buf)
		w.buf = nil
	}
	return nil
}

func (w *ResultWriter) line(l []byte) {
	l = bytes.TrimRight(l, "\r")
	if rs, ok := parseResultLine(l); ok {
		for _, r := range rs {
			w.fn(r)
		}
		return
	}
	if len(bytes.TrimSpace(l)) > 0 && !bytes.HasPrefix(bytes.TrimSpace(l), []byte("{")) {
		w.text.Write(append(append([]byte(nil), l...), '\n'))
	}
}

// ParseResults reads ansible-playbook's jsonl output to its end.
func ParseResults(r io.Reader, fn func(HostResult)) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxResultLine)
	for sc.Scan() {
		if rs, ok := parseResultLine(sc.Bytes()); ok {
			for _, x := range rs {
				fn(x)
			}
		}
	}
	return sc.Err()
}

func parseResultLine(l []byte) ([]HostResult, bool) {
	l = bytes.TrimSpace(l)
	if len(l) == 0 || l[0] != '{' {
		return nil, false
	}
	var ev struct {
		Event string                     `json:"_event"`
		Hosts map[string]json.RawMessage `json:"hosts"`
		Task  struct {
			Name string `json:"name"`
		} `json:"task"`
	}
	if json.Unmarshal(l, &ev) != nil {
		return nil, false
	}
	status := ""
	switch ev.Event {
	case "v2_runner_on_ok":
		status = "ok"
	case "v2_runner_on_failed":
		status = "failed"
	case "v2_runner_on_unreachable":
		status = "unreachable"
	case "v2_runner_on_skipped":
		status = "skipped"
	default:
		return nil, true
	}
	var out []HostResult
	for h, raw := range ev.Hosts {
		var res struct {
			RC     *int   `json:"rc"`
			Msg    string `json:"msg"`
			Stderr string `json:"stderr"`
			Stdout string `json:"stdout"`
			Failed bool   `json:"failed"`
		}
		json.Unmarshal(raw, &res)
		r := HostResult{Host: h, Task: ev.Task.Name, Status: status, RC: res.RC, Msg: res.Msg, Stdout: res.Stdout}
		if status == "ok" && res.Failed {
			r.Status = "failed"
		}
		if r.Msg == "" {
			r.Msg = res.Stderr
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Host < out[j].Host })
	return out, true
}
