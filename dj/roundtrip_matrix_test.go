package dj_test

// The round-trip matrix: every Go type the documentation promises × every
// attribute kind it can be stored in × every write path × every read path,
// against the real server and object stores. The cases come from one table,
// rtTypes: a type cannot be added without its row, and every row runs on
// every kind it lists and every path that applies to that kind.

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"gonum.org/v1/gonum/mat"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/blob"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
)

// rtKind is an attribute kind: the column `val` of the kind's tables.
type rtKind struct {
	name     string // table-name suffix
	column   string // column definition
	store    string // store of an external kind
	blob     bool   // a DataJoint blob (inline or external): holds any encodable value
	small    bool   // at most 64 KiB
	nullable bool
	numeric  bool // FetchMatrix/FetchVector apply
}

var rtKinds = map[string]rtKind{
	"longblob":      {column: "longblob NOT NULL", blob: true},
	"mediumblob":    {column: "mediumblob NOT NULL", blob: true},
	"blob":          {column: "blob NOT NULL", blob: true, small: true},
	"longblob_null": {column: "longblob DEFAULT NULL", blob: true, nullable: true},
	"ext_s3":        {column: `binary(16) NOT NULL COMMENT ":blob@rts3:"`, store: "rts3", blob: true},
	"ext_file":      {column: `binary(16) NOT NULL COMMENT ":blob@rtfile:"`, store: "rtfile", blob: true},
	"ext_s3_null":   {column: `binary(16) DEFAULT NULL COMMENT ":blob@rts3:"`, store: "rts3", blob: true, nullable: true},
	"attach":        {column: `longblob NOT NULL COMMENT ":attach:"`},
	"attach_s3":     {column: `binary(16) NOT NULL COMMENT ":attach@rts3:"`, store: "rts3"},
	"json":          {column: "json NOT NULL"},
	"uuid":          {column: `binary(16) NOT NULL COMMENT ":uuid:"`},
	"uuid_null":     {column: `binary(16) DEFAULT NULL COMMENT ":uuid:"`, nullable: true},
	"tinyint":       {column: "tinyint NOT NULL", numeric: true},
	"smallint":      {column: "smallint NOT NULL", numeric: true},
	"int":           {column: "int NOT NULL", numeric: true},
	"int_null":      {column: "int DEFAULT NULL", numeric: true, nullable: true},
	"bigint":        {column: "bigint NOT NULL"},
	"tinyint_u":     {column: "tinyint unsigned NOT NULL", numeric: true},
	"smallint_u":    {column: "smallint unsigned NOT NULL", numeric: true},
	"int_u":         {column: "int unsigned NOT NULL", numeric: true},
	"bigint_u":      {column: "bigint unsigned NOT NULL"},
	"bool":          {column: "tinyint(1) NOT NULL"},
	"float":         {column: "float NOT NULL", numeric: true},
	"double":        {column: "double NOT NULL", numeric: true},
	"double_null":   {column: "double DEFAULT NULL", numeric: true, nullable: true},
	"decimal":       {column: "decimal(20,6) NOT NULL"},
	"varchar":       {column: "varchar(255) NOT NULL"},
	"varchar_null":  {column: "varchar(255) DEFAULT NULL", nullable: true},
	"enum":          {column: "enum('low','high') NOT NULL"},
	"date":          {column: "date NOT NULL"},
	"datetime":      {column: "datetime(6) NOT NULL"},
	"datetime_null": {column: "datetime(6) DEFAULT NULL", nullable: true},
	"time":          {column: "time(6) NOT NULL"},
}

// Kind groups used by the type table.
var (
	blobKinds     = []string{"longblob", "mediumblob", "blob", "longblob_null", "ext_s3", "ext_file", "ext_s3_null"}
	bigBlobKinds  = []string{"longblob", "mediumblob", "longblob_null", "ext_s3", "ext_file", "ext_s3_null"}
	rtWritePaths  = []string{"insert", "insert_ptr_rows", "insert1", "maps", "part", "make", "update1"}
	rtIDs         atomic.Int32
	rtAttachSmall = dj.Attachment{Name: "notes.txt", Data: []byte("hello\x00world")}
	rtAttachBig   = dj.Attachment{Name: "data.bin", Data: []byte(strings.Repeat("0123456789abcdef", 5000))}
	negZero       = math.Copysign(0, -1) // the constant -0.0 is +0 in Go
)

