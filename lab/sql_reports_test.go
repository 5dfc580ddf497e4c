package lab

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// sql9f is reference 2.2 step 9f as printed: typographic quotes, the first
// statement broken over two lines, no semicolons; the operator ends each
// statement and commits.
const sql9f = "delete from zzenserverroles where Roles = \u2018ReportCMSServer\u2019  or Roles = \n\u2018ReportApplicationServer\u2019;\n" +
	"delete from zopaquedata where name = \u2018boe.mysql.database.pwd\u2019;\n" +
	"delete from zopaquedata where name like \u2018%zone.configuration.reports%\u2019;\n" +
	"commit;\n"

func newReportingLab(t *testing.T) *Lab {
	t.Helper()
	l, err := Init(filepath.Join(t.TempDir(), "lab"), Options{Reporting: true})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func opaqueNames(t *testing.T, l *Lab) []string {
	t.Helper()
	z, err := l.Zone()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range z.OpaqueData {
		out = append(out, d.Name)
	}
	return out
}

// setOpaque replaces zOpaqueData, to try a pattern against chosen names.
func setOpaque(t *testing.T, l *Lab, names ...string) {
	t.Helper()
	err := l.updateZone(func(z *Zone) error {
		z.OpaqueData = nil
		for _, n := range names {
			z.OpaqueData = append(z.OpaqueData, OpaqueDatum{Name: n})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Step 9f, as the reference prints it, removes Reporting from the zone
// database and nothing else.
func TestSQLStep9fRemovesReporting(t *testing.T) {
	l := newReportingLab(t)
	before := localServer(t, l).Roles
	out := mustRun(t, l, sql9f, ToolSQL)
	for _, want := range []string{"2 row(s) deleted\n1 row(s) deleted\n3 row(s) deleted\n", "(committed)"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	srv := localServer(t, l)
	if srv.HasRole(RoleReportCMS) || srv.HasRole(RoleReportApplication) {
		t.Errorf("Reporting roles left: %q", srv.Roles)
	}
	want := slices.DeleteFunc(slices.Clone(before), func(r string) bool { return r == RoleReportCMS || r == RoleReportApplication })
	if !slices.Equal(srv.Roles, want) || !srv.HasRole(RoleCertAuth) {
		t.Errorf("roles %q, want %q", srv.Roles, want)
	}
	if got := opaqueNames(t, l); !slices.Equal(got, []string{"zone.configuration.inventory.scan.schedule"}) {
		t.Errorf("zOpaqueData left %q", got)
	}

	// Running it again (the step is idempotent) finds nothing to delete.
	out = mustRun(t, l, "", ToolSQL, "-e", sql9f)
	if strings.Count(out, "0 row(s) deleted") != 3 || !strings.Contains(out, "(committed)") {
		t.Errorf("second run:\n%s", out)
	}
}

// On a lab without Reporting the step still runs: nothing to delete.
func TestSQLStep9fWithoutReporting(t *testing.T) {
	l := newTestLab(t)
	before := localServer(t, l).Roles
	out := mustRun(t, l, sql9f, ToolSQL)
	if strings.Count(out, "0 row(s) deleted") != 3 || !strings.Contains(out, "(committed)") {
		t.Errorf("output:\n%s", out)
	}
	if got := localServer(t, l).Roles; !slices.Equal(got, before) {
		t.Errorf("roles %q, were %q", got, before)
	}
}

// Without commit the deletes are seen by the session only, then rolled back.
func TestSQLReportingDeletesWaitForCommit(t *testing.T) {
	l := newReportingLab(t)
	names := opaqueNames(t, l)
	roles := localServer(t, l).Roles
	script := "delete from zopaquedata where name like '%zone.configuration.reports%';\n" +
		"delete from zopaquedata where name like '%ZONE.CONFIGURATION.REPORTS%';\n" +
		"delete from zzenserverroles where Roles = 'ReportCMSServer';\n" +
		"delete from zzenserverroles where Roles = 'ReportCMSServer' or Roles = 'ReportApplicationServer';\n"
	code, out, errs := run(t, l, script, ToolSQL)
	if code != 1 || !strings.Contains(errs, "4 uncommitted change(s)") || !strings.Contains(errs, "rolled back") {
		t.Errorf("no commit: %d %q", code, errs)
	}
	if out != "3 row(s) deleted\n0 row(s) deleted\n1 row(s) deleted\n1 row(s) deleted\n" {
		t.Errorf("the session did not see its own deletes: %q", out)
	}
	if got := opaqueNames(t, l); !slices.Equal(got, names) {
		t.Errorf("zOpaqueData %q, was %q", got, names)
	}
	if got := localServer(t, l).Roles; !slices.Equal(got, roles) {
		t.Errorf("roles %q, were %q", got, roles)
	}

	// An injected failure fires at commit and nothing is written.
	if err := l.InjectFailure(ToolSQL, "", 1, "Error: simulated: the database is not reachable."); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := run(t, l, sql9f, ToolSQL); code != 1 || !strings.Contains(errs, "not reachable") {
		t.Errorf("injected: %d %q", code, errs)
	}
	if got := opaqueNames(t, l); !slices.Equal(got, names) {
		t.Errorf("after the injected failure zOpaqueData is %q", got)
	}
}

// The role delete takes any number of or terms, in any spacing and case;
// the deleted roles go from every server.
func TestSQLDeleteRolesWithOr(t *testing.T) {
	l := newReportingLab(t)
	z, _ := l.Zone()
	peer := z.Servers[1]
	mustRun(t, l, "insert into zZENServerRoles (id, Roles, position) values (0x"+peer.GUID+", 'reportcmsserver', "+
		"(select max(position) from zZENServerRoles where id=0x"+peer.GUID+")+1);\ncommit;\n", ToolSQL)
	z, _ = l.Zone()
	if p, _ := z.Server(peer.Name); !p.HasRole(RoleReportCMS) {
		t.Fatalf("the insert did not give %s the role as the zone spells it: %q", peer.Name, p.Roles)
	}
	out := mustRun(t, l, "DELETE  FROM zZENServerRoles\n\tWHERE roles='reportCMSserver'OR ROLES =  'ReportApplicationServer'\n or Roles='NoSuchRole' or Roles = 'MasterPrimary';\nCOMMIT;\n", ToolSQL)
	if !strings.Contains(out, "4 row(s) deleted") {
		t.Errorf("output %q", out)
	}
	z, _ = l.Zone()
	for _, srv := range z.Servers {
		for _, r := range []string{RoleReportCMS, RoleReportApplication, RoleMasterPrimary} {
			if srv.hasRoleFold(r) {
				t.Errorf("%s still has %s: %q", srv.Name, r, srv.Roles)
			}
		}
	}
	if srv, _ := z.Server(l.Hostname()); !srv.HasRole(RolePrimary) || !srv.HasRole(RoleCertAuth) {
		t.Errorf("a role not named went: %q", srv.Roles)
	}
	code, _, errs := run(t, l, "delete from zZENServerRoles where Roles='CertAuth' or Roles; commit;", ToolSQL)
	if code != 1 || !strings.Contains(errs, "unsupported statement") {
		t.Errorf("a broken or term: %d %q", code, errs)
	}
}

// = compares whole names, LIKE matches % and _ as wildcards and nothing
// else, both ignoring case, as SQL Anywhere does by default.
func TestSQLDeleteOpaqueData(t *testing.T) {
	l := newTestLab(t)
	all := []string{"boe.mysql.database.pwd", "boe.mysql.database.pwd.old", "zone.configuration.reports.a",
		"x.zone.configuration.reports", "zoneXconfigurationXreports", "Zone.Configuration.Reports.B", "report_1", "reportX1", "keep"}
	for _, c := range []struct {
		stmt string
		rows int
		gone []string
	}{
		{"delete from zopaquedata where name = 'BOE.mysql.database.pwd'", 1, []string{"boe.mysql.database.pwd"}},
		{"delete from zOpaqueData where name='boe.mysql%'", 0, nil},
		{"delete from zopaquedata where name like 'boe.mysql%'", 2, []string{"boe.mysql.database.pwd", "boe.mysql.database.pwd.old"}},
		{"delete from zopaquedata where name like '%zone.configuration.reports%'", 3,
			[]string{"zone.configuration.reports.a", "x.zone.configuration.reports", "Zone.Configuration.Reports.B"}},
		{"delete from zopaquedata where name like 'zone.configuration.reports'", 0, nil},
		{"delete from zopaquedata where name like 'REPORT_1'", 2, []string{"report_1", "reportX1"}},
		{"delete from zopaquedata where name like 'report_'", 0, nil},
		{"delete from zopaquedata where name like 'report_1_'", 0, nil},
		{"delete from zopaquedata where name like '%'", len(all), all},
	} {
		setOpaque(t, l, all...)
		out := mustRun(t, l, "", ToolSQL, "-e", c.stmt+";\ncommit;")
		if want := fmt.Sprintf("%d row(s) deleted\n", c.rows); !strings.HasPrefix(out, want) {
			t.Errorf("%s: %q, want %q", c.stmt, out, want)
		}
		want := slices.DeleteFunc(slices.Clone(all), func(n string) bool { return slices.Contains(c.gone, n) })
		if got := opaqueNames(t, l); !slices.Equal(got, want) {
			t.Errorf("%s: left %q, want %q", c.stmt, got, want)
		}
	}

	// A delete without a condition on the name is not one of the
	// reference's statements.
	setOpaque(t, l, all...)
	for _, stmt := range []string{"delete from zopaquedata;", "delete from zopaquedata where value = 'x';",
		"delete from zopaquedata where name = 'keep' or 1=1;"} {
		if code, _, errs := run(t, l, stmt+"commit;", ToolSQL); code != 1 || !strings.Contains(errs, "unsupported statement") {
			t.Errorf("%q: %d %q", stmt, code, errs)
		}
	}
	if got := opaqueNames(t, l); !slices.Equal(got, all) {
		t.Errorf("a refused statement changed zOpaqueData: %q", got)
	}
}
