package dj_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/datajoint-go/datajoint/dj"
)

// TestURestrictedByMapMessage: restricting dj.U by a key names the
// condition as the user wrote it and the way to restrict instead, never
// an internal type.
func TestURestrictedByMapMessage(t *testing.T) {
	c := offlineLab()
	for _, tc := range []struct {
		cond dj.Cond
		says string
	}{
		{dj.Match(dj.Key{"sex": "F"}), "not by a key (Match)"},
		{dj.Match(Mouse{MouseID: 1}), "not by a key (Match)"},
		{dj.MatchAny([]dj.Key{{"sex": "F"}}), "not by a list of keys (Matches)"},
		{dj.Where("sex = ?", "F"), `not by Where("sex = ?")`},
	} {
		err := dj.U("sex").Restrict(tc.cond).Restrict(dj.From[Mouse](c)).Err()
		if !errors.Is(err, dj.ErrInvalidQuery) {
			t.Fatalf("error %v, want ErrInvalidQuery", err)
		}
		msg := err.Error()
		if !strings.Contains(msg, tc.says) || !strings.Contains(msg, "Restrict(B.Restrict(cond))") {
			t.Errorf("error %q: want it to say %q and how to restrict instead", msg, tc.says)
		}
		if strings.Contains(msg, "query.") || strings.Contains(msg, "Cond") {
			t.Errorf("error %q names an internal type", msg)
		}
	}
	var zero dj.Expr
	if msg := zero.Restrict(dj.True).Err().Error(); strings.Contains(msg, "query.") {
		t.Errorf("error %q names an internal package", msg)
	}
}

// Undeclared is never declared on any connection.
type Undeclared struct {
	dj.Manual
	ID int32 `dj:"pk"`
}

// TestErrorPrefixOnce: an error of package dj begins with one "dj: ", also
// when its cause is another dj error.
func TestErrorPrefixOnce(t *testing.T) {
	ctx := context.Background()
	c := offlineLab()
	_, err := dj.Fetch[Undeclared](ctx, c, dj.From[Undeclared](c))
	wantErr(t, err, dj.ErrMissingTable)
	if msg := err.Error(); !strings.HasPrefix(msg, "dj: fetch ") || strings.Count(msg, "dj: ") != 1 {
		t.Errorf("error %q: want one \"dj: \" prefix", msg)
	}
	_, err = c.Schema(ctx, "bad name")
	if msg := err.Error(); !strings.HasPrefix(msg, "dj: schema") || strings.Count(msg, "dj: ") != 1 {
		t.Errorf("error %q: want one \"dj: \" prefix", msg)
	}
	nested := &dj.Error{Op: "insert", Table: "`a`.`b`", Err: &dj.Error{Op: "schema", Table: "`a`", Err: dj.ErrConfig}}
	if got, want := nested.Error(), "dj: insert `a`.`b`: schema `a`: "+dj.ErrConfig.Error(); got != want {
		t.Errorf("nested error = %q, want %q", got, want)
	}
}

// Sample holds blobs, one of which the test corrupts.
type Sample struct {
	dj.Manual
	SampleID int32 `dj:"pk"`
	Values   []float64
}

// TestFetchFailureReturnsNoRows: a fetch that fails after some rows were
// read returns no rows with its error, whichever call it is.
func TestFetchFailureReturnsNoRows(t *testing.T) {
	c, s := connect(t)
	ctx := context.Background()
	must(t, s.Declare(ctx, Sample{}))
	must(t, dj.Insert(ctx, c, []Sample{{SampleID: 1, Values: []float64{1}}, {SampleID: 2, Values: []float64{2}}, {SampleID: 3, Values: []float64{3}}}))
	// The third row's blob is not a blob.
	_, err := c.DB().ExecContext(ctx, "UPDATE `"+s.Name()+"`.`sample` SET `values` = 'not a blob' WHERE sample_id = 3")
	must(t, err)
	e := dj.From[Sample](c).OrderBy("sample_id")

	rows, err := dj.Fetch[Sample](ctx, c, e)
	if err == nil || rows != nil {
		t.Errorf("Fetch: %d rows, error %v; want no rows and an error", len(rows), err)
	}
	maps, err := dj.FetchMaps(ctx, c, e)
	if err == nil || maps != nil {
		t.Errorf("FetchMaps: %d rows, error %v; want no rows and an error", len(maps), err)
	}
	col, err := dj.FetchColumn[[]float64](ctx, c, e, "values")
	if err == nil || col != nil {
		t.Errorf("FetchColumn: %d rows, error %v; want no rows and an error", len(col), err)
	}
	// A NULL into a field that cannot hold it, after rows that can.
	type row struct {
		SampleID int32
		Label    string
	}
	labelled := dj.From[Sample](c).Proj("label=IF(sample_id < 3, 'x', NULL)").OrderBy("sample_id")
	got, err := dj.Fetch[row](ctx, c, labelled)
	wantErr(t, err, dj.ErrType)
	if got != nil {
		t.Errorf("Fetch returned %d rows with its error", len(got))
	}
	// The rows before the failure are fine on their own.
	got, err = dj.Fetch[row](ctx, c, labelled.Restrict(dj.Where("sample_id < 3")))
	must(t, err)
	if len(got) != 2 {
		t.Fatalf("%d rows, want 2", len(got))
	}
}

// TestDeleteDeclinedReportsNothing: a delete declined at Confirm deletes
// nothing and reports no counts, on a connection and inside a caller's
// transaction, which stays usable.
func TestDeleteDeclinedReportsNothing(t *testing.T) {
	c, s := connect(t)
	ctx := context.Background()
	declareLab(t, s)
	seedLab(t, c)
	before, err := dj.Count(ctx, c, dj.From[Session](c))
	must(t, err)
	var planned int64
	decline := dj.Confirm(func(r dj.DeleteResult) bool { planned = r.Total(); return false })

	res, err := dj.Delete(ctx, c, dj.From[Subject](c).Restrict(dj.Match(dj.Key{"subject_id": 1})), decline)
	must(t, err)
	if planned == 0 {
		t.Fatal("Confirm saw no rows: the check is vacuous")
	}
	if res.Total() != 0 || len(res.Counts) != 0 {
		t.Errorf("declined delete reports %+v", res.Counts)
	}
	planned = 0
	must(t, c.Tx(ctx, func(ctx context.Context, tx *dj.Tx) error {
		res, err := dj.Delete(ctx, tx, dj.From[Session](tx), decline)
		if err != nil {
			return err
		}
		if res.Total() != 0 || len(res.Counts) != 0 {
			t.Errorf("declined delete in a transaction reports %+v", res.Counts)
		}
		n, err := dj.Count(ctx, tx, dj.From[Session](tx))
		if err != nil {
			return err
		}
		if n != before {
			t.Errorf("inside the transaction %d sessions are left, want %d", n, before)
		}
		return nil
	}))
	if planned != before {
		t.Errorf("Confirm saw %d rows, want %d", planned, before)
	}
	after, err := dj.Count(ctx, c, dj.From[Session](c))
	must(t, err)
	if after != before {
		t.Errorf("%d sessions left, want %d", after, before)
	}
}
