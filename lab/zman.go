package lab

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// zmanCommand is one simulated zman subcommand.
type zmanCommand struct {
	long, short string
	synopsis    string
	flags       []string // boolean options it accepts
	run         func(s *session, opts map[string]bool, args []string) int
	nargs       int
	// raw commands take options with values (-U name) and parse their own
	// arguments; opts is nil for them.
	raw bool
}

func zmanCommands() []zmanCommand {
	return []zmanCommand{
		{long: "zenserver-backup", short: "zsb", synopsis: "<path to backup file to create>", nargs: 1, run: (*session).zenserverBackup},
		{long: "zenserver-restore", short: "zsr", synopsis: "<path to backup file to restore>", nargs: 1, run: (*session).zenserverRestore},
		{long: "certificate-authority-export", short: "cae", synopsis: "[-d|--disable-CA-role] <file path>", nargs: 1,
			flags: []string{"-d", "--disable-ca-role"}, run: (*session).caExport},
		{long: "certificate-authority-import", short: "cai", synopsis: "<file path>", nargs: 1, run: (*session).caImport},
		{long: "certificate-authority-role-disable", short: "card", synopsis: "", run: (*session).caRoleDisable},
		{long: "certificate-authority-role-enable", short: "care", synopsis: "", run: (*session).caRoleEnable},
		{long: "server-add-certificate", short: "sacert", synopsis: "<path of the Primary Server> <path of its certificate>", nargs: 2, run: (*session).serverAddCertificate},
		{long: "database-get-credentials", short: "dgc", synopsis: "[-U <administrator name> -P <administrator password>]",
			raw: true, run: (*session).databaseGetCredentials},
		{long: "report-load", short: "rpld", synopsis: "<source folder>", nargs: 1, run: (*session).reportLoad},
	}
}

func findZmanCommand(name string) (zmanCommand, bool) {
	for _, c := range zmanCommands() {
		if name == c.long || name == c.short {
			return c, true
		}
	}
	return zmanCommand{}, false
}

func (s *session) zmanUsage(w io.Writer) {
	fmt.Fprintln(w, "Usage: zman <command> [options] [arguments]")
	fmt.Fprintln(w, "Commands simulated in this lab:")
	for _, c := range zmanCommands() {
		fmt.Fprintf(w, "  %s (%s) %s\n", c.long, c.short, c.synopsis)
	}
}

func (s *session) zman(args []string) int {
	if len(args) == 0 {
		s.zmanUsage(s.err)
		return exitUsage
	}
	switch args[0] {
	case "-h", "--help", "help":
		s.zmanUsage(s.out)
		return exitOK
	}
	c, ok := findZmanCommand(args[0])
	if !ok {
		fmt.Fprintf(s.err, "zman: unknown command %q\n", args[0])
		s.zmanUsage(s.err)
		return exitUsage
	}
	s.sub = c.long
	if c.raw {
		return c.run(s, nil, args[1:])
	}
	opts, pos, err := parseZmanArgs(c, args[1:])
	if err == nil && len(pos) != c.nargs {
		err = fmt.Errorf("%s takes %d argument(s), got %d", c.long, c.nargs, len(pos))
	}
	if err != nil {
		fmt.Fprintf(s.err, "zman: %v\nUsage: zman %s (%s) %s\n", err, c.long, c.short, c.synopsis)
		return exitUsage
	}
	return c.run(s, opts, pos)
}

// parseZmanArgs accepts options before or after the path, as zman does;
// "--" ends options so a path may start with a dash.
func parseZmanArgs(c zmanCommand, args []string) (map[string]bool, []string, error) {
	opts := map[string]bool{}
	var pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if strings.HasPrefix(a, "-") && a != "-" {
			known := false
			for _, f := range c.flags {
				if strings.EqualFold(a, f) {
					opts[f], known = true, true
				}
			}
			if !known {
				return nil, nil, fmt.Errorf("%s has no option %q", c.long, a)
			}
			continue
		}
		pos = append(pos, a)
	}
	return opts, pos, nil
}

// login asks for the administrator's name and password and checks them
// against the zone, as zman does before any command that needs a session.
func (s *session) login() (int, bool) {
	name, err := s.ask.line(PromptUsername)
	if err != nil {
		return s.fail("%v", err), false
	}
	password, err := s.ask.secret(PromptPassword)
	if err != nil {
		return s.fail("%v", err), false
	}
	return s.authenticate(name, password)
}

