package dj_test

import (
	"context"
	"fmt"

	"github.com/datajoint-go/datajoint/dj"
)

// A pipeline written in DataJoint for Python declares `graph : <graph>`
// with an adapter whose attribute_type is "longblob". Registering a Go
// adapter under the same name lets Go read and write those graphs; the
// database holds the same blob either way.
func ExampleRegisterAdapter() {
	type Edge struct{ From, To int64 }
	adapter := dj.AdapterFuncs(
		func(g []Edge) ([]int64, error) { // put: the Go value → the stored blob value
			out := make([]int64, 0, 2*len(g))
			for _, e := range g {
				out = append(out, e.From, e.To)
			}
			return out, nil
		},
		func(v []int64) ([]Edge, error) { // get: the stored blob value → the Go value
			var g []Edge
			for i := 0; i+1 < len(v); i += 2 {
				g = append(g, Edge{v[i], v[i+1]})
			}
			return g, nil
		},
	)
	dj.RegisterAdapter("graph", adapter)

	stored, _ := adapter.Put([]Edge{{1, 2}, {2, 3}})
	fmt.Println(stored)
	back, _ := adapter.Get(stored)
	fmt.Println(back)
	// Output:
	// [1 2 2 3]
	// [{1 2} {2 3}]
}

// MaxBlobSize lowers the memory one fetched blob may take, for a fetch of
// data from an untrusted source.
func ExampleMaxBlobSize() {
	ctx := context.Background()
	c, err := dj.Connect(ctx, dj.Config{Host: "localhost", MaxBlobSize: 256 << 20})
	if err != nil {
		return
	}
	defer c.Close()
	rows, err := dj.FetchMaps(ctx, c, dj.From[Scan](c), dj.MaxBlobSize(16<<20))
	fmt.Println(len(rows), err)
}
