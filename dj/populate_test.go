package dj_test

import (
	"context"
	"crypto/md5"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
)

// The populate test pipeline: PopSource → PopSquare (with a part), a
// renamed reference (PopPair), a custom key source (PopEven) and a
// three-part make (PopSum).

type PopSource struct {
	dj.Manual `comment:"numbers"`
	ID        int32 `dj:"pk"`
	Weight    float64
}

type PopSquare struct {
	dj.Computed `comment:"squares"`
	Src         dj.Ref[PopSource] `dj:"pk"`
	ID          int32             `dj:"pk"`
	Value       int64
}

type PopSquarePart struct {
	dj.Part[PopSquare]
	ID    int32 `dj:"pk"`
	Digit int16 `dj:"pk"`
}

// popCalls counts make calls per key across the test's workers.
type popCalls struct{ m sync.Map }

func (p *popCalls) add(id int32) {
	v, _ := p.m.LoadOrStore(id, new(atomic.Int64))
	v.(*atomic.Int64).Add(1)
}

func (p *popCalls) check(t *testing.T, n int) {
	t.Helper()
	seen := 0
	p.m.Range(func(k, v any) bool {
		seen++
		if c := v.(*atomic.Int64).Load(); c != 1 {
			t.Errorf("key %v made %d times", k, c)
		}
		return true
	})
	if seen != n {
		t.Errorf("%d keys made, want %d", seen, n)
	}
}

func squareMake(calls *popCalls, failOn map[int32]string) func(ctx context.Context, tx *dj.Tx, row *PopSquare) error {
	return func(ctx context.Context, tx *dj.Tx, row *PopSquare) error {
		if calls != nil {
			calls.add(row.ID)
		}
		row.Value = int64(row.ID) * int64(row.ID)
		if err := dj.Insert1(ctx, tx, *row); err != nil {
			return err
		}
		if err := dj.Insert1(ctx, tx, PopSquarePart{ID: row.ID, Digit: int16(row.Value % 10)}); err != nil {
			return err
		}
		switch failOn[row.ID] {
		case "error":
			return fmt.Errorf("bad key %d", row.ID)
		case "panic":
			panic(fmt.Sprintf("make panicked on %d", row.ID))
		}
		return nil
	}
}

func popSetup(t testing.TB, n int) (*dj.Conn, *dj.Schema) {
	t.Helper()
	c, s := connect(t)
	ctx := context.Background()
	must(t, s.Declare(ctx, PopSource{}, PopSquare{}, PopSquarePart{}))
	rows := make([]PopSource, n)
	for i := range rows {
		rows[i] = PopSource{ID: int32(i), Weight: float64(i) / 2}
	}
	must(t, dj.Insert(ctx, c, rows))
	return c, s
}

func popCount(t testing.TB, c *dj.Conn, e dj.Expr) int64 {
	t.Helper()
	n, err := dj.Count(context.Background(), c, e)
	must(t, err)
	return n
}

func TestPopulateDefaultKeySource(t *testing.T) {
	ctx := context.Background()
	c, _ := popSetup(t, 20)
	rem, total, err := dj.Progress[PopSquare](ctx, c)
	must(t, err)
	if rem != 20 || total != 20 {
		t.Fatalf("progress = %d/%d, want 20/20", rem, total)
	}
	// Direct insert outside make stays refused.
	wantErr(t, dj.Insert1(ctx, c, PopSquare{ID: 1, Value: 1}), dj.ErrDirectInsert)

	calls := &popCalls{}
	res, err := dj.PopulateFunc(ctx, c, squareMake(calls, nil), dj.RestrictKeys(dj.Where("id < 5")))
	must(t, err)
	if res.Made != 5 || len(res.Errors) != 0 {
		t.Fatalf("restricted populate: %+v", res)
	}
	rem, total, err = dj.Progress[PopSquare](ctx, c, dj.Where("id < 10"))
	must(t, err)
	if rem != 5 || total != 10 {
		t.Fatalf("progress = %d/%d, want 5/10", rem, total)
	}
	res, err = dj.PopulateFunc(ctx, c, squareMake(calls, nil), dj.Workers(3))
	must(t, err)
	if res.Made != 15 {
		t.Fatalf("populate: %+v", res)
	}
	calls.check(t, 20)
	if n := popCount(t, c, dj.From[PopSquarePart](c)); n != 20 {
		t.Fatalf("%d part rows", n)
	}
	sq, err := dj.FetchOne[PopSquare](ctx, c, dj.From[PopSquare](c).Restrict(dj.Match(dj.Key{"id": 7})))
	must(t, err)
	if sq.Value != 49 {
		t.Fatalf("square of 7 = %d", sq.Value)
	}
	res, err = dj.PopulateFunc(ctx, c, squareMake(calls, nil), dj.ReserveJobs())
	must(t, err)
	if res.Made != 0 {
		t.Fatalf("second populate made %d", res.Made)
	}
}

