package dj

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/datajoint-go/datajoint/dj/blob"
	"github.com/datajoint-go/datajoint/dj/schema"
)

// Attachment is the value of an attach attribute: a file's name and
// contents. Inserting a string into an attach attribute reads the file at
// that path instead.
type Attachment struct {
	Name string
	Data []byte
}

// sqlDefault stands for the SQL keyword DEFAULT in an insert.
type sqlDefault struct{}

// encodeValue converts a Go value into the argument sent for attribute a.
// It returns sqlDefault{} where DataJoint sends DEFAULT: for nil, a nil
// pointer, a NULL sql.Null*, a NaN, or "" in a numeric attribute. The
// value of an attribute with a registered Adapter goes through its Put
// first; a NULL does not.
func encodeValue(a *schema.Attribute, v any) (any, error) {
	if ad := adapterFor(a); ad != nil {
		_, isNil, err := deref(v)
		if err != nil {
			return nil, err
		}
		if isNil {
			return sqlDefault{}, nil
		}
		return encodeAdapted(ad, a, v)
	}
	return encodeStored(a, v)
}

// encodeStored is encodeValue for the underlying type of a.
func encodeStored(a *schema.Attribute, v any) (any, error) {
	orig := v
	v, isNil, err := deref(v)
	if err != nil {
		return nil, err
	}
	if isNil {
		return sqlDefault{}, nil
	}
	switch a.Category {
	case schema.CatInteger, schema.CatFloat, schema.CatDecimal, schema.CatBool:
		switch x := v.(type) {
		case bool:
			if x {
				return int64(1), nil
			}
			return int64(0), nil
		case float64:
			return encodeFloat(a, x)
		case float32:
			return encodeFloat(a, float64(x))
		case string:
			if x == "" {
				return sqlDefault{}, nil
			}
			return x, nil
		case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
			return x, nil
		case blob.Decimal:
			return string(x), nil
		}
		if s, ok := v.(fmt.Stringer); ok && a.Category == schema.CatDecimal {
			return s.String(), nil
		}
		return numericKind(a, v)
	case schema.CatString, schema.CatEnum:
		switch x := v.(type) {
		case string:
			return x, nil
		case []byte:
			return x, nil
		}
		if rv := reflect.ValueOf(v); rv.Kind() == reflect.String {
			return rv.String(), nil
		}
	case schema.CatTemporal:
		return encodeTemporal(a, v)
	case schema.CatJSON:
		switch x := v.(type) {
		case json.RawMessage:
			if !json.Valid(x) {
				return nil, fmt.Errorf("%w: invalid JSON for attribute %s", ErrType, a.Name)
			}
			return string(x), nil
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, typeErr(err)
		}
		return string(b), nil
	case schema.CatBlob:
		// The blob codec gets the value as the caller holds it: pointer
		// types such as *mat.Dense have their own encodings.
		b, err := blob.Marshal(orig)
		if err != nil {
			return nil, typeErr(err)
		}
		return b, nil
	case schema.CatUUID:
		u, err := toUUID(v)
		if err != nil {
			return nil, err
		}
		return u[:], nil
	case schema.CatAttach:
		att, err := toAttachment(v)
		if err != nil {
			return nil, err
		}
		return attachBytes(att), nil
	case schema.CatExternalBlob, schema.CatExternalAttach, schema.CatFilepath:
		// Prepared by the external-storage layer before encoding: the value
		// is then the 16-byte hash of the stored object.
		if h, ok := v.(externalRef); ok {
			return h[:], nil
		}
		return encodeExternal(a, v, orig)
	}
	return nil, fmt.Errorf("%w: cannot store %T in %s attribute %s", ErrType, v, a.Type, a.Name)
}

// externalRef is the hash of an object already placed in a store.
type externalRef [16]byte

// deref unwraps pointers and driver.Valuer values; isNil reports a NULL.
func deref(v any) (any, bool, error) {
	for {
		if v == nil {
			return nil, true, nil
		}
		switch x := v.(type) {
		case time.Time, json.RawMessage, uuid.UUID, []byte, string, Attachment:
			return v, false, nil
		case driver.Valuer:
			rv := reflect.ValueOf(v)
			if rv.Kind() == reflect.Pointer && rv.IsNil() {
				return nil, true, nil
			}
			dv, err := x.Value()
			if err != nil {
				return nil, false, typeErr(err)
			}
			if dv == nil {
				return nil, true, nil
			}
			if _, again := dv.(driver.Valuer); again {
				return dv, false, nil
			}
			v = dv
			continue
		}
		rv := reflect.ValueOf(v)
		if rv.Kind() != reflect.Pointer {
			return v, false, nil
		}
		if rv.IsNil() {
			return nil, true, nil
		}
		v = rv.Elem().Interface()
	}
}

// encodeFloat encodes a float for numeric attribute a. NaN stands for a
// missing value: it is sent as DEFAULT, as DataJoint does (NULL in a
// nullable attribute), and refused for an attribute that is NOT NULL
// without a default (ErrMissingAttribute). An infinity has no place in a
// MySQL number column and is refused (ErrType): sent as text it would read
// as a column name.
func encodeFloat(a *schema.Attribute, f float64) (any, error) {
	switch {
	case math.IsNaN(f):
		if !a.Nullable && !a.HasDefault && !a.AutoIncrement {
			return nil, fmt.Errorf("%w: NaN stands for a missing value (NULL), which the NOT NULL %s attribute has no default for", ErrMissingAttribute, a.Type)
		}
		return sqlDefault{}, nil
	case math.IsInf(f, 0):
		return nil, fmt.Errorf("%w: %v cannot be stored in a %s attribute (MySQL numbers hold no infinity)", ErrType, f, a.Type)
	}
	return f, nil
}

