package schema

import (
	"fmt"
	"strings"

	"github.com/datajoint-go/datajoint/dj/internal/djerr"
)

// The `dj` struct tag is a comma-separated list of options. An option is a
// flag ("pk") or key=value; commas inside single or double quotes or
// parentheses do not split options, so type=enum('a','b'),
// default='x,y' and proj=(a=b,c=d) are single options. There is no
// positional column name: `dj:"pk"` always means the flag.
//
// Valid options depend on where the tag is:
//
//	attribute field: pk, unique, nullable, auto_increment, -, name=, type=, default=
//	reference field: pk, unique, nullable, proj=(new=old,...)
//	tier marker:     index=(a,b), unique=(a,b)   (each repeatable)
//
// The `comment` tag key is separate: on a field it is the column comment,
// on the tier marker the table comment.
//
// type= must be a type the field's Go type fits (see "Go types that fit a
// column" in the package documentation); default= must be one SQL literal
// (see "Names and literals in DDL").
const (
	validFieldOptions  = "pk, unique, nullable, auto_increment, -, name=<column>, type=<datajoint type>, default=<sql literal>"
	validRefOptions    = "pk, unique, nullable, proj=(new=old,...)"
	validMarkerOptions = "index=(a,b,...), unique=(a,b,...)"
)

// tagOption is one option of a dj tag.
type tagOption struct {
	key    string // flag name or key
	value  string // value of key=value
	hasVal bool   // key=value form
}

// splitTopLevel splits s on sep where sep is not inside single or double
// quotes or parentheses. It reports unbalanced quotes or parentheses.
func splitTopLevel(s string, sep byte) ([]string, error) {
	var out []string
	depth, quote, start := 0, byte(0), 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' && i+1 < len(s) {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '(':
			depth++
		case c == ')':
			depth--
			if depth < 0 {
				return nil, fmt.Errorf("unbalanced ')' in %q", s)
			}
		case c == sep && depth == 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unterminated quote in %q", s)
	}
	if depth != 0 {
		return nil, fmt.Errorf("unbalanced '(' in %q", s)
	}
	return append(out, s[start:]), nil
}

// parseTag tokenizes a dj tag into options. Empty options (",,") are
// errors; surrounding spaces are trimmed.
func parseTag(tag string) ([]tagOption, error) {
	tag = strings.TrimSpace(tag)
	if tag == "" {
		return nil, nil
	}
	parts, err := splitTopLevel(tag, ',')
	if err != nil {
		return nil, err
	}
	opts := make([]tagOption, 0, len(parts))
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" {
			return nil, fmt.Errorf("empty option in %q", tag)
		}
		if k, v, ok := strings.Cut(p, "="); ok {
			opts = append(opts, tagOption{key: strings.ToLower(strings.TrimSpace(k)), value: strings.TrimSpace(v), hasVal: true})
			continue
		}
		opts = append(opts, tagOption{key: strings.ToLower(p)})
	}
	return opts, nil
}

// parenList parses "(a, b, c)" into its trimmed, non-empty elements.
func parenList(v string) ([]string, error) {
	v = strings.TrimSpace(v)
	if !strings.HasPrefix(v, "(") || !strings.HasSuffix(v, ")") {
		return nil, fmt.Errorf("%q must be a parenthesised list like (a,b)", v)
	}
	parts, err := splitTopLevel(v[1:len(v)-1], ',')
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(parts))
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" {
			return nil, fmt.Errorf("empty element in %q", v)
		}
		out = append(out, p)
	}
	return out, nil
}

// fieldTag is the parsed dj tag of an attribute field.
type fieldTag struct {
	skip          bool
	pk            bool
	unique        bool
	nullable      bool
	autoIncrement bool
	name          string
	typ           string
	def           string
	hasDefault    bool
}

// refTag is the parsed dj tag of a reference field.
type refTag struct {
	pk       bool
	unique   bool
	nullable bool
	proj     [][2]string // new, old
}

// markerTag is the parsed dj tag of the tier marker.
type markerTag struct {
	indexes []Index
}

// declErr builds an ErrDeclaration error that names the struct and field.
func declErr(structName, field, format string, args ...any) error {
	where := structName
	if field != "" {
		where += "." + field
	}
	return fmt.Errorf("%w: %s: %s", djerr.ErrDeclaration, where, fmt.Sprintf(format, args...))
}

