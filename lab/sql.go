package lab

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
)

// zenrecover-sql stands in for the SQL editor the reference has the
// operator log into (sections 1.5, 2.1 and 2.2). It knows exactly the
// statements the reference gives against zZENServerRoles and zOpaqueData:
// zZENServerRoles is the zone's server roles, its id column the server's
// GUID; zOpaqueData is Zone.OpaqueData. Changes wait for commit, and a
// session that ends without one rolls them back.

// sqlObjectPath is zZenObject.path for a Primary Server.
const sqlObjectPath = "/Devices/Servers"

// normalizeSQL makes one spelling of a statement out of the reference's
// line breaks, spacing and typographic quotes, so matching can ignore them.
func normalizeSQL(stmt string) string {
	r := strings.NewReplacer("\u2018", "'", "\u2019", "'")
	s := strings.Join(strings.Fields(r.Replace(stmt)), " ")
	for _, p := range []string{"=", ",", "(", ")", "+"} {
		s = strings.ReplaceAll(s, " "+p, p)
		s = strings.ReplaceAll(s, p+" ", p)
	}
	return s
}

var (
	sqlSelectCA = strings.ToLower(normalizeSQL(`select zsr.id,z.name,zsr.Roles as CA_Role,z.path from zZenServerRoles zsr,
zZenObject z where zsr.id=z.zuid and zsr.id in (select zuid from zZenServer
where Type='Primary') and zsr.Roles='CertAuth'`))
	// One role (2.1 step 11c) or several joined by or (2.2 step 9f).
	sqlDelete     = regexp.MustCompile(`(?i)^delete from zzenserverroles where (roles='[^']*'(?: ?or roles='[^']*')*)$`)
	sqlDeleteTerm = regexp.MustCompile(`(?i)roles='([^']*)'`)
	// 2.2 step 9f: name = '...' or name like '...'.
	sqlDeleteOpaque = regexp.MustCompile(`(?i)^delete from zopaquedata where name(=| like )'([^']*)'$`)
	sqlInsert       = regexp.MustCompile(`(?i)^insert into zzenserverroles\(id,roles,position\)values\(0x([0-9a-f]+),'([^']*)',\(select max\(position\)from zzenserverroles where id=0x([0-9a-f]+)\)\+1\)$`)
	sqlCommit       = regexp.MustCompile(`(?i)^commit$`)
)

// sqlOp is one uncommitted statement: it changes z and returns how many
// rows it touched. It runs once on the session's view, for the row count,
// and again on the zone at commit.
type sqlOp func(z *Zone) (rows int)

// deleteRoles removes every server's rows whose role is one of roles.
func deleteRoles(roles []string) sqlOp {
	return func(z *Zone) int {
		rows := 0
		for i := range z.Servers {
			srv := &z.Servers[i]
			n := len(srv.Roles)
			srv.Roles = slices.DeleteFunc(srv.Roles, func(r string) bool {
				return slices.ContainsFunc(roles, func(d string) bool { return strings.EqualFold(r, d) })
			})
			rows += n - len(srv.Roles)
		}
		return rows
	}
}

// insertRole gives the server with guid the role.
func insertRole(guid, role string) sqlOp {
	return func(z *Zone) int {
		for i := range z.Servers {
			srv := &z.Servers[i]
			if strings.EqualFold(srv.GUID, guid) && !srv.hasRoleFold(role) {
				srv.Roles = append(srv.Roles, role)
				return 1
			}
		}
		return 0
	}
}

// deleteOpaque removes the zOpaqueData rows whose name matches.
func deleteOpaque(match func(name string) bool) sqlOp {
	return func(z *Zone) int {
		n := len(z.OpaqueData)
		z.OpaqueData = slices.DeleteFunc(z.OpaqueData, func(d OpaqueDatum) bool { return match(d.Name) })
		return n - len(z.OpaqueData)
	}
}

