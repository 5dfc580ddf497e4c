package cli

import (
	"fmt"
	"os"
	"runtime/debug"

	"golang.org/x/term"

	"zenrecover/assets"
	"zenrecover/procedures"
	"zenrecover/state"
)

// globals holds the persistent flags every command shares.
type globals struct {
	statePath string
	procDir   string
	noColor   bool
}

func (g *globals) library() (*procedures.Library, error) {
	lib, err := procedures.LoadFS(assets.FS, "procedures")
	if err != nil {
		return nil, fmt.Errorf("built-in procedures: %w", err)
	}
	if g.procDir != "" {
		if err := lib.AddDir(g.procDir); err != nil {
			return nil, &exitError{code: exitUsage, err: err}
		}
	}
	return lib, nil
}

func (g *globals) openStore() (*state.Store, error) {
	p := g.statePath
	if p == "" {
		var err error
		if p, err = state.DefaultPath(); err != nil {
			return nil, err
		}
	}
	st, err := state.Open(p)
	if err != nil {
		return nil, &exitError{code: exitFailed, err: err}
	}
	return st, nil
}

func (g *globals) colorOff() bool {
	return g.noColor || os.Getenv("NO_COLOR") != ""
}

func (g *globals) procedure(lib *procedures.Library, id string) (*procedures.Definition, error) {
	d := lib.Get(id)
	if d == nil {
		return nil, usageErr("no procedure %q; `zenrecover list` shows them", id)
	}
	return d, nil
}

func version() string {
	if stampedVersion != "" {
		return stampedVersion
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

func interactive() bool {
	return term.IsTerminal(int(os.Stdin.Fd())) && term.IsTerminal(int(os.Stdout.Fd()))
}
