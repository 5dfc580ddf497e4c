package cli

import "strings"

// checkGuide validates guide mode's flags (run ID --target HOST --platform
// P): both are needed, since zenrecover cannot look at that server to tell
// its platform, and a guide executes nothing, so it does not go with a lab
// or a dry run.
func (f *runFlags) checkGuide() error {
	switch {
	case strings.TrimSpace(f.target) == "":
		return usageErr("--platform goes with --target HOST: guide mode walks the procedure for HOST")
	case f.platform != "linux" && f.platform != "windows":
		return usageErr("--target %s needs --platform linux or --platform windows (got %q): zenrecover cannot look at %s to tell", f.target, f.platform, f.target)
	case f.labDir != "":
		return usageErr("--target and --lab do not go together: a guide executes nothing; to rehearse the steps it shows, run each one in the lab with `zenrecover lab exec`")
	case f.dryRun:
		return usageErr("--target and --dry-run do not go together: a guide executes nothing already")
	}
	return nil
}