// numericKind accepts named numeric types (type Rate float64) by kind.
func numericKind(a *schema.Attribute, v any) (any, error) {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return rv.Uint(), nil
	case reflect.Float32, reflect.Float64:
		return encodeFloat(a, rv.Float())
	case reflect.Bool:
		if rv.Bool() {
			return int64(1), nil
		}
		return int64(0), nil
	case reflect.String:
		if rv.String() == "" {
			return sqlDefault{}, nil
		}
		return rv.String(), nil
	}
	return nil, fmt.Errorf("%w: cannot store %T in %s attribute %s", ErrType, v, a.Type, a.Name)
}

func encodeTemporal(a *schema.Attribute, v any) (any, error) {
	kind := strings.SplitN(a.Type, "(", 2)[0]
	switch x := v.(type) {
	case time.Time:
		x = x.UTC()
		switch kind {
		case "date":
			return x.Format("2006-01-02"), nil
		case "year":
			return int64(x.Year()), nil
		case "time":
			return x.Format("15:04:05.999999"), nil
		}
		return x.Format("2006-01-02 15:04:05.999999"), nil
	case time.Duration:
		if kind != "time" {
			break
		}
		return formatDuration(x), nil
	case blob.Date:
		return fmt.Sprintf("%04d-%02d-%02d", x.Year, int(x.Month), x.Day), nil
	case string:
		return x, nil
	case int, int16, int32, int64:
		if kind == "year" {
			return x, nil
		}
	}
	return nil, fmt.Errorf("%w: cannot store %T in %s attribute %s", ErrType, v, a.Type, a.Name)
}

// formatDuration writes a MySQL TIME literal: [-]HHH:MM:SS[.ffffff].
func formatDuration(d time.Duration) string {
	neg := d < 0
	if neg {
		d = -d
	}
	h := d / time.Hour
	d -= h * time.Hour
	m := d / time.Minute
	d -= m * time.Minute
	s := d / time.Second
	d -= s * time.Second
	us := d / time.Microsecond
	out := fmt.Sprintf("%02d:%02d:%02d", h, m, s)
	if us != 0 {
		out += fmt.Sprintf(".%06d", us)
	}
	if neg {
		out = "-" + out
	}
	return out
}

// parseDuration reads a MySQL TIME value ([-]HHH:MM:SS[.ffffff]).
func parseDuration(b []byte) (time.Duration, error) {
	s := string(b)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	parts := strings.Split(s, ":")
	if len(parts) != 3 {
		return 0, fmt.Errorf("%w: invalid TIME value %q", ErrType, b)
	}
	h, err1 := strconv.Atoi(parts[0])
	m, err2 := strconv.Atoi(parts[1])
	sec, err3 := strconv.ParseFloat(parts[2], 64)
	if err1 != nil || err2 != nil || err3 != nil {
		return 0, fmt.Errorf("%w: invalid TIME value %q", ErrType, b)
	}
	d := time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(math.Round(sec*1e6))*time.Microsecond
	if neg {
		d = -d
	}
	return d, nil
}

// toUUID accepts uuid.UUID, any [16]byte-kinded value, a 16-byte slice or a
// string in any form uuid.Parse accepts.
func toUUID(v any) (uuid.UUID, error) {
	switch x := v.(type) {
	case uuid.UUID:
		return x, nil
	case string:
		u, err := uuid.Parse(x)
		if err != nil {
			return u, typeErr(err)
		}
		return u, nil
	case []byte:
		if len(x) == 16 {
			return uuid.UUID(x), nil
		}
		u, err := uuid.ParseBytes(x)
		if err != nil {
			return u, typeErr(err)
		}
		return u, nil
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Array && rv.Len() == 16 && rv.Type().Elem().Kind() == reflect.Uint8 {
		var u uuid.UUID
		reflect.Copy(reflect.ValueOf(u[:]), rv)
		return u, nil
	}
	return uuid.UUID{}, fmt.Errorf("%w: cannot use %T as a uuid", ErrType, v)
}

func toAttachment(v any) (Attachment, error) {
	switch x := v.(type) {
	case Attachment:
		if x.Name == "" || strings.ContainsRune(x.Name, 0) {
			return x, fmt.Errorf("%w: attachment needs a file name without NUL", ErrType)
		}
		return x, nil
	case string:
		data, err := os.ReadFile(x)
		if err != nil {
			return Attachment{}, fmt.Errorf("%w: attachment: %w", ErrType, err)
		}
		return Attachment{Name: filepath.Base(x), Data: data}, nil
	}
	return Attachment{}, fmt.Errorf("%w: cannot use %T as an attachment (want dj.Attachment or a file path)", ErrType, v)
}

// attachBytes is the stored form of an attachment: name, NUL, contents.
func attachBytes(a Attachment) []byte {
	out := make([]byte, 0, len(a.Name)+1+len(a.Data))
	out = append(out, a.Name...)
	out = append(out, 0)
	return append(out, a.Data...)
}

// splitAttach reverses attachBytes.
func splitAttach(b []byte) (Attachment, error) {
	for i, c := range b {
		if c == 0 {
			return Attachment{Name: string(b[:i]), Data: append([]byte(nil), b[i+1:]...)}, nil
		}
	}
	return Attachment{}, fmt.Errorf("%w: attachment without a file name", ErrType)
}
