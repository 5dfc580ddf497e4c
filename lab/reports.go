package lab

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ZENworks Reporting on a Primary Server, as far as section 2.2 sees it:
// two server roles and some rows of zOpaqueData, which step 9f deletes
// from the restored zone database, and zman report-load, which step 9h
// uses to load the reports step 4 exported.

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
		OpaqueDatum{Name: "zone.configuration.reports.export.folder", Value: "/root/zcm_backups/reports"},
		OpaqueDatum{Name: "zone.configuration.inventory.scan.schedule", Value: "daily"},
	)
}

// reportLoad is `zman report-load (rpld) <source folder>` (reference 2.2
// step 9h): it loads the reports exported in step 4 into ZENworks
// Reporting. The lab counts the folder's files and records the load.
func (s *session) reportLoad(_ map[string]bool, args []string) int {
	src := args[0]
	if code, ok := s.login(); !ok {
		return code
	}
	fi, err := os.Stat(src)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return s.fail("the folder %s does not exist; give the folder the reports were exported to.", src)
	case err != nil:
		return s.fail("%v", err)
	case !fi.IsDir():
		return s.fail("%s is not a folder; give the folder the reports were exported to.", src)
	}
	files := 0
	err = filepath.WalkDir(src, func(_ string, d fs.DirEntry, err error) error {
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
