package inspect

import (
	"context"
	"testing"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/datajoint-go/datajoint/dj"
)

type PreviewRec struct {
	dj.Manual
	RecID int32     `dj:"pk"`
	Name  string    `dj:"type=varchar(16)"`
	Day   time.Time `dj:"type=date"`
	Trace *mat.Dense
	Tags  []string
	Note  *string `dj:"type=varchar(64)"`
}

// TestPreview shows the first rows of a table with blobs as shape and
// type, NULL, dates, the "..." of more rows and the total.
func TestPreview(t *testing.T) {
	c, s := connect(t)
	ctx := context.Background()
	if err := s.Declare(ctx, PreviewRec{}); err != nil {
		t.Fatal(err)
	}
	note := "first"
	day := time.Date(2024, 5, 6, 0, 0, 0, 0, time.UTC)
	rows := []PreviewRec{
		{RecID: 1, Name: "alpha", Day: day, Trace: mat.NewDense(3, 4, nil), Tags: []string{"a", "b"}, Note: &note},
		{RecID: 2, Name: "beta", Day: day, Trace: mat.NewDense(1, 2, []float64{1, 2}), Tags: nil},
		{RecID: 3, Name: "gamma", Day: day, Trace: mat.NewDense(2, 2, nil)},
	}
	if err := dj.Insert(ctx, c, rows); err != nil {
		t.Fatal(err)
	}
	tb, err := s.Table(ctx, "PreviewRec")
	if err != nil {
		t.Fatal(err)
	}
	got, err := Preview(ctx, c, tb.Expr(), PreviewOptions{Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	want := "" +
		"*rec_id   name    day          trace           tags       note\n" +
		"+-------+ +-----+ +----------+ +-------------+ +--------+ +-----+\n" +
		"1         alpha   2024-05-06   <3×4 float64>   <list 2>   first\n" +
		"2         beta    2024-05-06   <1×2 float64>   <list 0>   NULL\n" +
		"   ...\n" +
		" (Total: 3)\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
