package dj

import (
	"bytes"
	"context"
	"database/sql/driver"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
)

type PpSession struct {
	Manual
	SessionID int32 `dj:"pk"`
}

type PpDouble struct {
	Computed
	Session   Ref[PpSession] `dj:"pk"`
	SessionID int32          `dj:"pk"`
	Twice     int64
}

// ppBehaviour says how Make treats a key: "fail", "panic", or make it.
var ppBehaviour = map[int32]string{}

func (d *PpDouble) Make(ctx context.Context, tx *Tx) error {
	switch ppBehaviour[d.SessionID] {
	case "fail":
		return errors.New("make failed")
	case "panic":
		panic("make panicked")
	}
	return Insert1(ctx, tx, PpDouble{SessionID: d.SessionID, Twice: 2 * int64(d.SessionID)})
}

// populateScript answers a populate of PpDouble over the given keys:
// the key query, the connection id, ~jobs (DataJoint's columns, with the
// excluded hashes), and every other statement with one affected row.
func populateScript(keys []int64, excluded []string, reserveAffected int64) *scriptDB {
	return &scriptDB{answer: func(q string, _ []any) scriptAnswer {
		switch {
		case strings.HasPrefix(q, "SELECT `session_id` FROM `lab`.`pp_session`"):
			a := scriptAnswer{cols: []string{"session_id"}}
			for _, k := range keys {
				a.rows = append(a.rows, []driver.Value{k})
			}
			return a
		case strings.HasPrefix(q, "SELECT count("):
			return scriptAnswer{cols: []string{"n"}, rows: [][]driver.Value{{int64(len(keys))}}}
		case q == connectionIDSQL:
			return scriptAnswer{cols: []string{"id"}, rows: [][]driver.Value{{int64(77)}}}
		case q == jobsColumnsSQL:
			a := scriptAnswer{cols: []string{"c"}}
			for _, c := range djJobsColumns {
				a.rows = append(a.rows, []driver.Value{c})
			}
			return a
		case q == sessionUserSQL:
			return scriptAnswer{cols: []string{"u"}, rows: [][]driver.Value{{"me@host"}}}
		case q == serverUptimeSQL:
			return scriptAnswer{cols: []string{"v"}, rows: [][]driver.Value{{int64(1000)}}}
		case strings.HasPrefix(q, "SELECT `table_name`, `key_hash`, `connection_id`"):
			return scriptAnswer{cols: []string{"t", "h", "c", "u", "b"}}
		case strings.HasPrefix(q, "SELECT `key_hash` FROM `lab`.`~jobs`"):
			a := scriptAnswer{cols: []string{"key_hash"}}
			for _, h := range excluded {
				a.rows = append(a.rows, []driver.Value{h})
			}
			return a
		case strings.HasPrefix(q, "INSERT INTO `lab`.`~jobs`") && strings.Contains(q, "FROM DUAL"):
			return scriptAnswer{affected: reserveAffected}
		}
		return scriptAnswer{affected: 1}
	}}
}

// madeRows returns the session_id and twice of every INSERT into the
// target, in order.
func madeRows(db *scriptDB) [][]any {
	var out [][]any
	for _, c := range db.calls {
		if strings.HasPrefix(c.query, "INSERT INTO `lab`.`__pp_double`") {
			out = append(out, c.args)
		}
	}
	return out
}

