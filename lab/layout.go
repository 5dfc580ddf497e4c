package lab

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// Platforms of a lab host's layout.
const (
	PlatformLinux   = "linux"
	PlatformWindows = "windows"
)

// Platforms lists the layouts a lab can have, the default first.
func Platforms() []string { return []string{PlatformLinux, PlatformWindows} }

// Layout is where a Primary Server of one platform keeps what the lab
// simulates, as server paths in that platform's own spelling (Windows
// paths with a drive letter and backslashes). The tree, the tools and the
// zone code take their paths from the host's Layout, so one code path
// serves both platforms; Rebase maps any of them into the lab.
type Layout struct {
	Platform     string
	Home         string // the installation folder (ZENWORKS_HOME on Windows)
	ConfDir      string
	SecurityDir  string
	Keystore     string
	CaConfig     string
	DataModelDir string
	ContentRepo  string
	ImagesDir    string
	DatabaseDir  string
	BinDir       string
	LogDir       string
	// BackupDir is the empty folder of the reference's backup examples.
	BackupDir string
	// CertDir is where chapters 4 and 5 look for SERVER.der (lab
	// issue-cert's default); ReportsFolder is 2.2's reports_folder (lab
	// export-reports' default).
	CertDir       string
	ReportsFolder string
	HostsFile     string
	// InitScript restarts the service on Linux; empty on Windows, where
	// the service is driven with NetTool (net stop|start ServiceDisplayName).
	InitScript string
	NetTool    string
}

// LinuxLayout is a Linux Primary Server's (the reference's Linux paths).
func LinuxLayout() Layout {
	return Layout{
		Platform: PlatformLinux, Home: ServerZenworksHome,
		ConfDir: ServerConfDir, SecurityDir: ServerSecurityDir, Keystore: ServerKeystore,
		CaConfig: ServerCaConfig, DataModelDir: ServerConfDir + "/datamodel",
		ContentRepo: ServerContentRepo, ImagesDir: ServerImagesDir, DatabaseDir: ServerDatabaseDir,
		BinDir: ServerBinDir, LogDir: ServerLogDir, BackupDir: ServerBackupDir,
		CertDir: DefaultCertDir, ReportsFolder: DefaultReportsFolder,
		HostsFile: ServerHostsFile, InitScript: ServerInitScript,
	}
}