// Make as a method on the row type.
type PopCube struct {
	dj.Computed `comment:"cubes"`
	Src         dj.Ref[PopSource] `dj:"pk"`
	ID          int32             `dj:"pk"`
	Value       int64
}

func (r *PopCube) Make(ctx context.Context, tx *dj.Tx) error {
	r.Value = int64(r.ID) * int64(r.ID) * int64(r.ID)
	return dj.Insert1(ctx, tx, *r)
}

// PopEven has a custom key source: the even sources only.
type PopEven struct {
	dj.Computed `comment:"halves of even numbers"`
	Src         dj.Ref[PopSource] `dj:"pk"`
	ID          int32             `dj:"pk"`
	Half        int32
}

func (*PopEven) KeySource(q dj.Querier) dj.Expr {
	return dj.From[PopSource](q).Restrict(dj.Where("id % 2 = 0"))
}

func (r *PopEven) Make(ctx context.Context, tx *dj.Tx) error {
	r.Half = r.ID / 2
	return dj.Insert1(ctx, tx, *r)
}

// PopPair references PopSource twice under other names.
type PopPair struct {
	dj.Manual `comment:"pairs"`
	PairID    int32 `dj:"pk"`
}

type PopPairSum struct {
	dj.Computed `comment:"sum of a renamed reference"`
	Pair        dj.Ref[PopPair]   `dj:"pk"`
	PairID      int32             `dj:"pk"`
	Left        dj.Ref[PopSource] `dj:"pk,proj=(left_id=id)"`
	LeftID      int32             `dj:"pk"`
	Sum         int64
}

func (r *PopPairSum) Make(ctx context.Context, tx *dj.Tx) error {
	r.Sum = int64(r.PairID) + int64(r.LeftID)
	return dj.Insert1(ctx, tx, *r)
}

func TestPopulateMethodAndCustomKeySource(t *testing.T) {
	ctx := context.Background()
	c, s := popSetup(t, 10)
	must(t, s.Declare(ctx, PopCube{}, PopEven{}))
	res, err := dj.Populate[PopCube](ctx, c, dj.OnlyKeys(dj.Key{"id": 2}, dj.Key{"id": 3}))
	must(t, err)
	if res.Made != 2 || popCount(t, c, dj.From[PopCube](c)) != 2 {
		t.Fatalf("explicit keys: %+v", res)
	}
	cube, err := dj.FetchOne[PopCube](ctx, c, dj.From[PopCube](c).Restrict(dj.Match(dj.Key{"id": 3})))
	must(t, err)
	if cube.Value != 27 {
		t.Fatalf("cube = %d", cube.Value)
	}
	res, err = dj.Populate[PopEven](ctx, c, dj.ReserveJobs())
	must(t, err)
	if res.Made != 5 {
		t.Fatalf("custom key source made %d, want 5", res.Made)
	}
	rem, total, err := dj.Progress[PopEven](ctx, c)
	must(t, err)
	if rem != 0 || total != 5 {
		t.Fatalf("progress %d/%d", rem, total)
	}
}

func TestPopulateRenamedReference(t *testing.T) {
	ctx := context.Background()
	c, s := popSetup(t, 3)
	if err := s.Declare(ctx, PopPair{}, PopPairSum{}); err != nil {
		t.Fatalf("declare renamed reference: %v", err)
	}
	must(t, dj.Insert(ctx, c, []PopPair{{PairID: 10}, {PairID: 20}}))
	res, err := dj.Populate[PopPairSum](ctx, c)
	must(t, err)
	if res.Made != 6 {
		t.Fatalf("made %d, want 2×3", res.Made)
	}
	n, err := dj.Count(ctx, c, dj.From[PopPairSum](c).Restrict(dj.Where("sum = pair_id + left_id")))
	must(t, err)
	if n != 6 {
		t.Fatalf("%d correct sums", n)
	}
}

