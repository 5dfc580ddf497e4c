package procedures

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// ReadFile reads a definition or answers file the operator named, reading
// no more than MaxFileSize (and one byte to know there is more): a file of
// any size, or /dev/zero, costs at most that. Only regular files are read
// (a named pipe would block, a device never end). Symbolic links are
// followed: the operator named this file. Errors name the file, never its
// content.
func ReadFile(path string) ([]byte, error) {
	if err := regular(path, os.Stat); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readLimited(path, f)
}

// ReadDefinition reads a definition file as the loader of a procedures
// directory does (and so as `lint` should): inside the file's directory,
// following a symbolic link only if it is relative and stays in that
// directory. A link out of it (dir/x.yaml -> /etc/shadow) is refused by
// name; zenrecover never reads, let alone shows, what it points to.
func ReadDefinition(path string) ([]byte, error) {
	dir, base := filepath.Dir(path), filepath.Base(path)
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	return readInRoot(root, dir, base, path)
}

// readInRoot reads name inside root (the directory dir); shown is how
// errors name the file.
func readInRoot(root *os.Root, dir, name, shown string) ([]byte, error) {
	if err := regular(name, root.Stat); err != nil {
		var pe *Error
		if errors.As(err, &pe) {
			pe.File = shown
			return nil, pe
		}
		if fi, lerr := root.Lstat(name); lerr == nil && fi.Mode()&fs.ModeSymlink != 0 && !errors.Is(err, fs.ErrNotExist) {
			target, _ := root.Readlink(name)
			return nil, &Error{File: shown, Msg: fmt.Sprintf(
				"is a symbolic link to %s, which zenrecover does not follow: it follows only relative links that stay inside %s", target, dir)}
		}
		return nil, err
	}
	f, err := root.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readLimited(shown, f)
}

// regular refuses what is not a regular file, before it is opened.
func regular(name string, stat func(string) (fs.FileInfo, error)) error {
	fi, err := stat(name)
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return &Error{File: name, Msg: fmt.Sprintf("is not a regular file (%s): zenrecover reads definitions and answers only from files", fileKind(fi.Mode()))}
	}
	return nil
}

func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeDevice != 0, m&fs.ModeCharDevice != 0:
		return "a device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return m.Type().String()
}

// readLimited reads at most MaxFileSize+1 bytes of r: one more than
// allowed says the file is too large, and checkText says where.
func readLimited(name string, r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(b) > MaxFileSize {
		return nil, Errors{checkText(name, b)}
	}
	return b, nil
}

// readFS reads a file of fsys within the same limit.
func readFS(fsys fs.FS, name string) ([]byte, error) {
	if err := regular(name, func(n string) (fs.FileInfo, error) { return fs.Stat(fsys, n) }); err != nil {
		return nil, err
	}
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readLimited(name, f)
}
