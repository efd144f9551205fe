package dj_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/datajoint-go/datajoint/dj"
)

func seedLab(t testing.TB, c *dj.Conn) {
	t.Helper()
	ctx := context.Background()
	must(t, dj.Insert(ctx, c, []Subject{
		{SubjectID: 1, Species: "mouse", DOB: date(2020, 1, 2), Weight: 21.5},
		{SubjectID: 2, Species: "rat", Weight: 300},
		{SubjectID: 3, Species: "mouse", DOB: date(2021, 6, 30), Weight: 19},
	}))
	must(t, dj.Insert(ctx, c, []Session{
		{SubjectID: 1, SessionID: 1, Notes: "first", Trace: []float64{1, 2, 3}},
		{SubjectID: 1, SessionID: 2, Trace: []float64{4}},
		{SubjectID: 2, SessionID: 1, Notes: "rat", Trace: nil},
		{SubjectID: 3, SessionID: 1, Trace: []float64{math.Pi}},
	}))
}

func TestInsertAndFetchStructs(t *testing.T) {
	c, s := connect(t)
	ctx := context.Background()
	declareLab(t, s)
	seedLab(t, c)

	subs, err := dj.Fetch[Subject](ctx, c, dj.From[Subject](c).OrderBy("subject_id"))
	must(t, err)
	if len(subs) != 3 || subs[0].DOB == nil || !subs[0].DOB.Equal(*date(2020, 1, 2)) || subs[1].DOB != nil || subs[2].Weight != 19 {
		t.Fatalf("subjects = %+v", subs)
	}
	one, err := dj.FetchOne[Session](ctx, c, dj.From[Session](c).Restrict(dj.Match(dj.Key{"subject_id": 1, "session_id": 1})))
	must(t, err)
	if one.Notes != "first" || len(one.Trace) != 3 || one.Trace[2] != 3 {
		t.Fatalf("session = %+v", one)
	}
	// Restriction by a struct of a declared type uses its key.
	sess, err := dj.Fetch[Session](ctx, c, dj.From[Session](c).Restrict(dj.Match(Subject{SubjectID: 1, Weight: 99})).OrderBy("session_id DESC"))
	must(t, err)
	if len(sess) != 2 || sess[0].SessionID != 2 {
		t.Fatalf("sessions of subject 1 = %+v", sess)
	}
	// SQL conditions, limit, offset, count, exists.
	heavy := dj.From[Subject](c).Restrict(dj.Where("weight > ?", 20))
	n, err := dj.Count(ctx, c, heavy)
	must(t, err)
	if n != 2 {
		t.Fatalf("count = %d", n)
	}
	page, err := dj.Fetch[Subject](ctx, c, dj.From[Subject](c).OrderBy("subject_id").Limit(1).Offset(1))
	must(t, err)
	if len(page) != 1 || page[0].SubjectID != 2 {
		t.Fatalf("page = %+v", page)
	}
	ok, err := dj.Exists(ctx, c, dj.From[Subject](c).Restrict(dj.Where("weight > 1000")))
	must(t, err)
	if ok {
		t.Fatal("exists = true")
	}
	// FetchOne errors.
	_, err = dj.FetchOne[Subject](ctx, c, heavy)
	wantErr(t, err, dj.ErrTooManyRows)
	_, err = dj.FetchOne[Subject](ctx, c, dj.From[Subject](c).Restrict(dj.Match(dj.Key{"subject_id": 42})))
	wantErr(t, err, dj.ErrNoRows)

	// Attribute subsets: strict mapping fails, lax or projected works.
	type weightOnly struct {
		SubjectID int32
		Weight    float64
	}
	_, err = dj.Fetch[weightOnly](ctx, c, dj.From[Subject](c))
	wantErr(t, err, dj.ErrUnknownAttribute)
	w, err := dj.Fetch[weightOnly](ctx, c, dj.From[Subject](c).Proj("weight").OrderBy("weight"))
	must(t, err)
	if len(w) != 3 || w[0].Weight != 19 {
		t.Fatalf("weights = %+v", w)
	}
	w, err = dj.Fetch[weightOnly](ctx, c, dj.From[Subject](c), dj.Lax())
	must(t, err)
	if len(w) != 3 {
		t.Fatalf("lax weights = %+v", w)
	}
	col, err := dj.FetchColumn[float64](ctx, c, dj.From[Subject](c).OrderBy("subject_id"), "weight")
	must(t, err)
	if len(col) != 3 || col[1] != 300 {
		t.Fatalf("column = %v", col)
	}
	keys, err := dj.FetchKeys(ctx, c, dj.From[Session](c).OrderBy("KEY"))
	must(t, err)
	if len(keys) != 4 || len(keys[0]) != 2 || keys[3]["subject_id"] != int64(3) {
		t.Fatalf("keys = %v", keys)
	}
	// Streaming.
	count := 0
	for row, err := range dj.All[Session](ctx, c, dj.From[Session](c)) {
		must(t, err)
		if row.SubjectID == 0 {
			t.Fatal("zero row")
		}
		count++
	}
	if count != 4 {
		t.Fatalf("streamed %d rows", count)
	}
}