func TestPopulateOptions(t *testing.T) {
	ctx := context.Background()
	c, s := popSetup(t, 30)
	jobs := s.Jobs()
	// Limit is applied before jobs filtering: reserve 3 of the first 5
	// keys by hand, so Limit(5) leaves 2.
	sq, err := dj.TableOf[PopSquare](c)
	must(t, err)
	for _, id := range []int{0, 1, 2} {
		ok, err := jobs.Ignore(ctx, sq, dj.Key{"id": id})
		must(t, err)
		if !ok {
			t.Fatal("ignore failed")
		}
	}
	res, err := dj.PopulateFunc(ctx, c, squareMake(nil, nil), dj.ReserveJobs(), dj.LimitKeys(5))
	must(t, err)
	if res.Made != 2 {
		t.Fatalf("Limit(5) with 3 ignored made %d, want 2", res.Made)
	}
	// MaxCalls bounds the attempts after filtering.
	res, err = dj.PopulateFunc(ctx, c, squareMake(nil, nil), dj.ReserveJobs(), dj.MaxCalls(4), dj.OrderKeys(dj.OrderReverse))
	must(t, err)
	if res.Made != 4 {
		t.Fatalf("MaxCalls(4) made %d", res.Made)
	}
	ids, err := dj.FetchColumn[int32](ctx, c, dj.From[PopSquare](c).Restrict(dj.Where("id > 4")), "id")
	must(t, err)
	for _, id := range ids {
		if id < 26 {
			t.Fatalf("OrderReverse made id %d among the first 4", id)
		}
	}
	res, err = dj.PopulateFunc(ctx, c, squareMake(nil, nil), dj.ReserveJobs(), dj.OrderKeys(dj.OrderRandom), dj.Workers(2))
	must(t, err)
	if res.Made != 21 {
		t.Fatalf("made %d, want 21", res.Made)
	}
	ignored, err := jobs.List(ctx, dj.JobFilter{Table: sq.Name(), Status: dj.JobIgnore})
	must(t, err)
	if len(ignored) != 3 || ignored[0].Key == nil {
		t.Fatalf("ignored jobs: %+v", ignored)
	}
	n, err := jobs.Clear(ctx, dj.JobFilter{Table: sq.Name()})
	must(t, err)
	if n != 3 {
		t.Fatalf("cleared %d", n)
	}
	res, err = dj.PopulateFunc(ctx, c, squareMake(nil, nil), dj.ReserveJobs(), dj.ShowProgress(&strings.Builder{}))
	must(t, err)
	if res.Made != 3 || popCount(t, c, dj.From[PopSquare](c)) != 30 {
		t.Fatalf("final populate %+v", res)
	}
}

