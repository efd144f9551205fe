package dj

import (
	"context"
	"database/sql/driver"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/datajoint-go/datajoint/dj/blob"
	"github.com/datajoint-go/datajoint/dj/external"
	"github.com/datajoint-go/datajoint/dj/schema"
)

func TestExternalStatementText(t *testing.T) {
	tb := "`lab`.`~external_s`"
	cases := []struct{ got, want string }{
		{inList(1), "(?)"},
		{inList(3), "(?,?,?)"},
		{trackLookupSQL(tb, 2, false), "SELECT hash,size,attachment_name,filepath,contents_hash FROM `lab`.`~external_s` WHERE hash IN (?,?)"},
		{trackLookupSQL(tb, 1, true), "SELECT hash,size,attachment_name,filepath,contents_hash FROM `lab`.`~external_s` WHERE hash IN (?) FOR UPDATE"},
		{trackListSQL(tb, ""), "SELECT hash,size,attachment_name,filepath,contents_hash,timestamp FROM `lab`.`~external_s` AS x ORDER BY x.`hash`"},
		{trackListSQL(tb, "NOT FALSE"), "SELECT hash,size,attachment_name,filepath,contents_hash,timestamp FROM `lab`.`~external_s` AS x WHERE NOT FALSE ORDER BY x.`hash`"},
		{trackLockUnusedSQL(tb, 2, "FALSE"), "SELECT x.`hash` FROM `lab`.`~external_s` AS x WHERE x.`hash` IN (?,?) AND NOT FALSE FOR UPDATE"},
		{trackDeleteSQL(tb, 2), "DELETE FROM `lab`.`~external_s` WHERE `hash` IN (?,?)"},
		{trackRestoreSQL(tb), "INSERT INTO `lab`.`~external_s` (hash,size,attachment_name,filepath,contents_hash,timestamp) VALUES (?,?,?,?,?,?)"},
		{referencedSQL(nil, "x.`hash`"), "FALSE"},
		{referencedSQL([]ExternalReference{{Database: "lab", Table: "a", Column: "d"}, {Database: "other", Table: "b", Column: "e"}}, "x.`hash`"),
			"(EXISTS (SELECT 1 FROM `lab`.`a` AS r WHERE r.`d` = x.`hash`) OR EXISTS (SELECT 1 FROM `other`.`b` AS r WHERE r.`e` = x.`hash`))"},
	}
	for i, c := range cases {
		if c.got != c.want {
			t.Errorf("case %d:\n got %s\nwant %s", i, c.got, c.want)
		}
	}
}

