package cli

import (
	"fmt"
	"strings"

	"github.com/dustin/go-humanize/english"
	"github.com/spf13/cobra"
)

// examples are the Example lines of the commands whose definitions live
// where this file cannot set them: cobra's own (completion, help), and lab
// and lab init (lab.go). The other commands carry theirs beside their flags.
// Every line is a command a person can type as it stands (given the lab or
// run it names), as the README writes it; TestEveryExampleParses holds them
// to that.
var examples = map[string]string{
	"lab": `  zenrecover lab init /tmp/zenlab          # a simulated Primary Server
  zenrecover run 1.1 --lab /tmp/zenlab     # rehearse "Backing Up a ZENworks Server" in it`,
	"lab init": `  zenrecover lab init /tmp/zenlab
  zenrecover lab init /tmp/zenlab --reporting     # with ZENworks Reporting, for 2.2
  zenrecover run 1.1 --lab /tmp/zenlab            # then rehearse in it`,
	"help": `  zenrecover help run
  zenrecover run --help`,
	"completion": `  zenrecover completion bash > /etc/bash_completion.d/zenrecover
  zenrecover completion zsh > "${fpath[1]}/_zenrecover"
  zenrecover completion fish > ~/.config/fish/completions/zenrecover.fish
  zenrecover completion powershell >> $PROFILE`,
	"completion bash": `  zenrecover completion bash > /etc/bash_completion.d/zenrecover    # every new shell
  source <(zenrecover completion bash)                                # this shell only`,
	"completion zsh": `  zenrecover completion zsh > "${fpath[1]}/_zenrecover"    # every new shell
  source <(zenrecover completion zsh)                       # this shell only`,
	"completion fish": `  zenrecover completion fish > ~/.config/fish/completions/zenrecover.fish
  zenrecover completion fish | source                      # this shell only`,
	"completion powershell": `  zenrecover completion powershell >> $PROFILE
  zenrecover completion powershell | Out-String | Invoke-Expression    # this shell only`,
}

// argHints say, for a command whose argument is missing, what it is and
// where a person finds one. Without a hint the message names the missing
// operand and gives the command's first example.
var argHints = map[string]string{
	"run":       "a procedure: `zenrecover list` shows the procedures; run one with `zenrecover run ID` (its id or its section, e.g. `zenrecover run 1.1`)",
	"show":      "a procedure: `zenrecover list` shows the procedures; show one with `zenrecover show ID` (e.g. `zenrecover show 1.1`)",
	"checklist": "a procedure: `zenrecover list` shows the procedures; print one with `zenrecover checklist ID` (e.g. `zenrecover checklist 1.1`)",
	"report":    "a run: `zenrecover runs` lists the runs; report on one with `zenrecover report RUN`",
}

// subPath is a command's path without the program's name: "lab init".
func subPath(c *cobra.Command) string {
	p := c.CommandPath()
	if i := strings.IndexByte(p, ' '); i >= 0 {
		return p[i+1:]
	}
	return ""
}

// fillExamples gives every command in the tree that has none its examples
// from the table above. It runs when the tree is built and again before
// help or man pages are drawn, since cobra adds its completion command
// only when the command line is executed.
func fillExamples(c *cobra.Command) {
	if c.Example == "" {
		c.Example = examples[subPath(c)]
	}
	for _, s := range c.Commands() {
		fillExamples(s)
	}
}

// operands reads the positional arguments a command's Use line names:
// "fail DIR TOOL [SUBCOMMAND] [--times N]" requires DIR and TOOL, and
// takes SUBCOMMAND. Flags and their values are not operands.
func operands(use string) (required, optional []string) {
	words := strings.Fields(use)
	for i := 1; i < len(words); i++ {
		w := words[i]
		switch {
		case strings.HasPrefix(w, "[-"):
			for !strings.HasSuffix(words[i], "]") && i+1 < len(words) {
				i++
			}
		case strings.HasPrefix(w, "-"):
			if i+1 < len(words) && !strings.HasPrefix(words[i+1], "[") && !strings.HasPrefix(words[i+1], "-") &&
				strings.ToUpper(words[i+1]) == words[i+1] {
				i++ // the flag's value: --reason TEXT
			}
		case strings.HasPrefix(w, "["):
			optional = append(optional, strings.Trim(w, "[]"))
		default:
			required = append(required, w)
		}
	}
	return required, optional
}

