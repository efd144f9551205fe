package blob

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"time"

	"github.com/google/uuid"
)

// Decode decodes a blob into the generic value model, which keeps everything
// DataJoint distinguishes, so that Marshal(v) of the result writes the same
// bytes again (with Compress(false) for blobs that were stored uncompressed):
//
//	None → nil            bool → bool              int → int64, or *big.Int beyond int64
//	float → float64       complex → complex128     str → string
//	bytes → []byte        Decimal → Decimal        UUID → uuid.UUID
//	datetime → time.Time (UTC)   date → Date       time → TimeOfDay
//	list → []any          tuple → Tuple            set → Set
//	dict → Dict           `A` → *Array             `S` → *MatStruct
//	`C` → *MatCell        `F` → *Record            msgpack protocol → Msgpack
//
// Malformed input returns an error wrapping ErrMalformed (never a panic), and
// no allocation exceeds what the remaining bytes can describe.
func Decode(data []byte, opts ...Option) (any, error) {
	o := newOptions(opts)
	payload, err := decompress(data, &o)
	if err != nil {
		return nil, err
	}
	proto, body, err := splitProtocol(payload)
	if err != nil {
		return nil, err
	}
	if proto == headerMsgpack {
		if err := checkMsgpack(body, o.maxDecoded, 0); err != nil {
			return nil, err
		}
		return Msgpack(bytes.Clone(body)), nil
	}
	d := newDecoder(body, &o)
	v, err := d.item()
	if err != nil {
		return nil, err
	}
	if d.pos != len(d.b) {
		return nil, malformed("blob length check failed: %d bytes after the top-level item", len(d.b)-d.pos)
	}
	return v, nil
}

// splitProtocol returns the zero-terminated protocol header (including the
// NUL) and the body after it.
func splitProtocol(payload []byte) (string, []byte, error) {
	end := bytes.IndexByte(payload[:min(len(payload), len(headerMsgpack))], 0)
	if end < 0 {
		return "", nil, malformed("no protocol header")
	}
	// The constants are returned, so that no string is allocated.
	switch string(payload[:end+1]) {
	case headerMYM:
		return headerMYM, payload[end+1:], nil
	case headerDJ0:
		return headerDJ0, payload[end+1:], nil
	case headerMsgpack:
		return headerMsgpack, payload[end+1:], nil
	}
	return "", nil, malformed("unknown protocol %q", payload[:end])
}

// decoder reads items from b. Every length is checked against the bytes that
// remain before anything is allocated for it, and every allocation is
// charged to budget, the bytes of decoded value that remain allowed.
type decoder struct {
	b      []byte
	pos    int
	legacy bool
	depth  int
	budget int64
	limit  int64
}

func newDecoder(body []byte, o *options) decoder {
	return decoder{b: body, legacy: o.legacy32, budget: o.maxDecoded, limit: o.maxDecoded}
}

// charge records n bytes of decoded value (n ≥ 0) and fails once the total
// passes the decoded-size limit.
func (d *decoder) charge(n int) error {
	d.budget -= int64(n)
	if d.budget < 0 {
		return tooLarge("decoded value", d.limit)
	}
	return nil
}

func (d *decoder) rem() int { return len(d.b) - d.pos }

// lenSize is the size of a LEN field: 8, or 4 in legacy 32-bit mode.
func (d *decoder) lenSize() int {
	if d.legacy {
		return 4
	}
	return 8
}

func (d *decoder) take(n int) ([]byte, error) {
	if n < 0 || n > d.rem() {
		return nil, malformed("item needs %d bytes at offset %d, %d remain", n, d.pos, d.rem())
	}
	s := d.b[d.pos : d.pos+n]
	d.pos += n
	return s, nil
}

func (d *decoder) u8() (byte, error) {
	s, err := d.take(1)
	if err != nil {
		return 0, err
	}
	return s[0], nil
}

func (d *decoder) u32() (uint32, error) {
	s, err := d.take(4)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint32(s), nil
}

func (d *decoder) u64() (uint64, error) {
	s, err := d.take(8)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint64(s), nil
}

