package blob

import (
	"encoding/binary"
	"reflect"
	"sync"
)

// checkMsgpack validates the structure of a msgpack payload before it is
// handed to the msgpack decoder, which trusts declared lengths: body must
// hold exactly one value; every string, binary and extension length must fit
// in the bytes that remain, as must every array and map count (each element
// takes at least one byte); containers nest at most maxDepth deep; and the
// decoded value, estimated as elemCost bytes per container element plus the
// bytes of every string, binary and extension, must stay within limit. The
// scan is iterative, so hostile nesting cannot exhaust the stack.
func checkMsgpack(body []byte, limit int64, elemCost int64) error {
	// pending[i] is the number of values still to read in the i-th open
	// container; the outermost entry is the single top-level value.
	pending := make([]int, 1, 16)
	pending[0] = 1
	pos := 0
	need := int64(len(body))
	for len(pending) > 0 {
		if pending[len(pending)-1] == 0 {
			pending = pending[:len(pending)-1]
			continue
		}
		pending[len(pending)-1]--
		if pos >= len(body) {
			return malformed("msgpack: truncated value at offset %d", pos)
		}
		c := body[pos]
		pos++
		var skip, count int // bytes of payload to skip; elements of a container
		container := false
		switch {
		case c <= 0x7f || c >= 0xe0 || c == 0xc0 || c == 0xc2 || c == 0xc3:
		case c >= 0x80 && c <= 0x8f:
			container, count = true, 2*int(c&0x0f)
		case c >= 0x90 && c <= 0x9f:
			container, count = true, int(c&0x0f)
		case c >= 0xa0 && c <= 0xbf:
			skip = int(c & 0x1f)
		case c == 0xc1:
			return malformed("msgpack: reserved code 0xc1 at offset %d", pos-1)
		case c == 0xc4 || c == 0xc5 || c == 0xc6 || c == 0xd9 || c == 0xda || c == 0xdb:
			w := 1 << ((c - 0xc4) % 3) // bin8/16/32
			if c >= 0xd9 {
				w = 1 << (c - 0xd9) // str8/16/32
			}
			n, err := beUint(body, pos, w)
			if err != nil {
				return err
			}
			pos += w
			skip = n
		case c == 0xc7 || c == 0xc8 || c == 0xc9: // ext8/16/32: length, type, data
			w := 1 << (c - 0xc7)
			n, err := beUint(body, pos, w)
			if err != nil {
				return err
			}
			pos += w
			skip = n + 1
		case c == 0xca || c == 0xd2 || c == 0xce:
			skip = 4
		case c == 0xcb || c == 0xd3 || c == 0xcf:
			skip = 8
		case c == 0xcc || c == 0xd0:
			skip = 1
		case c == 0xcd || c == 0xd1:
			skip = 2
		case c >= 0xd4 && c <= 0xd8: // fixext 1, 2, 4, 8, 16: type, data
			skip = 1 + 1<<(c-0xd4)
		case c == 0xdc || c == 0xdd || c == 0xde || c == 0xdf:
			w := 2
			if c == 0xdd || c == 0xdf {
				w = 4
			}
			n, err := beUint(body, pos, w)
			if err != nil {
				return err
			}
			pos += w
			container, count = true, n
			if c >= 0xde {
				count = 2 * n
			}
		}
		if skip > len(body)-pos {
			return malformed("msgpack: value of %d bytes at offset %d, %d remain", skip, pos, len(body)-pos)
		}
		pos += skip
		if !container {
			continue
		}
		if count > len(body)-pos {
			return malformed("msgpack: container of %d values at offset %d cannot fit in the %d remaining bytes", count, pos, len(body)-pos)
		}
		if count == 0 {
			continue
		}
		if len(pending) > maxDepth {
			return malformed("msgpack: values nested more than %d deep", maxDepth)
		}
		need += int64(count) * elemCost
		if need > limit {
			return tooLarge("msgpack value", limit)
		}
		pending = append(pending, count)
	}
	if pos != len(body) {
		return malformed("msgpack: %d bytes after the value", len(body)-pos)
	}
	if need > limit {
		return tooLarge("msgpack value", limit)
	}
	return nil
}

// beUint reads a w-byte big-endian unsigned length at pos.
func beUint(b []byte, pos, w int) (int, error) {
	if w > len(b)-pos {
		return 0, malformed("msgpack: truncated length at offset %d", pos)
	}
	switch w {
	case 1:
		return int(b[pos]), nil
	case 2:
		return int(binary.BigEndian.Uint16(b[pos:])), nil
	}
	return int(binary.BigEndian.Uint32(b[pos:])), nil
}

// msgpackCosts caches msgpackElemCost per destination type.
var msgpackCosts sync.Map

// msgpackElemCost bounds the bytes the msgpack decoder allocates for one
// container element when decoding into a value of type t: the largest
// element of any slice, map entry (plus map overhead) or pointer target
// reachable from t. An interface anywhere (including a plain *any) decodes
// into []any and map[string]any, whose entries cost 64 bytes at most.
func msgpackElemCost(t reflect.Type) int64 {
	if c, ok := msgpackCosts.Load(t); ok {
		return c.(int64)
	}
	seen := map[reflect.Type]bool{}
	var cost int64 = 16
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		if seen[t] {
			return
		}
		seen[t] = true
		switch t.Kind() {
		case reflect.Interface:
			cost = max(cost, 64)
		case reflect.Pointer:
			cost = max(cost, int64(t.Elem().Size()))
			walk(t.Elem())
		case reflect.Slice, reflect.Array:
			cost = max(cost, int64(t.Elem().Size()))
			walk(t.Elem())
		case reflect.Map:
			cost = max(cost, int64(t.Key().Size()+t.Elem().Size())+32)
			walk(t.Key())
			walk(t.Elem())
		case reflect.Struct:
			for i := 0; i < t.NumField(); i++ {
				walk(t.Field(i).Type)
			}
		}
	}
	walk(t)
	msgpackCosts.Store(t, cost)
	return cost
}
