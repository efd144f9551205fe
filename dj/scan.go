package dj

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/datajoint-go/datajoint/dj/blob"
	"github.com/datajoint-go/datajoint/dj/schema"
)

// scanPlan maps the columns of a result to the fields of a struct type.
type scanPlan struct {
	cols []colPlan
}

// colPlan says how one result column reaches its field.
type colPlan struct {
	attr  *schema.Attribute
	index []int // field index path; nil discards the column
	// direct columns scan straight into the field; the others scan into a
	// sql.RawBytes and are converted by conv.
	direct bool
	conv   func(raw []byte, dst reflect.Value, o *fetchOptions) error
}

type planKey struct {
	typ     reflect.Type
	heading string
	lax     bool
}

var planCache sync.Map // planKey → *scanPlan

// headingSignature identifies a heading for plan caching.
func headingSignature(h *schema.Heading) string {
	var b strings.Builder
	for i := range h.Attributes {
		a := &h.Attributes[i]
		b.WriteString(a.Name)
		b.WriteByte(':')
		b.WriteString(a.Type)
		if a.Nullable {
			b.WriteByte('?')
		}
		b.WriteByte(';')
	}
	return b.String()
}

// planFor builds (or reuses) the plan that scans rows with heading h into
// struct type typ. Strict plans require a one-to-one match between
// attributes and fields; lax plans use the attributes that have a field.
func planFor(typ reflect.Type, h *schema.Heading, lax bool) (*scanPlan, error) {
	key := planKey{typ, headingSignature(h), lax}
	if p, ok := planCache.Load(key); ok {
		return p.(*scanPlan), nil
	}
	fields, err := structColumns(typ)
	if err != nil {
		return nil, err
	}
	byCol := map[string]*fieldColumn{}
	for i := range fields {
		byCol[fields[i].column] = &fields[i]
	}
	p := &scanPlan{}
	used := map[string]bool{}
	for i := range h.Attributes {
		a := &h.Attributes[i]
		f, ok := byCol[a.Name]
		if !ok {
			if !lax {
				return nil, fmt.Errorf("%w: attribute %q has no field in %s (add a field, project the query, or use dj.Lax())", ErrUnknownAttribute, a.Name, typ)
			}
			p.cols = append(p.cols, colPlan{attr: a})
			continue
		}
		used[a.Name] = true
		cp, err := columnPlan(a, f)
		if err != nil {
			return nil, err
		}
		p.cols = append(p.cols, cp)
	}
	if !lax {
		for _, f := range fields {
			if !used[f.column] {
				return nil, fmt.Errorf("%w: field %s.%s (%s) is not an attribute of the query (use dj.Lax() to leave it unset)", ErrUnknownAttribute, typ.Name(), f.name, f.column)
			}
		}
	}
	planCache.Store(key, p)
	return p, nil
}