func TestPopulateMakesMissingKeys(t *testing.T) {
	ctx := context.Background()
	ppBehaviour = map[int32]string{}
	db := populateScript([]int64{1, 2, 3}, nil, 1)
	c := scriptConnFor(t, db)
	declareFor(t, c, "lab", PpSession{}, PpDouble{})

	res, err := Populate[PpDouble](ctx, c, OrderKeys(OrderReverse), MaxCalls(2))
	if err != nil {
		t.Fatal(err)
	}
	if res.Made != 2 || res.Skipped != 0 || len(res.Errors) != 0 {
		t.Fatalf("result %+v", res)
	}
	if got := madeRows(db); !reflect.DeepEqual(got, [][]any{{int64(3), int64(6)}, {int64(2), int64(4)}}) {
		t.Fatalf("made %v", got)
	}
	// Each key commits in its own transaction.
	var tx []string
	for _, q := range db.queries() {
		if strings.HasPrefix(q, "START") || q == "COMMIT" || q == "ROLLBACK" {
			tx = append(tx, q)
		}
	}
	if want := []string{"START TRANSACTION WITH CONSISTENT SNAPSHOT", "COMMIT", "START TRANSACTION WITH CONSISTENT SNAPSHOT", "COMMIT"}; !reflect.DeepEqual(tx, want) {
		t.Fatalf("transactions %q", tx)
	}

	remaining, total, err := Progress[PpDouble](ctx, c)
	if err != nil || remaining != 3 || total != 3 {
		t.Fatalf("Progress %d/%d %v", remaining, total, err)
	}
	ks, err := KeySource[PpDouble](ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if sql, _, _ := ks.SQL(); sql != "SELECT `session_id` FROM `lab`.`pp_session`" {
		t.Errorf("key source %s", sql)
	}
}

func TestPopulateRecordsMakeErrors(t *testing.T) {
	ctx := context.Background()
	ppBehaviour = map[int32]string{2: "fail", 3: "panic"}
	db := populateScript([]int64{1, 2, 3}, nil, 1)
	c := scriptConnFor(t, db)
	declareFor(t, c, "lab", PpSession{}, PpDouble{})

	res, err := Populate[PpDouble](ctx, c, SuppressErrors())
	if err != nil {
		t.Fatal(err)
	}
	if res.Made != 1 || len(res.Errors) != 2 {
		t.Fatalf("result %+v", res)
	}
	if k := res.Errors[0].Key; !reflect.DeepEqual(k, Key{"session_id": int64(2)}) || res.Errors[0].Err.Error() != "make failed" {
		t.Errorf("first error %v", res.Errors[0])
	}
	var pe *PanicError
	if !errors.As(res.Errors[1], &pe) || pe.Value != "make panicked" || !bytes.Contains(pe.Stack, []byte("PpDouble")) {
		t.Errorf("panic error %v", res.Errors[1])
	}
	rollbacks := strings.Count(strings.Join(db.queries(), "\n"), "ROLLBACK")
	if rollbacks != 2 {
		t.Errorf("%d rollbacks, want 2", rollbacks)
	}

	// Without SuppressErrors the first failure stops the run.
	ppBehaviour = map[int32]string{1: "fail"}
	db.calls = nil
	res, err = Populate[PpDouble](ctx, c)
	var ke KeyError
	if !errors.As(err, &ke) || !reflect.DeepEqual(ke.Key, Key{"session_id": int64(1)}) || res.Made != 0 {
		t.Fatalf("stopping populate: %+v %v", res, err)
	}
	if len(madeRows(db)) != 0 {
		t.Errorf("made rows after the first failure")
	}
	if _, err := PopulateFunc(ctx, c, func(context.Context, *Tx, *PpSession) error { return nil }); !errors.Is(err, ErrInvalidQuery) {
		t.Errorf("populate of a manual table: %v", err)
	}
	if _, err := PopulateFunc[PpDouble](ctx, c, nil); !errors.Is(err, ErrInvalidQuery) {
		t.Errorf("nil make function: %v", err)
	}
}

func TestPopulateReserveJobs(t *testing.T) {
	ctx := context.Background()
	ppBehaviour = map[int32]string{2: "fail"}
	skip := KeyHash(Key{"session_id": int64(3)})
	db := populateScript([]int64{1, 2, 3}, []string{skip}, 1)
	c := scriptConnFor(t, db)
	declareFor(t, c, "lab", PpSession{}, PpDouble{})

	res, err := Populate[PpDouble](ctx, c, ReserveJobs(), SuppressErrors())
	if err != nil {
		t.Fatal(err)
	}
	if res.Made != 1 || len(res.Errors) != 1 {
		t.Fatalf("result %+v", res)
	}
	var reserves, completes, errs []scriptCall
	for _, call := range db.calls {
		switch {
		case strings.Contains(call.query, "FROM DUAL WHERE NOT EXISTS"):
			reserves = append(reserves, call)
		case strings.HasPrefix(call.query, "DELETE FROM `lab`.`~jobs` WHERE `table_name`=? AND `key_hash`=?"):
			completes = append(completes, call)
		case strings.HasPrefix(call.query, "REPLACE INTO `lab`.`~jobs`"):
			errs = append(errs, call)
		}
	}
	// Key 3 is excluded by ~jobs; keys 1 and 2 are reserved with the
	// target's probe, key 1 completed, key 2 recorded as an error.
	wantReserve := "INSERT INTO `lab`.`~jobs` (`table_name`,`key_hash`,`status`,`key`,`host`,`pid`,`connection_id`,`user`) SELECT ?,?,?,?,?,?,?,? FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM `lab`.`__pp_double` WHERE `session_id`=?)"
	if len(reserves) != 2 || reserves[0].query != wantReserve {
		t.Fatalf("reservations %#v", reserves)
	}
	h1 := KeyHash(Key{"session_id": int64(1)})
	if a := reserves[0].args; a[0] != "__pp_double" || a[1] != h1 || a[2] != JobReserved || a[6] != int64(77) || a[8] != int64(1) {
		t.Errorf("reservation args %#v", a)
	}
	if len(completes) != 1 || !reflect.DeepEqual(completes[0].args, []any{"__pp_double", h1}) {
		t.Errorf("completions %#v", completes)
	}
	if len(errs) != 1 || errs[0].args[2] != JobError || errs[0].args[4] != "make failed" {
		t.Errorf("error jobs %#v", errs)
	}

	// A key the reservation finds made is skipped.
	ppBehaviour = map[int32]string{}
	db = populateScript([]int64{1}, nil, 0)
	c = scriptConnFor(t, db)
	declareFor(t, c, "lab", PpSession{}, PpDouble{})
	res, err = Populate[PpDouble](ctx, c, ReserveJobs())
	if err != nil || res.Made != 0 || res.Skipped != 1 {
		t.Fatalf("made elsewhere: %+v %v", res, err)
	}
}

type PpThree struct {
	Computed
	Session   Ref[PpSession] `dj:"pk"`
	SessionID int32          `dj:"pk"`
	Sum       float64
}

var ppFetches int

func (p *PpThree) MakeFetch(context.Context, Querier) ([]float64, error) {
	ppFetches++
	if p.SessionID == 2 && ppFetches%2 == 0 {
		return []float64{9}, nil // the inputs changed under the computation
	}
	return []float64{1, 2, float64(p.SessionID)}, nil
}

func (p *PpThree) MakeCompute(_ context.Context, in []float64) (float64, error) {
	s := 0.0
	for _, x := range in {
		s += x
	}
	return s, nil
}

func (p *PpThree) MakeInsert(ctx context.Context, tx *Tx, sum float64) error {
	return Insert1(ctx, tx, PpThree{SessionID: p.SessionID, Sum: sum})
}

func TestPopulateThreePartChecksInputs(t *testing.T) {
	ctx := context.Background()
	ppFetches = 0
	db := populateScript([]int64{1, 2}, nil, 1)
	c := scriptConnFor(t, db)
	declareFor(t, c, "lab", PpSession{}, PpThree{})
	res, err := PopulateThreePart[PpThree, []float64, float64](ctx, c, SuppressErrors())
	if err != nil {
		t.Fatal(err)
	}
	if res.Made != 1 || len(res.Errors) != 1 || !errors.Is(res.Errors[0], ErrInputsChanged) {
		t.Fatalf("result %+v", res)
	}
	var ins []scriptCall
	for _, call := range db.calls {
		if strings.HasPrefix(call.query, "INSERT INTO `lab`.`__pp_three`") {
			ins = append(ins, call)
		}
	}
	if len(ins) != 1 || !reflect.DeepEqual(ins[0].args, []any{int64(1), 4.0}) {
		t.Fatalf("inserts %#v", ins)
	}
}

func TestSameData(t *testing.T) {
	type inner struct {
		A []float64
		M map[string]any
	}
	now := time.Now()
	x := 1
	cases := []struct {
		a, b any
		same bool
	}{
		{math.NaN(), math.NaN(), true},
		{1.0, 2.0, false},
		{complex(math.NaN(), 1), complex(math.NaN(), 1), true},
		{[]float64{}, []float64(nil), true},
		{[]float64{1}, []float64{1, 2}, false},
		{[2]int{1, 2}, [2]int{1, 2}, true},
		{map[string]int{"a": 1}, map[string]int{"a": 1}, true},
		{map[string]int{"a": 1}, map[string]int{"b": 1}, false},
		{map[string]int{"a": 1}, map[string]int{"a": 1, "b": 2}, false},
		{inner{A: []float64{math.NaN()}, M: map[string]any{"k": "v"}}, inner{A: []float64{math.NaN()}, M: map[string]any{"k": "v"}}, true},
		{inner{M: map[string]any{"k": 1}}, inner{M: map[string]any{"k": 2}}, false},
		{now, now.In(time.FixedZone("z", 3600)), true},
		{&x, &x, true},
		{(*int)(nil), &x, false},
		{"a", "a", true},
		{int8(1), int16(1), false},
	}
	for i, c := range cases {
		a, b := reflect.ValueOf(&c.a).Elem().Elem(), reflect.ValueOf(&c.b).Elem().Elem()
		if got := sameData(a, b); got != c.same {
			t.Errorf("case %d (%v, %v): sameData = %v", i, c.a, c.b, got)
		}
	}
	if !sameData(reflect.Value{}, reflect.Value{}) || sameData(reflect.Value{}, reflect.ValueOf(1)) {
		t.Error("invalid values")
	}
	type unexported struct{ n int }
	if !sameData(reflect.ValueOf(unexported{1}), reflect.ValueOf(unexported{1})) || sameData(reflect.ValueOf(unexported{1}), reflect.ValueOf(unexported{2})) {
		t.Error("unexported fields")
	}
}

func TestWorkerPrecheckAndErrorKinds(t *testing.T) {
	w := &worker{}
	for range 3 {
		w.observe(true)
	}
	if !w.precheck {
		t.Errorf("a worker meeting only others' keys should check first (rate %v)", w.othersRate)
	}
	for range 20 {
		w.observe(false)
	}
	if w.precheck {
		t.Errorf("a worker meeting only its own keys should not check first (rate %v)", w.othersRate)
	}
	if !isLockConflict(&mysql.MySQLError{Number: 1213}) || !isLockConflict(&mysql.MySQLError{Number: 1205}) || isLockConflict(&mysql.MySQLError{Number: 1062}) {
		t.Error("isLockConflict")
	}
	if !isLost(driver.ErrBadConn) || !isLost(classify(&mysql.MySQLError{Number: 2013})) || isLost(errors.New("x")) {
		t.Error("isLost")
	}
	ke := KeyError{Key: Key{"id": 1}, Err: ErrType}
	if !errors.Is(ke, ErrType) || ke.Error() != "key map[id:1]: type mismatch" {
		t.Errorf("KeyError %q", ke.Error())
	}
}