func with(kinds []string, more ...string) []string {
	return append(append([]string(nil), kinds...), more...)
}

// rtCase is one row of the type table, made by rtType.
type rtCase struct {
	name  string
	kinds []string
	run   func(t *testing.T, env *rtEnv, kind rtKind)
}

// rtType makes the row of Go type V: the values to write and the kinds
// that hold them. Values must be at least two, all different.
func rtType[V any](name string, kinds []string, vals ...V) rtCase {
	return rtCase{name: name, kinds: kinds, run: func(t *testing.T, env *rtEnv, k rtKind) { rtRun(t, env, k, vals) }}
}

func ptr[T any](v T) *T { return &v }

func denseOf(r, c int, data ...float64) *mat.Dense { return mat.NewDense(r, c, data) }

func arrayOf(t any, shape ...int) *blob.Array {
	a, err := blob.NewArray(t, shape...)
	if err != nil {
		panic(err)
	}
	return a
}

type rtStruct struct {
	A int64
	B string
	C []float64
}

// rtTypes is the table of promised Go types (dj package doc, dj/blob/doc.go,
// README).
func rtTypes() []rtCase {
	nan, inf := math.NaN(), math.Inf(1)
	d1 := denseOf(2, 3, 1, 2, 3, 4, nan, negZero)
	d2 := denseOf(3, 1, inf, -inf, 7)
	bigDense := mat.NewDense(300, 40, nil) // 96 KB: compressed envelope, not for `blob`
	for i := range 300 {
		for j := range 40 {
			bigDense.Set(i, j, math.Sin(float64(i*40+j)))
		}
	}
	v1 := mat.NewVecDense(3, []float64{1, nan, 3})
	v2 := mat.NewVecDense(1, []float64{negZero})
	c1 := mat.NewCDense(1, 2, []complex128{1 + 2i, complex(nan, -1)})
	c2 := mat.NewCDense(2, 1, []complex128{0, 3i})
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	stamp := time.Date(2024, 2, 29, 23, 59, 58, 123456000, time.UTC)
	return []rtCase{
		rtType("bool", with(blobKinds, "bool"), true, false),
		rtType("int8", with(blobKinds, "tinyint"), int8(-128), int8(0), int8(127)),
		rtType("int16", with(blobKinds, "smallint"), int16(math.MinInt16), int16(math.MaxInt16)),
		rtType("int32", with(blobKinds, "int"), int32(math.MinInt32), int32(7), int32(math.MaxInt32)),
		rtType("int64", with(blobKinds, "bigint"), int64(math.MinInt64), int64(1)<<53+1, int64(math.MaxInt64)),
		rtType("int", with(blobKinds, "bigint"), int(math.MinInt64), int(-1), int(math.MaxInt64)),
		rtType("uint8", with(blobKinds, "tinyint_u"), uint8(0), uint8(255)),
		rtType("uint16", with(blobKinds, "smallint_u"), uint16(1), uint16(math.MaxUint16)),
		rtType("uint32", with(blobKinds, "int_u"), uint32(0), uint32(math.MaxUint32)),
		rtType("uint64", with(blobKinds, "bigint_u"), uint64(0), uint64(1)<<53+1, uint64(math.MaxUint64)),
		rtType("uint", with(blobKinds, "bigint_u"), uint(3), uint(math.MaxUint64)),
		rtType("float32", with(blobKinds, "float"), float32(1.5), float32(-0.25), float32(math.MaxFloat32), float32(math.SmallestNonzeroFloat32)),
		rtType("float64", with(blobKinds, "double"), 1.0/3, -2.5e-300, math.MaxFloat64, negZero),
		rtType("float64_nonfinite", blobKinds, nan, inf, -inf),
		rtType("complex128", blobKinds, complex(1, -2), complex(nan, inf)),
		rtType("complex64", blobKinds, complex64(complex(1.5, 2)), complex64(0)),
		rtType("string", with(blobKinds, "varchar"), "", "héllo wörld", "quote ' \" \\ and NUL \x00"),
		rtType("string_enum", []string{"enum"}, "low", "high"),
		rtType("bytes", blobKinds, []byte{}, []byte{0, 1, 2, 255}, []byte("text")),
		rtType("bytes_array", blobKinds, [4]byte{1, 2, 3, 4}, [4]byte{}),
		rtType("big.Int", blobKinds, big.NewInt(-5), new(big.Int).Lsh(big.NewInt(1), 100)),
		rtType("blob.Decimal", with(blobKinds, "decimal"), blob.Decimal("3.141593"), blob.Decimal("-100.000001")),
		rtType("time.Time", with(blobKinds, "datetime"), stamp, day(1970, 1, 1), day(2099, 12, 31)),
		rtType("time.Time_date", []string{"date"}, day(2020, 1, 2), day(1000, 1, 1)),
		rtType("blob.Date", with(blobKinds, "date"), blob.Date{Year: 2021, Month: 6, Day: 30}, blob.Date{Year: 1999, Month: 12, Day: 31}),
		rtType("blob.TimeOfDay", blobKinds, blob.TimeOfDay(13*time.Hour+5*time.Second+250*time.Microsecond), blob.TimeOfDay(0)),
		rtType("time.Duration", []string{"time"}, 90*time.Minute+1500*time.Microsecond, -time.Second, 838*time.Hour+59*time.Minute+59*time.Second),
		rtType("uuid.UUID", with(blobKinds, "uuid"), uuid.MustParse("6ba7b810-9dad-11d1-80b4-00c04fd430c8"), uuid.UUID{}),
		rtType("json.RawMessage", []string{"json"}, json.RawMessage(`{"a": [1, 2.5, "x"], "b": null}`), json.RawMessage(`[true, {"c": {}}]`), json.RawMessage(`"text"`)),
		rtType("dj.Attachment", []string{"attach", "attach_s3"}, rtAttachSmall, rtAttachBig),
		rtType("[]float64", bigBlobKinds, []float64{1, nan, negZero, inf}, []float64{}, make([]float64, 20000)),
		rtType("[]float64_small", blobKinds, []float64{2}, []float64{1, 2, 3}),
		rtType("[]float32", blobKinds, []float32{1.5, float32(nan)}, []float32{-1}),
		rtType("[]int8", blobKinds, []int8{-1, 2}, []int8{math.MaxInt8}),
		rtType("[]int16", blobKinds, []int16{-1, 2}, []int16{math.MinInt16}),
		rtType("[]int32", blobKinds, []int32{-1, 2}, []int32{math.MaxInt32}),
		rtType("[]int64", blobKinds, []int64{math.MinInt64, 2}, []int64{5}),
		rtType("[]uint16", blobKinds, []uint16{1, math.MaxUint16}, []uint16{0}),
		rtType("[]uint32", blobKinds, []uint32{1, math.MaxUint32}, []uint32{0}),
		rtType("[]uint64", blobKinds, []uint64{1, math.MaxUint64}, []uint64{0}),
		rtType("[]bool", blobKinds, []bool{true, false}, []bool{false}),
		rtType("[]complex128", blobKinds, []complex128{1 + 1i, complex(0, nan)}, []complex128{2}),
		rtType("[]string", blobKinds, []string{"a", "", "ü"}, []string{"only"}),
		rtType("[3]float64", blobKinds, [3]float64{1, 2, 3}, [3]float64{nan, 0, -1}),
		rtType("[][]float64", blobKinds, [][]float64{{1, 2}, {3}}, [][]float64{{}}),
		rtType("map[string]float64", blobKinds, map[string]float64{"a": 1, "b": nan}, map[string]float64{"z": -1}),
		rtType("map[string]any", blobKinds, map[string]any{"n": int64(3), "s": "x", "v": []float64{1, 2}}, map[string]any{"empty": nil}),
		rtType("struct", blobKinds, rtStruct{A: 1, B: "b", C: []float64{1, nan}}, rtStruct{A: -1}),
		rtType("*struct", blobKinds, &rtStruct{A: 2, B: "p"}, &rtStruct{C: []float64{3}}),
		rtType("blob.Dict", blobKinds, blob.Dict{{Key: "z", Value: int64(1)}, {Key: "a", Value: "first"}}, blob.Dict{}),
		rtType("blob.Tuple", blobKinds, blob.Tuple{int64(1), "two", 3.0}, blob.Tuple{}),
		rtType("*mat.Dense", with(bigBlobKinds, "blob"), d1, d2),
		rtType("*mat.Dense_big", bigBlobKinds, bigDense, d1),
		rtType("mat.Dense", blobKinds, *d1, *d2),
		rtType("mat.Matrix", blobKinds, mat.Matrix(d1), mat.Matrix(d2)),
		rtType("*mat.VecDense", blobKinds, v1, v2),
		rtType("mat.VecDense", blobKinds, *v1, *v2),
		rtType("*mat.CDense", blobKinds, c1, c2),
		rtType("mat.CDense", blobKinds, *c1, *c2),
		rtType("*blob.Array", blobKinds, arrayOf([]int16{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24}, 2, 3, 4), arrayOf([]float32{1, 2}, 1, 2)),
		rtType("blob.Array", blobKinds, *arrayOf([]uint8{1, 2, 3, 4}, 2, 2), *arrayOf([]float64{1}, 1, 1)),
		rtType("any", blobKinds, any([]float64{1, 2}), any("text"), any(int64(4)), any(map[string]any{"k": 1.5})),
		rtType("any_matrix", blobKinds, any(d1), any(v1)),
		rtType("*int32", []string{"int_null", "longblob_null", "ext_s3_null"}, ptr(int32(5)), (*int32)(nil)),
		rtType("*float64", []string{"double_null", "longblob_null", "ext_s3_null"}, ptr(2.5), (*float64)(nil)),
		rtType("*string", []string{"varchar_null", "longblob_null"}, ptr("x"), (*string)(nil)),
		rtType("*time.Time", []string{"datetime_null"}, ptr(stamp), (*time.Time)(nil)),
		rtType("*uuid.UUID", []string{"uuid_null"}, ptr(uuid.MustParse("00000000-0000-0000-0000-000000000001")), (*uuid.UUID)(nil)),
		rtType("*mat.Dense_null", []string{"longblob_null", "ext_s3_null"}, d1, (*mat.Dense)(nil)),
	}
}

