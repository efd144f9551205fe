package schema

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"github.com/datajoint-go/datajoint/dj/internal/djerr"
	"github.com/datajoint-go/datajoint/dj/internal/names"
)

// MaxNameLength is MySQL's limit on table and column names, which
// DataJoint checks when a table is declared.
const MaxNameLength = 64

var (
	classNameRE = regexp.MustCompile(`^[A-Z][A-Za-z0-9]*$`)
	columnRE    = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

	// baseName is DataJoint's snake-case table base name: words of
	// lower-case letters and digits joined by single underscores.
	baseName = `[a-z][a-z0-9]*(?:_[a-z][a-z0-9]*)*`
	tableRE  = regexp.MustCompile(`^(#|__|_)?(` + baseName + `)$`)
	partRE   = regexp.MustCompile(`^((?:#|__|_)?` + baseName + `)__(` + baseName + `)$`)
)

// ToSnakeCase converts a DataJoint class name to the base of its table name
// with DataJoint's exact rule: the name must match ^[A-Z][A-Za-z0-9]*$, and
// every upper-case letter is lower-cased and preceded by "_" when the
// character before it is a letter or a digit. TableName gives
// "table_name", MyTableABC "my_table_a_b_c", Scan2Mouse "scan2_mouse".
// Other names are an error wrapping djerr.ErrDeclaration.
func ToSnakeCase(className string) (string, error) {
	if !classNameRE.MatchString(className) {
		return "", fmt.Errorf("%w: class name %q is not CamelCase (it must match ^[A-Z][A-Za-z0-9]*$)", djerr.ErrDeclaration, className)
	}
	var b strings.Builder
	b.Grow(len(className) + 4)
	for i := 0; i < len(className); i++ {
		c := className[i]
		if c >= 'A' && c <= 'Z' {
			if i > 0 {
				b.WriteByte('_')
			}
			b.WriteByte(c + ('a' - 'A'))
			continue
		}
		b.WriteByte(c)
	}
	return b.String(), nil
}

// ToCamelCase converts a table name back to a class name with DataJoint's
// rule: the letter at the start and every letter after a run of
// underscores or other non-word characters is upper-cased, and those
// separators are removed. "#lookup_tbl" gives "LookupTbl", "__comp" gives
// "Comp". A part table name gives the concatenation ("__a__b" → "AB");
// split it with ParseTableName first to get the part's own class name.
func ToCamelCase(tableName string) string {
	isWord := func(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }
	isLetter := func(r rune) bool { return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') }
	rs := []rune(tableName)
	var b strings.Builder
	for i := 0; i < len(rs); {
		// A run of separators (at the start it may be empty) followed by
		// an ASCII letter collapses into that letter, upper-cased.
		j := i
		for j < len(rs) && (rs[j] == '_' || !isWord(rs[j])) {
			j++
		}
		if (j > i || i == 0) && j < len(rs) && isLetter(rs[j]) {
			b.WriteRune(unicode.ToUpper(rs[j]))
			i = j + 1
			continue
		}
		if j > i {
			b.WriteString(string(rs[i:j]))
			i = j
			continue
		}
		b.WriteRune(rs[i])
		i++
	}
	return b.String()
}

// TableName returns the MySQL table name of a class of the given tier:
// the tier prefix plus the snake-case class name, or for a Part
// "<masterTableName>__<snake part name>". masterTableName is used only for
// parts. Names longer than 64 characters, invalid class names, a part
// without a master and the System tier are errors wrapping
// djerr.ErrDeclaration.
func TableName(tier Tier, className, masterTableName string) (string, error) {
	snake, err := ToSnakeCase(className)
	if err != nil {
		return "", err
	}
	var name string
	switch tier {
	case Manual, Lookup, Imported, Computed:
		name = tier.Prefix() + snake
	case Part:
		if masterTableName == "" {
			return "", fmt.Errorf("%w: part %s has no master table", djerr.ErrDeclaration, className)
		}
		if _, m, ok := ParseTableName(masterTableName); !ok || m != "" {
			return "", fmt.Errorf("%w: part %s: master table name %q is not a top-level DataJoint table name (parts cannot be nested)", djerr.ErrDeclaration, className, masterTableName)
		}
		name = masterTableName + "__" + snake
	default:
		return "", fmt.Errorf("%w: class %s: tier %s cannot be declared by users", djerr.ErrDeclaration, className, tier)
	}
	if len(name) > MaxNameLength {
		return "", fmt.Errorf("%w: table name %q of class %s is %d characters long; MySQL allows at most %d (shorten the struct name)", djerr.ErrDeclaration, name, className, len(name), MaxNameLength)
	}
	return name, nil
}

// ParseTableName identifies the tier of a table from its name with
// DataJoint's regular expressions. For a part it returns Part and the
// master's table name; names starting with "~" are System tables. ok is
// false for names that DataJoint would not treat as a table of any tier.
func ParseTableName(name string) (tier Tier, master string, ok bool) {
	if strings.HasPrefix(name, "~") {
		return System, "", true
	}
	if m := partRE.FindStringSubmatch(name); m != nil {
		return Part, m[1], true
	}
	m := tableRE.FindStringSubmatch(name)
	if m == nil {
		return 0, "", false
	}
	switch m[1] {
	case "#":
		return Lookup, "", true
	case "_":
		return Imported, "", true
	case "__":
		return Computed, "", true
	}
	return Manual, "", true
}

// ClassNameOf returns the class name DataJoint gives the table: the
// CamelCase of the name without its prefix, and for a part the CamelCase
// of the part's own name ("__spikes__unit" → "Unit").
func ClassNameOf(name string) string {
	tier, master, ok := ParseTableName(name)
	if ok && tier == Part {
		return ToCamelCase(strings.TrimPrefix(name, master+"__"))
	}
	return ToCamelCase(name)
}

// FieldColumn returns the column name of a Go struct field: Go-style
// snake_case that keeps initialisms together. "SubjectID" gives
// "subject_id", "HTTPServer" "http_server", "Scan2Mouse" "scan2_mouse",
// "X" "x". Underscores in the field name are kept.
func FieldColumn(field string) string { return names.Snake(field) }

// validColumn reports whether name is a valid DataJoint attribute name.
func validColumn(name string) bool {
	return columnRE.MatchString(name) && len(name) <= MaxNameLength
}
