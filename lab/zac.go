package lab

import (
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"
)

// PromptUnregister is asked by `zac unr` without -f.
const PromptUnregister = "Are you sure you want to unregister this device from the Management Zone? (y/n): "

// zacCommand is one simulated zac subcommand, with the options the
// reference gives it.
type zacCommand struct {
	long, short string
	synopsis    string
	valued      []string // options that take a value
	flags       []string // options that do not
	minPos      int
	maxPos      int
	login       bool // asks for the credentials -u and -p do not give
	run         func(s *session, o zacOpts) int
}

type zacOpts struct {
	vals  map[string]string
	flags map[string]bool
	pos   []string
	args  []string // as typed, for the device log
}

func zacCommands() []zacCommand {
	cred := []string{"-u", "-p"}
	return []zacCommand{
		{long: "reestablish-trust", short: "retr", synopsis: "-u <username> -p <password>",
			valued: cred, login: true},
		{long: "refresh", short: "ref", synopsis: "[general|bypasscache]", maxPos: 1, run: (*session).zacRefresh},
		{long: "import-authentication-cert", short: "iac",
			synopsis: "-pk <private key> -c <certificate> -ca <signing authority certificate> [-ks <keystore> -ksp <passphrase> -a <alias>] [-u <username> -p <password>] [-rc]",
			valued:   []string{"-pk", "-c", "-ca", "-ks", "-ksp", "-a", "-u", "-p"}, flags: []string{"-rc"}, run: (*session).zacIAC},
		{long: "cert-info", short: "cert-info", synopsis: "<certificate file path> -u <username> -p <password>",
			valued: cred, minPos: 1, maxPos: 1, login: true, run: (*session).zacCertInfo},
		{long: "unregister", short: "unr", synopsis: "[-f]", flags: []string{"-f"}, valued: cred, run: (*session).zacUnregister},
		{long: "register", short: "reg", synopsis: "https://<ZENworks Server DNS name>:<port>", valued: []string{"-u", "-p", "-k"},
			minPos: 1, maxPos: 1, run: (*session).zacRegister},
		{long: "authentication-server-reconfigure", short: "asr", synopsis: "-t all", valued: []string{"-t"}},
		{long: "remint-satellite-cert", short: "rsc", synopsis: ""},
	}
}

func findZacCommand(name string) (zacCommand, bool) {
	for _, c := range zacCommands() {
		if name == c.long || name == c.short {
			return c, true
		}
	}
	return zacCommand{}, false
}

func zacUsage(w io.Writer) {
	fmt.Fprintln(w, "Usage: zac <command> [options]")
	fmt.Fprintln(w, "Commands simulated in this lab:")
	for _, c := range zacCommands() {
		fmt.Fprintf(w, "  %s (%s) %s\n", c.long, c.short, c.synopsis)
	}
}

func (s *session) zac(args []string) int {
	if len(args) == 0 {
		zacUsage(s.err)
		return exitUsage
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		zacUsage(s.out)
		return exitOK
	}
	c, ok := findZacCommand(args[0])
	if !ok {
		fmt.Fprintf(s.err, "zac: unknown command %q\n", args[0])
		zacUsage(s.err)
		return exitUsage
	}
	s.sub = c.long
	o, err := parseZacArgs(c, args[1:])
	if err != nil {
		fmt.Fprintf(s.err, "zac: %v\nUsage: zac %s (%s) %s\n", err, c.long, c.short, c.synopsis)
		return exitUsage
	}
	if c.login {
		if code, ok := s.zacLogin(o); !ok {
			return code
		}
	} else if _, hasP := o.vals["-p"]; hasP {
		// Credentials given unasked are still checked, as zac does.
		if code, ok := s.zacLogin(o); !ok {
			return code
		}
	}
	run := c.run
	if run == nil {
		run = (*session).zacPlain
	}
	return run(s, o)
}

// parseZacArgs reads options anywhere among the arguments; in iac the
// reference gives -ks twice, the second time for a passphrase, so a
// repeated option keeps its first value.
func parseZacArgs(c zacCommand, args []string) (zacOpts, error) {
	o := zacOpts{vals: map[string]string{}, flags: map[string]bool{}, args: args}
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case slices.Contains(c.valued, a):
			if i+1 >= len(args) {
				return o, fmt.Errorf("option %s needs a value", a)
			}
			if _, seen := o.vals[a]; !seen {
				o.vals[a] = args[i+1]
			}
			i++
		case slices.Contains(c.flags, a):
			o.flags[a] = true
		case strings.HasPrefix(a, "-") && a != "-":
			return o, fmt.Errorf("%s has no option %q", c.long, a)
		default:
			o.pos = append(o.pos, a)
		}
	}
	if len(o.pos) < c.minPos || len(o.pos) > c.maxPos {
		return o, fmt.Errorf("%s takes %d to %d argument(s), got %d", c.long, c.minPos, c.maxPos, len(o.pos))
	}
	return o, nil
}