func TestInsertOptions(t *testing.T) {
	c, s := connect(t)
	ctx := context.Background()
	declareLab(t, s)
	seedLab(t, c)

	err := dj.Insert1(ctx, c, Subject{SubjectID: 1, Species: "mouse"})
	wantErr(t, err, dj.ErrDuplicate)
	var me *mysql.MySQLError
	if !errors.As(err, &me) || me.Number != 1062 {
		t.Fatalf("errors.As MySQLError: %v", err)
	}
	var de *dj.Error
	if !errors.As(err, &de) || de.Op != "insert" || !strings.Contains(de.Table, "subject") {
		t.Fatalf("dj.Error = %+v", de)
	}
	must(t, dj.Insert1(ctx, c, Subject{SubjectID: 1, Species: "rat", Weight: 1}, dj.SkipDuplicates()))
	got, err := dj.FetchOne[Subject](ctx, c, dj.From[Subject](c).Restrict(dj.Match(dj.Key{"subject_id": 1})))
	must(t, err)
	if got.Species != "mouse" {
		t.Fatalf("skip duplicates changed the row: %+v", got)
	}
	// REPLACE deletes and reinserts: a parent with dependents cannot be
	// replaced (as in DataJoint); a row without dependents can.
	wantErr(t, dj.Insert1(ctx, c, Subject{SubjectID: 1, Species: "rat", Weight: 1}, dj.Replace()), dj.ErrIntegrity)
	must(t, dj.Insert1(ctx, c, Subject{SubjectID: 20, Species: "mouse", Weight: 5}))
	must(t, dj.Insert1(ctx, c, Subject{SubjectID: 20, Species: "rat", Weight: 1}, dj.Replace()))
	got, err = dj.FetchOne[Subject](ctx, c, dj.From[Subject](c).Restrict(dj.Match(dj.Key{"subject_id": 20})))
	must(t, err)
	if got.Species != "rat" || got.Weight != 1 {
		t.Fatalf("replace did not replace: %+v", got)
	}

	subj, err := dj.TableOf[Subject](c)
	must(t, err)
	// Map rows: unknown keys fail unless ignored; missing required attributes fail.
	err = subj.Insert1(ctx, c, map[string]any{"subject_id": 10, "species": "rat", "weight": 2, "colour": "brown"})
	wantErr(t, err, dj.ErrUnknownAttribute)
	if !strings.Contains(err.Error(), "colour") {
		t.Fatalf("error does not name the attribute: %v", err)
	}
	must(t, subj.Insert1(ctx, c, map[string]any{"subject_id": 10, "species": "rat", "weight": 2, "colour": "brown"}, dj.IgnoreExtraFields()))
	err = subj.Insert1(ctx, c, map[string]any{"subject_id": 11, "species": "rat"})
	wantErr(t, err, dj.ErrMissingAttribute)
	var e *dj.Error
	if !errors.As(err, &e) || e.Attr != "weight" {
		t.Fatalf("missing attribute not named: %v", err)
	}
	// Foreign keys.
	err = dj.Insert1(ctx, c, Session{SubjectID: 99, SessionID: 1})
	wantErr(t, err, dj.ErrIntegrity)
	// NaN in a nullable float... weight is NOT NULL without default: NaN means DEFAULT.
	err = dj.Insert1(ctx, c, Subject{SubjectID: 12, Species: "rat", Weight: math.NaN()})
	wantErr(t, err, dj.ErrMissingAttribute)

	// Auto-populated tables refuse direct inserts.
	err = dj.Insert1(ctx, c, Filtered{SubjectID: 1, SessionID: 1, Mean: 2})
	wantErr(t, err, dj.ErrDirectInsert)
	must(t, dj.Insert1(ctx, c, Filtered{SubjectID: 1, SessionID: 1, Mean: 2}, dj.AllowDirectInsert()))
	must(t, c.Tx(ctx, func(ctx context.Context, tx *dj.Tx) error {
		return dj.Insert1(ctx, tx, Filtered{SubjectID: 1, SessionID: 2, Mean: 4})
	}, dj.AllowDirectInsert()))
	// Parts of a master are insertable (DataJoint rule: parts are always insertable).
	must(t, dj.Insert(ctx, c, []FilteredChannel{{SubjectID: 1, SessionID: 1, Channel: 0, Value: 1}}))
}

