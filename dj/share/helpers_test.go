package share_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/blob"
	"github.com/datajoint-go/datajoint/dj/external"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
	"github.com/datajoint-go/datajoint/dj/schema"
)

// The test pipeline: two schemas, the second referencing the first.

const store = "shstore"

type ShLab struct {
	dj.Lookup `comment:"labs"`
	Lab       string `dj:"pk,type=varchar(16)"`
}

func (ShLab) Contents() []ShLab { return []ShLab{{Lab: "north"}, {Lab: "south"}} }

type ShPerson struct {
	dj.Manual `comment:"people"`
	PersonID  int32  `dj:"pk,auto_increment"`
	Name      string `dj:"type=varchar(32)"`
}

type ShSubject struct {
	dj.Manual `comment:"subjects"`
	SubjectID int32            `dj:"pk"`
	L         dj.Ref[ShLab]    `dj:""`
	Lab       string           `dj:"type=varchar(16)"`
	Owner     dj.Ref[ShPerson] `dj:"proj=(owner_id=person_id)"`
	OwnerID   int32
	Weight    float32
}

type ShSession struct {
	dj.Manual      `comment:"sessions"`
	S              dj.Ref[ShSubject] `dj:"pk"`
	SubjectID      int32             `dj:"pk"`
	SessionID      int16             `dj:"pk"`
	Experimenter   dj.Ref[ShPerson]  `dj:"nullable,proj=(experimenter_id=person_id)"`
	ExperimenterID *int32
	Photo          []byte `dj:"type=blob@shstore"`
}

type ShScan struct {
	dj.Manual `comment:"scans of a session"`
	S         dj.Ref[ShSession] `dj:"pk"`
	SubjectID int32             `dj:"pk"`
	SessionID int16             `dj:"pk"`
	Depth     float64
	Raw       []byte     // an internal blob
	Taken     *time.Time `dj:"type=datetime(6),nullable"`
	Doc       *string    `dj:"type=attach@shstore"`
	File      *string    `dj:"type=filepath@shstore"`
}

type ShScanChannel struct {
	dj.Part[ShScan]
	SubjectID int32     `dj:"pk"`
	SessionID int16     `dj:"pk"`
	Channel   int16     `dj:"pk"`
	Trace     []float64 `dj:"type=blob@shstore"`
}

// ShReview lives in the second schema and references sessions.
type ShReview struct {
	dj.Manual `comment:"reviews of sessions"`
	S         dj.Ref[ShSession] `dj:"pk"`
	SubjectID int32             `dj:"pk"`
	SessionID int16             `dj:"pk"`
	Score     int8
}

// pipeline is the test pipeline filled with data: subjects 1 (owner
// Ann), 2 (owner Bob) and 3 (owner Bob); sessions (1,1) by Cid, (1,2)
// without experimenter, (2,1) by Ann, (3,1) by Dee; scans with two
// channels for (1,1) and (2,1); reviews of (1,1) and (2,1).
type pipeline struct {
	c      *dj.Conn
	a, b   string // the two databases
	doc    []byte // the attachment of scan (1,1)
	file   []byte // the file of scan (1,1), at scan1/raw.dat
	photos map[[2]int][]byte
	traces map[[3]int][]float64
}

func connectTo(t testing.TB, host string, cfg external.StoreConfig) *dj.Conn {
	t.Helper()
	srv := testenv.MySQL(t)
	c, err := dj.Connect(context.Background(), dj.Config{Host: host, User: srv.User, Password: srv.Pass})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	must(t, c.SetStore(store, cfg))
	return c
}

func s3Store(t testing.TB, location string) external.StoreConfig {
	s := testenv.S3(t)
	return external.StoreConfig{Protocol: external.ProtocolS3, Endpoint: s.Endpoint, Bucket: s.Bucket,
		AccessKey: s.AccessKey, SecretKey: s.SecretKey, Location: location, Stage: t.TempDir()}
}

var (
	host2Once sync.Once
	host2     string
	host2Err  error
)

