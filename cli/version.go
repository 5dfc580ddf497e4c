package cli

import (
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// buildInfo is what `zenrecover version` reports. A release stamps the
// version with -ldflags "-X zenrecover/cli.stampedVersion=v1.2.3"; without
// it, the module version, or "dev". The commit and its date come from the
// VCS information Go records in the binary (absent with -buildvcs=false).
type buildInfo struct {
	Version   string `json:"version"`
	Commit    string `json:"commit"`
	BuildDate string `json:"build_date"`
	Modified  bool   `json:"modified"`
	GoVersion string `json:"go_version"`
	Platform  string `json:"platform"`
}

// stampedVersion is set at release time (-ldflags -X). A release built
// with -buildvcs=false (release/build.sh, whatever GOFLAGS says) carries no
// VCS stamp, so the script stamps the commit and its date too: the commit's
// date, not the clock's, so that two builds of one commit are identical.
var stampedVersion, stampedCommit, stampedDate string

func readBuildInfo() buildInfo {
	b := buildInfo{Version: version(), Commit: stampedCommit, BuildDate: stampedDate, GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				b.Commit = s.Value
			case "vcs.time":
				b.BuildDate = s.Value
			case "vcs.modified":
				b.Modified = s.Value == "true"
			}
		}
	}
	return b
}

func (b buildInfo) line() string {
	s := "zenrecover " + b.Version
	if b.Commit != "" {
		c := b.Commit
		if len(c) > 12 {
			c = c[:12]
		}
		if b.Modified {
			c += "+changes"
		}
		s += " (" + c
		if b.BuildDate != "" {
			s += ", " + b.BuildDate
		}
		s += ")"
	}
	return s + ", " + b.GoVersion + ", " + b.Platform
}

func newVersionCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:     "version",
		Short:   "Print the version, commit, build date and Go version",
		Example: "  zenrecover version\n  zenrecover version --json\n  zenrecover --version",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b := readBuildInfo()
			if !asJSON {
				fmt.Fprintln(cmd.OutOrStdout(), b.line())
				return nil
			}
			enc := json.NewEncoder(cmd.OutOrStdout())
			enc.SetIndent("", "  ")
			return enc.Encode(b)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print it as JSON")
	return cmd
}
