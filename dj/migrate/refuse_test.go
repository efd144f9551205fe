package migrate_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/migrate"
)

type Owner struct {
	dj.Manual
	OwnerID int32 `dj:"pk,type=int"`
}

// TestRefusals checks that primary-key, foreign-key and tier changes are
// refused with an error that says what to do instead, and that nothing
// changes.
func TestRefusals(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name  string
		after func() any
		want  []string
	}{
		{"primary key type (DataJoint for Python changes nothing)", func() any {
			type Item struct {
				dj.Manual `comment:"a table to alter"`
				ItemID    int64   `dj:"pk,type=bigint"`
				Name      string  `dj:"type=varchar(32)" comment:"item name"`
				Price     float64 `dj:"type=decimal(8,2),default=0"`
				Qty       int16   `dj:"type=smallint"`
				Note      string  `dj:"type=varchar(255),default=''"`
			}
			return Item{}
		}, []string{`primary-key attribute "item_id" changes type from int to bigint`, "instead"}},
		{"attribute added to the primary key", func() any {
			type Item struct {
				dj.Manual `comment:"a table to alter"`
				ItemID    int32   `dj:"pk,type=int"`
				Version   int16   `dj:"pk,type=smallint"`
				Name      string  `dj:"type=varchar(32)" comment:"item name"`
				Price     float64 `dj:"type=decimal(8,2),default=0"`
				Qty       int16   `dj:"type=smallint"`
				Note      string  `dj:"type=varchar(255),default=''"`
			}
			return Item{}
		}, []string{"the primary key changes from (item_id) to (item_id, version)", "copy the rows"}},
		{"secondary attribute moved into the primary key", func() any {
			type Item struct {
				dj.Manual `comment:"a table to alter"`
				ItemID    int32   `dj:"pk,type=int"`
				Name      string  `dj:"pk,type=varchar(32)" comment:"item name"`
				Price     float64 `dj:"type=decimal(8,2),default=0"`
				Qty       int16   `dj:"type=smallint"`
				Note      string  `dj:"type=varchar(255),default=''"`
			}
			return Item{}
		}, []string{"primary key changes"}},
		{"reference added", func() any {
			type Item struct {
				dj.Manual `comment:"a table to alter"`
				ItemID    int32         `dj:"pk,type=int"`
				Name      string        `dj:"type=varchar(32)" comment:"item name"`
				Price     float64       `dj:"type=decimal(8,2),default=0"`
				Qty       int16         `dj:"type=smallint"`
				Note      string        `dj:"type=varchar(255),default=''"`
				Owner     dj.Ref[Owner] `dj:"nullable"`
				OwnerID   *int32        `dj:"type=int"`
			}
			return Item{}
		}, []string{"adds the reference (owner_id) -> ", "owner", "declare a new table with the reference"}},
		{"attribute moved into an object store", func() any {
			type Item struct {
				dj.Manual `comment:"a table to alter"`
				ItemID    int32   `dj:"pk,type=int"`
				Name      string  `dj:"type=varchar(32)" comment:"item name"`
				Price     float64 `dj:"type=decimal(8,2),default=0"`
				Qty       int16   `dj:"type=smallint"`
				Note      []byte  `dj:"type=blob@raw"`
			}
			return Item{}
		}, []string{`attribute "note" moves into or out of object store "raw"`, "instead"}},
		{"tier change", func() any {
			type Item struct {
				dj.Lookup `comment:"a table to alter"`
				ItemID    int32   `dj:"pk,type=int"`
				Name      string  `dj:"type=varchar(32)" comment:"item name"`
				Price     float64 `dj:"type=decimal(8,2),default=0"`
				Qty       int16   `dj:"type=smallint"`
				Note      string  `dj:"type=varchar(255),default=''"`
			}
			return Item{}
		}, []string{"changes tier from Manual to Lookup", "#item", "keep the tier"}},
		{"primary-key attribute renamed", func() any {
			type Item struct {
				dj.Manual `comment:"a table to alter"`
				ID        int32   `dj:"pk,type=int" was:"item_id"`
				Name      string  `dj:"type=varchar(32)" comment:"item name"`
				Price     float64 `dj:"type=decimal(8,2),default=0"`
				Qty       int16   `dj:"type=smallint"`
				Note      string  `dj:"type=varchar(255),default=''"`
			}
			return Item{}
		}, []string{"primary key changes"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, s := connect(t)
			must(t, s.Declare(ctx, Owner{}, Item{}))
			_, err := c.DB().ExecContext(ctx, "INSERT INTO `"+s.Name()+"`.`item` VALUES (1, 'widget', 2.5, 3, 'blue')")
			must(t, err)
			before := showCreate(t, c.DB(), s.Name(), "item")
			p, err := migrate.Diff(ctx, s, tc.after())
			must(t, err)
			if len(p.Refusals) == 0 {
				t.Fatalf("no refusal:\n%s", p)
			}
			msg := p.Err().Error()
			t.Log(msg)
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("refusal %q does not say %q", msg, w)
				}
			}
			_, err = migrate.Apply(ctx, s, p, migrate.AllowDataLoss())
			wantErr(t, err, migrate.ErrNotAlterable)
			wantErr(t, err, dj.ErrHeadingMismatch)
			_, err = migrate.Alter(ctx, s, []any{tc.after()}, migrate.AllowDataLoss())
			wantErr(t, err, migrate.ErrNotAlterable)
			if got := showCreate(t, c.DB(), s.Name(), "item"); got != before {
				t.Errorf("a refused change altered the table:\n%s", got)
			}
			var n int
			must(t, c.DB().QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = '~migrations'", s.Name()).Scan(&n))
			if n != 0 {
				t.Errorf("a refused migration was recorded")
			}
		})
	}
}