// secondServer returns the address of a second MariaDB server with the
// test server's account: DJ_TEST_HOST2, or else the private server that
// docker/mariadb-up.sh starts (once) with DJ_DB_DIR=/tmp/dj-mariadb-2.
func secondServer(t testing.TB) string {
	t.Helper()
	srv := testenv.MySQL(t)
	host2Once.Do(func() {
		if h := os.Getenv("DJ_TEST_HOST2"); h != "" {
			host2 = h
			return
		}
		cmd := exec.Command("bash", "../../docker/mariadb-up.sh")
		cmd.Env = append(os.Environ(), "DJ_DB_DIR=/tmp/dj-mariadb-2", "DJ_DB_PORT=", "DJ_USER="+srv.User, "DJ_PASS="+srv.Pass)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			host2Err = fmt.Errorf("docker/mariadb-up.sh: %w\n%s", err, stderr.String())
			return
		}
		for _, f := range strings.Fields(string(out)) {
			if h, ok := strings.CutPrefix(f, "DJ_HOST="); ok {
				host2 = h
			}
		}
		if host2 == "" {
			host2Err = fmt.Errorf("docker/mariadb-up.sh printed no DJ_HOST: %s", out)
		}
	})
	if host2Err != nil {
		if os.Getenv("DJ_TEST_ALLOW_SKIP") == "1" {
			t.Skip(host2Err)
		}
		t.Fatal(host2Err)
	}
	return host2
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func newPipeline(t testing.TB) *pipeline {
	t.Helper()
	ctx := context.Background()
	srv := testenv.MySQL(t)
	c := connectTo(t, srv.Host, s3Store(t, "share-src-"+randomHex(4)))
	p := &pipeline{c: c, a: testenv.Database(t), b: testenv.Database(t), photos: map[[2]int][]byte{}, traces: map[[3]int][]float64{}}
	sa, err := c.Schema(ctx, p.a)
	must(t, err)
	sb, err := c.Schema(ctx, p.b)
	must(t, err)
	must(t, sa.Declare(ctx, ShLab{}, ShPerson{}, ShSubject{}, ShSession{}, ShScan{}, ShScanChannel{}))
	must(t, sb.Declare(ctx, ShReview{}))
	for _, n := range []string{"Ann", "Bob", "Cid", "Dee", "Eve"} {
		must(t, dj.Insert1(ctx, c, ShPerson{Name: n})) // ids 1..5
	}
	must(t, dj.Insert(ctx, c, []ShSubject{
		{SubjectID: 1, Lab: "north", OwnerID: 1, Weight: 21.34567},
		{SubjectID: 2, Lab: "south", OwnerID: 2, Weight: 19.7},
		{SubjectID: 3, Lab: "north", OwnerID: 2, Weight: 25.1},
	}))
	ptr := func(v int32) *int32 { return &v }
	sessions := []ShSession{
		{SubjectID: 1, SessionID: 1, ExperimenterID: ptr(3)},
		{SubjectID: 1, SessionID: 2},
		{SubjectID: 2, SessionID: 1, ExperimenterID: ptr(1)},
		{SubjectID: 3, SessionID: 1, ExperimenterID: ptr(4)},
	}
	for i := range sessions {
		s := &sessions[i]
		s.Photo = []byte(fmt.Sprintf("photo of %d/%d %s", s.SubjectID, s.SessionID, strings.Repeat("x", 100*i)))
		p.photos[[2]int{int(s.SubjectID), int(s.SessionID)}] = s.Photo
	}
	must(t, dj.Insert(ctx, c, sessions))
	raw := make([]byte, 0, 260)
	for i := range 256 {
		raw = append(raw, byte(i))
	}
	raw = append(raw, "'\\\"`"...)
	tenth, fifth := 0.1, 0.2 // 0.30000000000000004, not a constant 0.3
	taken := time.Date(2024, 5, 6, 7, 8, 9, 123456000, time.UTC)
	p.doc, p.file = []byte("notes on scan 1\n"), bytes.Repeat([]byte{1, 2, 3, 4}, 1000)
	docPath := filepath.Join(t.TempDir(), "notes.txt")
	must(t, os.WriteFile(docPath, p.doc, 0o644))
	st, err := c.Store(store)
	must(t, err)
	filePath := filepath.Join(st.Config().Stage, "scan1", "raw.dat")
	must(t, os.MkdirAll(filepath.Dir(filePath), 0o755))
	must(t, os.WriteFile(filePath, p.file, 0o644))
	must(t, dj.Insert(ctx, c, []ShScan{
		{SubjectID: 1, SessionID: 1, Depth: tenth + fifth, Raw: raw, Taken: &taken, Doc: &docPath, File: &filePath},
		{SubjectID: 2, SessionID: 1, Depth: 80, Raw: raw},
	}))
	var chans []ShScanChannel
	for _, k := range [][2]int32{{1, 1}, {2, 1}} {
		for ch := int16(0); ch < 2; ch++ {
			tr := []float64{float64(k[0]), float64(ch), 0.25, -1e-300}
			chans = append(chans, ShScanChannel{SubjectID: k[0], SessionID: int16(k[1]), Channel: ch, Trace: tr})
			p.traces[[3]int{int(k[0]), int(k[1]), int(ch)}] = tr
		}
	}
	must(t, dj.Insert(ctx, c, chans))
	must(t, dj.Insert(ctx, c, []ShReview{{SubjectID: 1, SessionID: 1, Score: 4}, {SubjectID: 2, SessionID: 1, Score: 2}}))
	return p
}