// WindowsLayout is a Windows Primary Server's (notes: the Windows scheme).
func WindowsLayout() Layout {
	return Layout{
		Platform: PlatformWindows, Home: WindowsZenworksHome,
		ConfDir: WindowsConfDir, SecurityDir: WindowsSecurityDir, Keystore: WindowsKeystore,
		CaConfig: WindowsCaConfig, DataModelDir: WindowsDataModelDir,
		ContentRepo: WindowsContentRepo, ImagesDir: WindowsImagesDir, DatabaseDir: WindowsDatabaseDir,
		BinDir: WindowsBinDir, LogDir: WindowsLogDir, BackupDir: WindowsBackupDir,
		CertDir: WindowsCertDir, ReportsFolder: WindowsReportsFolder,
		HostsFile: WindowsHostsFile, NetTool: WindowsSystemDir + `\` + ToolNet,
	}
}

// Windows defaults of lab issue-cert and lab export-reports, beside the
// backups as on Linux.
const (
	WindowsCertDir       = `C:\zcm_certs`
	WindowsReportsFolder = WindowsBackupDir + `\reports`
)

// LayoutFor returns the layout of platform ("" is linux).
func LayoutFor(platform string) (Layout, error) {
	switch platform {
	case "", PlatformLinux:
		return LinuxLayout(), nil
	case PlatformWindows:
		return WindowsLayout(), nil
	}
	return Layout{}, fmt.Errorf("lab: %q is not a platform of a lab (give %s)", platform, strings.Join(Platforms(), " or "))
}

// Join joins a server path and slash-separated elements in the layout's
// spelling: C:\a + "b/c" is C:\a\b\c on Windows.
func (y Layout) Join(dir string, elem ...string) string {
	if y.Platform != PlatformWindows {
		return path.Join(append([]string{dir}, elem...)...)
	}
	out := strings.TrimRight(dir, `\/`)
	for _, e := range elem {
		e = strings.Trim(strings.ReplaceAll(e, "/", `\`), `\`)
		if e != "" {
			out += `\` + e
		}
	}
	return out
}

// IsAbs reports whether p is an absolute server path of the layout's
// platform: C:\x or C:/x on Windows, /x on Linux.
func (y Layout) IsAbs(p string) bool {
	if y.Platform == PlatformWindows {
		return IsWindowsPath(p)
	}
	return path.IsAbs(p)
}

// IsWindowsPath reports whether s is an absolute Windows path with a drive
// letter: C:\x, c:/x, or C:\ itself. Drive-relative (C:x), rooted without a
// drive (\x) and UNC (\\server\share) paths are not: the lab has no place
// for them.
func IsWindowsPath(s string) bool {
	if len(s) < 3 || s[1] != ':' || (s[2] != '\\' && s[2] != '/') {
		return false
	}
	c := s[0] | 0x20
	return c >= 'a' && c <= 'z'
}

// ExpandWindowsVars replaces each %NAME% in s with NAME's value in env
// (KEY=VALUE entries), the name matched without regard to case, as cmd.exe
// does at its prompt. A name env lacks stays as written, with its % signs,
// and so does a lone %: a path with an unknown variable then shows up as a missing
// file rather than as a silently shorter path.
func ExpandWindowsVars(s string, env []string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	lookup := func(name string) (string, bool) {
		// The last entry wins, as in a process environment built by appending.
		for i := len(env) - 1; i >= 0; i-- {
			k, v, ok := strings.Cut(env[i], "=")
			if ok && k != "" && strings.EqualFold(k, name) {
				return v, true
			}
		}
		return "", false
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '%')
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i+1:], '%')
		if j < 0 {
			break
		}
		name := s[i+1 : i+1+j]
		if v, ok := lookup(name); ok && name != "" && !strings.ContainsAny(name, "=\x00") {
			b.WriteString(s[:i])
			b.WriteString(v)
			s = s[i+1+j+1:]
			continue
		}
		// Not a variable: kept as written, and the scan goes on after its
		// closing %, as cmd.exe's does.
		b.WriteString(s[:i+1+j+1])
		s = s[i+1+j+1:]
	}
	b.WriteString(s)
	return b.String()
}

// windowsVars are the variables a Windows host of the lab defines, for
// Env and for expanding %NAME% in paths.
func windowsVars() []string {
	return []string{ZenworksHomeEnv + "=" + WindowsZenworksHome}
}

// rebaseWindows maps the Windows path p (IsWindowsPath) into root: drive
// letter upper-cased as the folder DIR/C, separators made '/', ".." kept
// from climbing above the drive. Windows names are case-insensitive, so
// each element that exists in the lab under another letter case is taken
// as it is spelled there (c:\ZCM_BACKUPS is DIR/C/zcm_backups); the rest
// is kept as written.
func rebaseWindows(root, p string) string {
	drive := strings.ToUpper(p[:1])
	rest := path.Clean("/" + strings.ReplaceAll(p[3:], `\`, "/"))
	dir := filepath.Join(root, drive)
	if rest == "/" {
		return dir
	}
	elems := strings.Split(strings.TrimPrefix(rest, "/"), "/")
	for i, e := range elems {
		if _, err := os.Lstat(filepath.Join(dir, e)); err == nil {
			dir = filepath.Join(dir, e)
			continue
		}
		entries, err := os.ReadDir(dir)
		k := slices.IndexFunc(entries, func(d os.DirEntry) bool { return strings.EqualFold(d.Name(), e) })
		if err != nil || k < 0 {
			return filepath.Join(append([]string{dir}, elems[i:]...)...)
		}
		dir = filepath.Join(dir, entries[k].Name())
	}
	return dir
}

// Why serverPathArg refused a path.
var (
	errNotAbsolute = errors.New("not an absolute path")
	errRootFolder  = errors.New("the root folder")
	errLabOwn      = errors.New("where the lab keeps its own records")
)

// serverPathArg checks a server path given to a lab command (issue-cert,
// export-reports) for a host of layout y and returns it cleaned: a Windows
// path (%NAME% expanded on a Windows host) with its drive letter
// upper-cased and backslashes, or a Linux path. It must be absolute, not a
// root, and, for a Linux path, outside the lab's bookkeeping (the dot files
// at the top of the lab, the other hosts' trees), which a Windows path,
// under DIR/C, can never reach.
func serverPathArg(y Layout, p string) (string, error) {
	e := p
	if y.Platform == PlatformWindows {
		e = ExpandWindowsVars(p, windowsVars())
	}
	if IsWindowsPath(e) {
		rest := strings.TrimPrefix(path.Clean("/"+strings.ReplaceAll(e[3:], `\`, "/")), "/")
		if rest == "" {
			return "", errRootFolder
		}
		return strings.ToUpper(e[:1]) + `:\` + strings.ReplaceAll(rest, "/", `\`), nil
	}
	s := path.Clean(filepath.ToSlash(p))
	if !path.IsAbs(s) {
		return "", errNotAbsolute
	}
	first, _, _ := strings.Cut(strings.TrimPrefix(s, "/"), "/")
	switch {
	case s == "/":
		return "", errRootFolder
	case strings.HasPrefix(first, ".") || first == hostsDir:
		return "", errLabOwn
	}
	return s, nil
}