// TestApplyRefusesAChangedDatabase checks that Apply runs only the plan
// that was reviewed.
func TestApplyRefusesAChangedDatabase(t *testing.T) {
	ctx := context.Background()
	c, s := connect(t)
	must(t, s.Declare(ctx, Item{}))
	after := func() any {
		type Item struct {
			dj.Manual `comment:"a table to alter"`
			ItemID    int32   `dj:"pk,type=int"`
			Name      string  `dj:"type=varchar(64)" comment:"item name"`
			Price     float64 `dj:"type=decimal(8,2),default=0"`
			Qty       int16   `dj:"type=smallint"`
			Note      string  `dj:"type=varchar(255),default=''"`
		}
		return Item{}
	}
	p, err := migrate.Diff(ctx, s, after())
	must(t, err)
	// Someone else changes the table between review and apply.
	_, err = c.DB().ExecContext(ctx, "ALTER TABLE `"+s.Name()+"`.`item` MODIFY `qty` int NOT NULL")
	must(t, err)
	before := showCreate(t, c.DB(), s.Name(), "item")
	_, err = migrate.Apply(ctx, s, p)
	wantErr(t, err, migrate.ErrPlanChanged)
	wantErr(t, err, dj.ErrConflict)
	if got := showCreate(t, c.DB(), s.Name(), "item"); got != before {
		t.Errorf("a stale plan altered the table:\n%s", got)
	}
	var de *dj.Error
	if !errors.As(err, &de) || de.Table == "" {
		t.Errorf("error %v does not name the schema", err)
	}
}

// TestAddNotNullWithoutDefault adds NOT NULL attributes without defaults
// to a table with a row: an integer gets 0 (noted in the plan), a date
// has no value strict mode accepts and is refused.
func TestAddNotNullWithoutDefault(t *testing.T) {
	ctx := context.Background()
	c, s := connect(t)
	must(t, s.Declare(ctx, Item{}))
	_, err := c.DB().ExecContext(ctx, "INSERT INTO `"+s.Name()+"`.`item` VALUES (1, 'widget', 2.5, 3, 'blue')")
	must(t, err)
	withDate := func() any {
		type Item struct {
			dj.Manual `comment:"a table to alter"`
			ItemID    int32     `dj:"pk,type=int"`
			Name      string    `dj:"type=varchar(32)" comment:"item name"`
			Price     float64   `dj:"type=decimal(8,2),default=0"`
			Qty       int16     `dj:"type=smallint"`
			Note      string    `dj:"type=varchar(255),default=''"`
			Made      time.Time `dj:"type=date"`
		}
		return Item{}
	}
	p, err := migrate.Diff(ctx, s, withDate())
	must(t, err)
	if len(p.Refusals) != 1 || !strings.Contains(p.Refusals[0].What, `"made" is added NOT NULL without a default to a table with 1 row`) {
		t.Fatalf("plan:\n%s", p)
	}
	withInt := func() any {
		type Item struct {
			dj.Manual `comment:"a table to alter"`
			ItemID    int32   `dj:"pk,type=int"`
			Name      string  `dj:"type=varchar(32)" comment:"item name"`
			Price     float64 `dj:"type=decimal(8,2),default=0"`
			Qty       int16   `dj:"type=smallint"`
			Note      string  `dj:"type=varchar(255),default=''"`
			Shelf     int32   `dj:"type=int"`
		}
		return Item{}
	}
	p, err = migrate.Diff(ctx, s, withInt())
	must(t, err)
	if len(p.Refusals) != 0 || !strings.Contains(p.String(), "the 1 existing row gets the type's implicit default") {
		t.Fatalf("plan:\n%s", p)
	}
	_, err = migrate.Apply(ctx, s, p)
	must(t, err)
	var shelf int
	must(t, c.DB().QueryRowContext(ctx, "SELECT shelf FROM `"+s.Name()+"`.`item`").Scan(&shelf))
	if shelf != 0 {
		t.Errorf("shelf = %d", shelf)
	}
}
