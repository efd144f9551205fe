// Package vectors reads the golden test data written by DataJoint for
// Python 0.14.9 that dj's tests compare against: blob encodings
// (dj/blob/testdata/python-0.14.9.jsonl) and ~jobs key hashes and key
// blobs (dj/blob/testdata/jobs-vectors.jsonl). Only tests use it.
package vectors

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
)

// Blob is one blob case: a value DataJoint for Python packed, its bytes,
// and what unpacking them gives (see dj/blob/testdata for the format).
type Blob struct {
	Name          string                  `json:"name"`
	Kind          string                  `json:"kind"`
	PackArgs      struct{ Compress bool } `json:"pack_args"`
	Hex           string                  `json:"hex"`
	Compressed    bool                    `json:"compressed"`
	Protocol      string                  `json:"protocol"`
	PayloadLen    int                     `json:"payload_len"`
	PayloadSHA256 string                  `json:"payload_sha256"`
	PayloadHex    string                  `json:"payload_hex"`
	Input         json.RawMessage         `json:"input"`
	Expect        json.RawMessage         `json:"expect"`
	UnpackError   string                  `json:"unpack_error"`
	RepackSame    bool                    `json:"repack_identical"`
}

// LoadBlobs reads the blob cases of a JSON-lines file.
func LoadBlobs(path string) ([]Blob, error) {
	var out []Blob
	err := eachLine(path, func(line []byte) error {
		var b Blob
		if err := json.Unmarshal(line, &b); err != nil {
			return err
		}
		out = append(out, b)
		return nil
	})
	return out, err
}

// Job is one ~jobs key: its values in table order, the Python types and
// str() they were hashed from, and what DataJoint stored for it.
type Job struct {
	Names         []string          // key attribute names in table order
	Key           map[string]any    // values; numbers as json.Number
	Types         map[string]string // Python type of each value
	PyStr         map[string]string // Python str() of each value
	Hash          string            // ~jobs.key_hash
	NoTimeHash    string            // key_hash of the key without its TIME attribute
	NoTimeBlobHex string            // ~jobs.key blob of the key without its TIME attribute
}

// LoadJobs reads the ~jobs key vectors of a JSON-lines file.
func LoadJobs(path string) ([]Job, error) {
	var out []Job
	err := eachLine(path, func(line []byte) error {
		var row struct {
			Key           json.RawMessage   `json:"key"`
			Types         map[string]string `json:"python_types"`
			PyStr         map[string]string `json:"python_str"`
			Hash          string            `json:"key_hash"`
			NoTimeHash    string            `json:"key_without_time_hash"`
			NoTimeBlobHex string            `json:"key_without_time_blob_hex"`
		}
		if err := json.Unmarshal(line, &row); err != nil {
			return err
		}
		j := Job{Key: map[string]any{}, Types: row.Types, PyStr: row.PyStr, Hash: row.Hash,
			NoTimeHash: row.NoTimeHash, NoTimeBlobHex: row.NoTimeBlobHex}
		// The order of the key's members is the table's attribute order.
		dec := json.NewDecoder(bytes.NewReader(row.Key))
		dec.UseNumber()
		if _, err := dec.Token(); err != nil {
			return err
		}
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return err
			}
			name, ok := k.(string)
			if !ok {
				return fmt.Errorf("key member name %v is not a string", k)
			}
			var v any
			if err := dec.Decode(&v); err != nil {
				return err
			}
			j.Names = append(j.Names, name)
			j.Key[name] = v
		}
		out = append(out, j)
		return nil
	})
	return out, err
}

func eachLine(path string, f func([]byte) error) error {
	file, err := os.Open(path)
	if err != nil {
		return err
	}
	defer file.Close()
	sc := bufio.NewScanner(file)
	sc.Buffer(nil, 16<<20)
	n := 0
	for sc.Scan() {
		n++
		if err := f(sc.Bytes()); err != nil {
			return fmt.Errorf("%s:%d: %w", path, n, err)
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("%s: no vectors", path)
	}
	return nil
}
