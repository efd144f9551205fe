package dj_test

import (
	"context"
	"testing"

	"github.com/datajoint-go/datajoint/dj"
)

// TestPopulateKeyMadeElsewhere has each make find its key committed by
// someone else (a worker that does not reserve) just before it inserts:
// the target's primary key refuses the row, and populate counts the key as
// skipped, with no error, no error job and no reservation left. A make
// that inserts its own row twice still fails.
func TestPopulateKeyMadeElsewhere(t *testing.T) {
	ctx := context.Background()
	c, s := popSetup(t, 6)
	must(t, s.Declare(ctx, PopTriv{}))
	target := "`" + s.Name() + "`.`__pop_triv`"
	elsewhere := func(ctx context.Context, tx *dj.Tx, row *PopTriv) error {
		if _, err := c.DB().ExecContext(ctx, "INSERT INTO "+target+" (`id`,`value`) VALUES (?, ?)", row.ID, -1); err != nil {
			return err
		}
		row.Value = int64(row.ID)
		return dj.Insert1(ctx, tx, *row)
	}
	for _, reserve := range []bool{false, true} {
		opts := []dj.PopulateOption{dj.RestrictKeys(dj.Where("id < 3"))}
		if reserve {
			opts = []dj.PopulateOption{dj.RestrictKeys(dj.Where("id >= 3")), dj.ReserveJobs()}
		}
		res, err := dj.PopulateFunc(ctx, c, elsewhere, opts...)
		must(t, err)
		if res.Made != 0 || res.Skipped != 3 || len(res.Errors) != 0 {
			t.Fatalf("reserve=%v: %+v", reserve, res)
		}
	}
	var n, mine, jobs int
	must(t, c.DB().QueryRowContext(ctx, "SELECT COUNT(*), SUM(`value` <> -1) FROM "+target).Scan(&n, &mine))
	must(t, c.DB().QueryRowContext(ctx, "SELECT COUNT(*) FROM `"+s.Name()+"`.`~jobs`").Scan(&jobs))
	if n != 6 || mine != 0 || jobs != 0 {
		t.Fatalf("%d rows, %d of them by the refused makes, %d jobs left", n, mine, jobs)
	}

	_, err := dj.Delete(ctx, c, dj.From[PopTriv](c))
	must(t, err)
	twice := func(ctx context.Context, tx *dj.Tx, row *PopTriv) error {
		if err := dj.Insert1(ctx, tx, *row); err != nil {
			return err
		}
		return dj.Insert1(ctx, tx, *row)
	}
	res, err := dj.PopulateFunc(ctx, c, twice, dj.RestrictKeys(dj.Where("id = 0")), dj.ReserveJobs())
	wantErr(t, err, dj.ErrDuplicate)
	if res.Made != 0 || len(res.Errors) != 1 {
		t.Fatalf("a make inserting twice: %+v", res)
	}
}
