package lab

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// dgcUser is the embedded database's ZENworks account.
const dgcUser = "zenadmin"

// databaseGetCredentials is `zman dgc -U name -P password` (reference 2.1
// step 11b). The reference puts the password on the command line, so -P is
// accepted; it is never printed back. Without -U or -P, zman asks.
func (s *session) databaseGetCredentials(_ map[string]bool, args []string) int {
	vals := map[string]string{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if (a == "-U" || a == "-P") && i+1 < len(args) {
			vals[a] = args[i+1]
			i++
			continue
		}
		fmt.Fprintf(s.err, "zman: database-get-credentials has no argument %q\nUsage: zman database-get-credentials (dgc) -U <administrator name> -P <administrator password>\n", a)
		return exitUsage
	}
	name, ok := vals["-U"]
	if !ok {
		var err error
		if name, err = s.ask.line(PromptUsername); err != nil {
			return s.fail("%v", err)
		}
	}
	password, ok := vals["-P"]
	if !ok {
		var err error
		if password, err = s.ask.secret(PromptPassword); err != nil {
			return s.fail("%v", err)
		}
	}
	z, err := s.lab.Zone()
	if err != nil {
		return s.fail("%v", err)
	}
	if !z.Admin.check(strings.TrimSpace(name), password) {
		return s.fail("Authentication failed: invalid ZENworks administrator name or password.")
	}
	if !z.Database.Embedded {
		// The reference: for an external database, ask its administrator.
		return s.fail("the zone database on %s is external; its credentials are held by the database administrator.", z.Database.Host)
	}
	if code, ok := s.proceed(); !ok {
		return code
	}
	fmt.Fprintf(s.out, "Database Host: %s:%d\nDatabase Name: %s\nUsername: %s\nPassword: %s\n",
		z.Database.Address, z.Database.Port, z.Database.Name, dgcUser, dbPassword(z))
	return exitOK
}

// dbPassword is derived, not stored: stable for a lab, so two runs agree,
// and nothing secret lands in the zone file.
func dbPassword(z Zone) string {
	sum := sha256.Sum256([]byte("zenworks-db:" + z.GUID + ":" + z.Admin.PasswordSalt))
	return hex.EncodeToString(sum[:])[:16]
}
