package share_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
	"github.com/datajoint-go/datajoint/dj/schema"
	"github.com/datajoint-go/datajoint/dj/share"
)

// expected lists, per table, the hand-written condition that selects the
// rows of the closure of subject 1 in the source.
func expected(p *pipeline) map[string]string {
	return map[string]string{
		"#sh_lab":          "TRUE",
		"sh_person":        "person_id IN (1, 3)",
		"sh_subject":       "subject_id = 1",
		"sh_session":       "subject_id = 1",
		"sh_scan":          "subject_id = 1",
		"sh_scan__channel": "subject_id = 1",
	}
}

// verify checks a clone of the closure of subject 1 into dstA and dstB
// on the server reached by dstSQL and the connection dst.
func verify(t *testing.T, p *pipeline, dst *dj.Conn, dstA, dstB string) {
	t.Helper()
	ctx := context.Background()
	srcSQL, dstSQL := p.c, dst
	rename := strings.NewReplacer("`"+p.a+"`", "`"+dstA+"`", "`"+p.b+"`", "`"+dstB+"`")
	// Same CREATE TABLE statements, modulo database names.
	for _, pair := range [][2]string{{p.a, dstA}, {p.b, dstB}} {
		tables := names(t, srcSQL, "SELECT table_name FROM information_schema.tables WHERE table_schema = ? AND table_name <> '~jobs'", pair[0])
		got := names(t, dstSQL, "SELECT table_name FROM information_schema.tables WHERE table_schema = ?", pair[1])
		equalRows(t, "tables of "+pair[1], got, tables)
		for _, name := range tables {
			want := showCreate(t, p.c, id(pair[0], name))
			have := showCreate(t, dst, id(pair[1], name))
			if rename.Replace(want) != have {
				t.Errorf("SHOW CREATE TABLE %s differs:\n%s\nwant\n%s", name, have, rename.Replace(want))
			}
		}
	}
	// Rows: the closure, selected by hand.
	for table, cond := range expected(p) {
		want := rowsOf(t, srcSQL, fmt.Sprintf("SELECT * FROM `%s`.`%s` WHERE %s", p.a, table, cond))
		got := rowsOf(t, dstSQL, fmt.Sprintf("SELECT * FROM `%s`.`%s`", dstA, table))
		equalRows(t, table, got, want)
		if len(want) == 0 {
			t.Errorf("%s: the source selects no rows", table)
		}
	}
	// FLOAT values to the last bit (the server prints them with 6 digits).
	equalRows(t, "weights",
		rowsOf(t, dstSQL, fmt.Sprintf("SELECT subject_id, weight + 0e0 FROM `%s`.sh_subject", dstA)),
		rowsOf(t, srcSQL, fmt.Sprintf("SELECT subject_id, weight + 0e0 FROM `%s`.sh_subject WHERE subject_id = 1", p.a)))
	equalRows(t, "sh_review",
		rowsOf(t, dstSQL, fmt.Sprintf("SELECT * FROM `%s`.sh_review", dstB)),
		rowsOf(t, srcSQL, fmt.Sprintf("SELECT * FROM `%s`.sh_review WHERE subject_id = 1", p.b)))
	// Tracking rows: those the copied rows use, as they are in the source.
	ext := "`~external_" + store + "`"
	equalRows(t, "tracking rows",
		rowsOf(t, dstSQL, fmt.Sprintf("SELECT * FROM `%s`.%s", dstA, ext)),
		rowsOf(t, srcSQL, fmt.Sprintf(`SELECT * FROM `+"`%[1]s`.%[2]s"+` WHERE hash IN (SELECT photo FROM `+"`%[1]s`"+`.sh_session WHERE subject_id = 1)
			OR hash IN (SELECT trace FROM `+"`%[1]s`"+`.sh_scan__channel WHERE subject_id = 1)
			OR hash IN (SELECT doc FROM `+"`%[1]s`"+`.sh_scan WHERE subject_id = 1)
			OR hash IN (SELECT file FROM `+"`%[1]s`"+`.sh_scan WHERE subject_id = 1)`, p.a, ext)))
	// No dangling references.
	for _, db := range []string{dstA, dstB} {
		for fk, n := range dangling(t, dstSQL, db) {
			if n != 0 {
				t.Errorf("%s.%s: %d dangling rows", db, fk, n)
			}
		}
	}
	// Objects: fetched through dj from the destination's store, which
	// checks each against its hash.
	sa, err := dst.Schema(ctx, dstA, dj.NoCreate())
	must(t, err)
	must(t, sa.Declare(ctx, ShLab{}, ShPerson{}, ShSubject{}, ShSession{}, ShScan{}, ShScanChannel{}))
	sessions, err := dj.Fetch[ShSession](ctx, dst, dj.From[ShSession](dst))
	must(t, err)
	if len(sessions) != 2 {
		t.Fatalf("%d sessions in the copy", len(sessions))
	}
	for _, s := range sessions {
		if want := p.photos[[2]int{int(s.SubjectID), int(s.SessionID)}]; !reflect.DeepEqual(s.Photo, want) {
			t.Errorf("photo of %d/%d = %q, want %q", s.SubjectID, s.SessionID, s.Photo, want)
		}
	}
	chans, err := dj.Fetch[ShScanChannel](ctx, dst, dj.From[ShScanChannel](dst))
	must(t, err)
	if len(chans) != 2 {
		t.Fatalf("%d channels in the copy", len(chans))
	}
	for _, ch := range chans {
		if want := p.traces[[3]int{int(ch.SubjectID), int(ch.SessionID), int(ch.Channel)}]; !reflect.DeepEqual(ch.Trace, want) {
			t.Errorf("trace = %v, want %v", ch.Trace, want)
		}
	}
	scans, err := dj.Fetch[ShScan](ctx, dst, dj.From[ShScan](dst), dj.DownloadPath(t.TempDir()))
	must(t, err)
	if len(scans) != 1 || scans[0].Doc == nil || scans[0].File == nil {
		t.Fatalf("scans in the copy: %+v", scans)
	}
	for _, f := range []struct {
		path string
		want []byte
	}{{*scans[0].Doc, p.doc}, {*scans[0].File, p.file}} {
		if b, err := os.ReadFile(f.path); err != nil || !bytes.Equal(b, f.want) {
			t.Errorf("%s: %v, %d bytes, want %d", f.path, err, len(b), len(f.want))
		}
	}
	// The objects are stored under the destination database's name, the
	// file under its path, with DataJoint's contents_hash metadata.
	st, err := dst.Store(store)
	must(t, err)
	n := 0
	for info, err := range st.List(ctx, dstA+"/") {
		must(t, err)
		n++
		_ = info
	}
	if n != 5 {
		t.Errorf("%d objects under %s/ in the destination store, want 5", n, dstA)
	}
	info, err := st.Stat(ctx, "scan1/raw.dat")
	must(t, err)
	if info.Size != int64(len(p.file)) || info.Metadata["contents_hash"] == "" {
		t.Errorf("file in the destination store: %+v", info)
	}
}

