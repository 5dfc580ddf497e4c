package runner

import (
	"os"
	"runtime"
	"strings"

	"zenrecover/actions"
	"zenrecover/lab"
)

// SecretEnvPrefix names the environment variables a script may pass
// secrets in.
const SecretEnvPrefix = "ZENRECOVER_SECRET_"

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