// length reads a LEN field (u64, or u32 in legacy mode) as an int.
func (d *decoder) length() (int, error) {
	if d.legacy {
		v, err := d.u32()
		return int(v), err
	}
	v, err := d.u64()
	if err != nil {
		return 0, err
	}
	if v > math.MaxInt64 {
		return 0, malformed("length %d at offset %d is too large", v, d.pos-8)
	}
	return int(v), nil
}

// count reads a LEN element count and checks that the remaining bytes can
// hold that many elements of at least minSize bytes each.
func (d *decoder) count(minSize int) (int, error) {
	n, err := d.length()
	if err != nil {
		return 0, err
	}
	if n > d.rem()/minSize {
		return 0, malformed("%d elements cannot fit in the %d remaining bytes", n, d.rem())
	}
	return n, nil
}

// shape reads ndim and the dimensions of an A, S or C item.
func (d *decoder) shape() ([]int, error) {
	ndim, err := d.count(d.lenSize())
	if err != nil {
		return nil, err
	}
	if err := d.charge(8 * ndim); err != nil {
		return nil, err
	}
	shape := make([]int, ndim)
	for i := range shape {
		if shape[i], err = d.length(); err != nil {
			return nil, err
		}
	}
	return shape, nil
}

// names reads n zero-terminated field names.
func (d *decoder) names(n uint32) ([]string, error) {
	if int64(n) > int64(d.rem()) {
		return nil, malformed("%d field names cannot fit in the %d remaining bytes", n, d.rem())
	}
	if err := d.charge(16 * int(n)); err != nil {
		return nil, err
	}
	names := make([]string, n)
	for i := range names {
		end := bytes.IndexByte(d.b[d.pos:], 0)
		if end < 0 {
			return nil, malformed("unterminated field name at offset %d", d.pos)
		}
		if err := d.charge(end); err != nil {
			return nil, err
		}
		names[i] = string(d.b[d.pos : d.pos+end])
		d.pos += end + 1
	}
	return names, nil
}

// sub reads a LEN-prefixed nested item, which must fill its length exactly.
func (d *decoder) sub() (any, error) {
	n, err := d.length()
	if err != nil {
		return nil, err
	}
	if n < 0 || n > d.rem() {
		return nil, malformed("item needs %d bytes at offset %d, %d remain", n, d.pos, d.rem())
	}
	start, outer := d.pos, d.b
	d.b = d.b[:start+n]
	v, err := d.item()
	d.b = outer
	if err != nil {
		return nil, err
	}
	if d.pos != start+n {
		return nil, malformed("nested item at offset %d uses %d of its %d bytes", start, d.pos-start, n)
	}
	return v, nil
}

// elems reads n LEN-prefixed nested items.
func (d *decoder) elems(n int) ([]any, error) {
	if err := d.charge(16 * n); err != nil {
		return nil, err
	}
	items := make([]any, n)
	for i := range items {
		var err error
		if items[i], err = d.sub(); err != nil {
			return nil, err
		}
	}
	return items, nil
}

// item reads one item.
func (d *decoder) item() (any, error) {
	if d.depth >= maxDepth {
		return nil, malformed("items nested more than %d deep", maxDepth)
	}
	d.depth++
	v, err := d.itemAt()
	d.depth--
	return v, err
}

