package migrate_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
	"github.com/datajoint-go/datajoint/dj/migrate"
)

// alterCase is one kind of change: the table before (a struct, or nil for
// the table DataJoint for Python declared in testdata), the struct after,
// and the golden case of DataJoint for Python's alter(), if any.
type alterCase struct {
	name   string
	python string
	before func() any
	after  func() any
	loss   bool     // the plan needs AllowDataLoss
	setup  []string // statements run on the table before the plan ({t} is its full name)
	kinds  []migrate.Kind
}

// The struct DataJoint for Python's "Item" definition declares.
type Item struct {
	dj.Manual `comment:"a table to alter"`
	ItemID    int32   `dj:"pk,type=int"`
	Name      string  `dj:"type=varchar(32)" comment:"item name"`
	Price     float64 `dj:"type=decimal(8,2),default=0"`
	Qty       int16   `dj:"type=smallint"`
	Note      string  `dj:"type=varchar(255),default=''"`
}

var alterCases = []alterCase{
	{name: "add attribute at end", python: "add attribute at end", kinds: []migrate.Kind{migrate.AddAttr}, after: func() any {
		type Item struct {
			dj.Manual `comment:"a table to alter"`
			ItemID    int32   `dj:"pk,type=int"`
			Name      string  `dj:"type=varchar(32)" comment:"item name"`
			Price     float64 `dj:"type=decimal(8,2),default=0"`
			Qty       int16   `dj:"type=smallint"`
			Note      string  `dj:"type=varchar(255),default=''"`
			Color     *string `dj:"type=varchar(16)"`
		}
		return Item{}
	}},
	{name: "add attribute in middle", python: "add attribute in middle", kinds: []migrate.Kind{migrate.AddAttr}, after: func() any {
		type Item struct {
			dj.Manual `comment:"a table to alter"`
			ItemID    int32   `dj:"pk,type=int"`
			Name      string  `dj:"type=varchar(32)" comment:"item name"`
			Weight    float64 `dj:"default=1.0" comment:"kg"`
			Price     float64 `dj:"type=decimal(8,2),default=0"`
			Qty       int16   `dj:"type=smallint"`
			Note      string  `dj:"type=varchar(255),default=''"`
		}
		return Item{}
	}},
	{name: "drop attribute", python: "drop attribute", loss: true, kinds: []migrate.Kind{migrate.DropAttr}, after: func() any {
		type Item struct {
			dj.Manual `comment:"a table to alter"`
			ItemID    int32   `dj:"pk,type=int"`
			Name      string  `dj:"type=varchar(32)" comment:"item name"`
			Price     float64 `dj:"type=decimal(8,2),default=0"`
			Qty       int16   `dj:"type=smallint"`
		}
		return Item{}
	}},
	{name: "widen varchar", python: "widen varchar", kinds: []migrate.Kind{migrate.ModifyAttr}, after: func() any {
		type Item struct {
			dj.Manual `comment:"a table to alter"`
			ItemID    int32   `dj:"pk,type=int"`
			Name      string  `dj:"type=varchar(64)" comment:"item name"`
			Price     float64 `dj:"type=decimal(8,2),default=0"`
			Qty       int16   `dj:"type=smallint"`
			Note      string  `dj:"type=varchar(255),default=''"`
		}
		return Item{}
	}},
	{name: "change comment", python: "change comment", kinds: []migrate.Kind{migrate.ModifyAttr}, after: func() any {
		type Item struct {
			dj.Manual `comment:"a table to alter"`
			ItemID    int32   `dj:"pk,type=int"`
			Name      string  `dj:"type=varchar(32)" comment:"the item's display name"`
			Price     float64 `dj:"type=decimal(8,2),default=0"`
			Qty       int16   `dj:"type=smallint"`
			Note      string  `dj:"type=varchar(255),default=''"`
		}
		return Item{}
	}},
	{name: "change default", python: "change default", kinds: []migrate.Kind{migrate.ModifyAttr}, after: func() any {
		type Item struct {
			dj.Manual `comment:"a table to alter"`
			ItemID    int32   `dj:"pk,type=int"`
			Name      string  `dj:"type=varchar(32)" comment:"item name"`
			Price     float64 `dj:"type=decimal(8,2),default=9.99"`
			Qty       int16   `dj:"type=smallint"`
			Note      string  `dj:"type=varchar(255),default=''"`
		}
		return Item{}
	}},
	{name: "make nullable", python: "make nullable", kinds: []migrate.Kind{migrate.ModifyAttr}, after: func() any {
		type Item struct {
			dj.Manual `comment:"a table to alter"`
			ItemID    int32   `dj:"pk,type=int"`
			Name      string  `dj:"type=varchar(32)" comment:"item name"`
			Price     float64 `dj:"type=decimal(8,2),default=0"`
			Qty       *int16  `dj:"type=smallint"`
			Note      string  `dj:"type=varchar(255),default=''"`
		}
		return Item{}
	}},
	{name: "change int type", python: "change int type", kinds: []migrate.Kind{migrate.ModifyAttr}, after: func() any {
		type Item struct {
			dj.Manual `comment:"a table to alter"`
			ItemID    int32   `dj:"pk,type=int"`
			Name      string  `dj:"type=varchar(32)" comment:"item name"`
			Price     float64 `dj:"type=decimal(8,2),default=0"`
			Qty       uint32  `dj:"type=int unsigned"`
			Note      string  `dj:"type=varchar(255),default=''"`
		}
		return Item{}
	}},
	{name: "rename attribute with DataJoint's {old} comment", python: "rename attribute", kinds: []migrate.Kind{migrate.RenameAttr}, after: func() any {
		type Item struct {
			dj.Manual `comment:"a table to alter"`
			ItemID    int32   `dj:"pk,type=int"`
			Name      string  `dj:"type=varchar(32)" comment:"item name"`
			Price     float64 `dj:"type=decimal(8,2),default=0"`
			Quantity  int16   `dj:"type=smallint" comment:"{qty} number in stock"`
			Note      string  `dj:"type=varchar(255),default=''"`
		}
		return Item{}
	}},
	{name: "reorder attributes", python: "reorder attributes", kinds: []migrate.Kind{migrate.MoveAttr}, after: func() any {
		type Item struct {
			dj.Manual `comment:"a table to alter"`
			ItemID    int32   `dj:"pk,type=int"`
			Qty       int16   `dj:"type=smallint"`
			Name      string  `dj:"type=varchar(32)" comment:"item name"`
			Price     float64 `dj:"type=decimal(8,2),default=0"`
			Note      string  `dj:"type=varchar(255),default=''"`
		}
		return Item{}
	}},
	{name: "add blob", python: "add blob", kinds: []migrate.Kind{migrate.AddAttr}, after: func() any {
		type Item struct {
			dj.Manual `comment:"a table to alter"`
			ItemID    int32   `dj:"pk,type=int"`
			Name      string  `dj:"type=varchar(32)" comment:"item name"`
			Price     float64 `dj:"type=decimal(8,2),default=0"`
			Qty       int16   `dj:"type=smallint"`
			Note      string  `dj:"type=varchar(255),default=''"`
			Image     []byte  `dj:"nullable,type=longblob"`
		}
		return Item{}
	}},
	{name: "add uuid", python: "add uuid", kinds: []migrate.Kind{migrate.AddAttr}, after: func() any {
		type Item struct {
			dj.Manual `comment:"a table to alter"`
			ItemID    int32      `dj:"pk,type=int"`
			Name      string     `dj:"type=varchar(32)" comment:"item name"`
			Price     float64    `dj:"type=decimal(8,2),default=0"`
			Qty       int16      `dj:"type=smallint"`
			Note      string     `dj:"type=varchar(255),default=''"`
			Barcode   *uuid.UUID `comment:"scanned code"`
		}
		return Item{}
	}},
	{name: "add enum", python: "add enum", kinds: []migrate.Kind{migrate.AddAttr}, after: func() any {
		type Item struct {
			dj.Manual `comment:"a table to alter"`
			ItemID    int32   `dj:"pk,type=int"`
			Name      string  `dj:"type=varchar(32)" comment:"item name"`
			Price     float64 `dj:"type=decimal(8,2),default=0"`
			Qty       int16   `dj:"type=smallint"`
			Note      string  `dj:"type=varchar(255),default=''"`
			State     string  `dj:"type=enum('new','used'),default='new'"`
		}
		return Item{}
	}},
	{name: "add timestamp with CURRENT_TIMESTAMP", python: "add datetime", kinds: []migrate.Kind{migrate.AddAttr}, after: func() any {
		type Item struct {
			dj.Manual `comment:"a table to alter"`
			ItemID    int32     `dj:"pk,type=int"`
			Name      string    `dj:"type=varchar(32)" comment:"item name"`
			Price     float64   `dj:"type=decimal(8,2),default=0"`
			Qty       int16     `dj:"type=smallint"`
			Note      string    `dj:"type=varchar(255),default=''"`
			Added     time.Time `dj:"type=timestamp,default=CURRENT_TIMESTAMP"`
		}
		return Item{}
	}},
	{name: "change several", python: "change several", loss: true, kinds: []migrate.Kind{migrate.DropAttr, migrate.ModifyAttr, migrate.ModifyAttr, migrate.ModifyAttr, migrate.AddAttr}, after: func() any {
		type Item struct {
			dj.Manual `comment:"a table to alter"`
			ItemID    int32    `dj:"pk,type=int"`
			Name      string   `dj:"type=varchar(48)" comment:"name"`
			Price     float64  `dj:"type=decimal(10,2),default=1"`
			Note      string   `dj:"type=varchar(1024),default=''"`
			Rating    *float32 `dj:"type=float"`
		}
		return Item{}
	}},
	{name: "add an attribute stored in an object store", kinds: []migrate.Kind{migrate.AddAttr}, after: func() any {
		type Item struct {
			dj.Manual `comment:"a table to alter"`
			ItemID    int32     `dj:"pk,type=int"`
			Name      string    `dj:"type=varchar(32)" comment:"item name"`
			Raw       []float64 `dj:"nullable,type=blob@raw" comment:"raw trace"`
			Price     float64   `dj:"type=decimal(8,2),default=0"`
			Qty       int16     `dj:"type=smallint"`
			Note      string    `dj:"type=varchar(255),default=''"`
		}
		return Item{}
	}},
	{name: "drop an attribute stored in an object store", loss: true, kinds: []migrate.Kind{migrate.DropAttr},
		before: func() any {
			type Item struct {
				dj.Manual `comment:"a table to alter"`
				ItemID    int32     `dj:"pk,type=int"`
				Name      string    `dj:"type=varchar(32)" comment:"item name"`
				Price     float64   `dj:"type=decimal(8,2),default=0"`
				Qty       int16     `dj:"type=smallint"`
				Note      string    `dj:"type=varchar(255),default=''"`
				Raw       []float64 `dj:"nullable,type=blob@raw"`
			}
			return Item{}
		}, after: func() any { return Item{} }},
	{name: "add index", kinds: []migrate.Kind{migrate.AddIndex}, after: func() any {
		type Item struct {
			dj.Manual `dj:"index=(qty)" comment:"a table to alter"`
			ItemID    int32   `dj:"pk,type=int"`
			Name      string  `dj:"type=varchar(32)" comment:"item name"`
			Price     float64 `dj:"type=decimal(8,2),default=0"`
			Qty       int16   `dj:"type=smallint"`
			Note      string  `dj:"type=varchar(255),default=''"`
		}
		return Item{}
	}},
	{name: "add unique attribute", kinds: []migrate.Kind{migrate.AddIndex}, after: func() any {
		type Item struct {
			dj.Manual `comment:"a table to alter"`
			ItemID    int32   `dj:"pk,type=int"`
			Name      string  `dj:"unique,type=varchar(32)" comment:"item name"`
			Price     float64 `dj:"type=decimal(8,2),default=0"`
			Qty       int16   `dj:"type=smallint"`
			Note      string  `dj:"type=varchar(255),default=''"`
		}
		return Item{}
	}},
	{name: "drop index", kinds: []migrate.Kind{migrate.DropIndex}, before: func() any {
		type Item struct {
			dj.Manual `dj:"index=(qty,price),unique=(note)" comment:"a table to alter"`
			ItemID    int32   `dj:"pk,type=int"`
			Name      string  `dj:"type=varchar(32)" comment:"item name"`
			Price     float64 `dj:"type=decimal(8,2),default=0"`
			Qty       int16   `dj:"type=smallint"`
			Note      string  `dj:"type=varchar(255),default=''"`
		}
		return Item{}
	}, after: func() any {
		type Item struct {
			dj.Manual `dj:"unique=(note)" comment:"a table to alter"`
			ItemID    int32   `dj:"pk,type=int"`
			Name      string  `dj:"type=varchar(32)" comment:"item name"`
			Price     float64 `dj:"type=decimal(8,2),default=0"`
			Qty       int16   `dj:"type=smallint"`
			Note      string  `dj:"type=varchar(255),default=''"`
		}
		return Item{}
	}},
	{name: "table comment", kinds: []migrate.Kind{migrate.TableComment}, after: func() any {
		type Item struct {
			dj.Manual `comment:"items \"in stock\" and sold"`
			ItemID    int32   `dj:"pk,type=int"`
			Name      string  `dj:"type=varchar(32)" comment:"item name"`
			Price     float64 `dj:"type=decimal(8,2),default=0"`
			Qty       int16   `dj:"type=smallint"`
			Note      string  `dj:"type=varchar(255),default=''"`
		}
		return Item{}
	}},
	{name: "rename with the was tag and a new type", kinds: []migrate.Kind{migrate.RenameAttr}, after: func() any {
		type Item struct {
			dj.Manual `comment:"a table to alter"`
			ItemID    int32   `dj:"pk,type=int"`
			Name      string  `dj:"type=varchar(32)" comment:"item name"`
			Price     float64 `dj:"type=decimal(8,2),default=0"`
			InStock   int32   `dj:"type=int" was:"qty" comment:"number in stock"`
			Note      string  `dj:"type=varchar(255),default=''"`
		}
		return Item{}
	}},
	{name: "NOT NULL with NULLs filled by the default", loss: true, kinds: []migrate.Kind{migrate.ModifyAttr},
		setup: []string{"INSERT INTO {t} VALUES (2, 'nameless', 1, NULL, '')"},
		before: func() any {
			type Item struct {
				dj.Manual `comment:"a table to alter"`
				ItemID    int32   `dj:"pk,type=int"`
				Name      string  `dj:"type=varchar(32)" comment:"item name"`
				Price     float64 `dj:"type=decimal(8,2),default=0"`
				Qty       *int16  `dj:"type=smallint"`
				Note      string  `dj:"type=varchar(255),default=''"`
			}
			return Item{}
		}, after: func() any {
			type Item struct {
				dj.Manual `comment:"a table to alter"`
				ItemID    int32   `dj:"pk,type=int"`
				Name      string  `dj:"type=varchar(32)" comment:"item name"`
				Price     float64 `dj:"type=decimal(8,2),default=0"`
				Qty       int16   `dj:"type=smallint,default=0"`
				Note      string  `dj:"type=varchar(255),default=''"`
			}
			return Item{}
		}},
	{name: "narrow varchar", loss: true, kinds: []migrate.Kind{migrate.ModifyAttr}, after: func() any {
		type Item struct {
			dj.Manual `comment:"a table to alter"`
			ItemID    int32   `dj:"pk,type=int"`
			Name      string  `dj:"type=varchar(4)" comment:"item name"`
			Price     float64 `dj:"type=decimal(8,2),default=0"`
			Qty       int16   `dj:"type=smallint"`
			Note      string  `dj:"type=varchar(255),default=''"`
		}
		return Item{}
	}},
	{name: "extend enum and widen decimal", kinds: []migrate.Kind{migrate.ModifyAttr, migrate.ModifyAttr},
		before: func() any {
			type Item struct {
				dj.Manual `comment:"a table to alter"`
				ItemID    int32   `dj:"pk,type=int"`
				Name      string  `dj:"type=varchar(32)" comment:"item name"`
				Price     float64 `dj:"type=decimal(8,2),default=0"`
				Qty       int16   `dj:"type=smallint"`
				Note      string  `dj:"type=enum('a','b'),default='a'"`
			}
			return Item{}
		}, after: func() any {
			type Item struct {
				dj.Manual `comment:"a table to alter"`
				ItemID    int32   `dj:"pk,type=int"`
				Name      string  `dj:"type=varchar(32)" comment:"item name"`
				Price     float64 `dj:"type=decimal(12,3),default=0"`
				Qty       int16   `dj:"type=smallint"`
				Note      string  `dj:"type=enum('a','b','c'),default='a'"`
			}
			return Item{}
		}},
	{name: "add json and datetime(3) in the middle, drop two", loss: true, kinds: []migrate.Kind{migrate.DropAttr, migrate.DropAttr, migrate.AddAttr, migrate.AddAttr}, after: func() any {
		type Item struct {
			dj.Manual `comment:"a table to alter"`
			ItemID    int32      `dj:"pk,type=int"`
			Meta      *string    `dj:"type=json"`
			Name      string     `dj:"type=varchar(32)" comment:"item name"`
			Seen      *time.Time `dj:"type=datetime(3)"`
			Price     float64    `dj:"type=decimal(8,2),default=0"`
		}
		return Item{}
	}},
}

