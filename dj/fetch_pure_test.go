package dj

import (
	"context"
	"database/sql/driver"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/datajoint-go/datajoint/dj/blob"
)

type FtRec struct {
	Manual
	ID    int32 `dj:"pk"`
	Score float64
	Maybe *float64
	Name  string    `dj:"type=varchar(16)"`
	Sex   string    `dj:"type=enum('F','M')"`
	Day   time.Time `dj:"type=date"`
	Birth string    `dj:"type=date"`
	At    time.Time
	Dur   time.Duration  `dj:"type=time"`
	Meta  map[string]any `dj:"type=json"`
	Trace []float64
	UID   uuid.UUID
	Price string `dj:"type=decimal(5,2)"`
	Ok    bool
	Count uint16
	Note  *string    `dj:"type=varchar(32)"`
	Att   Attachment `dj:"type=attach"`
}

var (
	ftUID   = uuid.MustParse("6ba7b810-9dad-11d1-80b4-00c04fd430c8")
	ftDay   = time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	ftAt    = time.Date(2024, 5, 1, 12, 30, 0, 123000000, time.UTC)
	ftTrace = []float64{1.5, -2, 3}
)

// ftRows are two rows of FtRec as the MySQL driver returns them: numbers
// as int64 and float64, dates as time.Time, everything else as bytes.
func ftRows(t *testing.T) [][]driver.Value {
	trace, err := blob.Marshal(ftTrace)
	if err != nil {
		t.Fatal(err)
	}
	att := attachBytes(Attachment{Name: "a.txt", Data: []byte("hello")})
	return [][]driver.Value{
		{int64(1), 0.5, 2.25, []byte("ann"), []byte("F"), ftDay, ftDay, ftAt, []byte("-01:02:03.500000"), []byte(`{"k":[1,2]}`), trace, ftUID[:], []byte("3.14"), int64(1), int64(65535), []byte("n"), att},
		{int64(2), -1.0, nil, []byte("bob"), []byte("M"), ftDay, ftDay, ftAt, []byte("00:00:00"), nil, nil, ftUID[:], []byte("0.00"), int64(0), int64(0), nil, att},
	}
}

func ftConn(t *testing.T, rows [][]driver.Value) (*scriptDB, *Conn) {
	cols := []string{"id", "score", "maybe", "name", "sex", "day", "birth", "at", "dur", "meta", "trace", "uid", "price", "ok", "count", "note", "att"}
	db := &scriptDB{answer: func(q string, _ []any) scriptAnswer {
		switch {
		case strings.HasPrefix(q, "SELECT count("):
			return scriptAnswer{cols: []string{"n"}, rows: [][]driver.Value{{int64(len(rows))}}}
		case strings.HasPrefix(q, "SELECT EXISTS"):
			return scriptAnswer{cols: []string{"e"}, rows: [][]driver.Value{{int64(min(1, len(rows)))}}}
		case strings.HasPrefix(q, "SELECT `id`,`score`,`maybe`,`name`"):
			return scriptAnswer{cols: cols, rows: rows}
		case strings.HasPrefix(q, "SELECT `id`"):
			// A projection: the key, then the asked attributes.
			names := strings.Split(strings.SplitN(strings.TrimPrefix(q, "SELECT "), " FROM", 2)[0], ",")
			a := scriptAnswer{}
			for _, n := range names {
				a.cols = append(a.cols, strings.Trim(n, "`"))
			}
			for _, r := range rows {
				var out []driver.Value
				for _, n := range a.cols {
					for i, c := range cols {
						if c == n {
							out = append(out, r[i])
						}
					}
				}
				a.rows = append(a.rows, out)
			}
			return a
		}
		return scriptAnswer{err: errors.New("unscripted: " + q)}
	}}
	c := scriptConnFor(t, db)
	declareFor(t, c, "lab", FtRec{})
	return db, c
}