// itemAt reads one item at the current depth.
func (d *decoder) itemAt() (any, error) {
	code, err := d.u8()
	if err != nil {
		return nil, err
	}
	switch code {
	case 'A':
		return d.array()
	case 'S':
		return d.matStruct()
	case 'C':
		return d.matCell()
	case 'F':
		return d.record()
	case 'P':
		return nil, fmt.Errorf("%w: MATLAB sparse arrays (code P)", ErrUnsupported)
	case 0xFF:
		return nil, nil
	case 0x01, 0x02, 0x03:
		n, err := d.count(d.lenSize() + 1)
		if err != nil {
			return nil, err
		}
		items, err := d.elems(n)
		if err != nil {
			return nil, err
		}
		switch code {
		case 0x01:
			return Tuple(items), nil
		case 0x03:
			return Set(items), nil
		}
		return items, nil
	case 0x04:
		return d.dict()
	case 0x05, 'd', 0x06:
		n, err := d.length()
		if err != nil {
			return nil, err
		}
		s, err := d.take(n)
		if err != nil {
			return nil, err
		}
		if err := d.charge(16 + n); err != nil {
			return nil, err
		}
		switch code {
		case 0x05:
			return string(s), nil
		case 'd':
			return Decimal(s), nil
		}
		return bytes.Clone(s), nil
	case 0x0A:
		return d.int()
	case 0x0B:
		b, err := d.u8()
		return b != 0, err
	case 0x0C:
		s, err := d.take(16)
		if err != nil {
			return nil, err
		}
		return complex(math.Float64frombits(binary.LittleEndian.Uint64(s)), math.Float64frombits(binary.LittleEndian.Uint64(s[8:]))), nil
	case 0x0D:
		v, err := d.u64()
		return math.Float64frombits(v), err
	case 't':
		return d.datetime()
	case 'u':
		s, err := d.take(16)
		if err != nil {
			return nil, err
		}
		return uuid.UUID(s), nil
	}
	return nil, malformed("unknown item code 0x%02x at offset %d", code, d.pos-1)
}

// int reads a Python int: u16 byte count, then little-endian two's complement.
func (d *decoder) int() (any, error) {
	s, err := d.take(2)
	if err != nil {
		return nil, err
	}
	b, err := d.take(int(binary.LittleEndian.Uint16(s)))
	if err != nil {
		return nil, err
	}
	if err := d.charge(8 + len(b)); err != nil {
		return nil, err
	}
	if len(b) <= 8 {
		var v uint64
		for i := len(b) - 1; i >= 0; i-- {
			v = v<<8 | uint64(b[i])
		}
		if n := len(b); n > 0 && n < 8 && b[n-1]&0x80 != 0 {
			v |= ^uint64(0) << (8 * n)
		}
		return int64(v), nil
	}
	be := make([]byte, len(b))
	for i, c := range b {
		be[len(b)-1-i] = c
	}
	x := new(big.Int).SetBytes(be)
	if b[len(b)-1]&0x80 != 0 {
		x.Sub(x, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
	}
	if x.IsInt64() {
		return x.Int64(), nil
	}
	return x, nil
}

func (d *decoder) dict() (any, error) {
	n, err := d.count(2 * (d.lenSize() + 1))
	if err != nil {
		return nil, err
	}
	if err := d.charge(32 * n); err != nil {
		return nil, err
	}
	dict := make(Dict, n)
	for i := range dict {
		if dict[i].Key, err = d.sub(); err != nil {
			return nil, err
		}
		if dict[i].Value, err = d.sub(); err != nil {
			return nil, err
		}
	}
	return dict, nil
}

// datetime reads code 't': int32 YYYYMMDD (negative: no date) and int64
// HHMMSSffffff (negative: no time).
func (d *decoder) datetime() (any, error) {
	s, err := d.take(12)
	if err != nil {
		return nil, err
	}
	date := int32(binary.LittleEndian.Uint32(s))
	tod := int64(binary.LittleEndian.Uint64(s[4:]))
	var dt Date
	if date >= 0 {
		dt = Date{int(date / 10000), time.Month(date / 100 % 100), int(date % 100)}
		if _, err := dateNumber(dt.Year, dt.Month, dt.Day); err != nil {
			return nil, malformed("invalid date %d", date)
		}
	}
	var h, m, sec, us int64
	if tod >= 0 {
		h, m, sec, us = tod/1e10, tod/1e8%100, tod/1e6%100, tod%1e6
		if h >= 24 || m >= 60 || sec >= 60 {
			return nil, malformed("invalid time of day %d", tod)
		}
	}
	switch {
	case date >= 0 && tod >= 0:
		return time.Date(dt.Year, dt.Month, dt.Day, int(h), int(m), int(sec), int(us)*1000, time.UTC), nil
	case date >= 0:
		return dt, nil
	case tod >= 0:
		return TimeOfDay(time.Duration(((h*60+m)*60+sec)*1e6+us) * time.Microsecond), nil
	}
	return nil, nil
}