func TestPopulateErrors(t *testing.T) {
	ctx := context.Background()
	c, s := popSetup(t, 6)
	fail := map[int32]string{1: "error", 3: "panic"}
	// Without SuppressErrors the first error stops the run.
	_, err := dj.PopulateFunc(ctx, c, squareMake(nil, fail))
	if err == nil || !strings.Contains(err.Error(), "bad key 1") {
		t.Fatalf("want the error of key 1, got %v", err)
	}
	if n := popCount(t, c, dj.From[PopSquare](c)); n != 1 {
		t.Fatalf("%d rows after stopping at key 1, want 1", n)
	}
	// With SuppressErrors and ReserveJobs: errors are collected and recorded.
	res, err := dj.PopulateFunc(ctx, c, squareMake(nil, fail), dj.SuppressErrors(), dj.ReserveJobs())
	must(t, err)
	if res.Made != 3 || len(res.Errors) != 2 {
		t.Fatalf("result %+v", res)
	}
	var pe *dj.PanicError
	for _, ke := range res.Errors {
		if errors.As(ke.Err, &pe) && !strings.Contains(string(pe.Stack), "squareMake") {
			t.Errorf("panic stack lacks the make: %s", pe.Stack)
		}
	}
	if pe == nil {
		t.Fatal("the panic was not reported as a *PanicError")
	}
	// Failed makes left neither master nor part rows.
	for _, id := range []int{1, 3} {
		if n := popCount(t, c, dj.From[PopSquarePart](c).Restrict(dj.Match(dj.Key{"id": id}))); n != 0 {
			t.Errorf("key %d left %d part rows", id, n)
		}
		if n := popCount(t, c, dj.From[PopSquare](c).Restrict(dj.Match(dj.Key{"id": id}))); n != 0 {
			t.Errorf("key %d left %d rows", id, n)
		}
	}
	errs, err := s.Jobs().Errors(ctx, "__pop_square")
	must(t, err)
	if len(errs) != 2 {
		t.Fatalf("%d error jobs", len(errs))
	}
	for _, e := range errs {
		if e.ErrorMessage == "" || e.ErrorStack == "" || e.PID == 0 || e.ConnectionID == 0 || e.Host == "" || e.User == "" {
			t.Errorf("incomplete error job %+v", e)
		}
	}
	// Error jobs are skipped until cleared.
	res, err = dj.PopulateFunc(ctx, c, squareMake(nil, nil), dj.ReserveJobs())
	must(t, err)
	if res.Made != 0 {
		t.Fatalf("made %d keys that have error jobs", res.Made)
	}
	_, err = s.Jobs().Clear(ctx, dj.JobFilter{Status: dj.JobError})
	must(t, err)
	res, err = dj.PopulateFunc(ctx, c, squareMake(nil, nil), dj.ReserveJobs())
	must(t, err)
	if res.Made != 2 {
		t.Fatalf("made %d after clearing errors", res.Made)
	}
}

func TestPopulateCancel(t *testing.T) {
	c, s := popSetup(t, 50)
	ctx, cancel := context.WithCancel(context.Background())
	var calls atomic.Int64
	_, err := dj.PopulateFunc(ctx, c, func(ctx context.Context, tx *dj.Tx, row *PopSquare) error {
		if calls.Add(1) == 5 {
			cancel()
		}
		return squareMake(nil, nil)(ctx, tx, row)
	}, dj.ReserveJobs(), dj.Workers(2))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
	bg := context.Background()
	left, err := s.Jobs().List(bg, dj.JobFilter{})
	must(t, err)
	if len(left) != 0 {
		t.Fatalf("cancelled populate left %d jobs: %+v", len(left), left)
	}
	made := popCount(t, c, dj.From[PopSquare](c))
	if made >= 50 || made < 3 {
		t.Fatalf("%d rows after cancelling at the 5th make", made)
	}
	if parts := popCount(t, c, dj.From[PopSquarePart](c)); parts != made {
		t.Fatalf("%d parts for %d masters", parts, made)
	}
}

func TestPopulateStaleReservation(t *testing.T) {
	ctx := context.Background()
	c, s := popSetup(t, 4)
	jobs := s.Jobs()
	sq, err := dj.TableOf[PopSquare](c)
	must(t, err)
	// A reservation by a connection that no longer exists, as a killed
	// worker leaves it; and one by a live connection.
	db := testenv.DB(t)
	hash0, err := jobs.KeyHash(sq, dj.Key{"id": int64(0)})
	must(t, err)
	hash1, err := jobs.KeyHash(sq, dj.Key{"id": int64(1)})
	must(t, err)
	_, err = jobs.List(ctx, dj.JobFilter{}) // creates ~jobs
	must(t, err)
	live, err := db.Conn(ctx)
	must(t, err)
	defer live.Close()
	var liveID int64
	must(t, live.QueryRowContext(ctx, "SELECT CONNECTION_ID()").Scan(&liveID))
	ins := "INSERT INTO " + jobs.FullName() + " (table_name, key_hash, status, connection_id, user) VALUES (?,?,'reserved',?,user())"
	_, err = live.ExecContext(ctx, ins, sq.Name(), hash0, int64(1)<<40)
	must(t, err)
	_, err = live.ExecContext(ctx, ins, sq.Name(), hash1, liveID)
	must(t, err)
	res, err := dj.PopulateFunc(ctx, c, squareMake(nil, nil), dj.ReserveJobs())
	must(t, err)
	if res.Made != 3 {
		t.Fatalf("made %d, want 3 (stale one reclaimed, live one respected)", res.Made)
	}
	rs, err := jobs.Reserved(ctx, sq.Name())
	must(t, err)
	if len(rs) != 1 || rs[0].KeyHash != hash1 {
		t.Fatalf("reservations left: %+v", rs)
	}
}