func columnPlan(a *schema.Attribute, f *fieldColumn) (colPlan, error) {
	cp := colPlan{attr: a, index: f.index}
	ft := f.typ
	base := ft
	isPtr := false
	if base.Kind() == reflect.Pointer {
		base = base.Elem()
		isPtr = true
	}
	kind := base.Kind()
	isInt := kind >= reflect.Int && kind <= reflect.Uint64
	isFloat := kind == reflect.Float32 || kind == reflect.Float64
	tkind := strings.SplitN(a.Type, "(", 2)[0]
	switch a.Category {
	case 0:
		// A computed attribute of a projection or aggregation: its type is
		// whatever the SQL expression yields; database/sql converts it.
		if a.Nullable && isFloat && !isPtr {
			cp.conv = convNaNFloat
			return cp, nil
		}
		cp.direct = true
		return cp, nil
	case schema.CatInteger, schema.CatBool:
		if isInt || isFloat || kind == reflect.Bool || kind == reflect.String {
			cp.direct = true
			return cp, nil
		}
	case schema.CatFloat, schema.CatDecimal:
		if isFloat && a.Nullable && !isPtr {
			cp.conv = convNaNFloat
			return cp, nil
		}
		if isFloat || kind == reflect.String || (a.Category == schema.CatDecimal && base == reflect.TypeFor[blob.Decimal]()) {
			cp.direct = kind != reflect.String || base == reflect.TypeFor[string]()
			if !cp.direct {
				cp.conv = bind(a, convStringImpl)
			}
			return cp, nil
		}
	case schema.CatString, schema.CatEnum:
		if kind == reflect.String {
			cp.direct = base == reflect.TypeFor[string]()
			if !cp.direct {
				cp.conv = bind(a, convStringImpl)
			}
			return cp, nil
		}
		if base == reflect.TypeFor[[]byte]() {
			cp.direct = true
			return cp, nil
		}
	case schema.CatTemporal:
		switch {
		case base == reflect.TypeFor[time.Time]() && tkind != "time" && tkind != "year":
			cp.direct = true
			return cp, nil
		case base == reflect.TypeFor[time.Duration]() && tkind == "time":
			cp.conv = bind(a, convDurationImpl)
			return cp, nil
		case kind == reflect.String:
			cp.conv = bind(a, convStringImpl)
			return cp, nil
		case tkind == "year" && isInt:
			cp.direct = true
			return cp, nil
		}
	case schema.CatJSON:
		cp.conv = bind(a, convJSONImpl)
		return cp, nil
	case schema.CatBlob:
		cp.conv = bind(a, convBlobImpl)
		return cp, nil
	case schema.CatUUID:
		if base == reflect.TypeFor[uuid.UUID]() || kind == reflect.String || (kind == reflect.Array && base.Len() == 16 && base.Elem().Kind() == reflect.Uint8) || base == reflect.TypeFor[[]byte]() {
			cp.conv = bind(a, convUUIDImpl)
			return cp, nil
		}
	case schema.CatAttach:
		if base == reflect.TypeFor[Attachment]() || kind == reflect.String {
			cp.conv = bind(a, convAttachImpl)
			return cp, nil
		}
	case schema.CatExternalBlob, schema.CatExternalAttach, schema.CatFilepath:
		cp.conv = bind(a, convExternalImpl)
		return cp, nil
	}
	return cp, fmt.Errorf("%w: attribute %q (%s) cannot be read into field %s of type %s", ErrType, a.Name, a.Type, f.name, ft)
}

// setConverted stores into dst (a field), allocating pointer fields; a NULL
// (raw == nil) sets a pointer field to nil and fails for other fields.
func setConverted(raw []byte, dst reflect.Value, a *schema.Attribute, o *fetchOptions, conv func([]byte, reflect.Value, *schema.Attribute, *fetchOptions) error) error {
	if dst.Kind() == reflect.Pointer {
		if raw == nil {
			dst.SetZero()
			return nil
		}
		if dst.IsNil() {
			dst.Set(reflect.New(dst.Type().Elem()))
		}
		dst = dst.Elem()
	} else if raw == nil {
		if a.Category == schema.CatBlob || a.Category == schema.CatJSON {
			dst.SetZero()
			return nil
		}
		return fmt.Errorf("%w: attribute %q is NULL; use a pointer field to receive NULL", ErrType, a.Name)
	}
	return conv(raw, dst, a, o)
}

func convNaNFloat(raw []byte, dst reflect.Value, o *fetchOptions) error {
	if raw == nil {
		dst.SetFloat(math.NaN())
		return nil
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrType, err)
	}
	dst.SetFloat(f)
	return nil
}

// The converters below receive non-NULL raw bytes and a settable,
// non-pointer destination.

func convStringImpl(raw []byte, dst reflect.Value, _ *schema.Attribute, _ *fetchOptions) error {
	dst.SetString(string(raw))
	return nil
}

func parseTimeText(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02 15:04:05.999999999", "2006-01-02", time.RFC3339Nano} {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("cannot parse %q as a date or datetime", s)
}

func convDurationImpl(raw []byte, dst reflect.Value, _ *schema.Attribute, _ *fetchOptions) error {
	d, err := parseDuration(raw)
	if err != nil {
		return err
	}
	dst.SetInt(int64(d))
	return nil
}

func convJSONImpl(raw []byte, dst reflect.Value, a *schema.Attribute, _ *fetchOptions) error {
	switch dst.Type() {
	case reflect.TypeFor[json.RawMessage](), reflect.TypeFor[[]byte]():
		dst.SetBytes(append([]byte(nil), raw...))
		return nil
	}
	if err := json.Unmarshal(raw, dst.Addr().Interface()); err != nil {
		return fmt.Errorf("%w: attribute %q: %w", ErrType, a.Name, err)
	}
	return nil
}

func convBlobImpl(raw []byte, dst reflect.Value, a *schema.Attribute, _ *fetchOptions) error {
	if err := blob.Unmarshal(raw, dst.Addr().Interface()); err != nil {
		return fmt.Errorf("attribute %q: %w", a.Name, err)
	}
	return nil
}

