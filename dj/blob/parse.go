package blob

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// ParseDescription parses a JSON value description (the format Describe
// writes, and the "input"/"expect" objects of the golden vectors) into the
// model value that Marshal encodes as DataJoint for Python packs the
// described object: "structured" and "recarray" become a *Record, a
// "unicode" ndarray becomes an object array of strings and a "unicode"
// scalar a string (as Python packs them), "bytes1" arrays MATLAB char arrays.
// Numbers are read exactly (json.Decoder.UseNumber). A summarised array
// ("data_sha256" without "data") cannot be rebuilt and is an error.
func ParseDescription(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var raw any
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("%w: value description: %w", ErrType, err)
	}
	return FromDescription(raw)
}

// FromDescription is ParseDescription for a description already decoded by
// encoding/json with UseNumber (objects as map[string]any).
func FromDescription(raw any) (any, error) {
	v, err := fromDesc(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: value description: %w", ErrType, err)
	}
	return v, nil
}

func fromDesc(raw any) (any, error) {
	m, ok := raw.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("expected an object, got %T", raw)
	}
	typ, _ := m["type"].(string)
	val := m["value"]
	switch typ {
	case "none":
		return nil, nil
	case "bool":
		b, ok := val.(bool)
		if !ok {
			return nil, fmt.Errorf("bool value %v", val)
		}
		return b, nil
	case "int":
		return parseInt(val)
	case "float":
		return parseFloat(val)
	case "complex":
		return parseComplex(val)
	case "str":
		s, ok := val.(string)
		if !ok {
			return nil, fmt.Errorf("str value %v", val)
		}
		return s, nil
	case "bytes":
		return parseHex(m["hex"])
	case "msgpack":
		b, err := parseHex(m["hex"])
		return Msgpack(b), err
	case "decimal":
		s, ok := val.(string)
		if !ok {
			return nil, fmt.Errorf("decimal value %v", val)
		}
		return Decimal(s), nil
	case "uuid":
		s, _ := val.(string)
		u, err := uuid.Parse(s)
		if err != nil {
			return nil, fmt.Errorf("uuid %q: %w", s, err)
		}
		return u, nil
	case "date", "time", "datetime":
		return parseTime(typ, val)
	case "list", "tuple", "set":
		items, err := descItems(m["items"])
		if err != nil {
			return nil, err
		}
		switch typ {
		case "tuple":
			return Tuple(items), nil
		case "set":
			return Set(items), nil
		}
		return items, nil
	case "dict":
		pairs, ok := m["items"].([]any)
		if !ok {
			return nil, fmt.Errorf("dict items %v", m["items"])
		}
		d := make(Dict, len(pairs))
		for i, p := range pairs {
			kv, ok := p.([]any)
			if !ok || len(kv) != 2 {
				return nil, fmt.Errorf("dict item %v", p)
			}
			k, err := fromDesc(kv[0])
			if err != nil {
				return nil, err
			}
			v, err := fromDesc(kv[1])
			if err != nil {
				return nil, err
			}
			d[i] = Item{k, v}
		}
		return d, nil
	case "ndarray":
		return parseArray(m)
	case "scalar":
		return parseScalar(m)
	case "recarray", "structured":
		return parseRecord(m)
	case "struct":
		shape, err := descShape(m["shape"])
		if err != nil {
			return nil, err
		}
		s := &MatStruct{Shape: shape}
		names, _ := m["fields"].([]any)
		for _, n := range names {
			name, ok := n.(string)
			if !ok {
				return nil, fmt.Errorf("struct field name %v", n)
			}
			s.Fields = append(s.Fields, name)
		}
		elems, _ := m["items"].([]any)
		for _, el := range elems {
			vals, err := descItems(el)
			if err != nil {
				return nil, err
			}
			s.Elems = append(s.Elems, vals)
		}
		return s, nil
	case "cell":
		shape, err := descShape(m["shape"])
		if err != nil {
			return nil, err
		}
		items, err := descItems(m["items"])
		if err != nil {
			return nil, err
		}
		return &MatCell{Shape: shape, Items: items}, nil
	}
	return nil, fmt.Errorf("unknown type %q", typ)
}

func descItems(raw any) ([]any, error) {
	list, ok := raw.([]any)
	if !ok {
		return nil, fmt.Errorf("items %v are not a list", raw)
	}
	items := make([]any, len(list))
	for i, r := range list {
		var err error
		if items[i], err = fromDesc(r); err != nil {
			return nil, err
		}
	}
	return items, nil
}

