package migrate_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/migrate"
)

func itemWithColor() any {
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
}

// holdLock opens a transaction that reads the item table, which holds its
// metadata lock until the transaction ends after d.
func holdLock(t *testing.T, c *dj.Conn, schemaName string, d time.Duration) <-chan struct{} {
	t.Helper()
	ctx := context.Background()
	tx, err := c.DB().BeginTx(ctx, nil)
	must(t, err)
	var n int
	must(t, tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM `"+schemaName+"`.`item`").Scan(&n))
	done := make(chan struct{})
	go func() {
		time.Sleep(d)
		_ = tx.Rollback()
		close(done)
	}()
	return done
}

// TestLockWaitIsRetried holds the table's metadata lock for longer than
// the lock timeout: the ALTER times out, runs again, and succeeds once
// the lock is free.
func TestLockWaitIsRetried(t *testing.T) {
	ctx := context.Background()
	c, s := connect(t)
	must(t, s.Declare(ctx, Item{}))
	done := holdLock(t, c, s.Name(), 1500*time.Millisecond)
	res, err := migrate.Alter(ctx, s, []any{itemWithColor()}, migrate.LockTimeout(time.Second), migrate.LockAttempts(4))
	must(t, err)
	<-done
	if len(res.Executed) != 1 || res.Executed[0].LockRetries < 1 {
		t.Fatalf("executed %+v, want a lock retry", res.Executed)
	}
	h, err := migrate.History(ctx, s)
	must(t, err)
	if len(h) != 1 {
		t.Fatalf("history %+v", h)
	}
}

// TestLockTimeoutGivesUp holds the lock through every attempt: Apply
// fails with ErrConflict and the table is unchanged.
func TestLockTimeoutGivesUp(t *testing.T) {
	ctx := context.Background()
	c, s := connect(t)
	must(t, s.Declare(ctx, Item{}))
	before := showCreate(t, c.DB(), s.Name(), "item")
	done := holdLock(t, c, s.Name(), 4*time.Second)
	start := time.Now()
	_, err := migrate.Alter(ctx, s, []any{itemWithColor()}, migrate.LockTimeout(time.Second), migrate.LockAttempts(2))
	wantErr(t, err, dj.ErrConflict)
	if el := time.Since(start); el > 3500*time.Millisecond {
		t.Errorf("gave up after %s", el)
	}
	<-done
	if got := showCreate(t, c.DB(), s.Name(), "item"); got != before {
		t.Errorf("the table changed:\n%s", got)
	}
	h, err := migrate.History(ctx, s)
	must(t, err)
	if len(h) != 0 {
		t.Errorf("a failed migration was recorded: %+v", h)
	}
}

// TestPartialMigrationIsRecorded fails the second table of a migration
// (its lock is held throughout) and checks that the first table's change
// is recorded with the failure, and that status still sees the rest.
func TestPartialMigrationIsRecorded(t *testing.T) {
	ctx := context.Background()
	c, s := connect(t)
	must(t, s.Declare(ctx, Owner{}, Item{}))
	ownerV2 := func() any {
		type Owner struct {
			dj.Manual
			OwnerID int32   `dj:"pk,type=int"`
			Name    *string `dj:"type=varchar(32)"`
		}
		return Owner{}
	}
	done := holdLock(t, c, s.Name(), 3*time.Second)
	res, err := migrate.Alter(ctx, s, []any{ownerV2(), itemWithColor()}, migrate.LockTimeout(time.Second), migrate.LockAttempts(1))
	wantErr(t, err, dj.ErrConflict)
	<-done
	if len(res.Executed) != 1 || !strings.HasSuffix(res.Executed[0].Table, "`owner`") || res.MigrationID != 1 {
		t.Fatalf("result %+v", res)
	}
	h, err := migrate.History(ctx, s)
	must(t, err)
	if len(h) != 1 || !strings.Contains(h[0].Statements, "ADD `name`") || !strings.Contains(h[0].Statements, "-- failed: ") {
		t.Fatalf("history %+v", h)
	}
	st, err := migrate.CheckStatus(ctx, s, ownerV2(), itemWithColor())
	must(t, err)
	if st.Matches() || len(st.Plan.Tables) != 1 || !strings.HasSuffix(st.Plan.Tables[0].Table, "`item`") {
		t.Fatalf("status after a partial migration:\n%s\n%s", st, st.Plan)
	}
}