func TestTrackingStatements(t *testing.T) {
	h := func(b byte) uuid.UUID { return uuid.UUID{b} }
	list := []*extObject{
		{store: "b", kind: schema.CatExternalBlob, hash: h(1), size: 10},
		{store: "a", kind: schema.CatExternalAttach, hash: h(2), size: 3, name: "f.txt"},
		{store: "a", kind: schema.CatExternalBlob, hash: h(3), size: 7},
		{store: "a", kind: schema.CatFilepath, hash: h(4), size: 5, rel: "x/y.dat", contents: h(9), upload: true},
		{store: "a", kind: schema.CatFilepath, hash: h(5), rel: "old.dat"}, // tracked already
		{store: "a", kind: schema.CatExternalBlob, hash: h(6), size: 8},
	}
	got := trackingStatements("lab", list)
	want := []statement{
		{"INSERT INTO `lab`.`~external_a` (hash,size) VALUES (?,?),(?,?) ON DUPLICATE KEY UPDATE timestamp=CURRENT_TIMESTAMP",
			[]any{list[2].hash[:], int64(7), list[5].hash[:], int64(8)}},
		{"INSERT INTO `lab`.`~external_a` (hash,size,attachment_name) VALUES (?,?,?) ON DUPLICATE KEY UPDATE timestamp=CURRENT_TIMESTAMP",
			[]any{list[1].hash[:], int64(3), "f.txt"}},
		{"INSERT INTO `lab`.`~external_a` (hash,size,filepath,contents_hash) VALUES (?,?,?,?)",
			[]any{list[3].hash[:], int64(5), "x/y.dat", list[3].contents[:]}},
		{"INSERT INTO `lab`.`~external_b` (hash,size) VALUES (?,?) ON DUPLICATE KEY UPDATE timestamp=CURRENT_TIMESTAMP",
			[]any{list[0].hash[:], int64(10)}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %#v\nwant %#v", got, want)
	}
	// More than 1000 objects of a kind take several statements.
	var many []*extObject
	for i := range 1001 {
		many = append(many, &extObject{store: "a", kind: schema.CatExternalBlob, hash: uuid.UUID{byte(i), byte(i >> 8)}, size: 1})
	}
	st := trackingStatements("lab", many)
	if len(st) != 2 || len(st[0].args) != 2000 || len(st[1].args) != 2 {
		t.Fatalf("1001 objects: %d statements", len(st))
	}
}

func TestParallel(t *testing.T) {
	var mu sync.Mutex
	seen := map[int]bool{}
	err := parallel(context.Background(), 20, 4, func(_ context.Context, i int) error {
		mu.Lock()
		seen[i] = true
		mu.Unlock()
		return nil
	})
	if err != nil || len(seen) != 20 {
		t.Fatalf("ran %d of 20: %v", len(seen), err)
	}
	boom := errors.New("boom")
	err = parallel(context.Background(), 50, 0, func(_ context.Context, i int) error {
		if i == 3 {
			return boom
		}
		return nil
	})
	if !errors.Is(err, boom) {
		t.Fatalf("first error: %v", err)
	}
	if err := parallel(context.Background(), 0, 4, nil); err != nil {
		t.Fatal(err)
	}
}

type ExtRec struct {
	Manual
	ID   int32      `dj:"pk"`
	Data []float64  `dj:"type=blob@loc"`
	Doc  Attachment `dj:"type=attach@loc"`
	File string     `dj:"type=filepath@loc"`
}

// trackingScript keeps the rows written into `lab`.`~external_loc` and
// `lab`.`ext_rec` and answers the lookups of both, so that values can be
// stored and read back through a file store.
type trackingScript struct {
	mu    sync.Mutex
	track map[string][]driver.Value // by hash
	rows  [][]driver.Value
}

func (s *trackingScript) answer(q string, args []any) scriptAnswer {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case strings.HasPrefix(q, "INSERT INTO `lab`.`~external_loc`"):
		cols := strings.Split(strings.SplitN(strings.SplitN(q, "(", 2)[1], ")", 2)[0], ",")
		for i := 0; i+len(cols) <= len(args); i += len(cols) {
			r := []driver.Value{nil, int64(0), nil, nil, nil}
			for j, c := range cols {
				switch c {
				case "hash":
					r[0] = args[i+j]
				case "size":
					r[1] = args[i+j]
				case "attachment_name":
					r[2] = []byte(args[i+j].(string))
				case "filepath":
					r[3] = []byte(args[i+j].(string))
				case "contents_hash":
					r[4] = args[i+j]
				}
			}
			s.track[string(r[0].([]byte))] = r
		}
		return scriptAnswer{affected: 1}
	case strings.HasPrefix(q, "SELECT hash,size,attachment_name,filepath,contents_hash FROM `lab`.`~external_loc`"):
		a := scriptAnswer{cols: []string{"hash", "size", "attachment_name", "filepath", "contents_hash"}}
		for _, h := range args {
			if r, ok := s.track[string(h.([]byte))]; ok {
				a.rows = append(a.rows, r)
			}
		}
		return a
	case strings.HasPrefix(q, "INSERT INTO `lab`.`ext_rec`"):
		r := make([]driver.Value, len(args))
		for i, v := range args {
			r[i] = v
		}
		s.rows = append(s.rows, r)
		return scriptAnswer{affected: 1}
	case strings.HasPrefix(q, "SELECT `id`,`data`,`doc`,`file` FROM `lab`.`ext_rec`"):
		return scriptAnswer{cols: []string{"id", "data", "doc", "file"}, rows: s.rows}
	case strings.HasPrefix(q, "SELECT `id`,`data` FROM `lab`.`ext_rec`"):
		a := scriptAnswer{cols: []string{"id", "data"}}
		for _, r := range s.rows {
			a.rows = append(a.rows, r[:2])
		}
		return a
	}
	return scriptAnswer{}
}

