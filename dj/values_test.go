package dj_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/datajoint-go/datajoint/dj"
)

// NumRow holds numbers that some Go types cannot hold.
type NumRow struct {
	dj.Manual
	NumID int32 `dj:"pk"`
	Big   int64
	Frac  float64
	Huge  int64
}

// wantAttrErr checks that err wraps ErrType and names the attribute and row.
func wantAttrErr(t *testing.T, what string, err error, attr string, row int) {
	t.Helper()
	if !errors.Is(err, dj.ErrType) {
		t.Fatalf("%s: err = %v, want ErrType", what, err)
	}
	var de *dj.Error
	if !errors.As(err, &de) || de.Attr != attr {
		t.Fatalf("%s: err = %v, want it to name attribute %s", what, err, attr)
	}
	if want := "row " + itoa(row); !strings.Contains(err.Error(), want) {
		t.Fatalf("%s: err = %v, want it to name %s", what, err, want)
	}
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

func TestFetchNumbersNeverChange(t *testing.T) {
	c, s := connect(t)
	ctx := context.Background()
	must(t, s.Declare(ctx, NumRow{}))
	must(t, dj.Insert(ctx, c, []NumRow{
		{NumID: 1, Big: 3, Frac: 2, Huge: 1},
		{NumID: 2, Big: 300, Frac: 1.5, Huge: 1<<53 + 1},
		{NumID: 3, Big: -1, Frac: 1e300, Huge: 7},
	}))
	all := dj.From[NumRow](c).OrderBy("num_id")

	// FetchColumn.
	_, err := dj.FetchColumn[int8](ctx, c, all, "big")
	wantAttrErr(t, "int8 of 300", err, "big", 1)
	_, err = dj.FetchColumn[uint8](ctx, c, all, "frac")
	wantAttrErr(t, "uint8 of 1.5", err, "frac", 1)
	_, err = dj.FetchColumn[uint64](ctx, c, all.Restrict(dj.Where("num_id <> 2")), "big")
	wantAttrErr(t, "uint64 of -1", err, "big", 1)
	_, err = dj.FetchColumn[float32](ctx, c, all, "frac")
	wantAttrErr(t, "float32 of 1e300", err, "frac", 2)
	_, err = dj.FetchColumn[float64](ctx, c, all, "huge")
	wantAttrErr(t, "float64 of 2^53+1", err, "huge", 1)
	got, err := dj.FetchColumn[int16](ctx, c, all, "big")
	must(t, err)
	if len(got) != 3 || got[0] != 3 || got[1] != 300 || got[2] != -1 {
		t.Fatalf("int16 column = %v", got)
	}
	fl, err := dj.FetchColumn[float32](ctx, c, all.Restrict(dj.Where("num_id < 3")), "frac")
	must(t, err)
	if len(fl) != 2 || fl[0] != 2 || fl[1] != 1.5 {
		t.Fatalf("float32 column = %v", fl)
	}

	// Structs: Fetch, FetchOne, All.
	type small struct {
		NumID int32
		Big   int8
		Frac  float64
		Huge  int64
	}
	_, err = dj.Fetch[small](ctx, c, all)
	wantAttrErr(t, "Fetch int8", err, "big", 1)
	_, err = dj.FetchOne[small](ctx, c, all.Restrict(dj.Match(dj.Key{"num_id": 2})))
	wantAttrErr(t, "FetchOne int8", err, "big", 0)
	type whole struct {
		NumID int32
		Big   int64
		Frac  int64
		Huge  float64
	}
	var streamed error
	for _, err := range dj.All[whole](ctx, c, all) {
		if err != nil {
			streamed = err
		}
	}
	wantAttrErr(t, "All fraction", streamed, "frac", 1)
	one, err := dj.FetchOne[whole](ctx, c, all.Restrict(dj.Match(dj.Key{"num_id": 1})))
	must(t, err)
	if one.Frac != 2 || one.Huge != 1 {
		t.Fatalf("whole row = %+v", one)
	}

	// Matrices hold float64: an integer beyond 2^53 is refused, not rounded.
	_, err = dj.FetchMatrix(ctx, c, all, "big", "huge")
	wantAttrErr(t, "FetchMatrix", err, "huge", 1)
	_, err = dj.FetchVector(ctx, c, all, "huge")
	wantAttrErr(t, "FetchVector", err, "huge", 1)
	m, err := dj.FetchMatrix(ctx, c, all.Restrict(dj.Where("num_id <> 2")), "big", "huge")
	must(t, err)
	if m.At(1, 0) != -1 || m.At(1, 1) != 7 {
		t.Fatalf("matrix = %v", m.RawMatrix().Data)
	}
}

// InfRow has a column named inf, the word a bare +Inf would read as.
type InfRow struct {
	dj.Manual
	InfID int32 `dj:"pk"`
	Inf   float64
	X     float32
	Y     *float64
	Z     float64 `dj:"default=5"`
}

func TestNonFiniteFloats(t *testing.T) {
	c, s := connect(t)
	ctx := context.Background()
	must(t, s.Declare(ctx, InfRow{}))
	tbl, err := dj.TableOf[InfRow](c)
	must(t, err)
	inf32 := float32(math.Inf(1))
	nan32 := float32(math.NaN())

	// Infinities are refused in every row form, naming the attribute.
	cases := []struct {
		name string
		run  func() error
	}{
		{"struct float32", func() error { return dj.Insert1(ctx, c, InfRow{InfID: 1, Inf: 7, X: inf32}) }},
		{"struct float64", func() error { return dj.Insert1(ctx, c, InfRow{InfID: 1, Inf: math.Inf(-1)}) }},
		{"pointer", func() error {
			v := math.Inf(1)
			return dj.Insert1(ctx, c, InfRow{InfID: 1, Y: &v})
		}},
		{"map", func() error { return tbl.Insert1(ctx, c, map[string]any{"inf_id": 1, "inf": 7, "x": inf32}) }},
		{"map pointer", func() error { return tbl.Insert1(ctx, c, map[string]any{"inf_id": 1, "inf": 7, "x": &inf32}) }},
	}
	attrs := []string{"x", "inf", "y", "x", "x"}
	for i, tc := range cases {
		err := tc.run()
		if !errors.Is(err, dj.ErrType) {
			t.Fatalf("%s: err = %v, want ErrType", tc.name, err)
		}
		var de *dj.Error
		if !errors.As(err, &de) || de.Attr != attrs[i] {
			t.Fatalf("%s: err = %v, want attribute %s", tc.name, err, attrs[i])
		}
	}
	n, err := dj.Count(ctx, c, tbl.Expr())
	must(t, err)
	if n != 0 {
		t.Fatalf("%d rows stored after refused inserts", n)
	}

	// NaN is a missing value, as in DataJoint: NULL where allowed, the
	// default where there is one, an error for NOT NULL without default.
	nan := math.NaN()
	must(t, dj.Insert1(ctx, c, InfRow{InfID: 2, Inf: 1, X: 2, Y: &nan, Z: nan}))
	must(t, tbl.Insert1(ctx, c, map[string]any{"inf_id": 3, "inf": 1, "x": 2, "y": nan32}))
	rows, err := dj.FetchMaps(ctx, c, tbl.Expr().OrderBy("inf_id"))
	must(t, err)
	if len(rows) != 2 || rows[0]["y"] != nil || rows[1]["y"] != nil || rows[0]["z"] != 5.0 {
		t.Fatalf("NaN rows = %v", rows)
	}
	err = dj.Insert1(ctx, c, InfRow{InfID: 4, Inf: 1, X: nan32})
	if !errors.Is(err, dj.ErrMissingAttribute) || !strings.Contains(err.Error(), "NaN") {
		t.Fatalf("NaN into NOT NULL: err = %v", err)
	}

	// Update1 refuses infinities too and leaves the row alone.
	err = dj.Update1(ctx, c, InfRow{InfID: 2, Inf: 9, X: inf32})
	wantErr(t, err, dj.ErrType)
	err = tbl.Update1(ctx, c, map[string]any{"inf_id": 2, "x": float32(math.Inf(-1))})
	wantErr(t, err, dj.ErrType)
	x, err := dj.FetchColumn[float32](ctx, c, tbl.Expr().Restrict(dj.Match(dj.Key{"inf_id": 2})), "x")
	must(t, err)
	if len(x) != 1 || x[0] != 2 {
		t.Fatalf("x after refused updates = %v", x)
	}

	// Restriction arguments: an infinity or NaN never becomes SQL text.
	for _, arg := range []any{inf32, math.Inf(-1), nan, &inf32} {
		_, err := dj.Count(ctx, c, tbl.Expr().Restrict(dj.Where("x < ?", arg)))
		wantErr(t, err, dj.ErrType)
		_, err = dj.Count(ctx, c, tbl.Expr().Restrict(dj.Match(dj.Key{"x": arg})))
		wantErr(t, err, dj.ErrType)
	}
	type xKey struct{ X float32 }
	_, err = dj.Count(ctx, c, tbl.Expr().Restrict(dj.Match(xKey{X: inf32})))
	wantErr(t, err, dj.ErrType)
}

// TestNilRows: a nil row is an error, never a panic.
func TestNilRows(t *testing.T) {
	c, s := connect(t)
	ctx := context.Background()
	must(t, s.Declare(ctx, NumRow{}))
	tbl, err := dj.TableOf[NumRow](c)
	must(t, err)
	wantErr(t, tbl.Insert1(ctx, c, nil), dj.ErrType)
	wantErr(t, tbl.Update1(ctx, c, nil), dj.ErrType)
	wantErr(t, tbl.Insert(ctx, c, []*NumRow{{NumID: 1}, nil}), dj.ErrType)
	wantErr(t, tbl.Insert(ctx, c, []map[string]any{{"num_id": 1, "big": 1, "frac": 1, "huge": 1}, nil}), dj.ErrMissingAttribute)
	n, err := dj.Count(ctx, c, tbl.Expr())
	must(t, err)
	if n != 0 {
		t.Fatalf("%d rows stored", n)
	}
}

// TestInsertBatchesAtomic: rows encoded batch by batch still go in all or
// nothing, and batches mix DEFAULT values and parameters correctly.
func TestInsertBatchesAtomic(t *testing.T) {
	c, s := connect(t)
	ctx := context.Background()
	must(t, s.Declare(ctx, InfRow{}))
	var rows []InfRow
	for i := range 7 {
		r := InfRow{InfID: int32(i), Inf: float64(i), X: float32(i), Z: float64(10 + i)}
		if i%3 == 0 {
			r.Z = math.NaN() // DEFAULT: 5
		}
		rows = append(rows, r)
	}
	bad := append([]InfRow(nil), rows...)
	bad[6].X = float32(math.Inf(1))
	err := dj.Insert(ctx, c, bad, dj.BatchRows(2))
	wantErr(t, err, dj.ErrType)
	n, err := dj.Count(ctx, c, dj.From[InfRow](c))
	must(t, err)
	if n != 0 {
		t.Fatalf("%d rows stored by a failed insert", n)
	}
	must(t, dj.Insert(ctx, c, rows, dj.BatchRows(2)))
	z, err := dj.FetchColumn[float64](ctx, c, dj.From[InfRow](c).OrderBy("inf_id"), "z")
	must(t, err)
	want := []float64{5, 11, 12, 5, 14, 15, 5}
	if len(z) != len(want) {
		t.Fatalf("z = %v", z)
	}
	for i := range want {
		if z[i] != want[i] {
			t.Fatalf("z = %v, want %v", z, want)
		}
	}
}