// zacLogin checks -u and -p against the zone, asking for whichever is
// missing (the password without echo).
func (s *session) zacLogin(o zacOpts) (int, bool) {
	name, ok := o.vals["-u"]
	if !ok {
		var err error
		if name, err = s.ask.line(PromptUsername); err != nil {
			return s.fail("%v", err), false
		}
	}
	password, ok := o.vals["-p"]
	if !ok {
		var err error
		if password, err = s.ask.secret(PromptPassword); err != nil {
			return s.fail("%v", err), false
		}
	}
	return s.authenticate(name, password)
}

// redactArgs keeps what was typed but the secrets: the zone file is on
// disk and the lab never writes a secret.
func redactArgs(args []string) []string {
	out := slices.Clone(args)
	seenKS := false
	for i := 0; i+1 < len(out); i++ {
		secret := false
		switch out[i] {
		case "-p", "-ksp":
			secret = true
		case "-ks":
			secret, seenKS = seenKS, true
		}
		if secret {
			out[i+1] = "****"
			i++
		}
	}
	return out
}

// logDevice records the command as it was typed (less secrets) after an
// injected failure has had its chance.
func (s *session) logDevice(args []string) (int, bool) { return s.logDeviceWith(args, nil) }

func (s *session) zacPlain(o zacOpts) int {
	if code, ok := s.logDeviceWith(o.args, s.zacCertChange()); !ok {
		return code
	}
	switch s.sub {
	case "reestablish-trust":
		fmt.Fprintln(s.out, "Successfully reestablished trust with the Management Zone.")
	case "authentication-server-reconfigure":
		fmt.Fprintln(s.out, "Reconfigured the authentication server with the new certificates.")
	case "remint-satellite-cert":
		fmt.Fprintln(s.out, "Reminted the satellite certificate.")
	}
	return exitOK
}

func (s *session) zacRefresh(o zacOpts) int {
	if len(o.pos) == 1 && o.pos[0] != "general" && o.pos[0] != "bypasscache" {
		fmt.Fprintf(s.err, "zac: refresh takes general or bypasscache, not %q\n", o.pos[0])
		return exitUsage
	}
	if code, ok := s.logDeviceWith(o.args, s.refreshCerts); !ok {
		return code
	}
	if len(o.pos) == 1 && o.pos[0] == "bypasscache" {
		fmt.Fprintln(s.out, "Refreshing the device, bypassing the cache... done")
	} else {
		fmt.Fprintln(s.out, "Refreshing the device... done")
	}
	return exitOK
}

func (s *session) zacIAC(o zacOpts) int {
	for _, need := range []string{"-pk", "-c", "-ca"} {
		if _, ok := o.vals[need]; !ok {
			fmt.Fprintf(s.err, "zac: import-authentication-cert needs %s\n", need)
			return exitUsage
		}
	}
	if code, ok := s.logDeviceWith(o.args, s.iacChange(s.file(o.vals["-pk"]), s.file(o.vals["-c"]), s.file(o.vals["-ca"]))); !ok {
		return code
	}
	fmt.Fprintf(s.out, "Imported the authentication certificate %s.\n", o.vals["-c"])
	return exitOK
}

func (s *session) zacCertInfo(o zacOpts) int {
	file := s.file(o.pos[0])
	if err := existingFile(file); err != nil {
		return s.fail("%v", err)
	}
	if code, ok := s.logDeviceWith(o.args, s.certInfoChange(file)); !ok {
		return code
	}
	fmt.Fprintf(s.out, "Imported the certificate %s into the trusted store.\n", o.pos[0])
	return exitOK
}

// zacUnregister asks first unless -f: leaving the zone is not undone by
// answering the next prompt differently.
func (s *session) zacUnregister(o zacOpts) int {
	if !o.flags["-f"] {
		ans, err := s.ask.line(PromptUnregister)
		if err != nil {
			return s.fail("%v", err)
		}
		switch strings.ToLower(strings.TrimSpace(ans)) {
		case "y", "yes":
		default:
			return s.fail("unregistration cancelled; the device is still registered.")
		}
	}
	if code, ok := s.logDevice(o.args); !ok {
		return code
	}
	fmt.Fprintln(s.out, "Successfully unregistered the device from the Management Zone.")
	return exitOK
}

func (s *session) zacRegister(o zacOpts) int {
	u, err := url.Parse(o.pos[0])
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return s.fail("%s is not a https URL; give https://<ZENworks Server DNS name>:<port>.", o.pos[0])
	}
	if code, ok := s.logDevice(o.args); !ok {
		return code
	}
	fmt.Fprintf(s.out, "Successfully registered the device in the Management Zone through %s.\n", u.Host)
	return exitOK
}
