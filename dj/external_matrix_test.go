package dj_test

import (
	"context"
	"fmt"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/blob"
)

// ExtMatrix holds the matrix types the blob codec encodes through a
// pointer, in external blobs, and one in a plain longblob for comparison.
type ExtMatrix struct {
	dj.Manual `comment:"external matrices"`
	ID        int32         `dj:"pk"`
	Raw       *mat.Dense    `dj:"type=blob@djext"`
	Vec       *mat.VecDense `dj:"type=blob@djext"`
	Arr       *blob.Array   `dj:"type=blob@djext"`
	Iface     mat.Matrix    `dj:"type=blob@djext"`
	Anything  any           `dj:"type=blob@djext"`
	Plain     *mat.Dense    `dj:"type=longblob"`
}

// extMatrixOut reads ExtMatrix back into concrete types.
type extMatrixOut struct {
	ID       int32
	Raw      *mat.Dense
	Vec      *mat.VecDense
	Arr      *blob.Array
	Iface    *mat.Dense
	Anything *mat.Dense
	Plain    *mat.Dense
}

// matrixRow builds row i; every row holds different numbers.
func matrixRow(i int) ExtMatrix {
	f := func(n, k int) []float64 {
		out := make([]float64, n)
		for j := range out {
			out[j] = float64(i*1000+k*100+j) + 0.25
		}
		return out
	}
	arr, err := blob.NewArray(f(6, 3), 2, 3)
	if err != nil {
		panic(err)
	}
	return ExtMatrix{
		ID:       int32(i),
		Raw:      mat.NewDense(3, 4, f(12, 1)),
		Vec:      mat.NewVecDense(5, f(5, 2)),
		Arr:      arr,
		Iface:    mat.NewDense(2, 2, f(4, 4)),
		Anything: mat.NewDense(4, 1, f(4, 5)),
		Plain:    mat.NewDense(2, 3, f(6, 6)),
	}
}

func (r ExtMatrix) asMap() map[string]any {
	return map[string]any{"id": r.ID, "raw": r.Raw, "vec": r.Vec, "arr": r.Arr, "iface": r.Iface, "anything": r.Anything, "plain": r.Plain}
}

func checkMatrixRow(t *testing.T, want ExtMatrix, got extMatrixOut) {
	t.Helper()
	if got.ID != want.ID {
		t.Fatalf("id %d, want %d", got.ID, want.ID)
	}
	for _, c := range []struct {
		name      string
		want, got mat.Matrix
	}{{"raw", want.Raw, got.Raw}, {"iface", want.Iface, got.Iface}, {"anything", want.Anything.(mat.Matrix), got.Anything}, {"plain", want.Plain, got.Plain}} {
		if c.got == nil || !mat.Equal(c.want, c.got) {
			t.Fatalf("row %d: %s = %v, want %v", want.ID, c.name, c.got, mat.Formatted(c.want))
		}
	}
	if got.Vec == nil || !mat.Equal(want.Vec, got.Vec) {
		t.Fatalf("row %d: vec = %v, want %v", want.ID, got.Vec, mat.Formatted(want.Vec))
	}
	if got.Arr == nil || fmt.Sprint(got.Arr.Shape) != fmt.Sprint(want.Arr.Shape) || fmt.Sprint(got.Arr.Data) != fmt.Sprint(want.Arr.Data) {
		t.Fatalf("row %d: arr = %+v, want %+v", want.ID, got.Arr, want.Arr)
	}
}