func descShape(raw any) ([]int, error) {
	list, ok := raw.([]any)
	if !ok {
		return nil, fmt.Errorf("shape %v is not a list", raw)
	}
	shape := make([]int, len(list))
	for i, r := range list {
		n, ok := r.(json.Number)
		if !ok {
			return nil, fmt.Errorf("shape %v", raw)
		}
		d, err := strconv.Atoi(n.String())
		if err != nil || d < 0 {
			return nil, fmt.Errorf("dimension %v", n)
		}
		shape[i] = d
	}
	return shape, nil
}

func parseHex(raw any) ([]byte, error) {
	s, ok := raw.(string)
	if !ok {
		return nil, fmt.Errorf("hex %v", raw)
	}
	return hex.DecodeString(s)
}

// parseInt returns an int64, or a *big.Int beyond int64.
func parseInt(raw any) (any, error) {
	n, ok := raw.(json.Number)
	if !ok {
		return nil, fmt.Errorf("int value %v", raw)
	}
	x, ok := new(big.Int).SetString(n.String(), 10)
	if !ok {
		return nil, fmt.Errorf("int value %v", n)
	}
	if x.IsInt64() {
		return x.Int64(), nil
	}
	return x, nil
}

// pyNaN is the NaN that Python's float("nan") and numpy.nan hold (Go's
// math.NaN has a different payload bit).
var pyNaN = math.Float64frombits(0x7FF8000000000000)

func parseFloat(raw any) (float64, error) {
	switch x := raw.(type) {
	case json.Number:
		return strconv.ParseFloat(x.String(), 64)
	case string:
		switch x {
		case "NaN":
			return pyNaN, nil
		case "Infinity":
			return math.Inf(1), nil
		case "-Infinity":
			return math.Inf(-1), nil
		}
	}
	return 0, fmt.Errorf("float value %v", raw)
}

func parseComplex(raw any) (complex128, error) {
	p, ok := raw.([]any)
	if !ok || len(p) != 2 {
		return 0, fmt.Errorf("complex value %v", raw)
	}
	re, err := parseFloat(p[0])
	if err != nil {
		return 0, err
	}
	im, err := parseFloat(p[1])
	return complex(re, im), err
}

func parseTime(typ string, raw any) (any, error) {
	s, ok := raw.(string)
	if !ok {
		return nil, fmt.Errorf("%s value %v", typ, raw)
	}
	switch typ {
	case "date":
		t, err := time.Parse("2006-01-02", s)
		if err != nil {
			return nil, err
		}
		return DateOf(t), nil
	case "time":
		t, err := time.Parse("15:04:05", s)
		if err != nil {
			return nil, err
		}
		return TimeOfDay(t.Sub(time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC))), nil
	}
	t, err := time.Parse("2006-01-02T15:04:05", strings.Replace(s, " ", "T", 1))
	if err != nil {
		return nil, err
	}
	return t, nil
}

// dtypeClasses maps numpy dtype names of the descriptions to classes.
var dtypeClasses = map[string]Class{
	"bool": ClassLogical, "bytes1": ClassChar, "object": ClassObject,
	"float64": ClassDouble, "float32": ClassSingle, "complex128": ClassDouble, "complex64": ClassSingle,
	"int8": ClassInt8, "uint8": ClassUint8, "int16": ClassInt16, "uint16": ClassUint16,
	"int32": ClassInt32, "uint32": ClassUint32, "int64": ClassInt64, "uint64": ClassUint64,
}

func dtypeClass(dtype string) (Class, bool, error) {
	if c, ok := dtypeClasses[dtype]; ok {
		return c, strings.HasPrefix(dtype, "complex"), nil
	}
	for i, u := range datetimeUnits {
		if dtype == "datetime64["+u+"]" {
			return ClassDatetime64Y + Class(i), false, nil
		}
	}
	return 0, false, fmt.Errorf("unknown dtype %q", dtype)
}

func parseArray(m map[string]any) (any, error) {
	dtype, _ := m["dtype"].(string)
	shape, err := descShape(m["shape"])
	if err != nil {
		return nil, err
	}
	if dtype == "object" || dtype == "unicode" {
		var items []any
		if dtype == "object" {
			items, err = descItems(m["items"])
		} else {
			items, err = unicodeItems(m["data"])
		}
		if err != nil {
			return nil, err
		}
		return &Array{Class: ClassObject, Shape: shape, Data: items}, nil
	}
	data, ok := m["data"].([]any)
	if !ok {
		if _, summary := m["data_sha256"]; summary {
			return nil, fmt.Errorf("a summarised array (data_sha256) cannot be encoded; describe it in full")
		}
		return nil, fmt.Errorf("ndarray without data")
	}
	return buildArray(dtype, shape, data)
}

func unicodeItems(raw any) ([]any, error) {
	list, ok := raw.([]any)
	if !ok {
		return nil, fmt.Errorf("unicode data %v", raw)
	}
	items := make([]any, len(list))
	for i, r := range list {
		s, ok := r.(string)
		if !ok {
			return nil, fmt.Errorf("unicode element %v", r)
		}
		items[i] = s
	}
	return items, nil
}

