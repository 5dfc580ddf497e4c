package actions

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/beevik/etree"
)

// EditXML sets the text of one element of an XML file, such as the
// <Keystore> of CaConfig.xml.
//
// The first element named Element anywhere in the document is changed
// (Element may also be an etree path, e.g. "/CaConfig/Keystore"); it must
// hold text only. Everything else is written back as etree read it:
// elements, attributes and their order, comments, processing instructions,
// the declaration and the whitespace between elements survive; what can
// change is the spelling of the markup (attribute quotes become double
// quotes, <a></a> becomes <a/>, character references may be written
// differently). A byte-order mark and CRLF line ends are kept.
//
// When the text (ignoring surrounding whitespace) already is Value, the
// file is not touched and Changed is set to false. Otherwise, with
// KeepBackup, the original bytes are first saved as
// <File>.<yyyymmdd-hhmmss>.bak beside it, and the new document replaces the
// file atomically (temporary file, same mode and owner, renamed over it).
// When File is a symbolic link, the file it points to is edited, so the
// link survives.
type EditXML struct {
	File, Element, Value string
	KeepBackup           bool
	Changed              *bool
}

func (e *EditXML) Describe() string {
	s := fmt.Sprintf("edit %s: set <%s> to %s", e.File, e.elementName(), quoteValue(e.Value))
	if e.KeepBackup {
		s += fmt.Sprintf(" (keeping the original as %s.<timestamp>.bak)", filepath.Base(e.File))
	}
	return s + "; nothing is written when it already has that value"
}

func (e *EditXML) elementName() string {
	name := e.Element
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	return name
}

func (e *EditXML) Run(ctx context.Context, rio IO) error {
	out := SafeWriter(rio.Output, rio.Secrets)
	defer out.Close()
	if e.Changed != nil {
		*e.Changed = false
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("edit %s: %w", e.File, err)
	}
	path, err := filepath.EvalSymlinks(e.File)
	if err != nil {
		return fmt.Errorf("edit-xml: %w", err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("edit-xml: %w", err)
	}
	orig, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("edit-xml: %w", err)
	}
	data, tag, old, err := SetXMLText(e.File, orig, e.Element, e.Value)
	if err != nil {
		return err
	}
	if data == nil {
		fmt.Fprintf(out, "<%s> in %s is already %q; nothing changed\n", tag, e.File, e.Value)
		return nil
	}

	backup := ""
	if e.KeepBackup {
		if backup, err = writeBackup(path, orig, fi); err != nil {
			return fmt.Errorf("edit-xml: keep a backup of %s: %w", e.File, err)
		}
	}
	if err := replaceFile(path, data, fi); err != nil {
		return fmt.Errorf("edit-xml: %w", err)
	}
	if e.Changed != nil {
		*e.Changed = true
	}
	fmt.Fprintf(out, "set <%s> in %s to %q (was %q)", tag, e.File, e.Value, old)
	if backup != "" {
		fmt.Fprintf(out, "; the original is kept as %s", backup)
	}
	fmt.Fprintln(out)
	return nil
}

const utf8BOM = "\xef\xbb\xbf"

// SetXMLText is EditXML's edit on the bytes of a file (named name in
// errors), wherever the file lives: it returns the document to write, the
// element's tag and its old text (trimmed), or data nil when the text
// already is value.
func SetXMLText(name string, orig []byte, element, value string) (data []byte, tag, old string, err error) {
	doc, el, err := findXMLElement(name, orig, element)
	if err != nil {
		return nil, "", "", err
	}
	if len(el.ChildElements()) > 0 {
		return nil, "", "", fmt.Errorf("edit-xml: <%s> in %s contains other elements; only an element holding text can be set", el.Tag, name)
	}
	old = strings.TrimSpace(el.Text())
	if old == value {
		return nil, el.Tag, old, nil
	}
	el.SetText(value)
	data, err = doc.WriteToBytes()
	if err != nil {
		return nil, "", "", fmt.Errorf("edit-xml: %s: %w", name, err)
	}
	return restoreLayout(orig, data), el.Tag, old, nil
}

// XMLBackupName is the i-th name tried for the copy of path kept before
// an edit at t: path.<yyyymmdd-hhmmss>.bak, then -1, -2...
func XMLBackupName(path string, t time.Time, i int) string {
	stamp := path + "." + t.Format("20060102-150405")
	if i > 0 {
		return stamp + "-" + strconv.Itoa(i) + ".bak"
	}
	return stamp + ".bak"
}

