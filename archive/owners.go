package archive

import (
	"os/user"
	"strconv"
)

// owners caches user and group names both ways for one operation: a tree
// has few owners and many files, and each lookup reads /etc/passwd.
type owners struct {
	users, groups     map[int]string
	userIDs, groupIDs map[string]int
}

func newOwners() *owners {
	return &owners{users: map[int]string{}, groups: map[int]string{}, userIDs: map[string]int{}, groupIDs: map[string]int{}}
}

func (o *owners) user(uid int) string {
	if n, ok := o.users[uid]; ok {
		return n
	}
	n := ""
	if u, err := user.LookupId(strconv.Itoa(uid)); err == nil {
		n = u.Username
	}
	o.users[uid] = n
	return n
}

func (o *owners) group(gid int) string {
	if n, ok := o.groups[gid]; ok {
		return n
	}
	n := ""
	if g, err := user.LookupGroupId(strconv.Itoa(gid)); err == nil {
		n = g.Name
	}
	o.groups[gid] = n
	return n
}

// uid is what GNU tar does as root: the name if this machine knows it (a
// rebuilt server may number its zenworks account differently), else the
// number recorded.
func (o *owners) uid(name string, recorded int) int {
	if name == "" {
		return recorded
	}
	if id, ok := o.userIDs[name]; ok {
		return id
	}
	id := recorded
	if u, err := user.Lookup(name); err == nil {
		if v, err := strconv.Atoi(u.Uid); err == nil {
			id = v
		}
	}
	o.userIDs[name] = id
	return id
}

func (o *owners) gid(name string, recorded int) int {
	if name == "" {
		return recorded
	}
	if id, ok := o.groupIDs[name]; ok {
		return id
	}
	id := recorded
	if g, err := user.LookupGroup(name); err == nil {
		if v, err := strconv.Atoi(g.Gid); err == nil {
			id = v
		}
	}
	o.groupIDs[name] = id
	return id
}
