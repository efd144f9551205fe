package migrate_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
	"github.com/datajoint-go/datajoint/dj/migrate"
)

type Sample struct {
	dj.Manual `comment:"raw samples"`
	SampleID  int32  `dj:"pk,type=int"`
	Label     string `dj:"type=varchar(16)"`
	Reading   int64
}

type Doubled struct {
	dj.Computed `comment:"twice the reading"`
	Sample      dj.Ref[Sample] `dj:"pk"`
	SampleID    int32          `dj:"pk,type=int"`
	Value       int64
}

func (r *Doubled) Make(ctx context.Context, tx *dj.Tx) error {
	s, err := dj.FetchOne[Sample](ctx, tx, dj.From[Sample](tx).Restrict(dj.Match(dj.Key{"sample_id": r.SampleID})))
	if err != nil {
		return err
	}
	time.Sleep(5 * time.Millisecond)
	r.Value = 2 * s.Reading
	return dj.Insert1(ctx, tx, *r)
}

// TestMigrateWhilePopulating alters the parent and the computed table of a
// populate that four workers (each with its own connection, as four
// processes) are running, and checks that every key is made exactly once
// with the right value and no worker fails.
func TestMigrateWhilePopulating(t *testing.T) {
	const n = 1200
	ctx := context.Background()
	srv := testenv.MySQL(t)
	c, s := connect(t)
	must(t, s.Declare(ctx, Sample{}, Doubled{}))
	rows := make([]Sample, n)
	for i := range rows {
		rows[i] = Sample{SampleID: int32(i), Label: fmt.Sprintf("s%d", i), Reading: int64(i) * 3}
	}
	must(t, dj.Insert(ctx, c, rows))

	var made atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for w := 0; w < 4; w++ {
		wc, err := dj.Connect(ctx, dj.Config{Host: srv.Host, User: srv.User, Password: srv.Pass})
		must(t, err)
		defer wc.Close()
		ws, err := wc.Schema(ctx, s.Name())
		must(t, err)
		must(t, ws.Declare(ctx, Sample{}, Doubled{}))
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := dj.Populate[Doubled](ctx, wc, dj.ReserveJobs(), dj.OrderKeys(dj.OrderRandom))
			made.Add(int64(res.Made))
			if err != nil {
				errs <- err
			}
		}()
	}
	// made counts the committed keys.
	madeNow := func() int64 {
		var k int64
		must(t, c.DB().QueryRowContext(ctx, "SELECT COUNT(*) FROM `"+s.Name()+"`.`__doubled`").Scan(&k))
		return k
	}
	for madeNow() < 40 {
		time.Sleep(5 * time.Millisecond)
	}

	type after struct{ sample, doubled any }
	newStructs := func() after {
		type Sample struct {
			dj.Manual `dj:"index=(reading)" comment:"raw samples"`
			SampleID  int32  `dj:"pk,type=int"`
			Label     string `dj:"type=char(80)"`
			Reading   int64
			Quality   float64 `dj:"default=1" comment:"0 to 1"`
		}
		type Doubled struct {
			dj.Computed `comment:"twice the reading"`
			Sample      dj.Ref[Sample] `dj:"pk"`
			SampleID    int32          `dj:"pk,type=int"`
			Value       int64
			Note        *string `dj:"type=varchar(64)"`
		}
		return after{Sample{}, Doubled{}}
	}()
	mc, err := dj.Connect(ctx, dj.Config{Host: srv.Host, User: srv.User, Password: srv.Pass})
	must(t, err)
	defer mc.Close()
	ms, err := mc.Schema(ctx, s.Name())
	must(t, err)
	var reports atomic.Int64
	t0 := time.Now()
	_, err = migrate.Diff(ctx, ms, newStructs.sample, newStructs.doubled)
	must(t, err)
	t.Logf("diff took %s", time.Since(t0))
	t0 = time.Now()
	res, err := migrate.Alter(ctx, ms, []any{newStructs.sample, newStructs.doubled},
		migrate.LockTimeout(2*time.Second), migrate.OnProgress(10*time.Millisecond, func(migrate.Progress) { reports.Add(1) }))
	must(t, err)
	madeAtAlter := madeNow()
	t.Logf("alter took %s", time.Since(t0))
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("populate worker: %v", err)
	}
	for _, ex := range res.Executed {
		t.Logf("%s: algorithm=%s duration=%s lock retries=%d", ex.Table, ex.Algorithm, ex.Duration, ex.LockRetries)
	}
	t.Logf("%d keys made before the migration ended, %d in all; %d progress reports", madeAtAlter, made.Load(), reports.Load())
	if madeAtAlter >= n {
		t.Errorf("the populate ended before the migration: the test proves nothing")
	}
	if len(res.Executed) != 2 {
		t.Fatalf("executed %+v", res.Executed)
	}
	if made.Load() != n {
		t.Errorf("workers made %d keys, want %d", made.Load(), n)
	}
	var count, wrong int
	must(t, c.DB().QueryRowContext(ctx, "SELECT COUNT(*), SUM(d.value <> 2 * s.reading) FROM `"+s.Name()+"`.`__doubled` d JOIN `"+s.Name()+"`.`sample` s USING (sample_id)").Scan(&count, &wrong))
	if count != n || wrong != 0 {
		t.Errorf("%d rows made, %d wrong; want %d and 0", count, wrong, n)
	}
	must(t, c.DB().QueryRowContext(ctx, "SELECT COUNT(*) FROM `"+s.Name()+"`.`sample`").Scan(&count))
	if count != n {
		t.Errorf("%d samples, want %d", count, n)
	}
	var jobs int
	must(t, c.DB().QueryRowContext(ctx, "SELECT COUNT(*) FROM `"+s.Name()+"`.`~jobs`").Scan(&jobs))
	if jobs != 0 {
		t.Errorf("%d jobs left in ~jobs", jobs)
	}
	st, err := migrate.CheckStatus(ctx, ms, newStructs.sample, newStructs.doubled)
	must(t, err)
	if !st.Matches() {
		t.Errorf("the schema does not match the new structs:\n%s", st.Plan)
	}
}