// sqlLike compiles a LIKE pattern: % is any run of characters, _ any one
// character, everything else itself; case insensitive, as SQL Anywhere
// compares by default.
func sqlLike(pattern string) func(string) bool {
	var b strings.Builder
	b.WriteString(`(?is)^`)
	for _, r := range pattern {
		switch r {
		case '%':
			b.WriteString(`.*`)
		case '_':
			b.WriteString(`.`)
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString(`$`)
	re := regexp.MustCompile(b.String())
	return re.MatchString
}

// hasRoleFold compares as the zone database (SQL Anywhere, case
// insensitive by default) does.
func (s Server) hasRoleFold(role string) bool {
	return slices.ContainsFunc(s.Roles, func(r string) bool { return strings.EqualFold(r, role) })
}

// canonicalRole spells a known role as the zone does.
func canonicalRole(role string) string {
	for _, r := range []string{RolePrimary, RoleDatabase, RoleMasterPrimary, RoleCertAuth, RoleReportCMS, RoleReportApplication} {
		if strings.EqualFold(r, role) {
			return r
		}
	}
	return role
}

type sqlSession struct {
	s       *session
	pending []sqlOp
}

// view is the zone as this session sees it: committed state plus its own
// pending changes.
func (q *sqlSession) view() (Zone, error) {
	z, err := q.s.lab.Zone()
	if err != nil {
		return z, err
	}
	z.Servers = slices.Clone(z.Servers)
	for i := range z.Servers {
		z.Servers[i].Roles = slices.Clone(z.Servers[i].Roles)
	}
	z.OpaqueData = slices.Clone(z.OpaqueData)
	for _, op := range q.pending {
		op(&z)
	}
	return z, nil
}

// change queues op and reports the rows it touches in the session's view.
func (q *sqlSession) change(op sqlOp, done string) error {
	z, err := q.view()
	if err != nil {
		return err
	}
	rows := op(&z)
	q.pending = append(q.pending, op)
	fmt.Fprintf(q.s.out, "%d row(s) %s\n", rows, done)
	return nil
}

var errUnsupported = errors.New("unsupported statement")

func (q *sqlSession) exec(stmt string) error {
	n := normalizeSQL(stmt)
	switch {
	case n == "":
		return nil
	case strings.ToLower(n) == sqlSelectCA:
		return q.selectCA()
	case sqlCommit.MatchString(n):
		return q.commit()
	}
	if m := sqlDelete.FindStringSubmatch(n); m != nil {
		var roles []string
		for _, t := range sqlDeleteTerm.FindAllStringSubmatch(m[1], -1) {
			roles = append(roles, t[1])
		}
		return q.change(deleteRoles(roles), "deleted")
	}
	if m := sqlDeleteOpaque.FindStringSubmatch(n); m != nil {
		value := m[2]
		match := func(name string) bool { return strings.EqualFold(name, value) }
		if m[1] != "=" {
			match = sqlLike(value)
		}
		return q.change(deleteOpaque(match), "deleted")
	}
	if m := sqlInsert.FindStringSubmatch(n); m != nil {
		return q.insert(m[1], canonicalRole(m[2]), m[3])
	}
	if strings.Contains(n, "<") {
		return fmt.Errorf("%w: replace the <...> placeholder with the value (a server GUID is 0x followed by its 32 hex digits)", errUnsupported)
	}
	return errUnsupported
}

func (q *sqlSession) insert(guid, role, maxOf string) error {
	if !strings.EqualFold(guid, maxOf) {
		return fmt.Errorf("the position sub-select names 0x%s but the row is for 0x%s; use the same GUID in both", maxOf, guid)
	}
	z, err := q.view()
	if err != nil {
		return err
	}
	var srv *Server
	for i := range z.Servers {
		if strings.EqualFold(z.Servers[i].GUID, guid) {
			srv = &z.Servers[i]
		}
	}
	if srv == nil {
		return fmt.Errorf("no server in the zone has the id 0x%s (foreign key to zZenServer)", guid)
	}
	if srv.hasRoleFold(role) {
		return fmt.Errorf("primary key for table 'zZENServerRoles' is not unique: %s already has the role %s", srv.Name, role)
	}
	return q.change(insertRole(guid, role), "inserted")
}

func (q *sqlSession) selectCA() error {
	z, err := q.view()
	if err != nil {
		return err
	}
	fmt.Fprintln(q.s.out, "id\tname\tCA_Role\tpath")
	rows := 0
	for _, srv := range z.Servers {
		for _, r := range srv.Roles {
			if strings.EqualFold(r, RoleCertAuth) {
				fmt.Fprintf(q.s.out, "0x%s\t%s\t%s\t%s\n", srv.GUID, srv.Name, r, sqlObjectPath)
				rows++
			}
		}
	}
	fmt.Fprintf(q.s.out, "(%d rows)\n", rows)
	return nil
}

// commit is where an injected failure fires: it is the only write.
func (q *sqlSession) commit() error {
	if code, ok := q.s.injected(); !ok {
		q.pending = nil
		return errInjected{code}
	}
	ops := q.pending
	err := q.s.lab.updateZone(func(z *Zone) error {
		for _, op := range ops {
			op(z)
		}
		return nil
	})
	if err != nil {
		return err
	}
	q.pending = nil
	fmt.Fprintln(q.s.out, "Execution time: 0 seconds (committed)")
	return nil
}

// errInjected carries an injected failure, whose message is already out.
type errInjected struct{ code int }

func (e errInjected) Error() string { return "injected failure" }

func sqlUsage() string {
	return "Usage: " + ToolSQL + " [-e STATEMENTS]  (without -e, statements are read from standard input, each ended by ;)"
}

// sql runs statements from -e or standard input. Input is read a line at
// a time and each statement runs when its ';' arrives, so an operator at
// a terminal sees each result before typing the next.
func (s *session) sql(args []string) int {
	var script string
	fromArg := false
	switch {
	case len(args) == 0:
	case len(args) == 2 && args[0] == "-e":
		script, fromArg = args[1], true
	default:
		fmt.Fprintln(s.err, sqlUsage())
		return exitUsage
	}
	q := &sqlSession{s: s}
	var buf strings.Builder
	runComplete := func(final bool) int {
		stmts, rest := splitSQL(buf.String())
		if final && strings.TrimSpace(rest) != "" {
			stmts, rest = append(stmts, rest), ""
		}
		buf.Reset()
		buf.WriteString(rest)
		for _, st := range stmts {
			if err := q.exec(st); err != nil {
				var inj errInjected
				if errors.As(err, &inj) {
					return inj.code
				}
				return s.fail("%v: %s", err, strings.Join(strings.Fields(st), " "))
			}
		}
		return exitOK
	}
	if fromArg {
		buf.WriteString(script)
		if code := runComplete(true); code != exitOK {
			return code
		}
	} else {
		for {
			line, err := readLine(s.in)
			buf.WriteString(line)
			buf.WriteString("\n")
			if code := runComplete(err == io.EOF); code != exitOK {
				return code
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				return s.fail("%v", err)
			}
		}
	}
	if n := len(q.pending); n > 0 {
		return s.fail("the session ended with %d uncommitted change(s), which were rolled back; end the statements with commit;", n)
	}
	return exitOK
}

// readLine reads one line a byte at a time, so nothing after it is taken
// from whoever reads the input next. It returns io.EOF with the last,
// unterminated line.
func readLine(r io.Reader) (string, error) {
	var buf []byte
	b := make([]byte, 1)
	for {
		n, err := r.Read(b)
		if n == 1 {
			if b[0] == '\n' {
				return strings.TrimSuffix(string(buf), "\r"), nil
			}
			if len(buf) >= maxAnswer*16 {
				return "", fmt.Errorf("a line of SQL is longer than %d bytes", maxAnswer*16)
			}
			buf = append(buf, b[0])
			continue
		}
		if err != nil {
			return string(buf), err
		}
	}
}

// splitSQL returns the statements ended by ';' outside quotes, and what
// follows the last one.
func splitSQL(text string) (stmts []string, rest string) {
	start, quoted := 0, false
	for i, r := range text {
		switch {
		case r == '\'' || r == '\u2018' || r == '\u2019':
			quoted = !quoted
		case r == ';' && !quoted:
			stmts = append(stmts, text[start:i])
			start = i + 1
		}
	}
	return stmts, text[start:]
}
