package actions

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"syscall"
	"time"
)

// Checks answer ok=false, with a detail the operator can act on, whenever
// they could look and the condition does not hold (a missing file, a file
// that is not XML); they return an error only when they could not look
// (permission denied, a cancelled context, an unknown step start).

// FileExists holds when Path exists (a file, a directory, or a link to
// one).
type FileExists struct{ Path string }

func (c *FileExists) Describe() string { return c.Path + " exists" }

func (c *FileExists) Check(ctx context.Context, _ time.Time) (bool, string, error) {
	if err := ctx.Err(); err != nil {
		return false, "", err
	}
	fi, err := os.Stat(c.Path)
	if notExist(err) {
		return false, c.Path + " does not exist", nil
	}
	if err != nil {
		return false, "", err
	}
	return true, fmt.Sprintf("%s exists (%s, modified %s)", c.Path, describeFile(fi), fi.ModTime().Local().Format(time.DateTime)), nil
}

// NewerThanStart holds when Path exists and was modified at or after the
// start of the step, compared to the second because some file systems keep
// coarse modification times.
type NewerThanStart struct{ Path string }

func (c *NewerThanStart) Describe() string {
	return c.Path + " was written after the step started"
}

func (c *NewerThanStart) Check(ctx context.Context, stepStart time.Time) (bool, string, error) {
	if err := ctx.Err(); err != nil {
		return false, "", err
	}
	if stepStart.IsZero() {
		return false, "", fmt.Errorf("cannot tell whether %s is new: the step's start time is unknown", c.Path)
	}
	fi, err := os.Stat(c.Path)
	if notExist(err) {
		return false, c.Path + " does not exist", nil
	}
	if err != nil {
		return false, "", err
	}
	start := stepStart.Truncate(time.Second)
	mod := fi.ModTime()
	if mod.Before(start) {
		return false, fmt.Sprintf("%s was not modified since the step started at %s (last modified %s)",
			c.Path, stepStart.Local().Format(time.TimeOnly), mod.Local().Format(time.DateTime)), nil
	}
	return true, fmt.Sprintf("%s was modified at %s, after the step started at %s",
		c.Path, mod.Local().Format(time.TimeOnly), stepStart.Local().Format(time.TimeOnly)), nil
}

// Writable holds when Path is a directory in which the current user can
// create files: it creates and removes a temporary file, since permission
// bits alone miss read-only mounts, ACLs and full disks.
type Writable struct{ Path string }

func (c *Writable) Describe() string { return "files can be created in " + c.Path }

func (c *Writable) Check(ctx context.Context, _ time.Time) (bool, string, error) {
	if err := ctx.Err(); err != nil {
		return false, "", err
	}
	fi, err := os.Stat(c.Path)
	if notExist(err) {
		return false, c.Path + " does not exist", nil
	}
	if err != nil {
		return false, "", err
	}
	if !fi.IsDir() {
		return false, c.Path + " is not a directory", nil
	}
	f, err := os.CreateTemp(c.Path, ".zenrecover-write-test-*")
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return false, fmt.Sprintf("cannot create files in %s: %v", c.Path, err), nil
	}
	name := f.Name()
	f.Close()
	if err := os.Remove(name); err != nil {
		return false, "", fmt.Errorf("created %s but could not remove it: %w", name, err)
	}
	return true, c.Path + " is writable", nil
}

// XMLPathExists holds when the text of the first element named Element in
// the XML file File names an existing file. The text is a path on the
// server; Rebase, when non-nil, maps it before looking (in a lab, into the
// lab directory), e.g. CaConfig.xml's <Keystore> naming zenca.keystore.
type XMLPathExists struct {
	File, Element string
	Rebase        func(string) string
}

func (c *XMLPathExists) Describe() string {
	return fmt.Sprintf("<%s> in %s names an existing file", strings.TrimLeft(c.Element, "/"), c.File)
}

func (c *XMLPathExists) Check(ctx context.Context, _ time.Time) (bool, string, error) {
	if err := ctx.Err(); err != nil {
		return false, "", err
	}
	data, err := os.ReadFile(c.File)
	if notExist(err) {
		return false, c.File + " does not exist", nil
	}
	if err != nil {
		return false, "", err
	}
	_, el, err := findXMLElement(c.File, data, c.Element)
	if err != nil {
		return false, err.Error(), nil
	}
	text := strings.TrimSpace(el.Text())
	if text == "" {
		return false, fmt.Sprintf("<%s> in %s is empty", el.Tag, c.File), nil
	}
	p, where := text, ""
	if c.Rebase != nil {
		if p = c.Rebase(text); p != text {
			where = " (looked at " + p + ")"
		}
	}
	fi, err := os.Stat(p)
	if notExist(err) {
		return false, fmt.Sprintf("<%s> in %s names %s, which does not exist%s", el.Tag, c.File, text, where), nil
	}
	if err != nil {
		return false, "", err
	}
	if fi.IsDir() {
		return false, fmt.Sprintf("<%s> in %s names %s, which is a directory, not a file%s", el.Tag, c.File, text, where), nil
	}
	return true, fmt.Sprintf("<%s> in %s names %s, which exists%s", el.Tag, c.File, text, where), nil
}

// notExist also counts a path through a non-directory as missing.
func notExist(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

func describeFile(fi fs.FileInfo) string {
	if fi.IsDir() {
		return "a directory"
	}
	return fmt.Sprintf("%d bytes", fi.Size())
}
