package schema

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/datajoint-go/datajoint/dj/internal/djerr"
)

// TypeInfo is a parsed DataJoint 0.14 attribute type.
type TypeInfo struct {
	// Type is the type text in lower case (outside quotes) with runs of
	// white space collapsed and "auto_increment" removed: "int unsigned",
	// "varchar(32)", "uuid", "blob@raw", "enum('A','b')".
	Type string
	// SQLType is the MySQL column type for DDL: binary(16) for uuid and
	// external types, longblob for attach, otherwise Type.
	SQLType string
	// Category classifies the type.
	Category Category
	// Store is the object store of external types.
	Store string
	// Unsigned is true for unsigned numeric types (and serial).
	Unsigned bool
	// AutoIncrement is true when the text carried "auto_increment".
	AutoIncrement bool
}

// storeNameRE is DataJoint's store-name pattern.
const storeNameRE = `[a-z][\-\w]*`

var typePatterns = []struct {
	cat Category
	re  *regexp.Regexp
}{
	{CatInteger, regexp.MustCompile(`^(?:(?:tiny|small|medium|big)?int|integer)(?: ?\( ?\d+ ?\))?( unsigned)?(?: zerofill)?$|^serial$`)},
	{CatDecimal, regexp.MustCompile(`^(?:decimal|numeric)(?: ?\( ?\d+ ?(?:, ?\d+ ?)?\))?( unsigned)?$`)},
	{CatFloat, regexp.MustCompile(`^(?:double|float|real)(?: ?\( ?\d+ ?(?:, ?\d+ ?)?\))?( unsigned)?$`)},
	{CatString, regexp.MustCompile(`^(?:var)?char ?\( ?\d+ ?\)$`)},
	{CatJSON, regexp.MustCompile(`^json$`)},
	{CatEnum, regexp.MustCompile(`^enum ?\(.+\)$`)},
	{CatBool, regexp.MustCompile(`^bool(?:ean)?$`)},
	{CatTemporal, regexp.MustCompile(`^(?:date|datetime|time|timestamp|year)(?: ?\( ?\d+ ?\))?$`)},
	{CatBlob, regexp.MustCompile(`^(?:tiny|medium|long)?blob$`)},
	{CatExternalBlob, regexp.MustCompile(`^blob@(` + storeNameRE + `)$`)},
	{CatAttach, regexp.MustCompile(`^attach$`)},
	{CatExternalAttach, regexp.MustCompile(`^attach@(` + storeNameRE + `)$`)},
	{CatFilepath, regexp.MustCompile(`^filepath@(` + storeNameRE + `)$`)},
	{CatUUID, regexp.MustCompile(`^uuid$`)},
}

