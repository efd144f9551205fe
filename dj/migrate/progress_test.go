package migrate_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/migrate"
)

type Bulk struct {
	dj.Manual
	BulkID  int32  `dj:"pk,type=int"`
	Payload string `dj:"type=varchar(64)"`
	Value   int32  `dj:"type=int"`
}

// TestProgressOfALongAlter rebuilds a table of 65536 rows and checks that
// progress is reported while the ALTER runs, with the server's percentage
// on MariaDB.
func TestProgressOfALongAlter(t *testing.T) {
	ctx := context.Background()
	c, s := connect(t)
	must(t, s.Declare(ctx, Bulk{}))
	full := "`" + s.Name() + "`.`bulk`"
	_, err := c.DB().ExecContext(ctx, "INSERT INTO "+full+" VALUES (1, REPEAT('x', 60), 7)")
	must(t, err)
	for i := 0; i < 16; i++ {
		_, err := c.DB().ExecContext(ctx, "INSERT INTO "+full+" SELECT bulk_id + (SELECT MAX(bulk_id) FROM "+full+" b), payload, value FROM "+full)
		must(t, err)
	}
	after := func() any {
		type Bulk struct {
			dj.Manual
			BulkID  int32  `dj:"pk,type=int"`
			Payload string `dj:"type=varchar(64)"`
			Value   int64  `dj:"type=bigint"`
		}
		return Bulk{}
	}
	var mu sync.Mutex
	var reports []migrate.Progress
	res, err := migrate.Alter(ctx, s, []any{after()}, migrate.OnProgress(20*time.Millisecond, func(p migrate.Progress) {
		mu.Lock()
		reports = append(reports, p)
		mu.Unlock()
	}))
	must(t, err)
	mu.Lock()
	defer mu.Unlock()
	t.Logf("%s in %s, %d reports", res.Executed[0].Algorithm, res.Executed[0].Duration, len(reports))
	if len(reports) == 0 {
		t.Fatalf("no progress reported for an ALTER of %s", res.Executed[0].Duration)
	}
	var version string
	must(t, c.DB().QueryRowContext(ctx, "SELECT VERSION()").Scan(&version))
	best := -1.0
	for _, p := range reports {
		if p.Table != full || p.Elapsed <= 0 || !strings.HasPrefix(p.Statement, "ALTER TABLE") {
			t.Errorf("report %+v", p)
		}
		best = max(best, p.Percent)
	}
	if strings.Contains(version, "MariaDB") && best <= 0 {
		t.Errorf("MariaDB reported no progress percentage: %+v", reports)
	}
	t.Logf("highest percentage reported: %.1f", best)
}
