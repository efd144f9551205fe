package dj

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/datajoint-go/datajoint/dj/blob"
	"github.com/datajoint-go/datajoint/dj/internal/pyfmt"
	"github.com/datajoint-go/datajoint/dj/schema"
)

// KeyHash returns DataJoint's key_hash of a key: the lowercase hex MD5 of
// the concatenation, in key-name order and without separators, of Python's
// str() of each value. It is what the ~jobs table stores, so a Go worker
// and a Python worker agree on which row reserves a key.
//
// Values are formatted as the Python value DataJoint would hold for them:
// integers in decimal; float64 as Python's repr ("0.1", "1.0", "1e+20",
// "inf", "nan"); float32 (a MySQL FLOAT column) through its shortest
// decimal text, as Python parses the server's text; string verbatim;
// blob.Decimal as Python's str(Decimal); time.Time as a datetime
// ("2020-01-01 12:00:00[.ffffff]"); blob.Date as a date ("2020-01-01");
// time.Duration as a timedelta ("1:00:00", "-1 day, 10:13:09");
// uuid.UUID in its canonical form; bool as "True"/"False".
//
// A DATE value fetched from the server arrives as a time.Time at midnight,
// which Python would print as a date: hash keys of tables with PyKey (or
// use Jobs.KeyHash) so each value takes its attribute's Python type.
func KeyHash(key Key) string {
	names := make([]string, 0, len(key))
	for k := range key {
		names = append(names, k)
	}
	slices.Sort(names)
	h := md5.New()
	for _, n := range names {
		h.Write([]byte(pyStr(key[n])))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// PyKey converts a key as FetchKeys returns it into the values DataJoint
// for Python holds for it, using the attributes of heading h: a DATE
// becomes a blob.Date, a DECIMAL a blob.Decimal, a FLOAT the float64 of
// the server's text, an unsigned BIGINT that fits an int64 an int64. The
// result hashes (KeyHash) and packs (as ~jobs.key) exactly as DataJoint's.
func PyKey(h *schema.Heading, key Key) (Key, error) {
	out := make(Key, len(key))
	for name, v := range key {
		a, ok := h.Attr(name)
		if !ok {
			return nil, &Error{Op: "key", Attr: name, Err: fmt.Errorf("%w: %q is not an attribute", ErrUnknownAttribute, name)}
		}
		pv, err := pyValue(a, v)
		if err != nil {
			return nil, &Error{Op: "key", Attr: name, Err: err}
		}
		out[name] = pv
	}
	return out, nil
}

// pyValue converts one natural Go value of attribute a to its Python form.
func pyValue(a *schema.Attribute, v any) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, fmt.Errorf("%w: NULL in a key", ErrType)
	case float32:
		return float32To64(x), nil
	case float64:
		// A FLOAT column is fetched as the exact double of its float32.
		if a.Category == schema.CatFloat && (a.Type == "float" || a.Type == "float unsigned") {
			return float32To64(float32(x)), nil
		}
		return x, nil
	case uint64:
		if x <= math.MaxInt64 {
			return int64(x), nil
		}
		return x, nil
	case int:
		return int64(x), nil
	case int8:
		return int64(x), nil
	case int16:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case uint:
		return pyValue(a, uint64(x))
	case uint8:
		return int64(x), nil
	case uint16:
		return int64(x), nil
	case uint32:
		return int64(x), nil
	case string:
		if a.Category == schema.CatDecimal {
			return blob.Decimal(x), nil
		}
		if a.Category == schema.CatUUID {
			u, err := uuid.Parse(x)
			if err != nil {
				return nil, typeErr(err)
			}
			return u, nil
		}
		if a.Category == schema.CatInteger {
			n, err := strconv.ParseInt(x, 10, 64)
			if err != nil {
				return nil, typeErr(err)
			}
			return n, nil
		}
		return x, nil
	case time.Time:
		if a.Category == schema.CatTemporal && a.Type == "date" {
			return blob.DateOf(x), nil
		}
		return x, nil
	}
	return v, nil
}

// float32To64 returns the float64 that the shortest decimal text of f
// parses to: Python's float() of the server's text of a FLOAT column.
func float32To64(f float32) float64 {
	if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
		return float64(f)
	}
	d, _ := strconv.ParseFloat(strconv.FormatFloat(float64(f), 'g', -1, 32), 64)
	return d
}

