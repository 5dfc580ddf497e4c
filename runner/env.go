package runner

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"zenrecover/actions"
	"zenrecover/lab"
	"zenrecover/procedures"
	"zenrecover/state"
)

// SecretEnvPrefix names the environment variables a script may pass
// secrets in.
const SecretEnvPrefix = "ZENRECOVER_SECRET_"

// CheckSecretEnv checks, before a run starts or is taken up, every secret
// of def that a script gives in ZENRECOVER_SECRET_<ID>: a value the run
// would refuse (a line break or another control character, which the
// terminal of the command it is typed into would act on; too short for
// the input's policy) is refused now, naming the variable and never the
// value, rather than when the step that needs it runs, maybe hours later.
func CheckSecretEnv(def *procedures.Definition, getenv func(string) string) error {
	if getenv == nil {
		return nil
	}
	var bad []string
	for _, in := range def.Inputs {
		if !in.Secret() {
			continue
		}
		name := SecretEnvPrefix + strings.ToUpper(in.ID)
		v := getenv(name)
		if v == "" {
			continue
		}
		if i := strings.IndexFunc(v, func(r rune) bool { return r < 0x20 || r == 0x7f }); i >= 0 {
			what := "a control character"
			switch v[i] {
			case '\n', '\r':
				what = "a line break"
			}
			bad = append(bad, fmt.Sprintf("%s (%s) holds %s at character %d, which the command's terminal would act on instead of taking it as part of the secret: set it without one (a value read with $(cat FILE) loses its final line break; printf '%%s' keeps none)",
				name, in.Prompt, what, len([]rune(v[:i]))+1))
			continue
		}
		if err := in.CheckInput(v); err != nil {
			bad = append(bad, fmt.Sprintf("%s (%s) %v", name, in.Prompt, err))
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return fmt.Errorf("a secret given for %s %s in the environment cannot be used: %s",
		def.Section, def.Title, strings.Join(bad, "; "))
}

// childEnviron is the environment every command gets: ours, without any
// secret, and in a lab with the simulated tools first on PATH.
func childEnviron(l *lab.Lab) []string {
	var base []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, SecretEnvPrefix) {
			base = append(base, kv)
		}
	}
	if l != nil {
		return l.Env(base)
	}
	return base
}

func actionEnv(l *lab.Lab) actions.Env {
	environ := childEnviron(l)
	env := actions.Env{Environ: environ, Resolve: true}
	if l != nil {
		env.Rebase = l.Rebase
		env.Net = l
		env.Accounts = actions.FileAccounts(l.Rebase("/etc/passwd"), l.Rebase("/etc/group"))
		env.ScryptWorkFactor = lab.ScryptWorkFactor
	}
	return env
}

// ZENworksInstalled reports whether this machine looks like a Primary
// Server: its configuration folder exists (on Windows, the conf folder of
// the installation ZENWORKS_HOME names).
func ZENworksInstalled() bool {
	conf := "/etc/opt/novell/zenworks"
	if runtime.GOOS == "windows" {
		home := os.Getenv("ZENWORKS_HOME")
		if home == "" {
			return false
		}
		conf = filepath.Join(home, "conf")
	}
	fi, err := os.Stat(conf)
	return err == nil && fi.IsDir()
}

// platform is the platform of the machine this zenrecover runs on.
func platform() string {
	if runtime.GOOS == "windows" {
		return procedures.Windows
	}
	return procedures.Linux
}

// thisPlatform is the platform of the server the run acts on, and how that
// is known: given with the run (guide mode's --platform), the lab's layout
// in a rehearsal, else the machine zenrecover runs on. It is a fact of the
// machine, never a guess: the platform facts are settled from it without
// asking (settlePlatforms).
func (s *Session) thisPlatform() (p, how string) {
	if s.opts.Platform != "" {
		return s.opts.Platform, "given for " + s.host + " when the run started (--platform)"
	}
	if s.opts.Guide {
		// A guided run taken up again: what it was given is journaled.
		for _, e := range s.events {
			if e.Kind == state.EventAnswered && e.Key == procedures.PlatformFact && e.Reason != "" {
				return e.Value, e.Reason
			}
		}
	}
	if s.opts.Lab != nil {
		return s.opts.Lab.Platform(), "the lab is a " + s.opts.Lab.Platform() + " layout"
	}
	return platform(), "detected: zenrecover runs on it, a " + runtime.GOOS + " machine"
}

// hostPlatform is the platform of host ("" for the server the run acts
// on), when zenrecover can tell: the server itself, or any host of a lab
// (each has its layout). ok is false for another machine of a live run.
func (s *Session) hostPlatform(host string) (p, how string, ok bool) {
	if host == "" || sameHost(host, s.host) {
		p, how = s.thisPlatform()
		return p, how, true
	}
	if l := s.opts.Lab; l != nil && !s.opts.Guide {
		if h, err := l.Host(host); err == nil {
			return h.Platform(), "the lab's " + host + " is a " + h.Platform() + " layout", true
		}
	}
	return "", "", false
}

// expandWindowsPaths expands %NAME% in a resolved step's paths and argv
// when it is done on a Windows server this run acts on (here, or a lab's
// copy of a host), from the environment its command gets there (without
// the secrets). In guide mode nothing is expanded: the step is shown as
// written, for the operator to type there.
func (s *Session) expandWindowsPaths(r *resolved) error {
	if s.opts.Guide || r.elsewhere {
		return nil
	}
	if p, _, ok := s.hostPlatform(r.host); !ok || p != procedures.Windows {
		return nil
	}
	return r.Resolved.ExpandEnv(procedures.EnvLookup(r.env.Environ))
}

// serverDir is the folder of a server path, in the path's own spelling: a
// Windows path (c:\zcm_backups\x.bak) splits at its last \ or /, which
// Go's filepath does not do on Linux.
func serverDir(p string) string {
	if !isWindowsPath(p) {
		return filepath.Dir(p)
	}
	i := strings.LastIndexAny(p, `\/`)
	switch {
	case i < 0:
		return "."
	case i <= 2 && len(p) > 1 && p[1] == ':':
		return p[:i+1] // the drive's root, c:\
	}
	return p[:i]
}

// serverBase is the last element of a server path (see serverDir).
func serverBase(p string) string {
	if !isWindowsPath(p) {
		return filepath.Base(p)
	}
	return p[strings.LastIndexAny(p, `\/`)+1:]
}

// serverJoin puts name in folder dir, with dir's separator.
func serverJoin(dir, name string) string {
	if !isWindowsPath(dir) {
		return filepath.Join(dir, name)
	}
	return strings.TrimRight(dir, `\/`) + `\` + name
}

// isWindowsPath reports a Windows path: a drive's (c:\x, c:/x) or one
// starting with %NAME%.
func isWindowsPath(p string) bool {
	if len(p) >= 3 && p[1] == ':' && (p[2] == '\\' || p[2] == '/') {
		return true
	}
	return strings.HasPrefix(p, "%") && strings.ContainsAny(p, `\`)
}