// TestPopulateExactlyOnceGoroutines runs 8 workers over 5,000 keys: two
// populate calls of 4 goroutines each, one walking the keys forward and
// one backward, so that they compete for the keys where they meet.
func TestPopulateExactlyOnceGoroutines(t *testing.T) {
	t.Parallel() // owns its database and store location; the longest tests overlap
	const n = 5000
	ctx := context.Background()
	c, _ := popSetup(t, n)
	calls := &popCalls{}
	var wg sync.WaitGroup
	orders := []dj.Order{dj.OrderOriginal, dj.OrderReverse}
	results := make([]dj.PopulateResult, len(orders))
	errs := make([]error, len(orders))
	start := time.Now()
	for i, order := range orders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = dj.PopulateFunc(ctx, c, squareMake(calls, nil), dj.ReserveJobs(), dj.Workers(4), dj.OrderKeys(order))
		}()
	}
	wg.Wait()
	made := 0
	for i := range orders {
		must(t, errs[i])
		made += results[i].Made
	}
	t.Logf("8 workers made %d keys in %v (%v)", made, time.Since(start), results)
	if made != n {
		t.Errorf("made %d, want %d", made, n)
	}
	calls.check(t, n)
	if got := popCount(t, c, dj.From[PopSquare](c)); got != n {
		t.Errorf("%d rows, want %d", got, n)
	}
}

// TestPopulateContention runs 4 populate calls that walk the same keys in
// the same order (the worst case for reservations, as with DataJoint's
// workers), 2 goroutines each.
func TestPopulateContention(t *testing.T) {
	const n = 1000
	ctx := context.Background()
	c, _ := popSetup(t, n)
	calls := &popCalls{}
	var wg sync.WaitGroup
	results := make([]dj.PopulateResult, 4)
	errs := make([]error, 4)
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = dj.PopulateFunc(ctx, c, squareMake(calls, nil), dj.ReserveJobs(), dj.Workers(2))
		}()
	}
	wg.Wait()
	made := 0
	for i := range 4 {
		must(t, errs[i])
		made += results[i].Made
	}
	if made != n {
		t.Errorf("made %d, want %d", made, n)
	}
	calls.check(t, n)
}

// Three-part make.
type PopMean struct {
	dj.Computed `comment:"weights, doubled"`
	Src         dj.Ref[PopSource] `dj:"pk"`
	ID          int32             `dj:"pk"`
	Double      float64
}

// popMeanHook runs between MakeCompute and the insert, to change inputs.
var popMeanHook func(id int32)

func (r *PopMean) MakeFetch(ctx context.Context, q dj.Querier) ([]float64, error) {
	return dj.FetchColumn[float64](ctx, q, dj.From[PopSource](q).Restrict(dj.Match(*r)), "weight")
}

func (r *PopMean) MakeCompute(ctx context.Context, w []float64) (float64, error) {
	if popMeanHook != nil {
		popMeanHook(r.ID)
	}
	return 2 * w[0], nil
}

func (r *PopMean) MakeInsert(ctx context.Context, tx *dj.Tx, d float64) error {
	r.Double = d
	return dj.Insert1(ctx, tx, *r)
}

func TestPopulateThreePart(t *testing.T) {
	ctx := context.Background()
	c, s := popSetup(t, 4)
	must(t, s.Declare(ctx, PopMean{}))
	popMeanHook = func(id int32) {
		if id == 2 {
			_, err := c.ExecContext(ctx, "UPDATE "+s.Name()+".pop_source SET weight = 99 WHERE id = 2")
			must(t, err)
		}
	}
	defer func() { popMeanHook = nil }()
	res, err := dj.PopulateThreePart[PopMean, []float64, float64](ctx, c, dj.SuppressErrors(), dj.ReserveJobs())
	must(t, err)
	if res.Made != 3 || len(res.Errors) != 1 || !errors.Is(res.Errors[0].Err, dj.ErrInputsChanged) {
		t.Fatalf("result %+v", res)
	}
	popMeanHook = nil
	_, err = s.Jobs().Clear(ctx, dj.JobFilter{})
	must(t, err)
	res, err = dj.PopulateThreePart[PopMean, []float64, float64](ctx, c, dj.ReserveJobs())
	must(t, err)
	m, err := dj.FetchOne[PopMean](ctx, c, dj.From[PopMean](c).Restrict(dj.Match(dj.Key{"id": 2})))
	must(t, err)
	if res.Made != 1 || m.Double != 198 {
		t.Fatalf("retry: %+v, double = %v", res, m.Double)
	}
}