// pyStr returns Python's str() of the Python value of v.
func pyStr(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case string:
		return x
	case bool:
		if x {
			return "True"
		}
		return "False"
	case int:
		return strconv.Itoa(x)
	case int8:
		return strconv.FormatInt(int64(x), 10)
	case int16:
		return strconv.FormatInt(int64(x), 10)
	case int32:
		return strconv.FormatInt(int64(x), 10)
	case int64:
		return strconv.FormatInt(x, 10)
	case uint:
		return strconv.FormatUint(uint64(x), 10)
	case uint8:
		return strconv.FormatUint(uint64(x), 10)
	case uint16:
		return strconv.FormatUint(uint64(x), 10)
	case uint32:
		return strconv.FormatUint(uint64(x), 10)
	case uint64:
		return strconv.FormatUint(x, 10)
	case float32:
		return pyfmt.Float(float32To64(x))
	case float64:
		return pyfmt.Float(x)
	case blob.Decimal:
		return pyDecimalStr(string(x))
	case blob.Date:
		return x.String()
	case time.Time:
		return pyDatetimeStr(x)
	case time.Duration:
		return pyTimedeltaStr(x)
	case uuid.UUID:
		return x.String()
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v)
}

// pyDecimalStr formats the decimal text s (as MySQL returns a DECIMAL) as
// Python's str(Decimal(s)). Text that is not a plain decimal is returned
// unchanged.
func pyDecimalStr(s string) string {
	sign := ""
	body := s
	if strings.HasPrefix(body, "-") {
		sign, body = "-", body[1:]
	} else if strings.HasPrefix(body, "+") {
		body = body[1:]
	}
	intPart, frac, _ := strings.Cut(body, ".")
	if intPart == "" && frac == "" {
		return s
	}
	for _, r := range intPart + frac {
		if r < '0' || r > '9' {
			return s
		}
	}
	digits := strings.TrimLeft(intPart+frac, "0")
	if digits == "" {
		digits = "0"
	}
	exp := -len(frac)
	left := exp + len(digits)
	var dot int
	if exp <= 0 && left > -6 {
		dot = left
	} else {
		dot = 1
	}
	var ip, fp string
	switch {
	case dot <= 0:
		ip, fp = "0", "."+strings.Repeat("0", -dot)+digits
	case dot >= len(digits):
		ip = digits + strings.Repeat("0", dot-len(digits))
	default:
		ip, fp = digits[:dot], "."+digits[dot:]
	}
	es := ""
	if left != dot {
		es = fmt.Sprintf("E%+d", left-dot)
	}
	return sign + ip + fp + es
}

// pyDatetimeStr formats t as Python's str(datetime) of a naive datetime.
func pyDatetimeStr(t time.Time) string {
	s := fmt.Sprintf("%04d-%02d-%02d %02d:%02d:%02d", t.Year(), int(t.Month()), t.Day(), t.Hour(), t.Minute(), t.Second())
	if us := t.Nanosecond() / 1000; us != 0 {
		s += fmt.Sprintf(".%06d", us)
	}
	return s
}

// pyTimedeltaStr formats d as Python's str(timedelta): "[-]D day[s], "
// before H:MM:SS[.ffffff], with days rounded toward minus infinity.
func pyTimedeltaStr(d time.Duration) string {
	us := int64(d / time.Microsecond)
	const day = 86400 * 1000000
	days := us / day
	rem := us % day
	if rem < 0 {
		rem += day
		days--
	}
	secs, frac := rem/1000000, rem%1000000
	s := fmt.Sprintf("%d:%02d:%02d", secs/3600, secs/60%60, secs%60)
	if days != 0 {
		plural := "s"
		if days == 1 || days == -1 {
			plural = ""
		}
		s = fmt.Sprintf("%d day%s, %s", days, plural, s)
	}
	if frac != 0 {
		s += fmt.Sprintf(".%06d", frac)
	}
	return s
}

// keyBlob packs a Python-form key as DataJoint stores it in ~jobs.key: a
// dict of attribute name to value in the order of names. DataJoint 0.14
// cannot pack a TIME (timedelta) value; keys with one get a NULL blob.
func keyBlob(names []string, pkey Key) ([]byte, error) {
	d := make(blob.Dict, 0, len(names))
	for _, n := range names {
		v := pkey[n]
		if _, ok := v.(time.Duration); ok {
			return nil, nil
		}
		d = append(d, blob.Item{Key: n, Value: v})
	}
	b, err := blob.Marshal(d)
	if err != nil {
		return nil, fmt.Errorf("%w: key blob: %w", ErrType, err)
	}
	return b, nil
}