// TestExternalMatrixRoundTrip: matrices held by pointer (and in mat.Matrix
// or any fields) are stored as what they hold, through Insert1, Insert and
// Table.Insert with maps, on a file store and on MinIO.
func TestExternalMatrixRoundTrip(t *testing.T) {
	eachStore(t, func(t *testing.T, env storeEnv) {
		ctx := context.Background()
		c, s := connectStore(t, env)
		must(t, s.Declare(ctx, ExtMatrix{}))
		tbl, err := dj.TableOf[ExtMatrix](c)
		must(t, err)
		var want []ExtMatrix
		for i := range 9 {
			want = append(want, matrixRow(i))
		}
		must(t, dj.Insert1(ctx, c, want[0]))
		must(t, dj.Insert(ctx, c, want[1:3]))
		must(t, dj.Insert1(ctx, c, want[3]))
		must(t, dj.Insert(ctx, c, want[4:5]))
		must(t, tbl.Insert1(ctx, c, want[5].asMap()))
		must(t, tbl.Insert(ctx, c, []map[string]any{want[6].asMap(), want[7].asMap(), want[8].asMap()}))

		// Five distinct objects per row: nothing collapses into one.
		if n := len(trackingRows(t, c, s.Name())); n != 5*len(want) {
			t.Fatalf("%d tracking rows, want %d", n, 5*len(want))
		}
		got, err := dj.Fetch[extMatrixOut](ctx, c, dj.From[ExtMatrix](c).OrderBy("id"))
		must(t, err)
		if len(got) != len(want) {
			t.Fatalf("fetched %d rows", len(got))
		}
		for i := range want {
			checkMatrixRow(t, want[i], got[i])
		}
		one, err := dj.FetchOne[extMatrixOut](ctx, c, dj.From[ExtMatrix](c).Restrict(dj.Where("id=4")))
		must(t, err)
		checkMatrixRow(t, want[4], one)
		maps, err := dj.FetchMaps(ctx, c, dj.From[ExtMatrix](c).Restrict(dj.Where("id=6")))
		must(t, err)
		var raw *mat.Dense
		b, err := blob.Marshal(maps[0]["raw"])
		must(t, err)
		must(t, blob.Unmarshal(b, &raw))
		if !mat.Equal(raw, want[6].Raw) {
			t.Fatalf("FetchMaps: raw = %v", maps[0]["raw"])
		}
	})
}

// MatRecording is the README's external-storage example.
type MatRecording struct {
	dj.Manual `comment:"recordings"`
	SubjectID int32      `dj:"pk"`
	SessionID int16      `dj:"pk"`
	Raw       *mat.Dense `dj:"type=blob@raw"`
}

func TestExternalReadmeRecording(t *testing.T) {
	ctx := context.Background()
	env := s3Env(t)
	c, s := connect(t)
	must(t, c.SetStore("raw", env.cfg))
	must(t, s.Declare(ctx, MatRecording{}))
	var want []MatRecording
	for i := range 4 {
		m := mat.NewDense(2, 3, nil)
		for j := range 6 {
			m.Set(j/3, j%3, float64(10*i+j)+0.5)
		}
		r := MatRecording{SubjectID: 1, SessionID: int16(i), Raw: m}
		must(t, dj.Insert1(ctx, c, r))
		want = append(want, r)
	}
	objs := env.list(t, env.location()+"/"+s.Name()+"/")
	if len(objs) != len(want) {
		t.Fatalf("%d objects in the store, want %d: %v", len(objs), len(want), objs)
	}
	for _, o := range objs {
		b, _ := env.read(t, o)
		var m *mat.Dense
		if err := blob.Unmarshal(b, &m); err != nil || m == nil {
			t.Fatalf("object %s (%d bytes) is not a matrix: %v", o, len(b), err)
		}
	}
	got, err := dj.Fetch[MatRecording](ctx, c, dj.From[MatRecording](c).OrderBy("session_id"))
	must(t, err)
	for i := range want {
		if got[i].Raw == nil || !mat.Equal(got[i].Raw, want[i].Raw) {
			t.Fatalf("recording %d: %v, want %v", i, got[i].Raw, mat.Formatted(want[i].Raw))
		}
	}
}

// opaque keeps its state unexported: the blob codec sees an empty struct.
type opaque struct{ samples []float64 }

type ExtOpaque struct {
	dj.Manual `comment:"values the codec cannot see into"`
	ID        int32 `dj:"pk"`
	Data      any   `dj:"type=blob@djext"`
}

// TestExternalRefusesLossyValue: a value that would be stored as an empty
// dict fails the insert before anything is uploaded or written.
func TestExternalRefusesLossyValue(t *testing.T) {
	eachStore(t, func(t *testing.T, env storeEnv) {
		ctx := context.Background()
		c, s := connectStore(t, env)
		must(t, s.Declare(ctx, ExtOpaque{}))
		for _, v := range []any{opaque{samples: []float64{1, 2}}, &opaque{samples: []float64{3}}} {
			err := dj.Insert(ctx, c, []ExtOpaque{{ID: 1, Data: []float64{1}}, {ID: 2, Data: v}})
			wantErr(t, err, dj.ErrType)
			tbl, err2 := dj.TableOf[ExtOpaque](c)
			must(t, err2)
			err = tbl.Insert1(ctx, c, map[string]any{"id": 3, "data": v})
			wantErr(t, err, dj.ErrType)
		}
		if objs := env.list(t, env.location()+"/"); len(objs) != 0 {
			t.Fatalf("objects stored by refused inserts: %v", objs)
		}
		if n := countRows(t, c, "`"+s.Name()+"`.`ext_opaque`"); n != 0 {
			t.Fatalf("%d rows written", n)
		}
	})
}
