package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
	"github.com/spf13/pflag"
)

// newManCmd is `zenrecover man`: the manual pages, drawn by cobra's doc
// package from the same help text as --help (a page a command, section
// 1). Visible, not hidden: on a server that got the binary alone, it is how
// the pages get there.
func newManCmd() *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "man [-o DIR]",
		Short: "Print the manual page, or write one a command into DIR",
		Long: `Without -o, print zenrecover(1), the manual page of the program as a whole,
on standard output. With -o DIR, write a page a command into DIR
(zenrecover.1, zenrecover-run.1, ...), creating DIR if needed. The pages are
drawn from the same text as --help; the release ships them as
zenrecover-VERSION-man.tar.gz. Their date is the build's (the commit's date
in a release), so the same binary always writes the same pages.`,
		Example: `  zenrecover man | man -l -                          # read it now
  zenrecover man -o /usr/local/share/man/man1        # then: man zenrecover-run`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			root := cmd.Root()
			prepareForMan(root)
			date := manDate()
			header := &doc.GenManHeader{Section: "1", Date: &date, Source: "zenrecover " + version(), Manual: "zenrecover manual"}
			if dir == "" {
				return doc.GenMan(root, header, cmd.OutOrStdout())
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return &exitError{code: exitFailed, err: err}
			}
			if err := doc.GenManTree(root, header, dir); err != nil {
				return &exitError{code: exitFailed, err: err}
			}
			pages, _ := filepath.Glob(filepath.Join(dir, "zenrecover*.1"))
			fmt.Fprintf(cmd.ErrOrStderr(), "wrote %d manual pages to %s\n", len(pages), dir)
			return nil
		},
	}
	cmd.Flags().StringVarP(&dir, "output", "o", "", "write a page a command into this directory (e.g. /usr/local/share/man/man1)")
	_ = cmd.RegisterFlagCompletionFunc("output", func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return nil, cobra.ShellCompDirectiveFilterDirs
	})
	return cmd
}

// prepareForMan readies the text for cobra's doc package, which reads it as
// Markdown (go-md2man): characters Markdown would take for emphasis, a
// list or a heading are escaped (ZENRECOVER_SECRET_ lost its underscores).
// It also makes the tree's text the same on every machine: no
// "Auto generated" line with today's date, every example in, and the
// team's recipients file named as the documentation names it rather than
// as this user's home directory spells it.
func prepareForMan(c *cobra.Command) {
	fillExamples(c)
	here := teamFileForHelp()
	const portable = "$XDG_CONFIG_HOME/zenrecover/recipients, else ~/.config/zenrecover/recipients"
	escaped := map[*pflag.Flag]bool{} // an inherited flag is one flag, met again under every command
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.DisableAutoGenTag = true
		c.Long = mdEscape(strings.ReplaceAll(c.Long, here, portable))
		c.Short = mdEscape(c.Short)
		escape := func(f *pflag.Flag) {
			if !escaped[f] {
				f.Usage, escaped[f] = mdEscape(f.Usage), true
			}
		}
		c.LocalFlags().VisitAll(escape)
		c.PersistentFlags().VisitAll(escape)
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(c)
}

// manDate is the date on the pages: the build's (a release stamps its
// commit's date), else SOURCE_DATE_EPOCH, else today.
func manDate() time.Time {
	if t, err := time.Parse(time.RFC3339, readBuildInfo().BuildDate); err == nil {
		return t.UTC()
	}
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return time.Unix(n, 0).UTC()
		}
	}
	return time.Now().UTC()
}

// mdEscape escapes, outside `code spans`, what Markdown would not print as
// written: _ and * (emphasis), < (HTML), [ (links), a backslash, and at the start of
// a line a #, a list marker or "1." (headings and lists).
func mdEscape(s string) string {
	var b strings.Builder
	code, lineStart := false, true
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch == '`':
			code = !code
		case code:
		case strings.IndexByte("_*<[\\", ch) >= 0:
			b.WriteByte('\\')
		case lineStart && (ch == '#' || ((ch == '-' || ch == '+') && i+1 < len(s) && s[i+1] == ' ')):
			b.WriteByte('\\')
		case lineStart && ch >= '0' && ch <= '9':
			j := i
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			if j+1 < len(s) && s[j] == '.' && s[j+1] == ' ' {
				b.WriteString(s[i:j] + "\\")
				i = j - 1
				lineStart = false
				continue
			}
		}
		b.WriteByte(ch)
		lineStart = ch == '\n'
	}
	return b.String()
}