func TestInsertIsAtomicAcrossBatches(t *testing.T) {
	c, s := connect(t)
	ctx := context.Background()
	declareLab(t, s)
	rows := make([]Subject, 0, 250)
	for i := range 250 {
		rows = append(rows, Subject{SubjectID: int32(i + 1), Species: "mouse", Weight: float64(i)})
	}
	rows[200].SubjectID = 5 // duplicate inside the last batches
	err := dj.Insert(ctx, c, rows, dj.BatchRows(50))
	wantErr(t, err, dj.ErrDuplicate)
	n, err := dj.Count(ctx, c, dj.From[Subject](c))
	must(t, err)
	if n != 0 {
		t.Fatalf("a failed insert left %d rows", n)
	}
	rows[200].SubjectID = 201
	must(t, dj.Insert(ctx, c, rows, dj.BatchRows(50)))
	n, err = dj.Count(ctx, c, dj.From[Subject](c))
	must(t, err)
	if n != 250 {
		t.Fatalf("count = %d", n)
	}
}

func TestUpdate1(t *testing.T) {
	c, s := connect(t)
	ctx := context.Background()
	declareLab(t, s)
	seedLab(t, c)
	must(t, dj.Update1(ctx, c, Subject{SubjectID: 2, Species: "rat", Weight: 310}))
	got, err := dj.FetchOne[Subject](ctx, c, dj.From[Subject](c).Restrict(dj.Match(dj.Key{"subject_id": 2})))
	must(t, err)
	if got.Weight != 310 {
		t.Fatalf("weight = %v", got.Weight)
	}
	subj, _ := dj.TableOf[Subject](c)
	must(t, subj.Update1(ctx, c, map[string]any{"subject_id": 2, "weight": 311}))
	err = dj.Update1(ctx, c, Subject{SubjectID: 77, Species: "rat", Weight: 1})
	wantErr(t, err, dj.ErrNoRows)
	err = subj.Update1(ctx, c, map[string]any{"weight": 1})
	wantErr(t, err, dj.ErrMissingAttribute)
}

func TestTransactionRollback(t *testing.T) {
	c, s := connect(t)
	ctx := context.Background()
	declareLab(t, s)
	boom := errors.New("boom")
	err := c.Tx(ctx, func(ctx context.Context, tx *dj.Tx) error {
		must(t, dj.Insert1(ctx, tx, Subject{SubjectID: 1, Species: "mouse", Weight: 1}))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("panic was swallowed")
			}
		}()
		_ = c.Tx(ctx, func(ctx context.Context, tx *dj.Tx) error {
			must(t, dj.Insert1(ctx, tx, Subject{SubjectID: 2, Species: "mouse", Weight: 1}))
			panic("make failed")
		})
	}()
	n, err := dj.Count(ctx, c, dj.From[Subject](c))
	must(t, err)
	if n != 0 {
		t.Fatalf("rolled-back rows remain: %d", n)
	}
	must(t, c.Tx(ctx, func(ctx context.Context, tx *dj.Tx) error {
		return dj.Insert1(ctx, tx, Subject{SubjectID: 3, Species: "mouse", Weight: 1})
	}))
	n, err = dj.Count(ctx, c, dj.From[Subject](c))
	must(t, err)
	if n != 1 {
		t.Fatalf("committed rows = %d", n)
	}
}

func TestUnknownAttributeInWhere(t *testing.T) {
	c, s := connect(t)
	ctx := context.Background()
	declareLab(t, s)
	_, err := dj.Fetch[Subject](ctx, c, dj.From[Subject](c).Restrict(dj.Where("height > 3")))
	wantErr(t, err, dj.ErrUnknownAttribute)
}

func TestSyntaxAndTypeErrors(t *testing.T) {
	c, s := connect(t)
	ctx := context.Background()
	declareLab(t, s)
	_, err := dj.Fetch[Subject](ctx, c, dj.From[Subject](c).Restrict(dj.Where("weight >>> 3")))
	wantErr(t, err, dj.ErrSyntax)
	subj, err := dj.TableOf[Subject](c)
	must(t, err)
	// A value that does not fit the attribute's type is refused before
	// anything is sent.
	err = subj.Insert1(ctx, c, map[string]any{"subject_id": 1, "species": "mouse", "weight": 1.0, "dob": []int{1}})
	wantErr(t, err, dj.ErrType)
	var e *dj.Error
	if !errors.As(err, &e) || e.Attr != "dob" {
		t.Fatalf("attribute not named: %v", err)
	}
	// The server's strict mode refuses what does not convert.
	err = subj.Insert1(ctx, c, map[string]any{"subject_id": 1, "species": "mouse", "weight": "heavy"})
	wantErr(t, err, dj.ErrType)
	// Fetching into a field of the wrong type names the attribute.
	must(t, dj.Insert1(ctx, c, Subject{SubjectID: 1, Species: "mouse", Weight: 2}))
	type wrong struct {
		SubjectID int32
		Species   int64
		DOB       *time.Time
		Weight    float64
	}
	_, err = dj.Fetch[wrong](ctx, c, dj.From[Subject](c))
	wantErr(t, err, dj.ErrType)
	if !strings.Contains(err.Error(), "species") {
		t.Fatalf("attribute not named: %v", err)
	}
}
