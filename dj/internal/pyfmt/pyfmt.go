// Package pyfmt formats values as Python prints them, where dj must
// reproduce Python's text byte for byte (key hashes of the ~jobs table,
// blob value descriptions).
package pyfmt

import (
	"math"
	"strconv"
	"strings"
)

// Float formats f as Python's str(float) and repr(float): the shortest
// digits that round-trip, in scientific notation below 1e-4 and from 1e16
// on, always with a decimal point or exponent ("1.0", "0.1", "1e+16",
// "-0.0", "nan", "inf", "-inf").
func Float(f float64) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case f == 0:
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64)
	exp, _ := strconv.Atoi(e[strings.IndexByte(e, 'e')+1:])
	if exp < -4 || exp >= 16 {
		return e
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.ContainsRune(s, '.') {
		s += ".0"
	}
	return s
}