// id names a table of the pipeline.
func id(db, table string) schema.TableID { return schema.TableID{Database: db, Table: table} }

// querier runs the hand-written SQL of the checks: a *dj.Conn.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// names returns the first column of the rows of a query, sorted.
func names(t testing.TB, db querier, query string, args ...any) []string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), query, args...)
	must(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		must(t, rows.Scan(&s))
		out = append(out, s)
	}
	must(t, rows.Err())
	sort.Strings(out)
	return out
}

// rowsOf returns the rows of a query as strings, sorted.
func rowsOf(t testing.TB, db querier, query string, args ...any) []string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), query, args...)
	must(t, err)
	defer rows.Close()
	colsN, err := rows.Columns()
	must(t, err)
	var out []string
	for rows.Next() {
		vals := make([]sql.RawBytes, len(colsN))
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		must(t, rows.Scan(ptrs...))
		parts := make([]string, len(vals))
		for i, v := range vals {
			if v == nil {
				parts[i] = "NULL"
			} else {
				parts[i] = hex.EncodeToString(v)
			}
		}
		out = append(out, strings.Join(parts, "|"))
	}
	must(t, rows.Err())
	sort.Strings(out)
	return out
}

func equalRows(t testing.TB, what string, got, want []string) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s: got %d rows %v, want %d rows %v", what, len(got), got, len(want), want)
	}
}

// dangling counts, for every foreign key of the tables of db, the rows
// whose non-null key matches no row of the referenced table.
func dangling(t testing.TB, db querier, database string) map[string]int {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), `SELECT table_name, constraint_name, column_name, referenced_table_schema, referenced_table_name, referenced_column_name
		FROM information_schema.key_column_usage WHERE table_schema = ? AND referenced_table_name IS NOT NULL
		ORDER BY table_name, constraint_name, ordinal_position`, database)
	must(t, err)
	type fk struct {
		table, rdb, rtable string
		cols, rcols        []string
	}
	byName := map[string]*fk{}
	var order []string
	for rows.Next() {
		var tb, cn, col, rdb, rt, rcol string
		must(t, rows.Scan(&tb, &cn, &col, &rdb, &rt, &rcol))
		k := tb + "/" + cn
		if byName[k] == nil {
			byName[k] = &fk{table: tb, rdb: rdb, rtable: rt}
			order = append(order, k)
		}
		byName[k].cols = append(byName[k].cols, col)
		byName[k].rcols = append(byName[k].rcols, rcol)
	}
	must(t, rows.Err())
	rows.Close()
	out := map[string]int{}
	for _, k := range order {
		f := byName[k]
		var conds, notNull []string
		for i := range f.cols {
			conds = append(conds, fmt.Sprintf("p.`%s` = c.`%s`", f.rcols[i], f.cols[i]))
			notNull = append(notNull, fmt.Sprintf("c.`%s` IS NOT NULL", f.cols[i]))
		}
		q := fmt.Sprintf("SELECT COUNT(*) FROM `%s`.`%s` c WHERE %s AND NOT EXISTS (SELECT 1 FROM `%s`.`%s` p WHERE %s)",
			database, f.table, strings.Join(notNull, " AND "), f.rdb, f.rtable, strings.Join(conds, " AND "))
		var n int
		must(t, db.QueryRowContext(context.Background(), q).Scan(&n))
		out[k] = n
	}
	return out
}

func marshal(t testing.TB, v any) []byte {
	t.Helper()
	b, err := blob.Marshal(v)
	must(t, err)
	return b
}
