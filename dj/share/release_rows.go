package share

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/zstd"
)

// The rows of a table are stored as a zstd stream of values, row after
// row, column after column: each value is a uvarint n, 0 for NULL, else
// n-1 bytes follow: the server's text of the value (the bytes as stored
// for binary strings and blobs, decimals and dates as the server prints
// them, FLOAT columns as the DOUBLE that holds the same value).

// rowWriter encodes rows onto w.
type rowWriter struct {
	z   *zstd.Encoder
	b   *bufio.Writer
	tmp [binary.MaxVarintLen64]byte
}

func newRowWriter(w io.Writer) (*rowWriter, error) {
	z, err := zstd.NewWriter(w, zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithEncoderConcurrency(1))
	if err != nil {
		return nil, err
	}
	return &rowWriter{z: z, b: bufio.NewWriterSize(z, 1<<16)}, nil
}

// write encodes one row; a nil value is NULL.
func (w *rowWriter) write(vals [][]byte) error {
	for _, v := range vals {
		var n int
		if v == nil {
			n = binary.PutUvarint(w.tmp[:], 0)
		} else {
			n = binary.PutUvarint(w.tmp[:], uint64(len(v))+1)
		}
		if _, err := w.b.Write(w.tmp[:n]); err != nil {
			return err
		}
		if _, err := w.b.Write(v); err != nil {
			return err
		}
	}
	return nil
}

func (w *rowWriter) close() error {
	if err := w.b.Flush(); err != nil {
		w.z.Close()
		return err
	}
	return w.z.Close()
}

// rowReader decodes the rows that a rowWriter wrote.
type rowReader struct {
	z *zstd.Decoder
	b *bufio.Reader
}

func newRowReader(r io.Reader) (*rowReader, error) {
	z, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true))
	if err != nil {
		return nil, err
	}
	return &rowReader{z: z, b: bufio.NewReaderSize(z, 1<<16)}, nil
}

// maxValue bounds one value, as MySQL bounds a LONGBLOB.
const maxValue = 1<<32 - 1

// next decodes the next row into vals (new slices, nil for NULL); it
// returns io.EOF after the last row.
func (r *rowReader) next(vals []any) error {
	for i := range vals {
		n, err := binary.ReadUvarint(r.b)
		if err != nil {
			if i == 0 && errors.Is(err, io.EOF) {
				return io.EOF
			}
			return fmt.Errorf("%w: row data ends within a row: %w", ErrCorruptArchive, unexpected(err))
		}
		if n == 0 {
			vals[i] = nil
			continue
		}
		if n-1 > maxValue {
			return fmt.Errorf("%w: a value of %d bytes", ErrCorruptArchive, n-1)
		}
		v := make([]byte, n-1)
		if _, err := io.ReadFull(r.b, v); err != nil {
			return fmt.Errorf("%w: row data ends within a value: %w", ErrCorruptArchive, unexpected(err))
		}
		vals[i] = v
	}
	return nil
}

func unexpected(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

func (r *rowReader) close() { r.z.Close() }
