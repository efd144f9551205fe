package blob_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/datajoint-go/datajoint/dj/blob"
	"github.com/google/uuid"
	"gonum.org/v1/gonum/mat"
)

func ExampleMarshal() {
	b, err := blob.Marshal(map[string]int{"a": 1})
	if err != nil {
		panic(err)
	}
	fmt.Printf("%x\n", b)
	// Output:
	// 646a30000401000000000000000a000000000000000501000000000000006104000000000000000a010001
}

func ExampleUnmarshal() {
	// A 2×3 matrix as DataJoint for Python writes np.array([[1,2,3],[4,5,6]]).
	b, _ := blob.Marshal(mat.NewDense(2, 3, []float64{1, 2, 3, 4, 5, 6}))
	var m mat.Dense
	if err := blob.Unmarshal(b, &m); err != nil {
		panic(err)
	}
	fmt.Println(mat.Formatted(&m))

	var trace []float32 // exact conversion from the stored doubles
	b, _ = blob.Marshal([]float64{0.5, 1.5})
	if err := blob.Unmarshal(b, &trace); err != nil {
		panic(err)
	}
	fmt.Println(trace)
	// Output:
	// ⎡1  2  3⎤
	// ⎣4  5  6⎦
	// [0.5 1.5]
}

func ExampleUnmarshal_struct() {
	type Session struct {
		SessionID int
		Notes     string
		Rate      float64 `blob:"sampling_rate"`
	}
	b, _ := blob.Marshal(Session{SessionID: 3, Notes: "ok", Rate: 30})
	var anyv any
	_ = blob.Unmarshal(b, &anyv)
	fmt.Println(anyv)
	var s Session
	_ = blob.Unmarshal(b, &s)
	fmt.Printf("%+v\n", s)
	// Output:
	// map[notes:ok sampling_rate:30 session_id:3]
	// {SessionID:3 Notes:ok Rate:30}
}

func ExampleDecode() {
	// A MATLAB struct array written by mYm: s.x = [1 2], s.name = 'ab'.
	b, _ := blob.Marshal(&blob.MatStruct{
		Shape:  []int{1, 1},
		Fields: []string{"x", "name"},
		Elems: [][]any{{
			&blob.Array{Class: blob.ClassDouble, Shape: []int{1, 2}, Data: []float64{1, 2}},
			&blob.Array{Class: blob.ClassChar, Shape: []int{1, 2}, Data: []uint16{'a', 'b'}},
		}},
	})
	v, err := blob.Decode(b)
	if err != nil {
		panic(err)
	}
	desc, _ := blob.Describe(v)
	fmt.Println(string(b[:3]))
	fmt.Println(string(desc))
	// Output:
	// mYm
	// {"type": "struct", "shape": [1, 1], "fields": ["x", "name"], "items": [[{"type": "ndarray", "dtype": "float64", "shape": [1, 2], "data": [1.0, 2.0]}, {"type": "ndarray", "dtype": "bytes1", "shape": [1, 2], "data": ["61", "62"]}]]}
}

func ExampleDict() {
	// A ~jobs key: a dict in key-attribute order.
	key := blob.Dict{
		{Key: "subject_id", Value: 12},
		{Key: "session_date", Value: blob.Date{Year: 2024, Month: time.February, Day: 29}},
		{Key: "session_uuid", Value: uuid.MustParse("f47ac10b-58cc-4372-a567-0e02b2c3d479")},
		{Key: "weight", Value: blob.Decimal("21.50")},
	}
	b, _ := blob.Marshal(key)
	v, _ := blob.Decode(b)
	for _, it := range v.(blob.Dict) {
		fmt.Printf("%v = %v (%T)\n", it.Key, it.Value, it.Value)
	}
	// Output:
	// subject_id = 12 (int64)
	// session_date = 2024-02-29 (blob.Date)
	// session_uuid = f47ac10b-58cc-4372-a567-0e02b2c3d479 (uuid.UUID)
	// weight = 21.50 (blob.Decimal)
}

func ExampleMsgpackProtocol() {
	type Params struct {
		Kernel string
		Widths []int
	}
	b, _ := blob.Marshal(Params{"gauss", []int{3, 5}}, blob.MsgpackProtocol())
	var p Params
	if err := blob.Unmarshal(b, &p); err != nil { // the header is recognised
		panic(err)
	}
	fmt.Printf("%q %+v\n", b[:13], p)
	// Output:
	// "djgo-msgpack1" {Kernel:gauss Widths:[3 5]}
}

func ExampleMaxDecodedSize() {
	// A blob of a million doubles needs 8 MB once decoded.
	b, _ := blob.Marshal(make([]float64, 1e6))
	var x []float64
	err := blob.Unmarshal(b, &x, blob.MaxDecodedSize(1<<20))
	fmt.Println(errors.Is(err, blob.ErrTooLarge))
	fmt.Println(err)
	err = blob.Unmarshal(b, &x, blob.MaxDecodedSize(16<<20))
	fmt.Println(len(x), err)
	// Output:
	// true
	// blob: too large: compressed blob declares 8000029 bytes, more than the decoded-size limit of 1048576 bytes (MaxDecodedSize)
	// 1000000 <nil>
}

// By default a compressed blob has exactly the bytes DataJoint for Python
// writes for the same value; FastCompression gives up that identity for
// speed. Both decode alike.
func ExampleFastCompression() {
	trace := make([]float64, 10000)
	for i := range trace {
		trace[i] = float64(i % 100)
	}
	exact, _ := blob.Marshal(trace)
	fast, _ := blob.Marshal(trace, blob.FastCompression())
	var a, b []float64
	_ = blob.Unmarshal(exact, &a)
	_ = blob.Unmarshal(fast, &b)
	fmt.Println(len(a) == len(b) && a[9999] == b[9999])
	// Output: true
}