// Row shapes of the matrix: written and read by every path.
type rtRow[V any] struct {
	ID  int32
	Val V
}

type rtRenamed[V any] struct {
	ID int32
	V2 V
}

// Tables declared from Go: the masters of the part and make paths.
type RtHost struct {
	dj.Manual
	ID int32 `dj:"pk"`
}

type RtKey struct {
	dj.Manual
	ID  int32  `dj:"pk"`
	Tag string `dj:"type=varchar(8)"`
}

type RtComp struct {
	dj.Computed
	Key dj.Ref[RtKey] `dj:"pk"`
	ID  int32         `dj:"pk"`
}

// RtStores declares the ~external tables of the matrix's stores.
type RtStores struct {
	dj.Manual
	ID int32 `dj:"pk"`
	A  any   `dj:"type=blob@rts3"`
	B  any   `dj:"type=blob@rtfile"`
	C  any   `dj:"type=attach@rts3"`
}

type rtEnv struct {
	ctx    context.Context
	c      *dj.Conn
	s      *dj.Schema
	plain  map[string]*dj.Table // kind → rt_<kind>
	part   map[string]*dj.Table // kind → rt_host__<kind>
	made   map[string]*dj.Table // kind → __rt_comp__<kind>
	makeFn map[int32]func(ctx context.Context, tx *dj.Tx) error
}

