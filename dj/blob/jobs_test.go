package blob

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"os"
	"testing"
	"time"

	"github.com/google/uuid"
)

// orderedKey reads a JSON object keeping the order of its members.
func orderedKey(t *testing.T, raw json.RawMessage) (names []string, vals []any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
		names = append(names, k.(string))
		vals = append(vals, v)
	}
	return names, vals
}

// TestJobsKeyBlobs encodes every ~jobs key of the golden jobs vectors as an
// ordered Dict of Go values (int, string, Date, time.Time, Decimal,
// uuid.UUID, float64) and compares with the blob DataJoint for Python stored
// in ~jobs.key.
func TestJobsKeyBlobs(t *testing.T) {
	f, err := os.Open("testdata/jobs-vectors.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	n := 0
	for sc.Scan() {
		var row struct {
			Key     json.RawMessage   `json:"key"`
			Types   map[string]string `json:"python_types"`
			BlobHex string            `json:"key_without_time_blob_hex"`
		}
		if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
			t.Fatal(err)
		}
		names, vals := orderedKey(t, row.Key)
		var key Dict
		for i, name := range names {
			var v any
			switch row.Types[name] {
			case "timedelta":
				continue // DataJoint 0.14 cannot pack TIME keys
			case "int":
				x, _ := new(big.Int).SetString(string(vals[i].(json.Number)), 10)
				if x.IsInt64() {
					v = x.Int64()
				} else {
					v = x.Uint64()
				}
			case "float":
				f, err := vals[i].(json.Number).Float64()
				if err != nil {
					t.Fatal(err)
				}
				v = f
			case "str":
				v = vals[i].(string)
			case "Decimal":
				v = Decimal(vals[i].(string))
			case "UUID":
				v = uuid.MustParse(vals[i].(string))
			case "date":
				d, err := time.Parse(time.DateOnly, vals[i].(string))
				if err != nil {
					t.Fatal(err)
				}
				v = DateOf(d)
			case "datetime":
				d, err := time.Parse("2006-01-02 15:04:05", vals[i].(string))
				if err != nil {
					t.Fatal(err)
				}
				v = d
			default:
				t.Fatalf("python type %q", row.Types[name])
			}
			key = append(key, Item{name, v})
		}
		got, err := Marshal(key)
		if err != nil {
			t.Fatal(err)
		}
		if hex.EncodeToString(got) != row.BlobHex {
			t.Fatalf("key %s:\n got %x\nwant %s", row.Key, got, row.BlobHex)
		}
		// And back: the blob decodes to the same Dict.
		back, err := Decode(got)
		if err != nil {
			t.Fatal(err)
		}
		again, err := Marshal(back)
		if err != nil || !bytes.Equal(again, got) {
			t.Fatalf("decode/encode of key %s changed it (%v)", row.Key, err)
		}
		n++
	}
	if n == 0 || sc.Err() != nil {
		t.Fatalf("read %d jobs vectors: %v", n, sc.Err())
	}
}