// findXMLElement parses data (named name in errors) and finds the first
// element that element names.
func findXMLElement(name string, data []byte, element string) (*etree.Document, *etree.Element, error) {
	if element == "" {
		return nil, nil, errors.New("edit-xml: no element named")
	}
	data = bytes.TrimPrefix(data, []byte(utf8BOM))
	if err := checkWellFormed(data); err != nil {
		return nil, nil, fmt.Errorf("%s is not well-formed XML: %w", name, err)
	}
	doc := etree.NewDocument()
	doc.ReadSettings.PreserveCData = true
	if err := doc.ReadFromBytes(data); err != nil {
		return nil, nil, fmt.Errorf("%s is not well-formed XML: %w", name, err)
	}
	if doc.Root() == nil {
		return nil, nil, fmt.Errorf("%s is not XML: it has no root element", name)
	}
	p := element
	if !strings.ContainsAny(p, "/[") {
		p = "//" + p
	}
	path, err := etree.CompilePath(p)
	if err != nil {
		return nil, nil, fmt.Errorf("element %q: %w", element, err)
	}
	el := doc.FindElementPath(path)
	if el == nil {
		return nil, nil, fmt.Errorf("%s has no element <%s>", name, strings.TrimLeft(element, "/"))
	}
	return doc, el, nil
}

// checkWellFormed reads every token with encoding/xml, which checks what
// etree's reader does not (end tags matching start tags) and reports lines.
// (etree's own ValidateInput rejects any file that ends in a newline.)
func checkWellFormed(data []byte) error {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	dec.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	root := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			if !root {
				return errors.New("it has no root element")
			}
			return nil
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return fmt.Errorf("line %d: %s", se.Line, se.Msg)
			}
			return err
		}
		if _, ok := tok.(xml.StartElement); ok {
			root = true
		}
	}
}

// restoreLayout gives the written document the byte-order mark and line
// ends of the original, which etree drops and normalises.
func restoreLayout(orig, data []byte) []byte {
	crlf := bytes.Count(orig, []byte("\r\n"))
	if crlf > 0 && crlf == bytes.Count(orig, []byte("\n")) {
		data = bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n"))
	}
	if bytes.HasPrefix(orig, []byte(utf8BOM)) {
		data = append([]byte(utf8BOM), data...)
	}
	return data
}

// writeBackup saves the original bytes beside path under a name that does
// not exist yet, with the original's mode, durably.
func writeBackup(path string, orig []byte, fi fs.FileInfo) (string, error) {
	now := time.Now()
	for i := 0; i < 100; i++ {
		name := XMLBackupName(path, now, i)
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, fi.Mode().Perm())
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		if err := writeSyncClose(f, orig, fi); err != nil {
			os.Remove(name)
			return "", err
		}
		return name, nil
	}
	return "", fmt.Errorf("too many backups named %s*.bak", XMLBackupName(path, now, 0))
}

// replaceFile writes data to a temporary file beside path with path's mode
// and owner and renames it over path.
func replaceFile(path string, data []byte, fi fs.FileInfo) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".zenrecover-*")
	if err != nil {
		return err
	}
	if err := writeSyncClose(f, data, fi); err != nil {
		os.Remove(f.Name())
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		os.Remove(f.Name())
		return err
	}
	return syncDir(filepath.Dir(path))
}

func writeSyncClose(f *os.File, data []byte, fi fs.FileInfo) error {
	err := func() error {
		if uid, gid, ok := fileOwner(fi); ok && os.Geteuid() == 0 {
			if err := f.Chown(uid, gid); err != nil {
				return err
			}
		}
		if err := f.Chmod(permBits(fi.Mode())); err != nil {
			return err
		}
		if _, err := f.Write(data); err != nil {
			return err
		}
		return f.Sync()
	}()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// quoteValue puts a value in quotes as it is written (a Windows path keeps
// single backslashes); only a value with control characters is escaped.
func quoteValue(v string) string {
	for _, r := range v {
		if r < 0x20 || r == 0x7f {
			return strconv.Quote(v)
		}
	}
	return `"` + v + `"`
}
