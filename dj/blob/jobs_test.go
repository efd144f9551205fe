package blob

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/datajoint-go/datajoint/dj/internal/vectors"
)

// TestJobsKeyBlobs encodes every ~jobs key of the golden jobs vectors as an
// ordered Dict of Go values (int, string, Date, time.Time, Decimal,
// uuid.UUID, float64) and compares with the blob DataJoint for Python stored
// in ~jobs.key.
func TestJobsKeyBlobs(t *testing.T) {
	jobs, err := vectors.LoadJobs("testdata/jobs-vectors.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, row := range jobs {
		names := row.Names
		vals := make([]any, len(names))
		for i, name := range names {
			vals[i] = row.Key[name]
		}
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
		if hex.EncodeToString(got) != row.NoTimeBlobHex {
			t.Fatalf("key %v:\n got %x\nwant %s", row.Key, got, row.NoTimeBlobHex)
		}
		// And back: the blob decodes to the same Dict.
		back, err := Decode(got)
		if err != nil {
			t.Fatal(err)
		}
		again, err := Marshal(back)
		if err != nil || !bytes.Equal(again, got) {
			t.Fatalf("decode/encode of key %v changed it (%v)", row.Key, err)
		}
		n++
	}
	if n != len(jobs) {
		t.Fatalf("checked %d of %d jobs vectors", n, len(jobs))
	}
}
