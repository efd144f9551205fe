package migrate_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/migrate"
	"github.com/datajoint-go/datajoint/dj/schema"
)

type Shelf struct {
	dj.Manual `comment:"where items are kept"`
	ShelfID   int16  `dj:"pk,type=smallint"`
	Room      string `dj:"type=varchar(16)"`
}

type ShelfItem struct {
	dj.Manual
	Shelf   dj.Ref[Shelf] `dj:"pk"`
	ShelfID int16         `dj:"pk,type=smallint"`
	Slot    int16         `dj:"pk,type=smallint"`
	Label   string        `dj:"type=varchar(32),default=''"`
}

// TestHistoryAndStatus applies two migrations and checks the history
// table, the status, and that the history table stays invisible to
// DataJoint's table listing.
func TestHistoryAndStatus(t *testing.T) {
	ctx := context.Background()
	c, s := connect(t)

	st, err := migrate.CheckStatus(ctx, s, Shelf{}, ShelfItem{})
	must(t, err)
	if st.Matches() || st.Last != nil || len(st.Plan.Tables) != 2 || !st.Plan.Tables[0].Create() || st.Plan.Tables[0].Name != "shelf" {
		t.Fatalf("status of an empty schema:\n%s\n%s", st, st.Plan)
	}
	res, err := migrate.Alter(ctx, s, []any{ShelfItem{}, Shelf{}}, migrate.Revision("abc123"), migrate.AppliedBy("ci"))
	must(t, err)
	if len(res.Executed) != 2 || res.MigrationID != 1 {
		t.Fatalf("executed %+v, migration %d", res.Executed, res.MigrationID)
	}
	// The tables are those Declare makes.
	for _, name := range []string{"shelf", "shelf_item"} {
		got := showCreate(t, c.DB(), s.Name(), name)
		if !strings.Contains(got, "CREATE TABLE `"+name+"`") {
			t.Fatalf("table %s: %s", name, got)
		}
	}
	_, err = c.DB().ExecContext(ctx, "INSERT INTO `"+s.Name()+"`.`shelf` VALUES (1, 'lab')")
	must(t, err)

	after := func() (any, any) {
		type Shelf struct {
			dj.Manual `comment:"where items are kept"`
			ShelfID   int16    `dj:"pk,type=smallint"`
			Room      string   `dj:"type=varchar(32)"`
			Height    *float32 `dj:"type=float" comment:"m"`
		}
		type ShelfItem struct {
			dj.Manual
			Shelf   dj.Ref[Shelf] `dj:"pk"`
			ShelfID int16         `dj:"pk,type=smallint"`
			Slot    int16         `dj:"pk,type=smallint"`
			Label   string        `dj:"type=varchar(32),default=''"`
		}
		return Shelf{}, ShelfItem{}
	}
	a, b := after()
	st, err = migrate.CheckStatus(ctx, s, a, b)
	must(t, err)
	if st.Matches() || st.Last == nil || st.Last.Revision != "abc123" || st.Last.Hash == st.Hash {
		t.Fatalf("status before the second migration:\n%s", st)
	}
	if !strings.Contains(st.String(), "does NOT match") || !strings.Contains(st.String(), "revision abc123") {
		t.Errorf("status text:\n%s", st)
	}
	res, err = migrate.Alter(ctx, s, []any{a, b}, migrate.Revision("def456"))
	must(t, err)
	if len(res.Executed) != 1 || res.Executed[0].Algorithm == "" {
		t.Fatalf("executed %+v", res.Executed)
	}

	h, err := migrate.History(ctx, s)
	must(t, err)
	if len(h) != 2 {
		t.Fatalf("history has %d records", len(h))
	}
	first, second := h[0], h[1]
	wantTables := []string{"`" + s.Name() + "`.`shelf`", "`" + s.Name() + "`.`shelf_item`"}
	if first.Revision != "abc123" || first.AppliedBy != "ci" || !slices.Equal(first.Tables, wantTables) || first.Version != dj.Version+"go" || !strings.Contains(first.User, "@") {
		t.Errorf("first record %+v", first)
	}
	if second.Revision != "def456" || second.AppliedBy == "" || second.Hash != st.Hash || len(second.Tables) != 1 ||
		!strings.Contains(second.Statements, "algorithm="+res.Executed[0].Algorithm) || !strings.Contains(second.Statements, "ADD `height` float DEFAULT NULL COMMENT \"m\"") {
		t.Errorf("second record %+v", second)
	}
	st, err = migrate.CheckStatus(ctx, s, a, b)
	must(t, err)
	if !st.Matches() || st.Last.ID != 2 || !strings.Contains(st.String(), "matches the definitions") || !strings.Contains(st.String(), "from these definitions") {
		t.Errorf("status after the migration:\n%s", st)
	}

	// DataJoint lists no table whose name starts with "~": the history
	// table is not a user table for Python or Go.
	names, err := schema.ListTables(ctx, c.DB(), s.Name())
	must(t, err)
	if slices.Contains(names, migrate.HistoryTable) || !slices.Contains(names, "shelf") {
		t.Errorf("tables listed: %v", names)
	}
	if tier, _, _ := schema.ParseTableName(migrate.HistoryTable); tier != schema.System {
		t.Errorf("%s has tier %s, want a system table", migrate.HistoryTable, tier)
	}
	got := showCreate(t, c.DB(), s.Name(), migrate.HistoryTable)
	if !strings.Contains(got, "`definition_hash` char(64) NOT NULL") {
		t.Errorf("history table:\n%s", got)
	}
}
