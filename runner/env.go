package runner

import (
	"fmt"
	"os"
	"runtime"
	"strings"

	"zenrecover/actions"
	"zenrecover/lab"
	"zenrecover/procedures"
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
// Server: its configuration folder exists.
func ZENworksInstalled() bool {
	fi, err := os.Stat("/etc/opt/novell/zenworks")
	return err == nil && fi.IsDir()
}

func platform() string {
	if runtime.GOOS == "windows" {
		return "windows"
	}
	return "linux"
}