// authenticate checks credentials against the simulated zone, refusing as
// the real tools do.
func (s *session) authenticate(name, password string) (int, bool) {
	z, err := s.lab.Zone()
	if err != nil {
		return s.fail("%v", err), false
	}
	if !z.Admin.check(strings.TrimSpace(name), password) {
		return s.fail("Authentication failed: invalid ZENworks administrator name or password."), false
	}
	return exitOK, true
}

// proceed is the common point after the prompts: hold if a test asked,
// then fire an injected failure if one waits.
func (s *session) proceed() (int, bool) {
	if !s.holdIfAsked() {
		// A real zman dies of SIGHUP when its terminal goes away; so does
		// this one, before writing anything.
		return exitHangup, false
	}
	return s.injected()
}

func (s *session) confDir() string { return s.lab.Rebase(s.lab.layout.ConfDir) }

// fileArg is a path a tool was given: as typed, for its messages, and
// where that is in the lab, for its work.
type fileArg struct{ typed, lab string }

func (f fileArg) String() string { return f.typed }

// dir is the folder of the path as typed, in the path's own spelling.
func (f fileArg) dir() string {
	if IsWindowsPath(f.typed) {
		i := strings.LastIndexAny(f.typed, `\/`)
		if i <= 2 {
			return f.typed[:3]
		}
		return f.typed[:i]
	}
	if f.typed == f.lab {
		return filepath.Dir(f.lab)
	}
	return filepath.Dir(f.typed)
}

// file reads a path argument as the tool on the host does: a Windows path
// (C:\x, or %ZENWORKS_HOME%\x on a Windows host) is the host's, so it is
// rebased into the lab. Other paths are used as given: the wizard rebases
// the Linux paths of a step before it runs the tool, and a test may hand a
// tool any path of its own.
func (s *session) file(arg string) fileArg {
	if IsWindowsPath(arg) || (s.lab.layout.Platform == PlatformWindows && strings.Contains(arg, "%")) {
		return fileArg{typed: arg, lab: s.lab.Rebase(arg)}
	}
	return fileArg{typed: arg, lab: arg}
}

func (s *session) version() string {
	b, err := os.ReadFile(filepath.Join(s.confDir(), "version.txt"))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// existingFile checks a file argument before the passphrase is asked, so
// the operator is not asked for a secret that cannot be used.
func existingFile(f fileArg) error {
	fi, err := os.Stat(f.lab)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("the file %s does not exist", f)
	}
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s is not a file", f)
	}
	return nil
}

// newFile checks a file argument that a command creates, before the
// passphrase is asked, so the operator is not asked for a secret that
// cannot be used.
func newFile(dst fileArg) error {
	if fi, err := os.Stat(dst.lab); err == nil && fi.IsDir() {
		return fmt.Errorf("%s is a folder; give the path of the file to create", dst)
	}
	if fi, err := os.Stat(filepath.Dir(dst.lab)); err != nil || !fi.IsDir() {
		return fmt.Errorf("the folder %s does not exist; create it first", dst.dir())
	}
	return nil
}

// writeSealed writes an archive to dst by way of a temporary file, so a
// killed zman never leaves half a backup at dst. Like the real zman it does
// not create dst's folder; unlike it (which ends in a Java stack trace) it
// says so in one line.
func (s *session) writeSealed(dst fileArg, passphrase string, m manifest, entries []archiveEntry) error {
	if err := newFile(dst); err != nil {
		return err
	}
	return writeAtomic(dst.lab, 0o600, func(w io.Writer) error {
		return sealArchive(w, passphrase, m, entries)
	})
}

// readSealed opens the archive at src, which must be of the wanted kind.
// unseal is how a restore or an import starts: log in, check the file, ask
// its passphrase, then read and check it whole before anything is written.
// done names what would have happened ("restored") for the error.
func (s *session) unseal(src fileArg, kind, done string) (manifest, []archiveEntry, int, bool) {
	if code, ok := s.login(); !ok {
		return manifest{}, nil, code, false
	}
	if err := existingFile(src); err != nil {
		return manifest{}, nil, s.fail("%v", err), false
	}
	pass, err := s.ask.secret(PromptPassphrase)
	if err != nil {
		return manifest{}, nil, s.fail("%v", err), false
	}
	if code, ok := s.proceed(); !ok {
		return manifest{}, nil, code, false
	}
	m, entries, err := s.readSealed(src, pass, kind)
	if err != nil {
		return manifest{}, nil, s.fail("%v. Nothing was %s.", err, done), false
	}
	return m, entries, exitOK, true
}