func parseFieldTag(structName, field, tag string) (fieldTag, error) {
	var ft fieldTag
	opts, err := parseTag(tag)
	if err != nil {
		return ft, declErr(structName, field, "malformed dj tag: %v; valid options: %s", err, validFieldOptions)
	}
	seen := map[string]bool{}
	for _, o := range opts {
		if seen[o.key] {
			return ft, declErr(structName, field, "option %q given twice in dj tag %q", o.key, tag)
		}
		seen[o.key] = true
		switch {
		case o.key == "-" && !o.hasVal:
			ft.skip = true
		case o.key == "pk" && !o.hasVal:
			ft.pk = true
		case o.key == "unique" && !o.hasVal:
			ft.unique = true
		case o.key == "nullable" && !o.hasVal:
			ft.nullable = true
		case o.key == "auto_increment" && !o.hasVal:
			ft.autoIncrement = true
		case o.key == "name" && o.hasVal:
			if !validColumn(o.value) {
				return ft, declErr(structName, field, "name=%s is not a valid attribute name (it must match [a-z][a-z0-9_]* and have at most 64 characters)", o.value)
			}
			ft.name = o.value
		case o.key == "type" && o.hasVal:
			if o.value == "" {
				return ft, declErr(structName, field, "type= needs a DataJoint type, e.g. type=varchar(255)")
			}
			ft.typ = o.value
		case o.key == "default" && o.hasVal:
			if o.value == "" {
				return ft, declErr(structName, field, "default= needs a value; write default='' for the empty string")
			}
			ft.def, ft.hasDefault = o.value, true
		case o.key == "proj":
			return ft, declErr(structName, field, "proj= is an option of reference fields only; valid options: %s", validFieldOptions)
		default:
			return ft, declErr(structName, field, "unknown option %q in dj tag %q; valid options: %s", optText(o), tag, validFieldOptions)
		}
	}
	if ft.skip && len(opts) > 1 {
		return ft, declErr(structName, field, `"-" excludes the field from the table and cannot be combined with other options`)
	}
	if ft.pk && ft.nullable {
		return ft, declErr(structName, field, "pk and nullable contradict each other: primary-key attributes cannot be NULL")
	}
	if ft.pk && ft.hasDefault {
		return ft, declErr(structName, field, "pk and default= contradict each other: primary-key attributes take no default")
	}
	if ft.autoIncrement && !ft.pk {
		return ft, declErr(structName, field, "auto_increment is allowed only on an integer primary-key attribute; add pk or remove auto_increment")
	}
	if ft.autoIncrement && ft.hasDefault {
		return ft, declErr(structName, field, "auto_increment and default= contradict each other")
	}
	return ft, nil
}

func parseRefTag(structName, field, tag string) (refTag, error) {
	var rt refTag
	opts, err := parseTag(tag)
	if err != nil {
		return rt, declErr(structName, field, "malformed dj tag: %v; valid options for a reference: %s", err, validRefOptions)
	}
	seen := map[string]bool{}
	for _, o := range opts {
		if seen[o.key] {
			return rt, declErr(structName, field, "option %q given twice in dj tag %q", o.key, tag)
		}
		seen[o.key] = true
		switch {
		case o.key == "pk" && !o.hasVal:
			rt.pk = true
		case o.key == "unique" && !o.hasVal:
			rt.unique = true
		case o.key == "nullable" && !o.hasVal:
			rt.nullable = true
		case o.key == "proj" && o.hasVal:
			items, err := parenList(o.value)
			if err != nil {
				return rt, declErr(structName, field, "proj: %v; write proj=(new_name=parent_name,...)", err)
			}
			for _, it := range items {
				nw, old, ok := strings.Cut(it, "=")
				nw, old = strings.TrimSpace(nw), strings.TrimSpace(old)
				if !ok || !validColumn(nw) || !validColumn(old) {
					return rt, declErr(structName, field, "proj item %q must be new_name=parent_name with attribute names", it)
				}
				rt.proj = append(rt.proj, [2]string{nw, old})
			}
		default:
			return rt, declErr(structName, field, "unknown option %q for a reference in dj tag %q; valid options: %s", optText(o), tag, validRefOptions)
		}
	}
	if rt.pk && rt.nullable {
		return rt, declErr(structName, field, "a reference in the primary key (pk) cannot be nullable")
	}
	return rt, nil
}

func parseMarkerTag(structName, field, tag string) (markerTag, error) {
	var mt markerTag
	opts, err := parseTag(tag)
	if err != nil {
		return mt, declErr(structName, field, "malformed dj tag: %v; valid options on the tier marker: %s", err, validMarkerOptions)
	}
	for _, o := range opts {
		if (o.key == "index" || o.key == "unique") && o.hasVal {
			attrs, err := parenList(o.value)
			if err != nil {
				return mt, declErr(structName, field, "%s: %v", o.key, err)
			}
			for _, a := range attrs {
				if !validColumn(a) {
					return mt, declErr(structName, field, "%s=%s: %q is not an attribute name", o.key, o.value, a)
				}
			}
			mt.indexes = append(mt.indexes, Index{Unique: o.key == "unique", Attrs: attrs})
			continue
		}
		return mt, declErr(structName, field, "unknown option %q on the tier marker in dj tag %q; valid options: %s", optText(o), tag, validMarkerOptions)
	}
	return mt, nil
}

func optText(o tagOption) string {
	if o.hasVal {
		return o.key + "=" + o.value
	}
	return o.key
}