func showCreate(t testing.TB, c *dj.Conn, tid schema.TableID) string {
	t.Helper()
	var name, ddl string
	must(t, c.QueryRowContext(context.Background(), "SHOW CREATE TABLE "+tid.Quoted()).Scan(&name, &ddl))
	return ddl
}

// TestCloneSameServer clones the closure of subject 1 into two other
// databases of the same server and another location of the object store,
// interrupted after its first table and run again.
func TestCloneSameServer(t *testing.T) {
	p := newPipeline(t)
	srv := testenv.MySQL(t)
	dst := connectTo(t, srv.Host, s3Store(t, "share-dst-"+randomHex(4)))
	dstA, dstB := testenv.Database(t), testenv.Database(t)
	opts := share.CloneOptions{
		Rename: map[string]string{p.a: dstA, p.b: dstB},
		Seeds:  []share.Seed{share.Restrict(dj.From[ShSubject](p.c).Restrict(dj.Where("subject_id = 1")))},
	}
	// Interrupt: cancel once the objects and the first table are copied.
	ctx, cancel := context.WithCancel(context.Background())
	steps := 0
	first := opts
	first.Progress = func(pr share.Progress) {
		steps++
		if pr.Rows > 0 && !strings.HasPrefix(pr.Table.Table, "~") {
			cancel()
		}
	}
	_, err := share.Clone(ctx, p.c, dst, first)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted clone: err = %v, want context.Canceled", err)
	}
	var subjects int
	must(t, dst.QueryRowContext(context.Background(), fmt.Sprintf("SELECT COUNT(*) FROM `%s`.sh_subject", dstA)).Scan(&subjects))
	if subjects != 0 {
		t.Fatalf("the interrupted clone copied %d subjects; it should have stopped before", subjects)
	}
	res, err := share.Clone(context.Background(), p.c, dst, opts)
	must(t, err)
	if !res.SameServer {
		t.Error("SameServer = false for two databases of one server")
	}
	if res.Objects != 0 || res.Skipped != 6 {
		t.Errorf("resumed clone copied %d objects and skipped %d, want 0 and 6", res.Objects, res.Skipped)
	}
	verify(t, p, dst, dstA, dstB)
	// Run again: nothing changes, nothing is duplicated.
	res, err = share.Clone(context.Background(), p.c, dst, opts)
	must(t, err)
	if len(res.Created) != 0 || res.Objects != 0 {
		t.Errorf("third run created %v and copied %d objects", res.Created, res.Objects)
	}
	verify(t, p, dst, dstA, dstB)
	// A new person in the copy gets the id after the source's last one.
	must(t, dj.Insert1(context.Background(), dst, ShPerson{Name: "New"}))
	var maxID int
	must(t, dst.QueryRowContext(context.Background(), fmt.Sprintf("SELECT MAX(person_id) FROM `%s`.sh_person", dstA)).Scan(&maxID))
	if maxID != 6 {
		t.Errorf("new person in the copy has id %d, want 6 (the source's counter)", maxID)
	}
}

