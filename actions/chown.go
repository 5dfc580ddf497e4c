package actions

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"strconv"
	"strings"
	"time"
)

// Accounts turns a user and a group name into ids. A live server asks the
// system; a lab reads its own etc/passwd and etc/group.
type Accounts func(userName, group string) (uid, gid int, err error)

// SystemAccounts asks the operating system.
func SystemAccounts(userName, group string) (int, int, error) {
	u, err := user.Lookup(userName)
	if err != nil {
		return 0, 0, fmt.Errorf("user %s: %w", userName, err)
	}
	g, err := user.LookupGroup(group)
	if err != nil {
		return 0, 0, fmt.Errorf("group %s: %w", group, err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(g.Gid)
	return uid, gid, nil
}

// FileAccounts reads passwd and group files (a lab's).
func FileAccounts(passwd, group string) Accounts {
	return func(userName, groupName string) (int, int, error) {
		uid, err := idFrom(passwd, userName, "user")
		if err != nil {
			return 0, 0, err
		}
		gid, err := idFrom(group, groupName, "group")
		return uid, gid, err
	}
}

func idFrom(file, name, what string) (int, error) {
	f, err := os.Open(file)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Split(sc.Text(), ":")
		if len(fs) >= 3 && fs[0] == name {
			return strconv.Atoi(fs[2])
		}
	}
	return 0, fmt.Errorf("%s %s: unknown (not in %s)", what, name, file)
}

// Chown gives files to a user and group (reference 1.5 step 8: chown
// zenworks:zmanusers zenca.keystore caConfig.xml). Links are changed, not
// followed.
type Chown struct {
	Paths       []string
	User, Group string
	Accounts    Accounts
}

func (a *Chown) Describe() string {
	return fmt.Sprintf("chown %s:%s %s", a.User, a.Group, strings.Join(a.Paths, " "))
}

func (a *Chown) Run(ctx context.Context, rio IO) error {
	uid, gid, err := a.Accounts(a.User, a.Group)
	if err != nil {
		return err
	}
	out := SafeWriter(rio.Output, rio.Secrets)
	defer out.Close()
	for _, p := range a.Paths {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := os.Lchown(p, uid, gid); err != nil {
			if errors.Is(err, fs.ErrPermission) {
				return fmt.Errorf("%s: changing its owner needs root: %w", p, err)
			}
			return err
		}
		fmt.Fprintf(out, "%s now belongs to %s:%s\n", p, a.User, a.Group)
	}
	return nil
}

// OwnedBy holds when every path belongs to User and Group.
type OwnedBy struct {
	Paths       []string
	User, Group string
	Accounts    Accounts
}

func (c *OwnedBy) Describe() string {
	return fmt.Sprintf("%s belong to %s:%s", strings.Join(c.Paths, ", "), c.User, c.Group)
}

func (c *OwnedBy) Check(ctx context.Context, _ time.Time) (bool, string, error) {
	uid, gid, err := c.Accounts(c.User, c.Group)
	if err != nil {
		return false, "", err
	}
	for _, p := range c.Paths {
		if err := ctx.Err(); err != nil {
			return false, "", err
		}
		fi, err := os.Lstat(p)
		if notExist(err) {
			return false, p + " does not exist", nil
		}
		if err != nil {
			return false, "", err
		}
		fuid, fgid, ok := fileOwner(fi)
		if !ok {
			return false, "", fmt.Errorf("%s: this system does not report owners", p)
		}
		if fuid != uid || fgid != gid {
			return false, fmt.Sprintf("%s belongs to uid %d gid %d, not %s:%s", p, fuid, fgid, c.User, c.Group), nil
		}
	}
	return true, c.Describe(), nil
}
