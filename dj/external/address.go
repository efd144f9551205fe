package external

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
)

// Hash is the 16-byte MD5 digest that names an external object. DataJoint
// stores it as a UUID (binary(16)); a github.com/google/uuid UUID converts
// to and from it directly.
type Hash [16]byte

// Hex returns the 32 lowercase hex digits used in object paths.
func (h Hash) Hex() string { return hex.EncodeToString(h[:]) }

// String returns the canonical UUID form (8-4-4-4-12 lowercase hex), as
// Python's str(uuid.UUID) writes it; S3 contents_hash metadata uses it.
func (h Hash) String() string {
	x := h.Hex()
	return x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:]
}

// IsZero reports whether h is all zeros.
func (h Hash) IsZero() bool { return h == Hash{} }

// ParseHash reads 32 hex digits, with or without the dashes of the UUID
// form, in either case.
func ParseHash(s string) (Hash, error) {
	var h Hash
	t := strings.ReplaceAll(s, "-", "")
	if len(t) != 32 {
		return h, fmt.Errorf("%w: hash %q: want 32 hex digits", ErrConfig, s)
	}
	if _, err := hex.Decode(h[:], []byte(t)); err != nil {
		return h, fmt.Errorf("%w: hash %q: %w", ErrConfig, s, err)
	}
	return h, nil
}

// BlobHash is the hash of a blob@store value: MD5 of the serialized blob
// bytes exactly as stored.
func BlobHash(blob []byte) Hash { return md5.Sum(blob) }

// AttachHash is the hash of an attach@store value: MD5 of the file name,
// a zero byte and the contents.
func AttachHash(name string, contents []byte) Hash {
	m := md5.New()
	io.WriteString(m, name)
	m.Write([]byte{0})
	m.Write(contents)
	var h Hash
	m.Sum(h[:0])
	return h
}

// FilepathHash is the hash of a filepath@store value: MD5 of its path
// relative to the stage directory, in POSIX form.
func FilepathHash(relativePath string) Hash { return md5.Sum([]byte(relativePath)) }

// ContentsHash is the contents_hash of a filepath@store value: MD5 of the
// file's contents.
func ContentsHash(contents []byte) Hash { return md5.Sum(contents) }

// FileContentsHash streams a local file through MD5 and returns its
// contents hash and size.
func FileContentsHash(name string) (Hash, int64, error) {
	return hashFile(name, nil)
}

// AttachFileHash returns the attach@store hash of a local file stored under
// the attachment name attachName (usually its base name), and its size.
func AttachFileHash(name, attachName string) (Hash, int64, error) {
	return hashFile(name, append([]byte(attachName), 0))
}

func hashFile(name string, prefix []byte) (Hash, int64, error) {
	var h Hash
	f, err := os.Open(name)
	if err != nil {
		return h, 0, err
	}
	defer f.Close()
	m := md5.New()
	m.Write(prefix)
	n, err := io.Copy(m, f)
	if err != nil {
		return h, 0, fmt.Errorf("read %s: %w", name, err)
	}
	m.Sum(h[:0])
	return h, n, nil
}

// Subfold splits the leading characters of name into directory names, one
// per entry of folds, lowercased: Subfold("AbCdef", []int{2, 2}) is
// ["ab", "cd"]. Folds beyond the end of name give shorter or empty names,
// as in DataJoint.
func Subfold(name string, folds []int) []string {
	out := make([]string, 0, len(folds))
	for _, n := range folds {
		n = min(n, len(name))
		out = append(out, strings.ToLower(name[:n]))
		name = name[n:]
	}
	return out
}

// BlobKey is the key of a blob@store object of database db, relative to the
// store location: <db>/<folds...>/<hex>.
func BlobKey(db string, h Hash, folds []int) string {
	x := h.Hex()
	parts := append(append([]string{db}, Subfold(x, folds)...), x)
	return strings.Join(parts, "/")
}

// AttachKey is the key of an attach@store object: the blob key followed by
// "." and the attachment's file name.
func AttachKey(db string, h Hash, name string, folds []int) string {
	return BlobKey(db, h, folds) + "." + name
}

// FilepathKey is the key of a filepath@store object: its relative path in
// POSIX form, with "." and empty components removed.
func FilepathKey(relativePath string) string {
	return joinPosix("", relativePath)
}