func TestFetchScansEveryKindOfColumn(t *testing.T) {
	ctx := context.Background()
	_, c := ftConn(t, ftRows(t))
	got, err := Fetch[FtRec](ctx, c, From[FtRec](c))
	if err != nil {
		t.Fatal(err)
	}
	maybe, note := 2.25, "n"
	want := []FtRec{{
		ID: 1, Score: 0.5, Maybe: &maybe, Name: "ann", Sex: "F", Day: ftDay, Birth: "2024-05-01T00:00:00Z", At: ftAt,
		Dur: -(time.Hour + 2*time.Minute + 3500*time.Millisecond), Meta: map[string]any{"k": []any{1.0, 2.0}}, Trace: ftTrace,
		UID: ftUID, Price: "3.14", Ok: true, Count: 65535, Note: &note, Att: Attachment{Name: "a.txt", Data: []byte("hello")},
	}, {
		ID: 2, Score: -1, Name: "bob", Sex: "M", Day: ftDay, Birth: "2024-05-01T00:00:00Z", At: ftAt, UID: ftUID, Price: "0.00",
		Att: Attachment{Name: "a.txt", Data: []byte("hello")},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Fetch:\n got %+v\nwant %+v", got, want)
	}

	if _, err := FetchOne[FtRec](ctx, c, From[FtRec](c)); !errors.Is(err, ErrTooManyRows) {
		t.Errorf("FetchOne of two rows: %v", err)
	}
	_, c1 := ftConn(t, ftRows(t)[:1])
	if one, err := FetchOne[FtRec](ctx, c1, From[FtRec](c1)); err != nil || !reflect.DeepEqual(one, want[0]) {
		t.Errorf("FetchOne of one row: %+v %v", one, err)
	}
	_, c0 := ftConn(t, nil)
	if _, err := FetchOne[FtRec](ctx, c0, From[FtRec](c0)); !errors.Is(err, ErrNoRows) {
		t.Errorf("FetchOne of no row: %v", err)
	}
	if ok, err := Exists(ctx, c0, From[FtRec](c0)); err != nil || ok {
		t.Errorf("Exists of no row: %v %v", ok, err)
	}

	var seen []int32
	for r, err := range All[FtRec](ctx, c, From[FtRec](c)) {
		if err != nil {
			t.Fatal(err)
		}
		seen = append(seen, r.ID)
		break
	}
	if !reflect.DeepEqual(seen, []int32{1}) {
		t.Errorf("All stopped after %v", seen)
	}
}

func TestFetchMapsNaturalValues(t *testing.T) {
	ctx := context.Background()
	_, c := ftConn(t, ftRows(t))
	maps, err := FetchMaps(ctx, c, From[FtRec](c))
	if err != nil {
		t.Fatal(err)
	}
	m := maps[0]
	checks := map[string]any{
		"id": int64(1), "score": 0.5, "maybe": 2.25, "name": "ann", "sex": "F", "day": ftDay, "at": ftAt,
		"dur": -(time.Hour + 2*time.Minute + 3500*time.Millisecond), "meta": map[string]any{"k": []any{1.0, 2.0}},
		"uid": ftUID, "price": "3.14", "ok": int64(1), "note": "n", "att": Attachment{Name: "a.txt", Data: []byte("hello")},
	}
	for k, want := range checks {
		if !reflect.DeepEqual(m[k], want) {
			t.Errorf("%s = %#v, want %#v", k, m[k], want)
		}
	}
	if maps[1]["maybe"] != nil || maps[1]["meta"] != nil || maps[1]["trace"] != nil {
		t.Errorf("NULLs: %#v %#v %#v", maps[1]["maybe"], maps[1]["meta"], maps[1]["trace"])
	}
	// DownloadPath saves attachments and returns their paths.
	dir := t.TempDir()
	maps, err = FetchMaps(ctx, c, From[FtRec](c), DownloadPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := maps[0]["att"].(string); !strings.HasPrefix(p, dir) || !strings.HasSuffix(p, "a.txt") {
		t.Errorf("attachment path %#v", maps[0]["att"])
	}
}

func TestFetchColumnsCountsAndMatrix(t *testing.T) {
	ctx := context.Background()
	db, c := ftConn(t, ftRows(t))
	e := From[FtRec](c)
	scores, err := FetchColumn[float64](ctx, c, e, "score")
	if err != nil || !reflect.DeepEqual(scores, []float64{0.5, -1}) {
		t.Fatalf("FetchColumn score: %v %v", scores, err)
	}
	if got := db.calls[len(db.calls)-1].query; got != "SELECT `id`,`score` FROM `lab`.`ft_rec`" {
		t.Errorf("column query %s", got)
	}
	if _, err := FetchColumn[int8](ctx, c, e, "count"); !errors.Is(err, ErrType) {
		t.Errorf("65535 into int8: %v", err)
	}
	traces, err := FetchColumn[[]float64](ctx, c, e, "trace")
	if err != nil || !reflect.DeepEqual(traces, [][]float64{ftTrace, nil}) {
		t.Fatalf("FetchColumn trace: %v %v", traces, err)
	}
	keys, err := FetchKeys(ctx, c, e)
	if err != nil || !reflect.DeepEqual(keys, []Key{{"id": int64(1)}, {"id": int64(2)}}) {
		t.Fatalf("FetchKeys: %v %v", keys, err)
	}
	n, err := Count(ctx, c, e)
	if err != nil || n != 2 {
		t.Fatalf("Count: %d %v", n, err)
	}
	ok, err := Exists(ctx, c, e)
	if err != nil || !ok {
		t.Fatalf("Exists: %v %v", ok, err)
	}
	m, err := FetchMatrix(ctx, c, e, "score", "maybe")
	if err != nil {
		t.Fatal(err)
	}
	if r, k := m.Dims(); r != 2 || k != 2 || m.At(0, 0) != 0.5 || m.At(0, 1) != 2.25 || m.At(1, 0) != -1 || !math.IsNaN(m.At(1, 1)) {
		t.Fatalf("matrix %v", m)
	}
	v, err := FetchVector(ctx, c, e, "count")
	if err != nil || v.Len() != 2 || v.AtVec(0) != 65535 || v.AtVec(1) != 0 {
		t.Fatalf("vector %v %v", v, err)
	}
	if _, err := FetchMatrix(ctx, c, e, "name"); !errors.Is(err, ErrType) {
		t.Errorf("matrix of a string: %v", err)
	}
	if _, err := FetchMatrix(ctx, c, e); !errors.Is(err, ErrInvalidQuery) {
		t.Errorf("matrix of nothing: %v", err)
	}
	if _, err := FetchMatrix(ctx, c, e, "nope"); !errors.Is(err, ErrUnknownAttribute) {
		t.Errorf("matrix of an unknown attribute: %v", err)
	}
}

func TestFetchRefusals(t *testing.T) {
	ctx := context.Background()
	rows := ftRows(t)
	rows[1][1] = nil // score is NOT NULL float64: NULL reads as NaN
	rows[1][3] = nil // name: NULL into a string field
	_, c := ftConn(t, rows)
	_, err := Fetch[FtRec](ctx, c, From[FtRec](c))
	var de *Error
	if !errors.Is(err, ErrType) || !errors.As(err, &de) || !strings.Contains(err.Error(), "name") {
		t.Fatalf("NULL into a string field: %v", err)
	}

	type Partial struct {
		ID    int32
		Score float64
	}
	if _, err := Fetch[Partial](ctx, c, From[FtRec](c)); !errors.Is(err, ErrUnknownAttribute) {
		t.Errorf("strict fetch into a partial struct: %v", err)
	}
	rows = ftRows(t)
	rows[0][11] = []byte{1, 2, 3}
	_, c = ftConn(t, rows)
	if _, err := Fetch[FtRec](ctx, c, From[FtRec](c)); !errors.Is(err, ErrType) || !strings.Contains(err.Error(), "uid") {
		t.Errorf("3-byte uuid: %v", err)
	}
	if _, err := Fetch[int](ctx, c, From[FtRec](c)); !errors.Is(err, ErrType) {
		t.Errorf("fetch into int: %v", err)
	}
}

func TestFetchLax(t *testing.T) {
	ctx := context.Background()
	db, c := ftConn(t, ftRows(t))
	type Partial struct {
		ID    int32
		Score float64
		Extra string
	}
	got, err := Fetch[Partial](ctx, c, From[FtRec](c), Lax())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, []Partial{{ID: 1, Score: 0.5}, {ID: 2, Score: -1}}) {
		t.Fatalf("lax fetch %+v", got)
	}
	if q := db.calls[len(db.calls)-1].query; q != "SELECT `id`,`score` FROM `lab`.`ft_rec`" {
		t.Errorf("lax fetch reads only the fields' columns: %s", q)
	}
}
