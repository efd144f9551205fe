package dj

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
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
	// number columns scan into an any and are stored by setNumber.
	number bool
}

type planKey struct {
	typ     reflect.Type
	heading string
	lax     bool
	gen     uint64 // adapter registrations change plans
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
		if n := adapterName(a); n != "" {
			b.WriteString("<" + n + ">")
		}
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
	key := planKey{typ, headingSignature(h), lax, adaptersGen.Load()}
	if p, ok := planCache.Load(key); ok {
		return p.(*scanPlan), nil
	}
	fm, err := schema.Fields(typ)
	if err != nil {
		return nil, err
	}
	p := &scanPlan{}
	used := map[string]bool{}
	for i := range h.Attributes {
		a := &h.Attributes[i]
		f, ok := fm.Lookup(a.Name)
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
		for _, f := range fm.Fields {
			if !used[f.Column] {
				return nil, fmt.Errorf("%w: field %s.%s (%s) is not an attribute of the query (use dj.Lax() to leave it unset)", ErrUnknownAttribute, typ.Name(), f.Name, f.Column)
			}
		}
	}
	planCache.Store(key, p)
	return p, nil
}

func columnPlan(a *schema.Attribute, f *schema.Field) (colPlan, error) {
	cp := colPlan{attr: a, index: f.Index}
	ft := f.Type
	base := ft
	if base.Kind() == reflect.Pointer {
		base = base.Elem()
	}
	kind := base.Kind()
	isInt := kind >= reflect.Int && kind <= reflect.Uint64
	isFloat := kind == reflect.Float32 || kind == reflect.Float64
	tkind := strings.SplitN(a.Type, "(", 2)[0]
	if ad := adapterFor(a); ad != nil {
		cp.conv = bind(a, convAdaptedImpl(ad))
		return cp, nil
	}
	numeric := a.Category == 0 || a.Category == schema.CatInteger || a.Category == schema.CatBool || a.Category == schema.CatFloat || a.Category == schema.CatDecimal
	if numeric && (isInt || isFloat || kind == reflect.Bool) {
		// Numbers go through assignValue, which refuses any change of
		// value.
		cp.number = true
		return cp, nil
	}
	switch a.Category {
	case 0:
		// A computed attribute of a projection or aggregation: its type is
		// whatever the SQL expression yields; database/sql converts it.
		cp.direct = true
		return cp, nil
	case schema.CatInteger, schema.CatBool:
		if kind == reflect.String {
			cp.direct = true
			return cp, nil
		}
	case schema.CatFloat, schema.CatDecimal:
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
		case base == dateGoType && tkind == "date":
			cp.conv = bind(a, convDateImpl)
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
	return cp, fmt.Errorf("%w: attribute %q (%s) cannot be read into field %s of type %s", ErrType, a.Name, a.Type, f.Name, ft)
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

// setNumber stores the column value v (nil for NULL) of a number column
// into dst, a field of a numeric or bool kind or a pointer to one. NULL
// sets a pointer to nil and a float to NaN, and fails for other fields.
func setNumber(v any, dst reflect.Value) error {
	if dst.Kind() == reflect.Pointer {
		if v == nil {
			dst.SetZero()
			return nil
		}
		if dst.IsNil() {
			dst.Set(reflect.New(dst.Type().Elem()))
		}
		dst = dst.Elem()
	} else if v == nil {
		if k := dst.Kind(); k == reflect.Float64 || k == reflect.Float32 {
			dst.SetFloat(math.NaN())
			return nil
		}
		return fmt.Errorf("%w: NULL needs a pointer field", ErrType)
	}
	// The common exact cases first.
	switch x := v.(type) {
	case int64:
		if k := dst.Kind(); k >= reflect.Int && k <= reflect.Int64 && !dst.OverflowInt(x) {
			dst.SetInt(x)
			return nil
		}
	case float64:
		if dst.Kind() == reflect.Float64 {
			dst.SetFloat(x)
			return nil
		}
	}
	return assignValue(dst, v)
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

func convDateImpl(raw []byte, dst reflect.Value, _ *schema.Attribute, _ *fetchOptions) error {
	t, err := parseTimeText(string(raw))
	if err != nil {
		return typeErr(err)
	}
	dst.Set(reflect.ValueOf(blob.DateOf(t)))
	return nil
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

func convBlobImpl(raw []byte, dst reflect.Value, a *schema.Attribute, o *fetchOptions) error {
	if err := unmarshalBlob(raw, dst.Addr().Interface(), o); err != nil {
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
	vals []any
	opts *fetchOptions
	row  int // index of the row being scanned, for errors
}

func newRowScanner(p *scanPlan, o *fetchOptions) *rowScanner {
	s := &rowScanner{plan: p, dest: make([]any, len(p.cols)), raw: make([]sql.RawBytes, len(p.cols)), vals: make([]any, len(p.cols)), opts: o}
	for i := range p.cols {
		c := &p.cols[i]
		switch {
		case c.index == nil:
			s.dest[i] = &s.raw[i]
		case c.number:
			s.dest[i] = &s.vals[i]
		case !c.direct:
			s.dest[i] = &s.raw[i]
		}
	}
	return s
}

func (s *rowScanner) scan(rows *sql.Rows, dst reflect.Value) error {
	row := s.row
	s.row++
	for i := range s.plan.cols {
		if c := &s.plan.cols[i]; c.direct && c.index != nil {
			s.dest[i] = dst.FieldByIndex(c.index).Addr().Interface()
		}
	}
	if err := rows.Scan(s.dest...); err != nil {
		return &rowError{row: row, err: scanError(err, s.plan)}
	}
	for i := range s.plan.cols {
		c := &s.plan.cols[i]
		if c.index == nil || c.direct {
			continue
		}
		if c.number {
			if err := setNumber(s.vals[i], dst.FieldByIndex(c.index)); err != nil {
				return &rowError{row: row, attr: c.attr.Name, err: err}
			}
		} else if err := c.conv(s.raw[i], dst.FieldByIndex(c.index), s.opts); err != nil {
			return &rowError{row: row, err: err}
		}
	}
	return nil
}

// rowError is a failure to read one row of a result: row is its index,
// attr the attribute at fault when the cause does not name it.
type rowError struct {
	row  int
	attr string
	err  error
}

func (e *rowError) Error() string {
	if e.attr != "" {
		return fmt.Sprintf("row %d: attribute %q: %v", e.row, e.attr, e.err)
	}
	return fmt.Sprintf("row %d: %v", e.row, e.err)
}

func (e *rowError) Unwrap() error { return e.err }

// fetchError wraps an error met while reading the rows of e, naming the
// attribute when a rowError knows it.
func fetchError(e Expr, err error) error {
	var re *rowError
	if errors.As(err, &re) && re.attr != "" {
		return &Error{Op: "fetch", Table: e.String(), Attr: re.attr, Err: fmt.Errorf("row %d: %w", re.row, re.err)}
	}
	return &Error{Op: "fetch", Table: e.String(), Err: err}
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
	return typeErr(err)
}