// TestPopulateBesidePythonProtocol runs Go workers beside a worker that
// follows DataJoint for Python 0.14's populate(reserve_jobs=True) statement
// by statement (reserve with INSERT, make in a transaction after checking
// the target, commit, then delete the reservation), walking the keys in
// the opposite order. Every key is made exactly once.
func TestPopulateBesidePythonProtocol(t *testing.T) {
	const n = 600
	ctx := context.Background()
	c, s := popSetup(t, n)
	jobs := s.Jobs()
	_, err := jobs.List(ctx, dj.JobFilter{}) // creates ~jobs
	must(t, err)
	sq, err := dj.TableOf[PopSquare](c)
	must(t, err)
	part, err := dj.TableOf[PopSquarePart](c)
	must(t, err)
	calls := &popCalls{}
	db := testenv.DB(t)
	pyMade := 0
	python := func() error {
		conn, err := db.Conn(ctx)
		if err != nil {
			return err
		}
		defer conn.Close()
		var cid int64
		if err := conn.QueryRowContext(ctx, "SELECT CONNECTION_ID()").Scan(&cid); err != nil {
			return err
		}
		q := "`" + s.Name() + "`."
		rows, err := conn.QueryContext(ctx, "SELECT id FROM "+q+"`pop_source` WHERE id NOT IN (SELECT id FROM "+q+"`__pop_square`) ORDER BY id DESC")
		if err != nil {
			return err
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		for _, id := range ids {
			hash := fmt.Sprintf("%x", md5.Sum([]byte(fmt.Sprint(id))))
			_, err := conn.ExecContext(ctx, "INSERT INTO "+jobs.FullName()+" (table_name, key_hash, status, host, pid, connection_id, user) VALUES (?,?,'reserved','pyhost',1,?,'py@localhost')", sq.Name(), hash, cid)
			if err != nil {
				if strings.Contains(err.Error(), "1062") {
					continue
				}
				return err
			}
			if _, err := conn.ExecContext(ctx, "START TRANSACTION WITH CONSISTENT SNAPSHOT"); err != nil {
				return err
			}
			var exists int
			if err := conn.QueryRowContext(ctx, "SELECT EXISTS(SELECT 1 FROM "+q+"`__pop_square` WHERE id=?)", id).Scan(&exists); err != nil {
				return err
			}
			if exists == 0 {
				calls.add(int32(id))
				if _, err := conn.ExecContext(ctx, "INSERT INTO "+sq.FullName()+" (id, value) VALUES (?,?)", id, id*id); err != nil {
					return err
				}
				if _, err := conn.ExecContext(ctx, "INSERT INTO "+part.FullName()+" (id, digit) VALUES (?,?)", id, id*id%10); err != nil {
					return err
				}
				pyMade++
			}
			if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
				return err
			}
			if _, err := conn.ExecContext(ctx, "DELETE FROM "+jobs.FullName()+" WHERE table_name=? AND key_hash=?", sq.Name(), hash); err != nil {
				return err
			}
		}
		return nil
	}
	pyErr := make(chan error, 1)
	go func() { pyErr <- python() }()
	res, err := dj.PopulateFunc(ctx, c, squareMake(calls, nil), dj.ReserveJobs(), dj.Workers(2))
	must(t, err)
	must(t, <-pyErr)
	t.Logf("Go made %d, the Python-protocol worker made %d", res.Made, pyMade)
	if res.Made+pyMade != n {
		t.Errorf("made %d + %d, want %d", res.Made, pyMade, n)
	}
	calls.check(t, n)
	if got := popCount(t, c, dj.From[PopSquare](c)); got != n {
		t.Errorf("%d rows", got)
	}
}
