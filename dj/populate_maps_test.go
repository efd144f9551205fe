package dj_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/datajoint-go/datajoint/dj"
)

type MapSource struct {
	dj.Manual
	SourceID int32 `dj:"pk"`
	N        int32
}

type MapSquare struct {
	dj.Computed
	Source   dj.Ref[MapSource] `dj:"pk"`
	SourceID int32             `dj:"pk"`
	Square   int64
}

type MapSquareDigit struct {
	dj.Part[MapSquare]
	SourceID int32 `dj:"pk"`
	Pos      int16 `dj:"pk"`
	Digit    int8
}

// TestPopulateMaps populates a Computed table and its part opened by name,
// with a make over maps, reserving jobs on two workers: every key commits
// its master and part rows together, a failing key leaves nothing and an
// error job, and a second run makes nothing.
func TestPopulateMaps(t *testing.T) {
	ctx := context.Background()
	c, s := connect(t)
	must(t, s.Declare(ctx, MapSource{}, MapSquare{}, MapSquareDigit{}))
	var src []MapSource
	for i := int32(1); i <= 6; i++ {
		src = append(src, MapSource{SourceID: i, N: i * 7})
	}
	must(t, dj.Insert(ctx, c, src))

	// Another program, without the structs.
	c2, err := dj.Connect(ctx, c.Config())
	must(t, err)
	defer c2.Close()
	s2, err := c2.Schema(ctx, s.Name(), dj.NoCreate())
	must(t, err)
	square, err := s2.Table(ctx, "MapSquare")
	must(t, err)
	digits, err := s2.Table(ctx, "MapSquare.Digit")
	must(t, err)
	source, err := s2.Table(ctx, "MapSource")
	must(t, err)

	res, err := dj.PopulateMaps(ctx, square, func(ctx context.Context, tx *dj.Tx, key dj.Key) ([]map[string]any, error) {
		rows, err := dj.FetchMaps(ctx, tx, source.Expr().Restrict(dj.Match(key)))
		if err != nil {
			return nil, err
		}
		n := rows[0]["n"].(int64)
		sq := int64(n) * int64(n)
		row := map[string]any{"source_id": key["source_id"], "square": sq}
		if n%2 == 1 {
			return []map[string]any{row}, nil // inserted by PopulateMaps
		}
		// With parts, the make inserts the master row first, as in DataJoint.
		if err := square.Insert1(ctx, tx, row); err != nil {
			return nil, err
		}
		var parts []map[string]any
		for i, d := range fmt.Sprint(sq) {
			parts = append(parts, map[string]any{"source_id": key["source_id"], "pos": i, "digit": int(d - '0')})
		}
		if err := digits.Insert(ctx, tx, parts); err != nil {
			return nil, err
		}
		if fmt.Sprint(key["source_id"]) == "4" {
			return nil, errors.New("no square for 4")
		}
		return nil, nil
	}, dj.ReserveJobs(), dj.Workers(2), dj.SuppressErrors())
	must(t, err)
	if res.Made != 5 || len(res.Errors) != 1 {
		t.Fatalf("result %+v", res)
	}
	got, err := dj.Fetch[MapSquare](ctx, c, dj.From[MapSquare](c))
	must(t, err)
	if len(got) != 5 {
		t.Fatalf("%d rows", len(got))
	}
	for _, r := range got {
		if r.SourceID == 4 || r.Square != int64(r.SourceID*7)*int64(r.SourceID*7) {
			t.Errorf("row %+v", r)
		}
	}
	n, err := dj.Count(ctx, c, dj.From[MapSquareDigit](c).Restrict(dj.Where("source_id = 4")))
	must(t, err)
	if n != 0 {
		t.Errorf("the failed key left %d part rows", n)
	}
	// 14² = 196 and 42² = 1764 have 3 and 4 digits.
	if n, err = dj.Count(ctx, c, dj.From[MapSquareDigit](c)); err != nil || n != 3+4 {
		t.Errorf("%d part rows (%v), want 7", n, err)
	}
	errs, err := s.Jobs().Errors(ctx, "__map_square")
	must(t, err)
	if len(errs) != 1 || errs[0].ErrorMessage != "no square for 4" {
		t.Errorf("error jobs %+v", errs)
	}
	res, err = dj.PopulateMaps(ctx, square, func(ctx context.Context, tx *dj.Tx, key dj.Key) ([]map[string]any, error) {
		return nil, errors.New("called again")
	}, dj.ReserveJobs())
	must(t, err)
	if res.Made != 0 {
		t.Errorf("second run %+v", res)
	}
	// Only Imported and Computed tables are populated.
	_, err = dj.PopulateMaps(ctx, source, func(context.Context, *dj.Tx, dj.Key) ([]map[string]any, error) { return nil, nil })
	wantErr(t, err, dj.ErrInvalidQuery)
}