// normalizeType lower-cases text outside quotes and collapses white space
// outside quotes to single spaces.
func normalizeType(text string) string {
	var b strings.Builder
	b.Grow(len(text))
	quote := byte(0)
	space := false
	for i := 0; i < len(text); i++ {
		c := text[i]
		if quote != 0 {
			b.WriteByte(c)
			if c == '\\' && i+1 < len(text) {
				i++
				b.WriteByte(text[i])
			} else if c == quote {
				quote = 0
			}
			continue
		}
		switch c {
		case ' ', '\t', '\n', '\r':
			space = true
			continue
		case '\'', '"':
			quote = c
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		b.WriteByte(c)
	}
	return b.String()
}

// ParseType parses a DataJoint 0.14 attribute type, case-insensitively, as
// DataJoint matches it: integer types (with optional display width,
// unsigned and auto_increment) and serial, decimal/numeric, float/double/
// real, char(n)/varchar(n), enum(...), bool/boolean, date/datetime/time/
// timestamp/year, json, tinyblob/blob/mediumblob/longblob, uuid, attach,
// and blob@store, attach@store, filepath@store with the store name matching
// [a-z][\-\w]*. Anything else is an error wrapping djerr.ErrDeclaration
// ("unsupported type").
func ParseType(text string) (TypeInfo, error) {
	t := normalizeType(text)
	var ti TypeInfo
	if rest, ok := strings.CutSuffix(t, " auto_increment"); ok {
		t, ti.AutoIncrement = rest, true
	}
	for _, p := range typePatterns {
		m := p.re.FindStringSubmatch(t)
		if m == nil {
			continue
		}
		ti.Type, ti.SQLType, ti.Category = t, t, p.cat
		switch p.cat {
		case CatInteger:
			ti.Unsigned = t == "serial" || m[1] != ""
		case CatDecimal, CatFloat:
			ti.Unsigned = m[1] != ""
		case CatUUID, CatExternalBlob, CatExternalAttach, CatFilepath:
			ti.SQLType = "binary(16)"
			if p.cat != CatUUID {
				// Store names keep their case, as DataJoint matches
				// types case-insensitively but uses the name as given.
				orig := strings.TrimSpace(text)
				ti.Store = orig[strings.IndexByte(orig, '@')+1:]
				ti.Type = t[:strings.IndexByte(t, '@')+1] + ti.Store
			}
		case CatAttach:
			ti.SQLType = "longblob"
		case CatEnum:
			if err := checkEnum(t[strings.IndexByte(t, '(')+1 : len(t)-1]); err != nil {
				return TypeInfo{}, fmt.Errorf("%w: type %q: %v", djerr.ErrDeclaration, text, err)
			}
		}
		if n := len(ExternalTableName(ti.Store)); n > MaxNameLength {
			return TypeInfo{}, fmt.Errorf("%w: type %q: store name %q makes table name %s of %d characters; MySQL allows at most %d", djerr.ErrDeclaration, text, ti.Store, ExternalTableName(ti.Store), n, MaxNameLength)
		}
		if ti.AutoIncrement && p.cat != CatInteger {
			return TypeInfo{}, fmt.Errorf("%w: type %q: auto_increment applies only to integer types", djerr.ErrDeclaration, text)
		}
		return ti, nil
	}
	hint := ""
	switch {
	case t == "char" || t == "varchar":
		hint = fmt.Sprintf("; %s needs a length, e.g. %s(255)", t, t)
	case strings.Contains(t, "text"):
		hint = "; use varchar(n), or longblob for large values"
	case strings.Contains(t, "@"):
		hint = "; store names must match [a-z][-\\w]*"
	}
	return TypeInfo{}, fmt.Errorf("%w: unsupported type %q%s", djerr.ErrDeclaration, text, hint)
}

var (
	intWidthRE     = regexp.MustCompile(`^((?:tiny|small|medium|big)?int|integer)\(\d+\)`)
	floatWidthRE   = regexp.MustCompile(`^(float|double|real)\(\d+\)`)
	floatPrecRE    = regexp.MustCompile(`^float\((\d+)\)`)
	decimalPrecRE  = regexp.MustCompile(`^(decimal|numeric)(\((\d+)(?:,(\d+))?\))?`)
	temporalZeroRE = regexp.MustCompile(`^(datetime|timestamp|time)\(0\)$`)
)

// compactType removes white space next to parentheses and commas outside
// quotes, after normalizeType.
func compactType(t string) string {
	t = normalizeType(t)
	var b strings.Builder
	quote := byte(0)
	for i := 0; i < len(t); i++ {
		c := t[i]
		if quote != 0 {
			b.WriteByte(c)
			if c == '\\' && i+1 < len(t) {
				i++
				b.WriteByte(t[i])
			} else if c == quote {
				quote = 0
			}
			continue
		}
		if c == '\'' || c == '"' {
			quote = c
		}
		if c == ' ' {
			prev := byte(0)
			if b.Len() > 0 {
				prev = b.String()[b.Len()-1]
			}
			next := byte(0)
			if i+1 < len(t) {
				next = t[i+1]
			}
			if prev == '(' || prev == ',' || next == '(' || next == ')' || next == ',' {
				continue
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}

// CanonicalType returns the form in which MySQL reports a DataJoint type
// and DataJoint reads it back: integer display widths removed, aliases
// resolved (integer→int, bool→tinyint, serial→bigint unsigned,
// numeric→decimal, real→double), decimal precision made explicit, enum
// values single-quoted, zero fractional-second precision dropped. The
// markers types (uuid, attach, blob@store, ...) are returned unchanged.
// Two declarations with the same canonical type create identical columns.
func CanonicalType(typ string) string {
	t := compactType(typ)
	t = strings.TrimSuffix(t, " auto_increment")
	switch t {
	case "serial":
		return "bigint unsigned"
	case "bool", "boolean":
		return "tinyint"
	case "real":
		return "double"
	case "year(4)":
		return "year"
	}
	switch {
	case strings.HasPrefix(t, "integer"):
		t = "int" + strings.TrimPrefix(t, "integer")
	case strings.HasPrefix(t, "real"):
		t = "double" + strings.TrimPrefix(t, "real")
	}
	if m := intWidthRE.FindStringSubmatch(t); m != nil {
		t = m[1] + t[len(m[0]):]
	}
	if m := floatPrecRE.FindStringSubmatch(t); m != nil {
		p, _ := strconv.Atoi(m[1])
		base := "float"
		if p > 24 {
			base = "double"
		}
		t = base + t[len(m[0]):]
	} else if m := floatWidthRE.FindStringSubmatch(t); m != nil {
		t = m[1] + t[len(m[0]):]
	}
	if m := decimalPrecRE.FindStringSubmatch(t); m != nil {
		p, s := "10", "0"
		if m[3] != "" {
			p = m[3]
		}
		if m[4] != "" {
			s = m[4]
		}
		t = "decimal(" + p + "," + s + ")" + t[len(m[0]):]
	}
	if temporalZeroRE.MatchString(t) {
		t = t[:strings.IndexByte(t, '(')]
	}
	if strings.HasPrefix(t, "enum(") && strings.HasSuffix(t, ")") {
		if vals, err := splitTopLevel(t[5:len(t)-1], ','); err == nil {
			for i, v := range vals {
				vals[i] = sqlQuote(unquoteSQL(strings.TrimSpace(v)), '\'')
			}
			t = "enum(" + strings.Join(vals, ",") + ")"
		}
	}
	return t
}

// unquoteSQL removes one level of SQL string quoting ('…' or "…"), undoing
// doubled quotes and backslash escapes. Unquoted text is returned as is.
func unquoteSQL(s string) string {
	if len(s) < 2 || (s[0] != '\'' && s[0] != '"') || s[len(s)-1] != s[0] {
		return s
	}
	q := s[0]
	body := s[1 : len(s)-1]
	var b strings.Builder
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case c == '\\' && i+1 < len(body):
			i++
			switch body[i] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case '0':
				b.WriteByte(0)
			default:
				b.WriteByte(body[i])
			}
		case c == q && i+1 < len(body) && body[i+1] == q:
			i++
			b.WriteByte(q)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// sqlQuote quotes s as an SQL string literal with quote character q,
// escaping backslashes and doubling q.
func sqlQuote(s string, q byte) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	s = strings.ReplaceAll(s, string(q), string([]byte{q, q}))
	return string(q) + s + string(q)
}