func (s *session) readSealed(src fileArg, passphrase, kind string) (manifest, []archiveEntry, error) {
	f, err := os.Open(src.lab)
	if err != nil {
		return manifest{}, nil, err
	}
	defer f.Close()
	m, entries, err := openArchive(f, passphrase)
	if err != nil {
		return m, nil, fmt.Errorf("unable to decrypt %s: %w", src, err)
	}
	if m.Kind != kind {
		return m, nil, fmt.Errorf("%s holds a %s file, not a %s file", src, m.Kind, kind)
	}
	return m, entries, nil
}

func (s *session) newManifest(kind string) (manifest, error) {
	z, err := s.lab.Zone()
	if err != nil {
		return manifest{}, err
	}
	return manifest{Kind: kind, Host: s.lab.Hostname(), Zone: z.Name,
		Version: s.version(), Created: time.Now().UTC().Truncate(time.Second)}, nil
}

// zenserverBackup is `zman zenserver-backup` (reference 1.1 steps 2-4).
func (s *session) zenserverBackup(_ map[string]bool, args []string) int {
	dst := s.file(args[0])
	if code, ok := s.login(); !ok {
		return code
	}
	if err := newFile(dst); err != nil {
		return s.fail("could not write the backup file: %v", err)
	}
	pass, err := s.ask.newPassphrase()
	if err != nil {
		return s.fail("%v", err)
	}
	if code, ok := s.proceed(); !ok {
		return code
	}
	m, err := s.newManifest(kindServerBackup)
	if err != nil {
		return s.fail("%v", err)
	}
	conf := s.lab.layout.ConfDir
	rels, err := backupFiles(s.confDir(), s.lab.layout.Platform)
	if err != nil {
		return s.fail("reading %s: %v", conf, err)
	}
	entries := make([]archiveEntry, 0, len(rels))
	for _, rel := range rels {
		src := filepath.Join(s.confDir(), filepath.FromSlash(rel))
		data, err := os.ReadFile(src)
		if err != nil {
			return s.fail("reading %s: %v", s.lab.layout.Join(conf, rel), err)
		}
		entries = append(entries, archiveEntry{name: rel, data: data, mode: fileMode(src)})
	}
	if err := s.writeSealed(dst, pass, m, entries); err != nil {
		return s.fail("could not write the backup file: %v", err)
	}
	fmt.Fprintf(s.out, "Successfully backed up the ZENworks Server configuration (%d files) to %s.\n", len(entries), dst)
	return exitOK
}

// zenserverRestore is `zman zenserver-restore` (reference 1.2 steps 3-5).
// Nothing is written unless the whole file decrypts and checks out.
func (s *session) zenserverRestore(_ map[string]bool, args []string) int {
	src := s.file(args[0])
	m, entries, code, ok := s.unseal(src, kindServerBackup, "restored")
	if !ok {
		return code
	}
	if v := s.version(); m.Version != "" && v != "" && m.Version != v {
		return s.fail("the backup was made on ZENworks %s but this server runs %s; server backups are version specific. Nothing was restored.", m.Version, v)
	}
	if n, err := writeEntries(s.confDir(), entries); err != nil {
		return s.fail("restored %d of %d files, then: %v", n, len(entries), err)
	}
	fmt.Fprintf(s.out, "Successfully restored the ZENworks Server configuration (%d files) from %s.\n", len(entries), src)
	return exitOK
}

// writeEntries writes each entry under dir, each file atomically.
func writeEntries(dir string, entries []archiveEntry) (int, error) {
	for i, e := range entries {
		dst := filepath.Join(dir, filepath.FromSlash(e.name))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return i, err
		}
		mode := e.mode
		if mode == 0 {
			mode = 0o644
		}
		if err := writeFileAtomic(dst, e.data, mode); err != nil {
			return i, err
		}
	}
	return len(entries), nil
}
