package lab

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// ZENworks Reporting on a Primary Server, as far as section 2.2 sees it:
// two server roles and some rows of zOpaqueData, which step 9f deletes
// from the restored zone database; the export of its reports, which step 4
// has the administrator do in ZENworks Reporting ("Managing the Export
// Settings") and ExportReports (`zenrecover lab export-reports`) plays;
// and zman report-load, which step 9h uses to load them on the new server.

// Server roles of ZENworks Reporting (reference 2.2 step 9f).
const (
	RoleReportCMS         = "ReportCMSServer"
	RoleReportApplication = "ReportApplicationServer"
)

// OpaqueReportingPassword is the zOpaqueData row holding the Reporting
// database password (reference 2.2 step 9f).
const OpaqueReportingPassword = "boe.mysql.database.pwd"

// OpaqueDatum is one row of zOpaqueData. The lab keeps no secret in it:
// the Reporting password's value is a placeholder.
type OpaqueDatum struct {
	Name  string `json:"name"`
	Value string `json:"value,omitempty"`
}

// ReportLoad is one completed `zman report-load`: the folder as given and
// how many files it held.
type ReportLoad struct {
	Server string `json:"server"`
	Folder string `json:"folder"`
	Files  int    `json:"files"`
}

// addReporting gives the lab's server ZENworks Reporting when o asks: its
// roles, the Reporting rows of zOpaqueData, and one row that has nothing
// to do with Reporting, which step 9f must leave alone.
func addReporting(z *Zone, o Options) {
	if !o.Reporting {
		return
	}
	if srv := z.server(o.Hostname); srv != nil {
		srv.setRole(RoleReportCMS, true)
		srv.setRole(RoleReportApplication, true)
	}
	z.OpaqueData = append(z.OpaqueData,
		OpaqueDatum{Name: OpaqueReportingPassword, Value: "(encrypted)"},
		OpaqueDatum{Name: "zone.configuration.reports.server.url", Value: "https://" + o.Hostname + ":8443/reporting"},
		OpaqueDatum{Name: "zone.configuration.reports.email.settings", Value: "disabled"},
		OpaqueDatum{Name: "zone.configuration.reports.export.folder", Value: reportsFolderOf(o.Platform)},
		OpaqueDatum{Name: "zone.configuration.inventory.scan.schedule", Value: "daily"},
	)
}

// reportLoad is `zman report-load (rpld) <source folder>` (reference 2.2
// step 9h): it loads the reports exported in step 4 into ZENworks
// Reporting. The lab counts the folder's files and records the load.
func (s *session) reportLoad(_ map[string]bool, args []string) int {
	arg := s.file(args[0])
	src := arg.typed
	if code, ok := s.login(); !ok {
		return code
	}
	fi, err := os.Stat(arg.lab)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return s.fail("the folder %s does not exist; give the folder the reports were exported to.", src)
	case err != nil:
		return s.fail("%v", err)
	case !fi.IsDir():
		return s.fail("%s is not a folder; give the folder the reports were exported to.", src)
	}
	files := 0
	err = filepath.WalkDir(arg.lab, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			files++
		}
		return err
	})
	if err != nil {
		return s.fail("reading %s: %v", src, err)
	}
	if code, ok := s.proceed(); !ok {
		return code
	}
	host := s.lab.Hostname()
	err = s.lab.updateZone(func(z *Zone) error {
		z.ReportLoads = append(z.ReportLoads, ReportLoad{Server: host, Folder: src, Files: files})
		return nil
	})
	if err != nil {
		return s.fail("%v", err)
	}
	fmt.Fprintf(s.out, "Loaded the reports in %s (%d file(s)) into ZENworks Reporting on %s.\n", src, files, host)
	return exitOK
}

// DefaultReportsFolder is where section 2.2 (input reports_folder) has the
// reports exported in step 4 and loads them from in step 9h, on Linux;
// WindowsReportsFolder (Layout.ReportsFolder) on Windows.
const DefaultReportsFolder = "/root/zcm_backups/reports"

func reportsFolderOf(platform string) string {
	y, err := LayoutFor(platform)
	if err != nil {
		return DefaultReportsFolder
	}
	return y.ReportsFolder
}

// labReports are the reports the lab's ZENworks Reporting holds: what an
// export writes, one file each, under the folder ZENworks Reporting shows
// them in.
var labReports = []string{
	"Predefined Reports/Device Inventory.xml",
	"Predefined Reports/Bundle Deployment Status.xml",
	"Custom Reports/Servers by Operating System.xml",
}

// ReportExport says what ExportReports wrote: the host, the folder as a
// server path and as the lab's path, and the files in it (relative, with /).
type ReportExport struct {
	Host, Folder, LabFolder string
	Files                   []string
}

// ExportReports does what reference 2.2 step 4 has the administrator do in
// ZENworks Reporting ("Managing the Export Settings" in the ZENworks
// Reporting 5 System Reference): it exports the server's reports into
// folder (a server path; the layout's ReportsFolder when empty), where step 9h's
// zman rpld loads them. The server must have ZENworks Reporting (lab init
// --reporting). The folder is created 0700 and the files 0600, as backups
// are kept; a report already there is replaced, as a second export would.
func (l *Lab) ExportReports(folder string) (ReportExport, error) {
	var res ReportExport
	example := l.layout.ReportsFolder
	if folder == "" {
		folder = example
	}
	s, err := serverPathArg(l.layout, folder)
	switch {
	case errors.Is(err, errNotAbsolute):
		return res, fmt.Errorf("lab: the reports folder %q is not absolute: give the path on %s, as step 4 names it (for example %s)", folder, l.Hostname(), example)
	case err != nil:
		return res, fmt.Errorf("lab: %q is not a folder to export reports to on %s; choose another (for example %s)", folder, l.Hostname(), example)
	}
	z, err := l.Zone()
	if err != nil {
		return res, err
	}
	srv, ok := z.Server(l.Hostname())
	if !ok || !srv.HasRole(RoleReportCMS) {
		return res, fmt.Errorf("lab: %s has no ZENworks Reporting, so there are no reports to export; build a lab with it: zenrecover lab init DIR --reporting", l.Hostname())
	}
	res.Host, res.Folder, res.LabFolder = l.Hostname(), s, l.Rebase(s)
	for _, r := range labReports {
		p := filepath.Join(res.LabFolder, filepath.FromSlash(r))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			return res, fmt.Errorf("lab: %w", err)
		}
		body := fmt.Sprintf("<report name=%q server=%q>exported from ZENworks Reporting (simulated by the zenrecover lab)</report>\n",
			strings.TrimSuffix(path.Base(r), ".xml"), l.Hostname())
		if err := writeFileAtomic(p, []byte(body), 0o600); err != nil {
			return res, fmt.Errorf("lab: %w", err)
		}
		res.Files = append(res.Files, r)
	}
	return res, nil
}