// TestCloneRefusals: a closure with rows in a database without
// destination (nothing is created), and an existing destination table
// with another definition.
func TestCloneRefusals(t *testing.T) {
	p := newPipeline(t)
	ctx := context.Background()
	dstA := testenv.Database(t)
	_, err := share.Clone(ctx, p.c, p.c, share.CloneOptions{Rename: map[string]string{p.a: dstA},
		Seeds: []share.Seed{share.Where(id(p.a, "sh_subject"), "subject_id = 1")}}) // reaches reviews in p.b
	if !errors.Is(err, dj.ErrConfig) {
		t.Errorf("unmapped database: err = %v, want ErrConfig", err)
	}
	if n := names(t, p.c, "SELECT table_name FROM information_schema.tables WHERE table_schema = ?", dstA); len(n) != 0 {
		t.Errorf("the refused clone created %v", n)
	}
	_, err = p.c.ExecContext(ctx, fmt.Sprintf("CREATE TABLE `%s`.`#sh_lab` (lab varchar(8) NOT NULL PRIMARY KEY)", dstA))
	must(t, err)
	dstB := testenv.Database(t)
	_, err = share.Clone(ctx, p.c, p.c, share.CloneOptions{Rename: map[string]string{p.a: dstA, p.b: dstB},
		Seeds: []share.Seed{share.Where(id(p.a, "sh_subject"), "subject_id = 2")}})
	if !errors.Is(err, dj.ErrHeadingMismatch) {
		t.Errorf("existing table: err = %v, want ErrHeadingMismatch", err)
	}
}

// TestCloneOtherServer clones the closure of subject 1 to a second
// server (see secondServer), streaming the rows, interrupted after its
// first table and run again, twice.
func TestCloneOtherServer(t *testing.T) {
	host2 := secondServer(t)
	p := newPipeline(t)
	dst := connectTo(t, host2, s3Store(t, "share-dst2-"+randomHex(4)))
	ctx := context.Background()
	dstA, dstB := "djtest_share_"+randomHex(4), "djtest_share_"+randomHex(4)
	dropLater(t, dst, dstA, dstB)
	opts := share.CloneOptions{
		Rename:    map[string]string{p.a: dstA, p.b: dstB},
		Seeds:     []share.Seed{share.Restrict(dj.From[ShSubject](p.c).Restrict(dj.Where("subject_id = 1")))},
		BatchRows: 1, // one row per INSERT, to exercise batching
	}
	// Interrupted after the first table, then run to the end, twice.
	cctx, cancel := context.WithCancel(ctx)
	first := opts
	first.Progress = func(pr share.Progress) {
		if pr.Rows > 0 && !strings.HasPrefix(pr.Table.Table, "~") {
			cancel()
		}
	}
	if _, err := share.Clone(cctx, p.c, dst, first); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted clone: err = %v, want context.Canceled", err)
	}
	res, err := share.Clone(ctx, p.c, dst, opts)
	must(t, err)
	if res.SameServer {
		t.Fatal("SameServer = true for two servers")
	}
	if res.Objects != 0 || res.Skipped != 6 {
		t.Errorf("resumed clone copied %d objects and skipped %d, want 0 and 6", res.Objects, res.Skipped)
	}
	verify(t, p, dst, dstA, dstB)
	_, err = share.Clone(ctx, p.c, dst, opts)
	must(t, err)
	verify(t, p, dst, dstA, dstB)
}
