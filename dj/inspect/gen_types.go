package inspect

import (
	"strconv"
	"strings"

	"github.com/datajoint-go/datajoint/dj/schema"
)

// goField is the Go type of an attribute and the type= option its tag
// needs ("" when the Go type infers the same DataJoint type).
type goField struct {
	typ     string // Go type, without the pointer of a nullable attribute
	typeTag string
	imp     string // import path the type needs, or ""
	nilable bool   // the Go type holds nil itself (no pointer for NULL)
}

// intTypes maps integer base types to their Go types (signed, unsigned),
// and whether the Go type infers that DataJoint type.
var intTypes = map[string][2]string{
	"tinyint":   {"int8", "uint8"},
	"smallint":  {"int16", "uint16"},
	"mediumint": {"int32", "uint32"},
	"int":       {"int32", "uint32"},
	"bigint":    {"int64", "uint64"},
}

// goFieldOf chooses the Go type of an attribute: sized integers (unsigned
// ones unsigned), float32 for float and float64 for double, string for
// decimal (exact), char, varchar, enum and filepath, time.Time for date,
// datetime and timestamp, time.Duration for time, int16 for year,
// json.RawMessage for json, uuid.UUID for uuid, dj.Attachment for attach,
// and any for blobs, whose contents the schema does not describe. It
// reports false for a column type DataJoint does not support.
func goFieldOf(a *schema.Attribute) (goField, bool) {
	canon := schema.CanonicalType(a.Type)
	switch a.Category {
	case schema.CatInteger:
		fields := strings.Fields(canon)
		base := fields[0]
		if i := strings.IndexByte(base, '('); i > 0 {
			base = base[:i]
		}
		pair, ok := intTypes[base]
		if !ok {
			return goField{}, false
		}
		g := goField{typ: pair[0]}
		if a.Unsigned {
			g.typ = pair[1]
		}
		if base == "mediumint" {
			g.typeTag = canon
		}
		return g, true
	case schema.CatBool:
		return goField{typ: "bool"}, true
	case schema.CatFloat:
		switch canon {
		case "float":
			return goField{typ: "float32"}, true
		case "double":
			return goField{typ: "float64"}, true
		}
		return goField{typ: "float64", typeTag: canon}, true
	case schema.CatDecimal, schema.CatString, schema.CatEnum, schema.CatFilepath:
		return goField{typ: "string", typeTag: a.Type}, true
	case schema.CatTemporal:
		switch {
		case strings.HasPrefix(canon, "datetime"), strings.HasPrefix(canon, "date"), strings.HasPrefix(canon, "timestamp"):
			g := goField{typ: "time.Time", imp: "time", typeTag: canon}
			if canon == "datetime" {
				g.typeTag = ""
			}
			return g, true
		case strings.HasPrefix(canon, "time"):
			return goField{typ: "time.Duration", imp: "time", typeTag: canon}, true
		case strings.HasPrefix(canon, "year"):
			return goField{typ: "int16", typeTag: canon}, true
		}
	case schema.CatJSON:
		return goField{typ: "json.RawMessage", imp: "encoding/json"}, true
	case schema.CatBlob:
		g := goField{typ: "any", nilable: true}
		if canon != "longblob" {
			g.typeTag = canon
		}
		return g, true
	case schema.CatExternalBlob:
		return goField{typ: "any", typeTag: a.Type, nilable: true}, true
	case schema.CatUUID:
		return goField{typ: "uuid.UUID", imp: "github.com/google/uuid"}, true
	case schema.CatAttach, schema.CatExternalAttach:
		return goField{typ: "dj.Attachment", typeTag: a.Type}, true
	}
	return goField{}, false
}

// initialisms are kept upper case in Go names, as Go style wants.
var initialisms = map[string]bool{"id": true, "uuid": true, "url": true, "uri": true, "json": true, "http": true,
	"api": true, "ip": true, "sql": true, "html": true, "xml": true, "cpu": true, "gpu": true, "db": true}

// goName returns the Go field name of a column and whether it maps back to
// the column by dj's naming rule (otherwise the tag needs name=).
func goName(col string) (string, bool) {
	for _, initial := range []bool{true, false} {
		var b strings.Builder
		for _, p := range strings.Split(col, "_") {
			if p == "" {
				continue
			}
			if initial && initialisms[p] {
				b.WriteString(strings.ToUpper(p))
			} else {
				b.WriteString(strings.ToUpper(p[:1]) + p[1:])
			}
		}
		n := b.String()
		if n != "" && schema.FieldColumn(n) == col {
			return n, true
		}
	}
	n := ""
	for _, p := range strings.Split(col, "_") {
		if p != "" {
			n += strings.ToUpper(p[:1]) + p[1:]
		}
	}
	if n == "" || !isIdent(n) {
		n = "Attr" + strconv.Itoa(len(col))
	}
	return n, false
}

func isIdent(s string) bool {
	for i, r := range s {
		ok := r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (i > 0 && r >= '0' && r <= '9')
		if !ok {
			return false
		}
	}
	return s != ""
}

// tagDefault turns a default in DDL form (schema.Attribute.Default) into
// the default= option of a dj tag: numbers bare, text in single quotes,
// CURRENT_TIMESTAMP as is.
func tagDefault(a *schema.Attribute) string {
	d := a.Default
	up := strings.ToUpper(d)
	if strings.HasPrefix(up, "CURRENT_TIMESTAMP") {
		return d
	}
	v := d
	if len(d) >= 2 && (d[0] == '"' || d[0] == '\'') && d[len(d)-1] == d[0] {
		v = unescapeSQL(d[1:len(d)-1], d[0])
	}
	if a.Category.Numeric() || a.Category == schema.CatBool {
		if _, err := strconv.ParseFloat(v, 64); err == nil {
			return v
		}
	}
	return "'" + strings.ReplaceAll(v, "'", "''") + "'"
}

// unescapeSQL undoes backslash escapes and doubled quotes of a quoted SQL
// string's contents.
func unescapeSQL(s string, q byte) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			i++
			b.WriteByte(s[i])
		case c == q && i+1 < len(s) && s[i+1] == q:
			i++
			b.WriteByte(q)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// structTag renders `dj:"..." comment:"..."` for a field.
func structTag(opts []string, comment string, hasComment bool) string {
	var parts []string
	if len(opts) > 0 {
		parts = append(parts, "dj:"+strconv.Quote(strings.Join(opts, ",")))
	}
	if hasComment {
		parts = append(parts, "comment:"+strconv.Quote(comment))
	}
	if len(parts) == 0 {
		return ""
	}
	tag := strings.Join(parts, " ")
	if strings.Contains(tag, "`") {
		return " " + strconv.Quote(tag)
	}
	return " `" + tag + "`"
}
