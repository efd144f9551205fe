package dj

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/datajoint-go/datajoint/dj/blob"
	"github.com/datajoint-go/datajoint/dj/internal/vectors"
)

// jobsVector is one line of the ~jobs golden vectors of DataJoint for
// Python 0.14.9 (blob/testdata/jobs-vectors.jsonl).
type jobsVector struct {
	Names     []string // key names in table order
	Raw       map[string]any
	Types     map[string]string
	PyStr     map[string]string
	Hash      string
	NoTime    string
	NoTimeHex string
}

func readJobsVectors(t *testing.T) []jobsVector {
	t.Helper()
	jobs, err := vectors.LoadJobs("blob/testdata/jobs-vectors.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	out := make([]jobsVector, len(jobs))
	for i, j := range jobs {
		out[i] = jobsVector{Names: j.Names, Raw: j.Key, Types: j.Types, PyStr: j.PyStr, Hash: j.Hash, NoTime: j.NoTimeHash, NoTimeHex: j.NoTimeBlobHex}
	}
	return out
}

// parseTimedelta reads Python's str(timedelta).
func parseTimedelta(t *testing.T, s string) time.Duration {
	t.Helper()
	var days int64
	rest := s
	if i := bytes.IndexByte([]byte(s), ','); i >= 0 {
		var word string
		if _, err := fmt.Sscan(s[:i], &days, &word); err != nil {
			t.Fatalf("timedelta %q: %v", s, err)
		}
		rest = s[i+2:]
	}
	tm, err := time.Parse("15:04:05", pad8(rest))
	if err != nil {
		t.Fatalf("timedelta %q: %v", s, err)
	}
	return time.Duration(days)*24*time.Hour + time.Duration(tm.Hour())*time.Hour + time.Duration(tm.Minute())*time.Minute + time.Duration(tm.Second())*time.Second
}

func pad8(s string) string {
	if len(s) == 7 {
		return "0" + s
	}
	return s
}

// goValue builds the Go value of a vector field as PyKey produces it.
func goValue(t *testing.T, typ string, raw any, str string) any {
	t.Helper()
	switch typ {
	case "int":
		x, _ := new(big.Int).SetString(string(raw.(json.Number)), 10)
		if x.IsInt64() {
			return x.Int64()
		}
		return x.Uint64()
	case "float":
		f, err := raw.(json.Number).Float64()
		if err != nil {
			t.Fatal(err)
		}
		return f
	case "str":
		return raw.(string)
	case "Decimal":
		return blob.Decimal(raw.(string))
	case "UUID":
		return uuid.MustParse(raw.(string))
	case "date":
		d, err := time.Parse(time.DateOnly, str)
		if err != nil {
			t.Fatal(err)
		}
		return blob.DateOf(d)
	case "datetime":
		d, err := time.Parse("2006-01-02 15:04:05.999999", str)
		if err != nil {
			t.Fatal(err)
		}
		return d
	case "timedelta":
		return parseTimedelta(t, str)
	}
	t.Fatalf("python type %q", typ)
	return nil
}

// TestKeyHashVectors checks KeyHash, pyStr and the key blob against every
// key of DataJoint for Python's golden vectors (one attribute of each MySQL
// key type).
func TestKeyHashVectors(t *testing.T) {
	for _, v := range readJobsVectors(t) {
		key := Key{}
		for _, n := range v.Names {
			key[n] = goValue(t, v.Types[n], v.Raw[n], v.PyStr[n])
			if got := pyStr(key[n]); got != v.PyStr[n] {
				t.Errorf("str(%s) = %q, want %q", n, got, v.PyStr[n])
			}
		}
		if got := KeyHash(key); got != v.Hash {
			t.Errorf("key_hash(%v) = %s, want %s", v.Raw, got, v.Hash)
		}
		if b, err := keyBlob(v.Names, key); err != nil || b != nil {
			t.Errorf("key blob with a TIME attribute: %x, %v; want NULL", b, err)
		}
		var names []string
		noTime := Key{}
		for _, n := range v.Names {
			if v.Types[n] != "timedelta" {
				names = append(names, n)
				noTime[n] = key[n]
			}
		}
		if got := KeyHash(noTime); got != v.NoTime {
			t.Errorf("key_hash without time = %s, want %s", got, v.NoTime)
		}
		b, err := keyBlob(names, noTime)
		if err != nil {
			t.Fatal(err)
		}
		if hex.EncodeToString(b) != v.NoTimeHex {
			t.Errorf("key blob of %v:\n got %x\nwant %s", v.Raw, b, v.NoTimeHex)
		}
	}
}

// TestKeyHashReference checks the examples of DataJoint's documentation.
func TestKeyHashReference(t *testing.T) {
	for _, c := range []struct {
		key  Key
		want string
	}{
		{Key{"id": 2}, "c81e728d9d4c2f636f067f89cc14862c"},
		{Key{"subject_id": 1, "session": "a"}, "8a8bb7cd343aa2ad99b7d762030857a2"},
		{Key{"session": "a", "subject_id": int64(1)}, "8a8bb7cd343aa2ad99b7d762030857a2"},
	} {
		if got := KeyHash(c.key); got != c.want {
			t.Errorf("KeyHash(%v) = %s, want %s", c.key, got, c.want)
		}
	}
}

func TestKeyHashPythonStr(t *testing.T) {
	for _, c := range []struct {
		v    any
		want string
	}{
		{0.1, "0.1"}, {1.0, "1.0"}, {1e20, "1e+20"}, {1e16, "1e+16"}, {1e15, "1000000000000000.0"},
		{1e-5, "1e-05"}, {0.0001, "0.0001"}, {-2.25, "-2.25"}, {math.Inf(1), "inf"}, {math.Inf(-1), "-inf"},
		{math.NaN(), "nan"}, {math.Copysign(0, -1), "-0.0"}, {float32(0.1), "0.1"}, {float32(1e10), "10000000000.0"},
		{float32(3.14159), "3.14159"}, {int64(-5), "-5"}, {uint64(math.MaxUint64), "18446744073709551615"},
		{true, "True"}, {"x y", "x y"},
		{blob.Decimal("1.50"), "1.50"}, {blob.Decimal("0.00000001"), "1E-8"}, {blob.Decimal("0.000001"), "0.000001"},
		{blob.Decimal("-0.000"), "-0.000"}, {blob.Decimal("000120"), "120"}, {blob.Decimal("0.0000000"), "0E-7"},
		{time.Date(2020, 1, 1, 12, 0, 0, 0, time.UTC), "2020-01-01 12:00:00"},
		{time.Date(2020, 1, 1, 0, 0, 0, 5000, time.UTC), "2020-01-01 00:00:00.000005"},
		{blob.Date{Year: 2020, Month: 1, Day: 2}, "2020-01-02"},
		{time.Hour, "1:00:00"}, {-time.Second, "-1 day, 23:59:59"}, {49 * time.Hour, "2 days, 1:00:00"},
		{-49 * time.Hour, "-3 days, 23:00:00"}, {time.Hour + 1500*time.Microsecond, "1:00:00.001500"},
		{time.Duration(0), "0:00:00"},
		{uuid.MustParse("51431193-E6C3-F339-1A2B-8F1FF1FD42A2"), "51431193-e6c3-f339-1a2b-8f1ff1fd42a2"},
	} {
		if got := pyStr(c.v); got != c.want {
			t.Errorf("pyStr(%#v) = %q, want %q", c.v, got, c.want)
		}
	}
}
