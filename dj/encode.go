package dj

import (
	"database/sql/driver"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/datajoint-go/datajoint/dj/schema"
)

// fieldEncoder encodes one field of a struct row for its attribute, with
// the same result as encodeValue of the field's value.
type fieldEncoder func(f reflect.Value) (any, error)

var (
	valuerType   = reflect.TypeFor[driver.Valuer]()
	stringerType = reflect.TypeFor[fmt.Stringer]()
	timeGoType   = reflect.TypeFor[time.Time]()
)

// encoderFor returns the encoder of a field of type ft for attribute a:
// a specialised one for plain numbers, strings and times, which makes no
// allocation beyond the result, and encodeValue otherwise.
func encoderFor(a *schema.Attribute, ft reflect.Type) fieldEncoder {
	generic := func(f reflect.Value) (any, error) { return encodeValue(a, f.Interface()) }
	if adapterFor(a) != nil || ft.Implements(valuerType) || reflect.PointerTo(ft).Implements(valuerType) ||
		(a.Category == schema.CatDecimal && ft.Implements(stringerType)) {
		return generic
	}
	if ft.Kind() == reflect.Pointer {
		if ft.Elem().Kind() == reflect.Pointer || a.Category == schema.CatBlob || a.Category.External() {
			return generic
		}
		elem := encoderFor(a, ft.Elem())
		return func(f reflect.Value) (any, error) {
			if f.IsNil() {
				return sqlDefault{}, nil
			}
			return elem(f.Elem())
		}
	}
	k := ft.Kind()
	switch a.Category {
	case schema.CatInteger, schema.CatFloat, schema.CatDecimal, schema.CatBool:
		switch {
		case k >= reflect.Int && k <= reflect.Int64:
			return func(f reflect.Value) (any, error) { return f.Int(), nil }
		case k >= reflect.Uint && k <= reflect.Uint64:
			return func(f reflect.Value) (any, error) { return f.Uint(), nil }
		case k == reflect.Float64 || k == reflect.Float32:
			return func(f reflect.Value) (any, error) { return encodeFloat(a, f.Float()) }
		case k == reflect.Bool:
			return func(f reflect.Value) (any, error) {
				if f.Bool() {
					return int64(1), nil
				}
				return int64(0), nil
			}
		}
	case schema.CatString, schema.CatEnum:
		if k == reflect.String {
			return func(f reflect.Value) (any, error) { return f.String(), nil }
		}
	case schema.CatTemporal:
		kind := strings.SplitN(a.Type, "(", 2)[0]
		if ft == timeGoType && (kind == "datetime" || kind == "timestamp") {
			// The driver writes a time.Time in the session's UTC.
			return func(f reflect.Value) (any, error) {
				t := f.Interface().(time.Time)
				if t.IsZero() {
					return encodeValue(a, t)
				}
				return t.UTC().Truncate(time.Microsecond), nil
			}
		}
	}
	return generic
}

// structSource is the cached reading of one struct type's rows for one
// table heading.
type structSource struct {
	attrs []*schema.Attribute
	enc   []fieldEncoder
	index [][]int
}

type sourceKey struct {
	typ         reflect.Type
	table       *schema.Table
	ignoreExtra bool
	gen         uint64 // adapter registrations change encoders
}

var sourceCache sync.Map // sourceKey → *structSource

// structSourceFor matches struct type elem to the attributes of table meta
// and prepares one encoder per matched field.
func structSourceFor(meta *schema.Table, elem reflect.Type, ignoreExtra bool) (*structSource, error) {
	key := sourceKey{elem, meta, ignoreExtra, adaptersGen.Load()}
	if v, ok := sourceCache.Load(key); ok {
		return v.(*structSource), nil
	}
	h := &meta.Heading
	fm, err := schema.Fields(elem)
	if err != nil {
		return nil, err
	}
	for _, f := range fm.Fields {
		if _, ok := h.Attr(f.Column); !ok && !ignoreExtra {
			return nil, fmt.Errorf("%w: field %s.%s (%s) is not an attribute of the table", ErrUnknownAttribute, elem.Name(), f.Name, f.Column)
		}
	}
	src := &structSource{}
	for i := range h.Attributes {
		a := &h.Attributes[i]
		if f, ok := fm.Lookup(a.Name); ok {
			src.attrs = append(src.attrs, a)
			src.index = append(src.index, f.Index)
			src.enc = append(src.enc, encoderFor(a, f.Type))
		}
	}
	sourceCache.Store(key, src)
	return src, nil
}

// field returns field col of row, which may sit behind embedded pointers.
func (s *structSource) field(row reflect.Value, col int) (reflect.Value, error) {
	idx := s.index[col]
	if len(idx) == 1 {
		return row.Field(idx[0]), nil
	}
	return row.FieldByIndexErr(idx)
}