func TestRoundTripMatrix(t *testing.T) {
	t.Parallel() // owns its database and store location; the longest tests overlap
	env := newRtEnv(t)
	var combos atomic.Int32
	types := rtTypes()
	// The types run four at a time: the cost is round trips and commits.
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for _, tc := range types {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			t.Run(tc.name, func(t *testing.T) {
				for _, kn := range tc.kinds {
					k, ok := rtKinds[kn]
					if !ok {
						t.Fatalf("unknown kind %q", kn)
					}
					k.name = kn
					combos.Add(1)
					t.Run(kn, func(t *testing.T) { tc.run(t, env, k) })
				}
			})
		}()
	}
	wg.Wait()
	t.Logf("round-trip matrix: %d types, %d type×kind combinations, %d write paths, %d cases", len(types), combos.Load(), len(rtWritePaths), int(combos.Load())*len(rtWritePaths))
}

func newRtEnv(t *testing.T) *rtEnv {
	t.Helper()
	c, s := connect(t)
	ctx := context.Background()
	srv := testenv.S3(t)
	must(t, c.SetStore("rts3", s3StoreConfig(srv.Endpoint, srv.Bucket, srv.AccessKey, srv.SecretKey, "dj-matrix/"+s.Name(), "")))
	must(t, c.SetStore("rtfile", fileStoreConfig(t.TempDir(), "")))
	must(t, s.Declare(ctx, RtHost{}, RtKey{}, RtComp{}, RtStores{}))
	env := &rtEnv{ctx: ctx, c: c, s: s, plain: map[string]*dj.Table{}, part: map[string]*dj.Table{}, made: map[string]*dj.Table{}, makeFn: map[int32]func(context.Context, *dj.Tx) error{}}
	db := "`" + s.Name() + "`"
	for name, k := range rtKinds {
		fk := ""
		if k.store != "" {
			fk = fmt.Sprintf(",\nFOREIGN KEY (`val`) REFERENCES %s.`~external_%s` (`hash`) ON UPDATE RESTRICT ON DELETE RESTRICT", db, k.store)
		}
		ddl := []string{
			fmt.Sprintf("CREATE TABLE %s.`rt_%s` (\n`id` int NOT NULL,\n`val` %s,\nPRIMARY KEY (`id`)%s\n) ENGINE=InnoDB, COMMENT \"\"", db, name, k.column, fk),
			fmt.Sprintf("CREATE TABLE %s.`rt_host__%s` (\n`id` int NOT NULL,\n`val` %s,\nPRIMARY KEY (`id`),\nFOREIGN KEY (`id`) REFERENCES %s.`rt_host` (`id`) ON UPDATE CASCADE ON DELETE RESTRICT%s\n) ENGINE=InnoDB, COMMENT \"\"", db, name, k.column, db, fk),
			fmt.Sprintf("CREATE TABLE %s.`__rt_comp__%s` (\n`id` int NOT NULL,\n`val` %s,\nPRIMARY KEY (`id`),\nFOREIGN KEY (`id`) REFERENCES %s.`__rt_comp` (`id`) ON UPDATE CASCADE ON DELETE RESTRICT%s\n) ENGINE=InnoDB, COMMENT \"\"", db, name, k.column, db, fk),
		}
		for _, q := range ddl {
			_, err := c.DB().ExecContext(ctx, q)
			must(t, err)
		}
	}
	for name := range rtKinds {
		var err error
		camel := rtCamel(name)
		env.plain[name], err = s.Table(ctx, "Rt"+camel)
		must(t, err)
		env.part[name], err = s.Table(ctx, "RtHost."+camel)
		must(t, err)
		env.made[name], err = s.Table(ctx, "RtComp."+camel)
		must(t, err)
	}
	return env
}

