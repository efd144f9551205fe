package migrate_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/migrate"
)

type Reading struct {
	dj.Manual
	ReadingID int32      `dj:"pk,type=int"`
	Label     string     `dj:"type=varchar(32)"`
	Count     int32      `dj:"type=int"`
	Amount    float64    `dj:"type=decimal(8,3)"`
	Grade     string     `dj:"type=enum('a','b','c')"`
	Taken     time.Time  `dj:"type=datetime(3)"`
	Note      *string    `dj:"type=varchar(64)"`
	Extra     *int32     `dj:"type=int"`
	Seen      *time.Time `dj:"type=datetime"`
}

// TestDataLossWarnings narrows every attribute of a table holding known
// rows and checks the counts of affected rows in the warnings, then that
// widening changes warn about nothing.
func TestDataLossWarnings(t *testing.T) {
	ctx := context.Background()
	c, s := connect(t)
	must(t, s.Declare(ctx, Reading{}))
	_, err := c.DB().ExecContext(ctx, "INSERT INTO `"+s.Name()+"`.`reading` VALUES "+
		"(1, 'short', 10, 1.5, 'a', '2024-01-01 10:00:00.000', NULL, 1, NULL),"+
		"(2, 'a much longer label', 100000, 12345.125, 'b', '2024-01-01 10:00:00.250', 'x', NULL, NULL),"+
		"(3, 'mid length', -5, -2.25, 'c', '2024-01-01 10:00:00.500', NULL, 3, '2024-01-02 00:00:00'),"+
		"(4, 'tiny', 70000, 0.001, 'c', '2024-01-01 10:00:00.000', 'y', NULL, NULL)")
	must(t, err)
	narrow := func() any {
		type Reading struct {
			dj.Manual
			ReadingID int32      `dj:"pk,type=int"`
			Label     string     `dj:"type=varchar(10)"`
			Count     uint16     `dj:"type=smallint unsigned"`
			Amount    float64    `dj:"type=decimal(6,2)"`
			Grade     string     `dj:"type=enum('a','b')"`
			Taken     time.Time  `dj:"type=datetime"`
			Note      string     `dj:"type=varchar(64),default=''"`
			Seen      *time.Time `dj:"type=date"`
		}
		return Reading{}
	}
	p, err := migrate.Diff(ctx, s, narrow())
	must(t, err)
	got := map[string]int64{}
	for _, w := range p.Warnings {
		got[w.Attribute] = w.Rows
	}
	want := map[string]int64{
		"label":  1, // 'a much longer label'; 'mid length' has exactly 10 characters
		"count":  3, // 100000, -5 and 70000 do not fit smallint unsigned
		"amount": 2, // 12345.125 has too many digits, 0.001 too many decimals
		"grade":  2, // two rows hold 'c'
		"taken":  2, // .250 and .500
		"note":   2, // two NULLs
		"extra":  2, // dropped: two values
		"seen":   0, // a date at midnight
	}
	for a, n := range want {
		if r, ok := got[a]; !ok || r != n {
			t.Errorf("warning for %s: %d rows (present %v), want %d\n%s", a, r, ok, n, p)
		}
	}
	if !p.NeedsConfirmation() {
		t.Errorf("the plan does not need confirmation")
	}
	if !strings.Contains(p.String(), "data loss:") {
		t.Errorf("summary without data loss:\n%s", p)
	}

	// Widening loses nothing, and asks for nothing.
	wide := func() any {
		type Reading struct {
			dj.Manual
			ReadingID int32      `dj:"pk,type=int"`
			Label     string     `dj:"type=varchar(200)"`
			Count     int64      `dj:"type=bigint"`
			Amount    float64    `dj:"type=decimal(12,4)"`
			Grade     string     `dj:"type=enum('a','b','c','d')"`
			Taken     time.Time  `dj:"type=datetime(6)"`
			Note      *string    `dj:"type=varchar(64)"`
			Extra     *int64     `dj:"type=bigint"`
			Seen      *time.Time `dj:"type=datetime(3)"`
		}
		return Reading{}
	}
	p, err = migrate.Diff(ctx, s, wide())
	must(t, err)
	if len(p.Warnings) != 0 || p.NeedsConfirmation() {
		t.Errorf("widening warns:\n%s", p)
	}
	res, err := migrate.Apply(ctx, s, p)
	must(t, err)
	if len(res.Executed) != 1 {
		t.Fatalf("executed %+v", res.Executed)
	}
	var label string
	var amount string
	must(t, c.DB().QueryRowContext(ctx, "SELECT label, amount FROM `"+s.Name()+"`.`reading` WHERE reading_id = 2").Scan(&label, &amount))
	if label != "a much longer label" || amount != "12345.1250" {
		t.Errorf("after widening: %q %q", label, amount)
	}

	// With AllowDataLoss the narrowing runs, and cuts what the warnings
	// said it would.
	_, err = migrate.Alter(ctx, s, []any{narrow()})
	wantErr(t, err, migrate.ErrDataLoss)
	_, err = migrate.Alter(ctx, s, []any{narrow()}, migrate.AllowDataLoss())
	must(t, err)
	var count int64
	var note, grade string
	must(t, c.DB().QueryRowContext(ctx, "SELECT label, count, amount, grade, note FROM `"+s.Name()+"`.`reading` WHERE reading_id = 2").Scan(&label, &count, &amount, &grade, &note))
	if label != "a much lon" || count != 65535 || amount != "9999.99" || grade != "b" || note != "x" {
		t.Errorf("row 2 after narrowing: %q %d %q %q %q", label, count, amount, grade, note)
	}
	must(t, c.DB().QueryRowContext(ctx, "SELECT count, note FROM `"+s.Name()+"`.`reading` WHERE reading_id = 1").Scan(&count, &note))
	if count != 10 || note != "" {
		t.Errorf("row 1 after narrowing: %d %q", count, note)
	}
}
