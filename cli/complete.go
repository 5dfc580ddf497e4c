package cli

import (
	"context"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"zenrecover/lab"
	"zenrecover/state"
)

// Shell completion. `zenrecover completion bash|zsh|fish|powershell` is
// cobra's own command; what it completes is set here, in one place, so that
// the shells offer the domain's names: procedures (by section and by id),
// run ids from the state database, each --format's values, directories
// where a directory is wanted, files where a file is.

const noFiles = cobra.ShellCompDirectiveNoFileComp

// registerCompletions walks the command tree and gives each command the
// completions of its arguments and flags.
func registerCompletions(root *cobra.Command, g *globals) {
	files := func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return nil, cobra.ShellCompDirectiveDefault
	}
	dirs := func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return nil, cobra.ShellCompDirectiveFilterDirs
	}
	flag := func(c *cobra.Command, name string, f cobra.CompletionFunc) {
		if c.Flag(name) != nil {
			// Registered once per flag; an error would only say so.
			_ = c.RegisterFlagCompletionFunc(name, f)
		}
	}
	flag(root, "state", files)
	flag(root, "procedures", dirs)
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		switch subPath(c) {
		case "run", "show", "checklist":
			c.ValidArgsFunction = g.completeProcedure
		case "resume", "abandon":
			c.ValidArgsFunction = g.completeRun(true)
		case "report":
			c.ValidArgsFunction = g.completeRun(false)
		case "lab init", "lab set-address", "lab issue-cert", "lab expire-certs", "lab export-reports",
			"lab external-ca", "archive resume", "archive verify":
			c.ValidArgsFunction = firstArgDir
		case "archive create", "archive extract":
			c.ValidArgsFunction = func(_ *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
				if len(args) < 2 {
					return nil, cobra.ShellCompDirectiveFilterDirs
				}
				return nil, noFiles
			}
		case "lab fail":
			c.ValidArgsFunction = completeLabFail
		case "list", "runs", "version", "acknowledge-lost", "man":
			c.ValidArgsFunction = cobra.NoFileCompletions
			// Others (lint FILE..., escrow seal FILE): cobra's default, files.
		}
		switch subPath(c) {
		case "checklist":
			flag(c, "format", formats(
				"md", "Markdown task lists, for a forge",
				"html", "one self-contained page with print styles",
				"txt", "plain text at 80 columns, for lpr"))
		case "report":
			flag(c, "format", formats(
				"md", "Markdown, for an auditor or a forge",
				"html", "one self-contained page",
				"json", "for tooling"))
		}
		flag(c, "platform", formats("linux", "a Linux Primary Server", "windows", "a Windows Primary Server"))
		flag(c, "lab", dirs)
		flag(c, "answers", files)
		flag(c, "output", files)
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(root)
}

func formats(pairs ...string) cobra.CompletionFunc {
	var out []cobra.Completion
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, cobra.CompletionWithDesc(pairs[i], pairs[i+1]))
	}
	return func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return out, noFiles | cobra.ShellCompDirectiveKeepOrder
	}
}

func firstArgDir(_ *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
	if len(args) == 0 {
		return nil, cobra.ShellCompDirectiveFilterDirs
	}
	return nil, noFiles
}

// completeLabFail: the lab directory, then the simulated tool.
func completeLabFail(_ *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	switch len(args) {
	case 0:
		return nil, cobra.ShellCompDirectiveFilterDirs
	case 1:
		var out []cobra.Completion
		for _, t := range lab.Tools() {
			if strings.HasPrefix(t, toComplete) {
				out = append(out, t)
			}
		}
		return out, noFiles
	}
	return nil, noFiles
}

// completeProcedure offers every procedure twice, as run, show and
// checklist accept it: by section ("1.1", described by its id and title)
// and by id ("server-backup", described by its section and title), in the
// library's order, sections first.
func (g *globals) completeProcedure(_ *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, noFiles
	}
	lib, err := g.library()
	if err != nil {
		return nil, noFiles
	}
	var sections, ids []cobra.Completion
	for _, d := range lib.All() {
		if strings.HasPrefix(d.Section, toComplete) {
			sections = append(sections, cobra.CompletionWithDesc(d.Section, d.ID+": "+d.Title))
		}
		if strings.HasPrefix(d.ID, toComplete) {
			ids = append(ids, cobra.CompletionWithDesc(d.ID, d.Section+" "+d.Title))
		}
	}
	return append(sections, ids...), noFiles | cobra.ShellCompDirectiveKeepOrder
}

// completeRun offers the runs of the state database, newest first (only
// those that can be resumed or abandoned when unfinished is set), each
// described by its procedure, status, mode and start. A state database
// that does not exist yet is not created by pressing TAB.
func (g *globals) completeRun(unfinished bool) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, noFiles
		}
		p := g.statePath
		if p == "" {
			var err error
			if p, err = state.DefaultPath(); err != nil {
				return nil, noFiles
			}
		}
		if _, err := os.Stat(p); err != nil {
			return nil, noFiles
		}
		st, err := state.Open(p)
		if err != nil {
			return nil, noFiles
		}
		defer st.Close()
		ctx := cmd.Context()
		if ctx == nil {
			ctx = context.Background()
		}
		runs, err := st.Runs(ctx)
		if unfinished {
			runs, err = st.Unfinished(ctx)
		}
		if err != nil {
			return nil, noFiles
		}
		var out []cobra.Completion
		for _, r := range runs {
			if strings.HasPrefix(r.ID, toComplete) {
				out = append(out, cobra.CompletionWithDesc(r.ID, r.ProcedureID+", "+string(r.Status)+", "+string(r.Mode)+", "+r.StartedAt.Local().Format("2006-01-02 15:04")))
			}
		}
		return out, noFiles | cobra.ShellCompDirectiveKeepOrder
	}
}