func rtCamel(s string) string {
	var b strings.Builder
	up := true
	for _, r := range s {
		if r == '_' {
			up = true
			continue
		}
		if up {
			b.WriteString(strings.ToUpper(string(r)))
			up = false
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// rtRun writes vals through every path into the kind's tables and reads
// them back through every read path.
func rtRun[V any](t *testing.T, env *rtEnv, k rtKind, vals []V) {
	if len(vals) < 2 {
		t.Fatal("a type row needs at least two values")
	}
	for _, path := range rtWritePaths {
		t.Run(path, func(t *testing.T) {
			n := int32(len(vals))
			first := rtIDs.Add(n) - n + 1
			ids := make([]int32, n)
			for i := range ids {
				ids[i] = first + int32(i)
			}
			tbl, err := rtWrite(t, env, k, path, ids, vals)
			if err != nil {
				if nullOnly(k, vals) {
					return
				}
				t.Fatalf("write: %v", err)
			}
			rtRead(t, env, k, tbl, ids, vals)
		})
	}
}

// nullOnly reports values a NOT NULL column cannot hold (never the case in
// the table: nil values are listed only for nullable kinds).
func nullOnly[V any](k rtKind, vals []V) bool { return false }

func rtWrite[V any](t *testing.T, env *rtEnv, k rtKind, path string, ids []int32, vals []V) (*dj.Table, error) {
	ctx, c := env.ctx, env.c
	rows := make([]rtRow[V], len(vals))
	for i := range vals {
		rows[i] = rtRow[V]{ID: ids[i], Val: vals[i]}
	}
	switch path {
	case "insert":
		return env.plain[k.name], env.plain[k.name].Insert(ctx, c, rows)
	case "insert_ptr_rows":
		ptrs := make([]*rtRow[V], len(rows))
		for i := range rows {
			ptrs[i] = &rows[i]
		}
		return env.plain[k.name], env.plain[k.name].Insert(ctx, c, ptrs)
	case "insert1":
		for _, r := range rows {
			if err := env.plain[k.name].Insert1(ctx, c, r); err != nil {
				return nil, err
			}
		}
		return env.plain[k.name], nil
	case "maps":
		maps := make([]map[string]any, len(rows))
		for i, r := range rows {
			maps[i] = map[string]any{"id": r.ID, "val": r.Val}
		}
		return env.plain[k.name], env.plain[k.name].Insert(ctx, c, maps)
	case "part":
		tbl := env.part[k.name]
		return tbl, c.Tx(ctx, func(ctx context.Context, tx *dj.Tx) error {
			for _, r := range rows {
				if err := dj.Insert1(ctx, tx, RtHost{ID: r.ID}); err != nil {
					return err
				}
			}
			return tbl.Insert(ctx, tx, rows)
		})
	case "make":
		tbl := env.made[k.name]
		keys := make([]dj.Key, len(rows))
		byID := map[int32]V{}
		for i, r := range rows {
			must(t, dj.Insert1(ctx, c, RtKey{ID: r.ID, Tag: "m"}))
			keys[i] = dj.Key{"id": r.ID}
			byID[r.ID] = r.Val
		}
		res, err := dj.PopulateFunc(ctx, c, func(ctx context.Context, tx *dj.Tx, row *RtComp) error {
			if err := dj.Insert1(ctx, tx, *row); err != nil {
				return err
			}
			return tbl.Insert1(ctx, tx, rtRow[V]{ID: row.ID, Val: byID[row.ID]})
		}, dj.OnlyKeys(keys...))
		if err == nil && res.Made != len(rows) {
			err = fmt.Errorf("populate made %d of %d keys: %+v", res.Made, len(rows), res)
		}
		return tbl, err
	case "update1":
		// Insert each row with another row's value, then update it to its own.
		tbl := env.plain[k.name]
		for i, r := range rows {
			other := rtRow[V]{ID: r.ID, Val: vals[(i+1)%len(vals)]}
			if err := tbl.Insert1(ctx, c, other); err != nil {
				return nil, err
			}
		}
		for _, r := range rows {
			if err := tbl.Update1(ctx, c, r); err != nil {
				return nil, err
			}
		}
		return tbl, nil
	}
	t.Fatalf("unknown path %s", path)
	return nil, nil
}

func rtRead[V any](t *testing.T, env *rtEnv, k rtKind, tbl *dj.Table, ids []int32, vals []V) {
	ctx, c := env.ctx, env.c
	lo, hi := ids[0], ids[len(ids)-1]
	q := tbl.Expr().Restrict(dj.Where("id BETWEEN ? AND ?", lo, hi)).OrderBy("id")
	check := func(path string, i int, got V) {
		t.Helper()
		if !sameRead(k, vals[i], got) {
			t.Errorf("%s: row %d: wrote %#v, read %#v", path, ids[i], vals[i], got)
		}
	}
	checkAll := func(path string, rows []rtRow[V], err error) {
		t.Helper()
		if err != nil {
			t.Errorf("%s: %v", path, err)
			return
		}
		if len(rows) != len(vals) {
			t.Errorf("%s: %d rows, want %d", path, len(rows), len(vals))
			return
		}
		for i, r := range rows {
			if r.ID != ids[i] {
				t.Errorf("%s: row %d has id %d, want %d", path, i, r.ID, ids[i])
			}
			check(path, i, r.Val)
		}
	}

	rows, err := dj.Fetch[rtRow[V]](ctx, c, q)
	checkAll("Fetch", rows, err)

	for i, id := range ids {
		one, err := dj.FetchOne[rtRow[V]](ctx, c, tbl.Expr().Restrict(dj.Match(dj.Key{"id": id})))
		if err != nil {
			t.Errorf("FetchOne %d: %v", id, err)
			continue
		}
		check("FetchOne", i, one.Val)
		break // one row is enough: the other paths read every row
	}

	var streamed []rtRow[V]
	var streamErr error
	for r, err := range dj.All[rtRow[V]](ctx, c, q) {
		if err != nil {
			streamErr = err
			break
		}
		streamed = append(streamed, r)
	}
	checkAll("All", streamed, streamErr)

	col, err := dj.FetchColumn[V](ctx, c, q, "val")
	if err != nil {
		t.Errorf("FetchColumn: %v", err)
	} else if len(col) != len(vals) {
		t.Errorf("FetchColumn: %d values", len(col))
	} else {
		for i := range col {
			check("FetchColumn", i, col[i])
		}
	}

	maps, err := dj.FetchMaps(ctx, c, q)
	if err != nil {
		t.Errorf("FetchMaps: %v", err)
	} else if len(maps) != len(vals) {
		t.Errorf("FetchMaps: %d rows", len(maps))
	} else {
		for i, m := range maps {
			if !sameMapValue(k, vals[i], m["val"]) {
				t.Errorf("FetchMaps: row %d: wrote %#v, read %#v (%T)", ids[i], vals[i], m["val"], m["val"])
			}
		}
	}

	// Through operators: a join (with the table's own key projection, so
	// the rows are the same), a projection with a rename, order and limit.
	joined, err := dj.Fetch[rtRow[V]](ctx, c, q.Join(tbl.Expr().Proj()).OrderBy("id"))
	checkAll("Join", joined, err)
	renamed, err := dj.Fetch[rtRenamed[V]](ctx, c, q.Proj("v2=val").OrderBy("id"))
	if err != nil {
		t.Errorf("Proj: %v", err)
	} else {
		conv := make([]rtRow[V], len(renamed))
		for i, r := range renamed {
			conv[i] = rtRow[V]{ID: r.ID, Val: r.V2}
		}
		checkAll("Proj", conv, nil)
	}
	desc, err := dj.Fetch[rtRow[V]](ctx, c, tbl.Expr().Restrict(dj.Where("id BETWEEN ? AND ?", lo, hi)).OrderBy("id DESC").Limit(len(ids)-1))
	if err != nil {
		t.Errorf("OrderBy/Limit: %v", err)
	} else if len(desc) != len(ids)-1 {
		t.Errorf("OrderBy/Limit: %d rows", len(desc))
	} else {
		for j, r := range desc {
			i := len(ids) - 1 - j
			if r.ID != ids[i] {
				t.Errorf("OrderBy/Limit: row %d has id %d", j, r.ID)
			}
			check("OrderBy/Limit", i, r.Val)
		}
	}

	if k.numeric {
		rtReadNumeric(t, env, q, vals)
	}
}

// rtReadNumeric checks FetchMatrix and FetchVector on numeric columns.
func rtReadNumeric[V any](t *testing.T, env *rtEnv, q dj.Expr, vals []V) {
	want := make([]float64, len(vals))
	for i, v := range vals {
		f, ok := asFloat(v)
		if !ok {
			return
		}
		want[i] = f + 0 // the columns keep no negative zero: -0 + 0 is +0
	}
	m, err := dj.FetchMatrix(env.ctx, env.c, q, "id", "val")
	if err != nil {
		t.Errorf("FetchMatrix: %v", err)
		return
	}
	vec, err := dj.FetchVector(env.ctx, env.c, q, "val")
	if err != nil {
		t.Errorf("FetchVector: %v", err)
		return
	}
	for i, w := range want {
		if got := m.At(i, 1); !sameFloat(w, got) {
			t.Errorf("FetchMatrix: row %d: wrote %v, read %v", i, w, got)
		}
		if got := vec.AtVec(i); !sameFloat(w, got) {
			t.Errorf("FetchVector: row %d: wrote %v, read %v", i, w, got)
		}
	}
}

// asFloat is the float64 that FetchMatrix returns for v (NaN for NULL).
func asFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case int8:
		return float64(x), true
	case int16:
		return float64(x), true
	case int32:
		return float64(x), true
	case uint8:
		return float64(x), true
	case uint16:
		return float64(x), true
	case uint32:
		return float64(x), true
	case float32:
		return float64(x), true
	case float64:
		return x, true
	case *int32:
		if x == nil {
			return math.NaN(), true
		}
		return float64(*x), true
	case *float64:
		if x == nil {
			return math.NaN(), true
		}
		return *x, true
	}
	return 0, false
}

// sameMapValue compares a written value with what FetchMaps returns: the
// natural Go value of the attribute.
func sameMapValue(k rtKind, want, got any) bool {
	if isNilish(reflectValue(want)) && got == nil {
		return true
	}
	if w, ok := want.(float64); ok && !k.blob && w == 0 {
		want = w + 0 // the columns keep no negative zero (see sameRead)
	}
	switch {
	case k.blob:
		return sameValue(naturalBlob(want), got)
	case strings.HasPrefix(k.name, "attach"), strings.HasPrefix(k.name, "uuid"):
		return sameValue(derefAny(want), got)
	case k.name == "json":
		var w any
		if json.Unmarshal(want.(json.RawMessage), &w) != nil {
			return false
		}
		return sameJSONValue(w, got)
	}
	return sameScalar(derefAny(want), got)
}

// sameRead compares a value written with the value read into a field of
// the same Go type. An interface field receives the codec's natural model
// of the stored blob (a *mat.Dense written into an `any` comes back as the
// array it was stored as), so for interface types that model is compared.
func sameRead[V any](k rtKind, want V, got V) bool {
	if sameValue(want, got) {
		return true
	}
	// FLOAT and DOUBLE columns keep no negative zero (MariaDB and MySQL
	// store -0 as 0); blobs keep it.
	if w, ok := any(want).(float64); ok && !k.blob && w == 0 && math.Signbit(w) {
		return sameValue(any(0.0), any(got))
	}
	if reflect.TypeFor[V]().Kind() == reflect.Interface && k.blob {
		return sameValue(naturalBlob(want), got)
	}
	return false
}

// naturalBlob is what decoding the blob of v into an `any` gives.
func naturalBlob(v any) any {
	b, err := blob.Marshal(v)
	if err != nil {
		return err
	}
	var out any
	if err := blob.Unmarshal(b, &out); err != nil {
		return err
	}
	return out
}
