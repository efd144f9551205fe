package dj_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/datajoint-go/datajoint/dj"
)

// The pipeline "someone else" declared.
type BindSource struct {
	dj.Manual
	SourceID int32  `dj:"pk"`
	Label    string `dj:"type=varchar(16)"`
}

type BindResult struct {
	dj.Computed
	Source   dj.Ref[BindSource] `dj:"pk"`
	SourceID int32              `dj:"pk"`
	Value    float64
}

// Structs of a program that works on it.
type BindSourceWrongName struct {
	dj.Manual
	SourceID int32  `dj:"pk"`
	Label    string `dj:"type=varchar(16)"`
}

func countTables(t *testing.T, c *dj.Conn, db string) int {
	t.Helper()
	var n int
	must(t, c.QueryRowContext(context.Background(), "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = ?", db).Scan(&n))
	return n
}

// TestBind binds structs to existing tables without creating anything;
// a struct without a table, or one that differs from its table, is an
// error that names the table.
func TestBind(t *testing.T) {
	ctx := context.Background()
	c, s := connect(t)
	must(t, s.Declare(ctx, BindSource{}, BindResult{}))
	must(t, dj.Insert1(ctx, c, BindSource{SourceID: 1, Label: "a"}))

	// A second program binds the same structs on its own connection.
	c2, err := dj.Connect(ctx, c.Config())
	must(t, err)
	defer c2.Close()
	s2, err := c2.Schema(ctx, s.Name(), dj.NoCreate())
	must(t, err)
	before := countTables(t, c2, s.Name())
	must(t, s2.Bind(ctx, BindSource{}, BindResult{}))
	rows, err := dj.Fetch[BindSource](ctx, c2, dj.From[BindSource](c2))
	must(t, err)
	if len(rows) != 1 || rows[0].Label != "a" {
		t.Fatalf("fetched %+v", rows)
	}

	err = s2.Bind(ctx, BindSourceWrongName{})
	wantErr(t, err, dj.ErrMissingTable)
	for _, want := range []string{"BindSourceWrongName", "`bind_source_wrong_name`", "__bind_result (BindResult)"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
	var de *dj.Error
	if !errors.As(err, &de) || de.Op != "bind" {
		t.Errorf("error %v is not a bind *dj.Error", err)
	}
	if after := countTables(t, c2, s.Name()); after != before {
		t.Fatalf("Bind created tables: %d before, %d after", before, after)
	}

	// A struct that differs from its table: bind_other has a bigint key.
	_, err = c2.ExecContext(ctx, "CREATE TABLE `"+s.Name()+"`.`bind_other` (`source_id` bigint NOT NULL, PRIMARY KEY (`source_id`)) ENGINE=InnoDB")
	must(t, err)
	wantErr(t, s2.Bind(ctx, BindOther{}), dj.ErrHeadingMismatch)

	// A reference to a struct that is neither bound nor in the call.
	c3, err := dj.Connect(ctx, c.Config())
	must(t, err)
	defer c3.Close()
	s3, err := c3.Schema(ctx, s.Name(), dj.NoCreate())
	must(t, err)
	wantErr(t, s3.Bind(ctx, BindResult{}), dj.ErrDeclaration)
}

type BindOther struct {
	dj.Manual
	SourceID int32 `dj:"pk"`
}