// firstExample is a command's first example line, without its comment.
func firstExample(c *cobra.Command) string {
	line, _, _ := strings.Cut(strings.TrimSpace(c.Example), "\n")
	line, _, _ = strings.Cut(line, " #")
	return strings.TrimSpace(line)
}

func quoted(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = fmt.Sprintf("%q", a)
	}
	return strings.Join(q, " ")
}

// argsError turns cobra's "accepts 1 arg(s), received 0" into what a
// person can act on: what is missing and where to find it, or what was
// given too many; exit status 2.
func argsError(c *cobra.Command, args []string, err error) error {
	if _, ok := err.(*exitError); ok {
		return err // the command's own words already
	}
	req, opt := operands(c.Use)
	name := subPath(c)
	if name == "" {
		name = c.Name()
	}
	if len(req) > len(args) {
		missing := strings.Join(req[len(args):], " and ")
		if h := argHints[subPath(c)]; h != "" {
			return usageErr("%s needs %s", name, h)
		}
		if ex := firstExample(c); ex != "" {
			return usageErr("%s needs %s, e.g. `%s` (`%s --help` says more)", name, missing, ex, c.CommandPath())
		}
		return usageErr("%s needs %s (usage: %s)", name, missing, c.UseLine())
	}
	if len(req)+len(opt) == 0 && len(args) > 0 {
		if c.HasAvailableSubCommands() {
			return unknownSub(c, args[0])
		}
		return usageErr("%s takes no arguments, but was given %s (usage: %s)", name, quoted(args), c.UseLine())
	}
	variadic := false
	for _, w := range append(req, opt...) {
		variadic = variadic || strings.HasSuffix(w, "...")
	}
	if !variadic && len(args) > len(req)+len(opt) {
		n, most := len(req)+len(opt), ""
		if len(opt) > 0 {
			most = "at most "
		}
		return usageErr("%s takes %s%d %s (%s), but was given %d: %s (usage: %s)", name, most, n, english.PluralWord(n, "argument", ""),
			strings.Join(append(req, opt...), " "), len(args), quoted(args), c.UseLine())
	}
	return usageErr("%s: %v (usage: %s)", name, err, c.UseLine())
}

func unknownSub(c *cobra.Command, arg string) error {
	if c.SuggestionsMinimumDistance <= 0 {
		c.SuggestionsMinimumDistance = 2 // cobra's own default, set only when it suggests itself
	}
	msg := fmt.Sprintf("unknown command %q for %q", arg, c.CommandPath())
	if s := c.SuggestionsFor(arg); len(s) > 0 {
		msg += "; did you mean " + strings.Join(s, " or ") + "?"
	}
	return usageErr("%s; `%s --help` lists the commands", msg, c.CommandPath())
}

// friendlyArgs wraps every command's argument check with argsError, and
// makes a group of commands (lab, archive, escrow) refuse an unknown
// subcommand with exit 2, where cobra printed the group's help and exit 0.
func friendlyArgs(c *cobra.Command) {
	if c.Args != nil {
		check := c.Args
		c.Args = func(cmd *cobra.Command, args []string) error {
			if err := check(cmd, args); err != nil {
				return argsError(cmd, args, err)
			}
			return nil
		}
	} else if c.HasSubCommands() && !c.Runnable() {
		c.Args = cobra.ArbitraryArgs
		c.RunE = func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return unknownSub(cmd, args[0])
			}
			return cmd.Help()
		}
	}
	for _, s := range c.Commands() {
		friendlyArgs(s)
	}
}

// setHelp draws help as cobra does, once every command has its examples.
func setHelp(root *cobra.Command) {
	draw := root.HelpFunc()
	root.SetHelpFunc(func(c *cobra.Command, args []string) {
		fillExamples(c.Root())
		draw(c, args)
	})
}
