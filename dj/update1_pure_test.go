package dj

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"
)

type UpRow struct {
	Manual
	ID    int32  `dj:"pk"`
	Note  string `dj:"type=varchar(16)"`
	Score *float64
}

// TestUpdate1Builds builds Update1's statement without a server: the
// key in WHERE, the other attributes in SET, NULL as DEFAULT, and the
// refusals of a missing key or nothing to set.
func TestUpdate1Builds(t *testing.T) {
	ctx := context.Background()
	c := Offline()
	s, err := c.Schema(ctx, "lab")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Declare(ctx, UpRow{}); err != nil {
		t.Fatal(err)
	}
	tbl, _ := c.Bound(reflect.TypeFor[UpRow]())
	build := func(row any) (update1, error) {
		rv, err := rowValue(reflect.ValueOf(row))
		if err != nil {
			t.Fatal(err)
		}
		src, err := tbl.rowSource(rv.Type(), rv, false)
		if err != nil {
			t.Fatal(err)
		}
		return tbl.update1Statement(src, rv)
	}
	u, err := build(UpRow{ID: 3, Note: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if want := "UPDATE `lab`.`up_row` SET `note`=?,`score`=DEFAULT WHERE `id`=?"; u.stmt != want {
		t.Errorf("statement %q, want %q", u.stmt, want)
	}
	if !slices.Equal(u.setArgs, []any{"x"}) || len(u.whereArgs) != 1 || u.extCols != nil {
		t.Errorf("arguments %v / %v / %v", u.setArgs, u.whereArgs, u.extCols)
	}
	_, err = build(map[string]any{"note": "y"})
	if !errors.Is(err, ErrMissingAttribute) {
		t.Errorf("without the key: %v", err)
	}
	_, err = build(map[string]any{"id": 1})
	if !errors.Is(err, ErrMissingAttribute) {
		t.Errorf("nothing to set: %v", err)
	}
}