func TestExternalValuesThroughAFileStore(t *testing.T) {
	ctx := context.Background()
	ts := &trackingScript{track: map[string][]driver.Value{}}
	db := &scriptDB{answer: ts.answer}
	c := scriptConnFor(t, db)
	loc, stage := t.TempDir(), t.TempDir()
	if err := c.SetStore("loc", external.StoreConfig{Protocol: external.ProtocolFile, Location: loc, Stage: stage}); err != nil {
		t.Fatal(err)
	}
	declareFor(t, c, "lab", ExtRec{})
	if err := os.MkdirAll(filepath.Join(stage, "raw"), 0o755); err != nil {
		t.Fatal(err)
	}
	local := filepath.Join(stage, "raw", "r1.dat")
	if err := os.WriteFile(local, []byte("recording"), 0o644); err != nil {
		t.Fatal(err)
	}
	in := ExtRec{ID: 1, Data: []float64{1, 2, 3}, Doc: Attachment{Name: "notes.txt", Data: []byte("hello")}, File: local}
	if err := Insert1(ctx, c, in); err != nil {
		t.Fatal(err)
	}

	// The objects are where DataJoint puts them.
	serial, err := blob.Marshal(in.Data)
	if err != nil {
		t.Fatal(err)
	}
	bh := external.BlobHash(serial)
	ah := external.AttachHash("notes.txt", []byte("hello"))
	folds := []int{2, 2}
	for key, want := range map[string]string{
		external.BlobKey("lab", bh, folds):                string(serial),
		external.AttachKey("lab", ah, "notes.txt", folds): "hello",
		"raw/r1.dat": "recording",
	} {
		b, err := os.ReadFile(filepath.Join(loc, filepath.FromSlash(key)))
		if err != nil || string(b) != want {
			t.Errorf("object %s: %q %v", key, b, err)
		}
	}
	// Tracking rows go in before the row, in one transaction.
	var order []string
	for _, q := range db.queries() {
		switch {
		case strings.HasPrefix(q, "INSERT INTO `lab`.`~external_loc` (hash,size) "):
			order = append(order, "blob")
		case strings.HasPrefix(q, "INSERT INTO `lab`.`~external_loc` (hash,size,attachment_name)"):
			order = append(order, "attach")
		case strings.HasPrefix(q, "INSERT INTO `lab`.`~external_loc` (hash,size,filepath,contents_hash)"):
			order = append(order, "filepath")
		case strings.HasPrefix(q, "INSERT INTO `lab`.`ext_rec`"):
			order = append(order, "row")
		case strings.HasPrefix(q, "START"), q == "COMMIT":
			order = append(order, q[:5])
		}
	}
	if want := []string{"START", "blob", "attach", "filepath", "row", "COMMI"}; !reflect.DeepEqual(order, want) {
		t.Errorf("statement order %v", order)
	}
	if h := ts.rows[0][1].([]byte); !reflect.DeepEqual(h, bh[:]) {
		t.Errorf("the row holds %x, want the blob hash %x", h, bh[:])
	}

	got, err := Fetch[ExtRec](ctx, c, From[ExtRec](c))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !reflect.DeepEqual(got[0].Data, in.Data) || !reflect.DeepEqual(got[0].Doc, in.Doc) || got[0].File != local {
		t.Fatalf("fetched %+v", got)
	}
	maps, err := FetchMaps(ctx, c, From[ExtRec](c))
	if err != nil {
		t.Fatal(err)
	}
	if len(maps) != 1 || maps[0]["file"] != local || !reflect.DeepEqual(maps[0]["doc"], in.Doc) {
		t.Fatalf("fetched maps %#v", maps)
	}
	col, err := FetchColumn[[]float64](ctx, c, From[ExtRec](c), "data")
	if err != nil || !reflect.DeepEqual(col, [][]float64{in.Data}) {
		t.Fatalf("FetchColumn %v %v", col, err)
	}

	// A corrupted object is refused on fetch.
	if err := os.WriteFile(filepath.Join(loc, filepath.FromSlash(external.BlobKey("lab", bh, folds))), []byte("xx"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Fetch[ExtRec](ctx, c, From[ExtRec](c)); !errors.Is(err, external.ErrHashMismatch) {
		t.Errorf("corrupted blob: %v", err)
	}
}

func TestExternalInsertRefusals(t *testing.T) {
	ctx := context.Background()
	ts := &trackingScript{track: map[string][]driver.Value{}}
	db := &scriptDB{answer: ts.answer}
	c := scriptConnFor(t, db)
	declareFor(t, c, "lab", ExtRec{})
	// No store configured.
	err := Insert1(ctx, c, ExtRec{ID: 1, Data: []float64{1}, Doc: Attachment{Name: "a", Data: []byte("b")}, File: "/x"})
	if !errors.Is(err, ErrStore) {
		t.Fatalf("unconfigured store: %v", err)
	}
	stage := t.TempDir()
	if err := c.SetStore("loc", external.StoreConfig{Protocol: external.ProtocolFile, Location: t.TempDir(), Stage: stage}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		row  ExtRec
		err  error
	}{
		{"nameless attachment", ExtRec{ID: 1, Doc: Attachment{Data: []byte("x")}, File: filepath.Join(stage, "f")}, ErrType},
		{"empty filepath", ExtRec{ID: 1, Doc: Attachment{Name: "a"}}, ErrType},
		{"filepath outside the stage", ExtRec{ID: 1, Doc: Attachment{Name: "a"}, File: filepath.Join(t.TempDir(), "f")}, ErrType},
		{"missing file", ExtRec{ID: 1, Doc: Attachment{Name: "a"}, File: filepath.Join(stage, "none")}, ErrType},
	}
	for _, cs := range cases {
		if err := Insert1(ctx, c, cs.row); !errors.Is(err, cs.err) {
			t.Errorf("%s: %v", cs.name, err)
		}
	}
	for _, q := range db.queries() {
		if strings.HasPrefix(q, "INSERT") {
			t.Errorf("refused insert sent %s", q)
		}
	}
	if err := c.SetStore("bad", external.StoreConfig{Protocol: "ftp"}); !errors.Is(err, ErrConfig) {
		t.Errorf("bad store config: %v", err)
	}
	if err := c.UseStore(nil); !errors.Is(err, ErrConfig) {
		t.Errorf("UseStore(nil): %v", err)
	}
	if _, err := c.Store("nope"); !errors.Is(err, ErrStore) {
		t.Errorf("unknown store: %v", err)
	}
}