func parseScalar(m map[string]any) (any, error) {
	dtype, _ := m["dtype"].(string)
	switch dtype {
	case "unicode":
		s, ok := m["value"].(string)
		if !ok {
			return nil, fmt.Errorf("unicode scalar %v", m["value"])
		}
		return s, nil
	case "bytes1":
		return parseHex(m["value"])
	}
	return buildArray(dtype, []int{}, []any{m["value"]})
}

// buildArray makes an *Array of dtype from JSON elements (column-major).
func buildArray(dtype string, shape []int, data []any) (*Array, error) {
	c, cplx, err := dtypeClass(dtype)
	if err != nil {
		return nil, err
	}
	n := len(data)
	a := &Array{Class: c, Shape: shape}
	if cplx {
		if c == ClassDouble {
			re, im := make([]float64, n), make([]float64, n)
			for i, r := range data {
				z, err := parseComplex(r)
				if err != nil {
					return nil, err
				}
				re[i], im[i] = real(z), imag(z)
			}
			a.Data, a.Imag = re, im
		} else {
			re, im := make([]float32, n), make([]float32, n)
			for i, r := range data {
				z, err := parseComplex(r)
				if err != nil {
					return nil, err
				}
				re[i], im[i] = float32(real(z)), float32(imag(z))
			}
			a.Data, a.Imag = re, im
		}
		return a, a.check()
	}
	switch c {
	case ClassLogical:
		s := make([]bool, n)
		for i, r := range data {
			b, ok := r.(bool)
			if !ok {
				return nil, fmt.Errorf("bool element %v", r)
			}
			s[i] = b
		}
		a.Data = s
	case ClassChar:
		s := make([]uint16, n)
		for i, r := range data {
			h, _ := r.(string)
			u, err := strconv.ParseUint(h, 16, 16)
			if err != nil {
				return nil, fmt.Errorf("char element %v", r)
			}
			s[i] = uint16(u)
		}
		a.Data = s
	case ClassDouble, ClassSingle:
		f := make([]float64, n)
		for i, r := range data {
			if f[i], err = parseFloat(r); err != nil {
				return nil, err
			}
		}
		if c == ClassDouble {
			a.Data = f
		} else {
			s := make([]float32, n)
			for i, v := range f {
				s[i] = float32(v)
			}
			a.Data = s
		}
	default:
		vals := make([]any, n)
		for i, r := range data {
			if vals[i], err = parseInt(r); err != nil {
				return nil, err
			}
		}
		tmp := &Array{Class: ClassObject, Shape: shape, Data: vals}
		if a.Data, err = convertInts(tmp, c); err != nil {
			return nil, err
		}
	}
	return a, a.check()
}

// convertInts converts int model values (int64 or *big.Int) to a typed slice of class c.
func convertInts(a *Array, c Class) (any, error) {
	vals := a.Data.([]any)
	var proto any
	switch c {
	case ClassInt8:
		proto = make([]int8, len(vals))
	case ClassUint8:
		proto = make([]uint8, len(vals))
	case ClassInt16:
		proto = make([]int16, len(vals))
	case ClassUint16:
		proto = make([]uint16, len(vals))
	case ClassInt32:
		proto = make([]int32, len(vals))
	case ClassUint32:
		proto = make([]uint32, len(vals))
	case ClassInt64:
		proto = make([]int64, len(vals))
	case ClassUint64:
		proto = make([]uint64, len(vals))
	default:
		if !c.IsDatetime64() {
			return nil, fmt.Errorf("class %v", c)
		}
		proto = make([]int64, len(vals))
	}
	for i, v := range vals {
		if err := setElemFrom(proto, i, v); err != nil {
			return nil, fmt.Errorf("%v element %v: %w", c, v, err)
		}
	}
	return proto, nil
}

// setElemFrom stores an int model value in element i of a typed slice.
func setElemFrom(data any, i int, v any) error {
	dst := reflectIndex(data, i)
	return assignScalar(dst, v)
}

func parseRecord(m map[string]any) (any, error) {
	fields, ok := m["fields"].([]any)
	if !ok {
		return nil, fmt.Errorf("record fields %v", m["fields"])
	}
	r := &Record{Fields: make([]RecordField, len(fields))}
	for i, f := range fields {
		fm, ok := f.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("record field %v", f)
		}
		name, _ := fm["name"].(string)
		v, err := fromDesc(fm["value"])
		if err != nil {
			return nil, err
		}
		switch v.(type) {
		case *Array, *Record:
		default:
			return nil, fmt.Errorf("record field %q is not an array", name)
		}
		r.Fields[i] = RecordField{Name: name, Value: v}
	}
	return r, nil
}