// CacheKey is the path of a blob in DataJoint's local cache directory,
// relative to it: <hex[0:2]>/<hex[2:4]>/<hex>, whatever the store's
// subfolding.
func CacheKey(h Hash) string {
	x := h.Hex()
	return x[0:2] + "/" + x[2:4] + "/" + x
}

// FullPath returns the path DataJoint uses for key in this store: the POSIX
// join of the location and the key. For S3, a location whose first
// component is a drive or a root ("C:\data", "\data", "/data") loses that
// component, as in DataJoint 0.14 on Python 3.11.
func (c StoreConfig) FullPath(key string) string {
	loc := c.Location
	if c.Protocol == ProtocolS3 {
		loc = s3Location(loc)
	}
	return joinPosix(loc, key)
}

// BlobPath is FullPath(BlobKey(db, h, c.Folds())).
func (c StoreConfig) BlobPath(db string, h Hash) string {
	return c.FullPath(BlobKey(db, h, c.Folds()))
}

// AttachPath is FullPath(AttachKey(db, h, name, c.Folds())).
func (c StoreConfig) AttachPath(db string, h Hash, name string) string {
	return c.FullPath(AttachKey(db, h, name, c.Folds()))
}

// FilepathPath is FullPath(FilepathKey(relativePath)).
func (c StoreConfig) FilepathPath(relativePath string) string {
	return c.FullPath(FilepathKey(relativePath))
}

// s3Location applies DataJoint's rule for S3 locations, as it behaves on
// Python 3.11 (the baseline): the location is read as a Windows path and its
// first component is dropped when it is a drive or a root, so `C:\data`,
// `\data` and "/data" all become "data"; backslashes become slashes.
func s3Location(loc string) string {
	loc = strings.ReplaceAll(loc, `\`, "/")
	if strings.HasPrefix(loc, "/") {
		return strings.TrimLeft(loc, "/")
	}
	first, rest, _ := strings.Cut(loc, "/")
	if strings.Contains(first, ":") {
		return rest
	}
	return loc
}

// joinPosix joins a and b as Python's PurePosixPath does: a leading "/" of
// the result is kept, empty and "." components are dropped, ".." is kept.
func joinPosix(a, b string) string {
	var parts []string
	abs := false
	for i, s := range []string{a, b} {
		if strings.HasPrefix(s, "/") {
			abs = true
			if i == 1 {
				parts = parts[:0]
			}
		}
		for _, p := range strings.Split(s, "/") {
			if p != "" && p != "." {
				parts = append(parts, p)
			}
		}
	}
	j := strings.Join(parts, "/")
	if abs {
		return "/" + j
	}
	if j == "" {
		return "."
	}
	return j
}

// CheckFilepath reports whether rel can be the relative path of a
// filepath@store object: a non-empty POSIX path relative to the stage and
// to the store location that stays under them. Absolute paths, ".."
// components, backslashes, a leading drive letter ("C:") and NUL are
// refused with an error matching ErrStore. Checking before the path is
// joined to a directory keeps a hostile tracking row from reaching outside
// the stage.
func CheckFilepath(rel string) error {
	bad := func(why string) error {
		return fmt.Errorf("%w: filepath %q %s", ErrStore, rel, why)
	}
	switch {
	case rel == "":
		return bad("is empty")
	case strings.ContainsRune(rel, 0):
		return bad("contains NUL")
	case strings.ContainsRune(rel, '\\'):
		return bad("contains a backslash")
	case path.IsAbs(rel):
		return bad("is absolute")
	case len(rel) >= 2 && rel[1] == ':' && ('a' <= rel[0]|0x20 && rel[0]|0x20 <= 'z'):
		return bad("starts with a drive letter")
	}
	for _, p := range strings.Split(rel, "/") {
		if p == ".." {
			return bad("leaves its directory (..)")
		}
	}
	if c := path.Clean(rel); c == "." {
		return bad("names no file")
	}
	return nil
}

// validKey rejects keys that would leave the store's root.
func validKey(key string) error {
	if key == "" || path.IsAbs(key) {
		return fmt.Errorf("%w: key %q must be a non-empty relative path", ErrStore, key)
	}
	if strings.ContainsRune(key, 0) {
		return fmt.Errorf("%w: key %q must not contain NUL", ErrStore, key)
	}
	for _, p := range strings.Split(key, "/") {
		if p == ".." {
			return fmt.Errorf("%w: key %q must not contain a \"..\" segment", ErrStore, key)
		}
	}
	return nil
}
