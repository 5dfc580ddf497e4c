package procedures

import (
	"fmt"
	"strings"
)

// A value substituted into an argv element stays one argument, whatever
// it holds: that is what makes `run:` safe from answers. Except where the
// argument is itself a script for an interpreter: `sh -c "echo ${name}"`
// with a name of `x; touch X` runs the touch. So the loader refuses ${...}
// in the script of a shell (and in the options before it), and says how to
// pass the value instead: as a positional parameter, which the shell never
// parses as code. cmd.exe and PowerShell re-read their whole command line
// as a script, so there no argument from the command switch on may hold a
// substitution.

// posixShells take [options] -c SCRIPT [NAME [ARG...]]: the values after
// the script are $0, $1, ... and never code.
var posixShells = map[string]bool{
	"sh": true, "bash": true, "dash": true, "zsh": true, "ksh": true, "mksh": true,
	"ash": true, "yash": true, "posh": true, "rbash": true, "fish": true, "csh": true, "tcsh": true,
}

// shellName is the interpreter an argv element names, lower-cased and
// without its folder or .exe: "/bin/bash" → "bash", `C:\…\cmd.exe` → "cmd".
func shellName(arg string) string {
	a := strings.ToLower(arg)
	if i := strings.LastIndexAny(a, `/\`); i >= 0 {
		a = a[i+1:]
	}
	return strings.TrimSuffix(a, ".exe")
}

// shellScripts returns the indexes of the elements of argv that a shell
// reads as code, with what to tell the author. Every element that names a
// shell is looked at, so that `sudo sh -c`, `env X=1 bash -c` and
// `xargs sh -c` are found too.
func shellScripts(argv []string) (idx []int, advice string) {
	for i, a := range argv {
		switch name := shellName(a); {
		case posixShells[name]:
			if idx = posixScript(argv, i); len(idx) > 0 {
				return idx, fmt.Sprintf("%s -c reads its script as code, so an answer in it (x; touch X) would run as a command; "+
					"pass values as positional parameters instead: run: [%s, -c, 'echo \"$1\"', %s, \"${name}\"]", name, name, name)
			}
		case name == "cmd":
			if idx = cmdScript(argv, i); len(idx) > 0 {
				return idx, "cmd /c reads the rest of its command line as a script, so an answer in it (x & del X) would run as a command; run the program directly, without cmd"
			}
		case name == "powershell" || name == "pwsh":
			if idx = powershellScript(argv, i, name == "powershell"); len(idx) > 0 {
				return idx, name + " -Command reads the rest of its command line as a script, so an answer in it (x; Remove-Item X) would run as a command; " +
					"put the script in a file and pass values as its parameters (-File script.ps1 \"${name}\"), or run the program directly"
			}
		}
	}
	return nil, ""
}

// from lists the indexes j..len(argv)-1.
func from(argv []string, j int) []int {
	var out []int
	for k := j; k < len(argv); k++ {
		out = append(out, k)
	}
	return out
}

// posixScript finds the script of the shell argv[sh]: the first operand
// after options that include c (-c, -ec, -lc), returned with the options
// before it (-o and --rcfile take a value, which is read too).
func posixScript(argv []string, sh int) []int {
	var opts []int
	dashC := false
	for j := sh + 1; j < len(argv); j++ {
		a := argv[j]
		switch {
		case a == "--":
			if dashC && j+1 < len(argv) {
				return append(opts, j+1)
			}
			return nil
		case a == "--rcfile" || a == "--init-file":
			opts = append(opts, j, j+1)
			j++
		case strings.HasPrefix(a, "--"):
			opts = append(opts, j)
		case len(a) > 1 && (a[0] == '-' || a[0] == '+'):
			opts = append(opts, j)
			dashC = dashC || (a[0] == '-' && strings.Contains(a[1:], "c"))
			if strings.ContainsAny(a[1:], "oO") && j+1 < len(argv) {
				opts = append(opts, j+1) // -o NAME, -O NAME (bash)
				j++
			}
		default:
			if dashC {
				return append(opts, j)
			}
			return nil // a script file: what follows is its parameters
		}
	}
	return nil
}

// cmdScript returns everything from cmd's /c (or /k, /r) on.
func cmdScript(argv []string, at int) []int {
	for j := at + 1; j < len(argv); j++ {
		a := strings.ToLower(argv[j])
		if strings.HasPrefix(a, "/c") || strings.HasPrefix(a, "/k") || strings.HasPrefix(a, "/r") {
			return from(argv, j)
		}
	}
	return nil
}

// powershellValued are PowerShell's parameters that take a value.
var powershellValued = []string{"executionpolicy", "ep", "ex", "windowstyle", "w", "inputformat", "if",
	"outputformat", "of", "version", "v", "workingdirectory", "wd", "configurationname", "psconsolefile",
	"settingsfile", "custompipename"}

// powershellScript returns what PowerShell reads as a script: everything
// from -Command (any abbreviation, -c included) or -EncodedCommand on;
// for Windows PowerShell also everything from its first operand, which it
// runs as a command when no -File came first (pwsh runs it as a file).
func powershellScript(argv []string, at int, commandByDefault bool) []int {
	for j := at + 1; j < len(argv); j++ {
		a := strings.ToLower(argv[j])
		if a == "" || (a[0] != '-' && a[0] != '/') {
			if commandByDefault {
				return from(argv, j)
			}
			return nil
		}
		opt := strings.TrimLeft(a, "-/")
		opt, _, _ = strings.Cut(opt, ":")
		switch {
		case opt == "":
		case strings.HasPrefix("command", opt), opt == "e", opt == "ec", len(opt) >= 2 && strings.HasPrefix("encodedcommand", opt):
			return from(argv, j)
		case strings.HasPrefix("file", opt):
			return nil // a script file: what follows is its parameters
		default:
			for _, p := range powershellValued {
				if opt == p || (len(opt) >= 3 && strings.HasPrefix(p, opt)) {
					j++ // its value
					break
				}
			}
		}
	}
	return nil
}

// shellSubstitution refuses a ${...} in what a shell of argv reads as
// code; at gives the YAML path of argv's element i.
func (v *validator) shellSubstitution(argv []string, at func(i int) string) {
	idx, advice := shellScripts(argv)
	for _, i := range idx {
		if i < len(argv) {
			if names := templateRefs(argv[i]); len(names) > 0 {
				v.errf(at(i), "${%s} is substituted into a shell's script: %s", names[0], advice)
			}
		}
	}
}