func convUUIDImpl(raw []byte, dst reflect.Value, a *schema.Attribute, _ *fetchOptions) error {
	if len(raw) != 16 {
		return fmt.Errorf("%w: attribute %q holds %d bytes, not a uuid", ErrType, a.Name, len(raw))
	}
	u := uuid.UUID(raw)
	switch {
	case dst.Kind() == reflect.String:
		dst.SetString(u.String())
	case dst.Kind() == reflect.Slice:
		dst.SetBytes(append([]byte(nil), raw...))
	default:
		reflect.Copy(dst, reflect.ValueOf(u[:]))
	}
	return nil
}

func convAttachImpl(raw []byte, dst reflect.Value, a *schema.Attribute, o *fetchOptions) error {
	att, err := splitAttach(raw)
	if err != nil {
		return fmt.Errorf("attribute %q: %w", a.Name, err)
	}
	if dst.Kind() == reflect.String {
		path, err := saveAttachment(o.downloadPath, att)
		if err != nil {
			return fmt.Errorf("attribute %q: %w", a.Name, err)
		}
		dst.SetString(path)
		return nil
	}
	dst.Set(reflect.ValueOf(att))
	return nil
}

// bind makes a column converter for attribute a from f, handling NULL
// and pointer fields.
func bind(a *schema.Attribute, f func([]byte, reflect.Value, *schema.Attribute, *fetchOptions) error) func([]byte, reflect.Value, *fetchOptions) error {
	return func(raw []byte, dst reflect.Value, o *fetchOptions) error {
		return setConverted(raw, dst, a, o, f)
	}
}

// saveAttachment writes an attachment into dir and returns its path. An
// existing file with the same contents is reused; a different file with
// the same name makes DataJoint's "<stem>_NNNN<ext>" alias.
func saveAttachment(dir string, att Attachment) (string, error) {
	if dir == "" {
		dir = "."
	}
	name := filepath.Base(att.Name)
	if name == "." || name == string(filepath.Separator) || name == "" {
		return "", fmt.Errorf("%w: invalid attachment name %q", ErrType, att.Name)
	}
	ext := filepath.Ext(name)
	stem := strings.TrimSuffix(name, ext)
	candidate := filepath.Join(dir, name)
	for i := 0; ; i++ {
		existing, err := os.ReadFile(candidate)
		if os.IsNotExist(err) {
			break
		}
		if err == nil && string(existing) == string(att.Data) {
			return candidate, nil
		}
		if i > 0xFFFF {
			return "", fmt.Errorf("%w: no free name for attachment %q in %s", ErrType, name, dir)
		}
		candidate = filepath.Join(dir, fmt.Sprintf("%s_%04x%s", stem, i, ext))
	}
	tmp := candidate + ".saving"
	if err := os.WriteFile(tmp, att.Data, 0o644); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, candidate); err != nil {
		return "", err
	}
	return candidate, nil
}

// scanRow scans the current row of rows into the struct at dst following
// p. buf holds per-column destinations and raw holders, reused per row.
type rowScanner struct {
	plan *scanPlan
	dest []any
	raw  []sql.RawBytes
	opts *fetchOptions
}

func newRowScanner(p *scanPlan, o *fetchOptions) *rowScanner {
	return &rowScanner{plan: p, dest: make([]any, len(p.cols)), raw: make([]sql.RawBytes, len(p.cols)), opts: o}
}

var discard any

func (s *rowScanner) scan(rows *sql.Rows, dst reflect.Value) error {
	for i := range s.plan.cols {
		c := &s.plan.cols[i]
		switch {
		case c.index == nil:
			s.dest[i] = &discard
		case c.direct:
			s.dest[i] = dst.FieldByIndex(c.index).Addr().Interface()
		default:
			s.dest[i] = &s.raw[i]
		}
	}
	if err := rows.Scan(s.dest...); err != nil {
		return scanError(err, s.plan)
	}
	for i := range s.plan.cols {
		c := &s.plan.cols[i]
		if c.index == nil || c.direct {
			continue
		}
		if err := c.conv(s.raw[i], dst.FieldByIndex(c.index), s.opts); err != nil {
			return err
		}
	}
	return nil
}

// scanError names the column of a database/sql conversion error.
func scanError(err error, p *scanPlan) error {
	msg := err.Error()
	if i := strings.Index(msg, "Scan error on column index "); i >= 0 {
		var idx int
		if _, e := fmt.Sscanf(msg[i:], "Scan error on column index %d", &idx); e == nil && idx < len(p.cols) {
			return fmt.Errorf("%w: attribute %q: %w", ErrType, p.cols[idx].attr.Name, err)
		}
	}
	return fmt.Errorf("%w: %w", ErrType, err)
}
