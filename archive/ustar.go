package archive

import (
	"archive/tar"
	"bytes"
	"fmt"
)

// ustarHeader encodes the common header (short ASCII names, sizes under
// 8 GiB, small owner ids) straight into a block, byte for byte what
// archive/tar writes for it, at a fraction of the cost: for a tree of
// small files, archive/tar's generality was a tenth of the run. It
// returns false when the entry needs archive/tar (PAX or a name prefix).
func ustarHeader(b *[512]byte, e *Entry) bool {
	name := tarName(e)
	var size int64
	var flag byte
	switch e.Type {
	case TypeDir:
		flag = tar.TypeDir
	case TypeSymlink:
		flag = tar.TypeSymlink
	default:
		flag = tar.TypeReg
		size = e.Size
	}
	mtime := e.MTime.Unix()
	if len(name) > 100 || len(e.Link) > 100 || len(e.User) > 32 || len(e.Group) > 32 ||
		!plainASCII(name) || !plainASCII(e.Link) || !plainASCII(e.User) || !plainASCII(e.Group) ||
		size >= 1<<33 || e.UID < 0 || e.UID >= 1<<21 || e.GID < 0 || e.GID >= 1<<21 ||
		mtime < 0 || mtime >= 1<<33 {
		return false
	}
	*b = [512]byte{}
	copy(b[0:100], name)
	octal(b[100:108], int64(e.Mode))
	octal(b[108:116], int64(e.UID))
	octal(b[116:124], int64(e.GID))
	octal(b[124:136], size)
	octal(b[136:148], mtime)
	b[156] = flag
	copy(b[157:257], e.Link)
	copy(b[257:263], "ustar\x00")
	copy(b[263:265], "00")
	copy(b[265:297], e.User)
	copy(b[297:329], e.Group)
	octal(b[329:337], 0)
	octal(b[337:345], 0)
	var sum int64
	for i, c := range b {
		if 148 <= i && i < 156 {
			c = ' '
		}
		sum += int64(c)
	}
	octal(b[148:155], sum)
	b[155] = ' '
	return true
}

// octal writes x zero-padded into all but the last byte of f, which is
// NUL.
func octal(f []byte, x int64) {
	for i := len(f) - 2; i >= 0; i-- {
		f[i] = byte('0' + x&7)
		x >>= 3
	}
	f[len(f)-1] = 0
}

func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 || s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// headerBytes encodes e's tar header (with its PAX extension when one is
// needed) into scratch. The data and its padding are written by the
// caller, which is what lets a part end in the middle of a file.
func headerBytes(e *Entry, scratch *bytes.Buffer) ([]byte, error) {
	scratch.Reset()
	var blk [512]byte
	if ustarHeader(&blk, e) {
		scratch.Write(blk[:])
		return scratch.Bytes(), nil
	}
	tw := tar.NewWriter(scratch)
	if err := tw.WriteHeader(e.header()); err != nil {
		return nil, fmt.Errorf("%s: %w", e.Path, err)
	}
	return scratch.Bytes(), nil
}