// TestAlterGolden applies each kind of change to a table holding a row
// and checks that SHOW CREATE TABLE is then the one of the same table
// declared afresh from the new struct and, where DataJoint for Python
// 0.14 made the same change, the one its alter() left; that the row
// survives; and that ~log has DataJoint's entry.
func TestAlterGolden(t *testing.T) {
	vectors := alterVectors(t)
	srv := testenv.MySQL(t)
	ctx := context.Background()
	// Fresh declarations go through a connection of their own: a struct
	// type is bound to one table per connection.
	fc, err := dj.Connect(ctx, dj.Config{Host: srv.Host, User: srv.User, Password: srv.Pass})
	must(t, err)
	defer fc.Close()
	python := 0
	for _, tc := range alterCases {
		t.Run(tc.name, func(t *testing.T) {
			c, s := connect(t)
			db := c.DB()
			full := "`" + s.Name() + "`.`item`"
			if tc.before == nil {
				v := vectors["add attribute at end"]
				_, err := db.ExecContext(ctx, strings.Replace(v.ShowCreateBefore, "CREATE TABLE `item`", "CREATE TABLE "+full, 1))
				must(t, err)
				_, err = db.ExecContext(ctx, "INSERT INTO "+full+" VALUES (1, 'widget', 2.5, 3, 'blue')")
				must(t, err)
			} else {
				must(t, s.Declare(ctx, tc.before()))
				_, err := db.ExecContext(ctx, "INSERT INTO "+full+" (item_id, name, price, qty, note) VALUES (1, 'widget', 2.5, 3, 'a')")
				must(t, err)
			}
			for _, q := range tc.setup {
				_, err := db.ExecContext(ctx, strings.ReplaceAll(q, "{t}", full))
				must(t, err)
			}
			before := showCreate(t, db, s.Name(), "item")

			p, err := migrate.Diff(ctx, s, tc.after())
			must(t, err)
			if len(p.Refusals) > 0 || len(p.Tables) != 1 {
				t.Fatalf("plan:\n%s", p)
			}
			var kinds []migrate.Kind
			for _, o := range p.Tables[0].Ops {
				kinds = append(kinds, o.Kind)
			}
			if strings.Join(kindStrings(kinds), ",") != strings.Join(kindStrings(tc.kinds), ",") {
				t.Errorf("operations %v, want %v\n%s", kinds, tc.kinds, p)
			}
			if p.NeedsConfirmation() != tc.loss {
				t.Fatalf("NeedsConfirmation = %v, want %v\n%s", p.NeedsConfirmation(), tc.loss, p)
			}
			if tc.loss {
				_, err := migrate.Apply(ctx, s, p)
				wantErr(t, err, migrate.ErrDataLoss)
				if got := showCreate(t, db, s.Name(), "item"); got != before {
					t.Fatalf("a refused plan changed the table:\n%s", got)
				}
			}
			var opts []migrate.Option
			if tc.loss {
				opts = append(opts, migrate.AllowDataLoss())
			}
			res, err := migrate.Apply(ctx, s, p, opts...)
			must(t, err)
			got := showCreate(t, db, s.Name(), "item")

			fs, err := fc.Schema(ctx, testenv.Database(t))
			must(t, err)
			must(t, fs.Declare(ctx, tc.after()))
			if want := showCreate(t, fc.DB(), fs.Name(), "item"); got != want {
				t.Errorf("after Apply:\n%s\nwant (declared afresh):\n%s\nstatements:\n%s", got, want, strings.Join(p.Statements(), "\n"))
			}
			// DataJoint for Python wrote the vectors on MariaDB 10.11, whose
			// SHOW CREATE TABLE differs from MySQL 8's (int(11), 0.00).
			if tc.python != "" && mariaDB(t, db) {
				v, ok := vectors[tc.python]
				if !ok || v.ShowCreateAfter == nil {
					t.Fatalf("no golden vector %q", tc.python)
				}
				python++
				if got != *v.ShowCreateAfter {
					t.Errorf("after Apply:\n%s\nwant (DataJoint for Python 0.14 alter):\n%s", got, *v.ShowCreateAfter)
				}
			}
			for _, ex := range res.Executed {
				if ex.Algorithm == "" && strings.HasPrefix(ex.Statement, "ALTER") {
					t.Errorf("statement without algorithm: %+v", ex)
				}
				t.Logf("%s algorithm=%s in %s", strings.ReplaceAll(ex.Statement, "\n\t", " "), ex.Algorithm, ex.Duration)
			}
			var n int
			must(t, db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+full+" WHERE item_id = 1").Scan(&n))
			if n != 1 {
				t.Errorf("the row was lost")
			}
			var ev, ver string
			must(t, db.QueryRowContext(ctx, "SELECT event, version FROM `"+s.Name()+"`.`~log` ORDER BY id DESC LIMIT 1").Scan(&ev, &ver))
			if ev != "Altered "+full || ver != dj.Version+"go" {
				t.Errorf("last ~log event %q version %q, want %q", ev, ver, "Altered "+full)
			}
			again, err := migrate.Diff(ctx, s, tc.after())
			must(t, err)
			if !again.Empty() {
				t.Errorf("the plan after Apply is not empty:\n%s", again)
			}
		})
	}
	if python < 14 && mariaDB(t, testenv.DB(t)) {
		t.Errorf("compared %d cases with DataJoint for Python", python)
	}
	if len(alterCases) < 15 {
		t.Errorf("%d kinds of change, want at least 15", len(alterCases))
	}
}

func kindStrings(k []migrate.Kind) []string {
	out := make([]string, len(k))
	for i, x := range k {
		out[i] = string(x)
	}
	return out
}

// mariaDB reports whether the server is MariaDB.
func mariaDB(t testing.TB, db *sql.DB) bool {
	t.Helper()
	var v string
	must(t, db.QueryRowContext(context.Background(), "SELECT VERSION()").Scan(&v))
	return strings.Contains(v, "MariaDB")
}
