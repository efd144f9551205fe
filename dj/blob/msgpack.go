package blob

import (
	"bytes"
	"fmt"

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
// for a blob in the msgpack protocol.
func (m Msgpack) Decode(v any) error {
	if err := msgpack.Unmarshal(m, v); err != nil {
		return fmt.Errorf("%w: msgpack payload into %T: %w", ErrType, v, err)
	}
	return nil
}
