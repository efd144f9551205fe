package blob

import (
	"bytes"
	"fmt"
	"reflect"

	"github.com/vmihailenco/msgpack/v5"
)

// The Go-native protocol: "djgo-msgpack1\0" followed by one msgpack value
// (github.com/vmihailenco/msgpack/v5, map keys sorted, struct fields keyed by
// their `msgpack` tag or Go name). Like the DataJoint protocols it is
// compressed in the ZL123 envelope when that saves space. DataJoint for
// Python and MATLAB read the zero-terminated header, find no known protocol
// and return nothing, so they never misread such a blob.

// appendMsgpack appends the msgpack encoding of v to buf.
func appendMsgpack(buf []byte, v any) ([]byte, error) {
	w := bytes.NewBuffer(buf)
	enc := msgpack.NewEncoder(w)
	enc.SetSortMapKeys(true)
	if err := enc.Encode(v); err != nil {
		return buf, fmt.Errorf("%w: msgpack: %w", ErrType, err)
	}
	return w.Bytes(), nil
}

// Decode decodes the msgpack payload into v (a pointer), as Unmarshal does
// for a blob in the msgpack protocol. Of the options only MaxDecodedSize
// applies.
func (m Msgpack) Decode(v any, opts ...Option) error {
	o := newOptions(opts)
	return decodeMsgpack(m, v, &o)
}

// decodeMsgpack checks the payload's structure and size (checkMsgpack) and
// then decodes it into v.
func decodeMsgpack(body []byte, v any, o *options) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("%w: msgpack payload needs a non-nil pointer, not %T", ErrType, v)
	}
	if err := checkMsgpack(body, o.maxDecoded, msgpackElemCost(rv.Type())); err != nil {
		return err
	}
	if err := msgpack.Unmarshal(body, v); err != nil {
		return fmt.Errorf("%w: msgpack payload into %T: %w", ErrType, v, err)
	}
	return nil
}
