package archive

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"
)

// A Linux file name is bytes, not text: encoding/json would replace a byte
// that is not UTF-8 with U+FFFD and the manifest would no longer name the
// file. Such a name is written as path64 (or link64), base64 of its bytes.
// The encoder is written out by hand because it runs once a file: for a
// tree of small files, encoding/json cost a twentieth of the run.

// MarshalJSON writes the manifest line of e.
func (e Entry) MarshalJSON() ([]byte, error) { return e.appendJSON(nil), nil }

func (e *Entry) appendJSON(b []byte) []byte {
	b = append(b, '{')
	b = appendName(b, "path", e.Path)
	b = append(b, `,"type":`...)
	b = appendString(b, e.Type)
	if e.Size != 0 {
		b = append(b, `,"size":`...)
		b = strconv.AppendInt(b, e.Size, 10)
	}
	b = append(b, `,"mode":"`...)
	m, _ := e.Mode.MarshalText()
	b = append(b, m...)
	b = append(b, `","uid":`...)
	b = strconv.AppendInt(b, int64(e.UID), 10)
	b = append(b, `,"gid":`...)
	b = strconv.AppendInt(b, int64(e.GID), 10)
	if e.User != "" {
		b = append(b, `,"user":`...)
		b = appendString(b, e.User)
	}
	if e.Group != "" {
		b = append(b, `,"group":`...)
		b = appendString(b, e.Group)
	}
	b = append(b, `,"mtime":"`...)
	b = e.MTime.AppendFormat(b, time.RFC3339Nano)
	b = append(b, '"')
	if e.SHA256 != "" {
		b = append(b, `,"sha256":`...)
		b = appendString(b, e.SHA256)
	}
	if e.Link != "" {
		b = append(b, ',')
		b = appendName(b, "link", e.Link)
	}
	if e.Flag != "" {
		b = append(b, `,"flag":`...)
		b = appendString(b, e.Flag)
	}
	if e.Note != "" {
		b = append(b, `,"note":`...)
		b = appendString(b, e.Note)
	}
	return append(b, '}')
}

func appendName(b []byte, key, s string) []byte {
	if utf8.ValidString(s) {
		b = append(b, '"')
		b = append(b, key...)
		b = append(b, `":`...)
		return appendString(b, s)
	}
	b = append(b, '"')
	b = append(b, key...)
	b = append(b, `64":"`...)
	b = base64.StdEncoding.AppendEncode(b, []byte(s))
	return append(b, '"')
}

// appendString quotes valid UTF-8 as JSON; other strings go through
// appendName.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// UnmarshalJSON reads a manifest line, names in either form.
func (e *Entry) UnmarshalJSON(data []byte) error {
	type plain Entry
	var x struct {
		plain
		Path64 []byte `json:"path64"`
		Link64 []byte `json:"link64"`
	}
	if err := json.Unmarshal(data, &x); err != nil {
		return err
	}
	*e = Entry(x.plain)
	if x.Path64 != nil {
		e.Path = string(x.Path64)
	}
	if x.Link64 != nil {
		e.Link = string(x.Link64)
	}
	return nil
}
