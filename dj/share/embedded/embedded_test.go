package embedded_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/external"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
	"github.com/datajoint-go/datajoint/dj/share"
	"github.com/datajoint-go/datajoint/dj/share/embedded"
)

type EmLab struct {
	dj.Lookup `comment:"labs"`
	Lab       string `dj:"pk,type=varchar(16)"`
}

func (EmLab) Contents() []EmLab { return []EmLab{{Lab: "north"}, {Lab: "south"}} }

type EmSubject struct {
	dj.Manual `comment:"subjects"`
	SubjectID int32         `dj:"pk"`
	L         dj.Ref[EmLab] `dj:""`
	Lab       string        `dj:"type=varchar(16)"`
	Sex       string        `dj:"type=enum('F','M')"`
	Weight    float32
	Born      time.Time `dj:"type=date"`
}

type EmSession struct {
	dj.Manual `comment:"sessions"`
	S         dj.Ref[EmSubject] `dj:"pk"`
	SubjectID int32             `dj:"pk"`
	SessionID int16             `dj:"pk"`
	Started   time.Time         `dj:"type=datetime(6)"`
	Rig       uuid.UUID
	Cost      string    `dj:"type=decimal(7,2)"`
	Note      *string   `dj:"type=varchar(64),nullable"`
	Photo     []byte    `dj:"type=blob@emstore"`
	Raw       []byte    // an internal longblob
	Trace     []float64 // a serialized blob
}

type EmSessionTrial struct {
	dj.Part[EmSession]
	SubjectID int32 `dj:"pk"`
	SessionID int16 `dj:"pk"`
	Trial     int32 `dj:"pk"`
	Score     float64
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// declare binds the test's tables in schema db of c.
func declare(t *testing.T, c *dj.Conn, db string, opts ...dj.SchemaOption) {
	t.Helper()
	s, err := c.Schema(context.Background(), db, opts...)
	must(t, err)
	must(t, s.Declare(context.Background(), EmLab{}, EmSubject{}, EmSession{}, EmSessionTrial{}))
}

// TestOpen exports a schema from MariaDB, opens the release without a
// server, and runs the same dj queries on both: fetches into structs
// (external blobs, uuids, decimals, dates, NULLs), restrictions, joins,
// aggregations, dj.U, ordering with a limit, semijoins and antijoins.
func TestOpen(t *testing.T) {
	srv := testenv.MySQL(t)
	ctx := context.Background()
	src, err := dj.Connect(ctx, dj.Config{Host: srv.Host, User: srv.User, Password: srv.Pass})
	must(t, err)
	defer src.Close()
	must(t, src.SetStore("emstore", external.StoreConfig{Protocol: external.ProtocolFile, Location: t.TempDir()}))
	db := testenv.Database(t)
	declare(t, src, db)
	born := time.Date(2020, 1, 2, 0, 0, 0, 0, time.UTC)
	must(t, dj.Insert(ctx, src, []EmSubject{
		{SubjectID: 1, Lab: "north", Sex: "F", Weight: 21.34567, Born: born},
		{SubjectID: 2, Lab: "south", Sex: "M", Weight: 19.25, Born: born.AddDate(0, 1, 0)},
		{SubjectID: 3, Lab: "north", Sex: "F", Weight: 30, Born: born.AddDate(1, 0, 0)},
	}))
	note := "it's a \"note\" \\ with quotes"
	var sessions []EmSession
	var trials []EmSessionTrial
	for sub := int32(1); sub <= 3; sub++ {
		for k := int16(1); k <= 3; k++ {
			s := EmSession{SubjectID: sub, SessionID: k, Started: time.Date(2024, 1, int(k), 1, 2, 3, 456789000, time.UTC),
				Rig: uuid.UUID{byte(sub), byte(k)}, Cost: fmt.Sprintf("%d.%02d", sub*10+int32(k), k),
				Photo: []byte(fmt.Sprint("photo ", sub, k)), Raw: []byte{0, 1, 2, byte(k), '\'', '`'}, Trace: []float64{float64(k), 0.1 + 0.2, -1e-300}}
			if k == 2 {
				s.Note = &note
			}
			sessions = append(sessions, s)
			for tr := int32(1); tr <= 4; tr++ {
				trials = append(trials, EmSessionTrial{SubjectID: sub, SessionID: k, Trial: tr, Score: float64(tr*int32(k)) / 3})
			}
		}
	}
	must(t, dj.Insert(ctx, src, sessions))
	must(t, dj.Insert(ctx, src, trials))
	path := filepath.Join(t.TempDir(), "lab.tar")
	_, err = share.Export(ctx, src, path, share.ExportOptions{Version: "1", Databases: []string{db}})
	must(t, err)

	rel, err := embedded.Open(ctx, path)
	must(t, err)
	defer func() { must(t, rel.Close()) }()
	declare(t, rel.Conn, db, dj.NoCreate())

	// Whole tables into structs, external objects included.
	subjA, err := dj.Fetch[EmSubject](ctx, src, dj.From[EmSubject](src).OrderBy("subject_id"))
	must(t, err)
	subjB, err := dj.Fetch[EmSubject](ctx, rel.Conn, dj.From[EmSubject](rel.Conn).OrderBy("subject_id"))
	must(t, err)
	if !reflect.DeepEqual(subjA, subjB) || len(subjA) != 3 {
		t.Errorf("subjects:\n%+v\n%+v", subjB, subjA)
	}
	sessB, err := dj.Fetch[EmSession](ctx, rel.Conn, dj.From[EmSession](rel.Conn).OrderBy("subject_id", "session_id"))
	must(t, err)
	if !reflect.DeepEqual(sessB, sessions) {
		t.Errorf("sessions:\n%+v\nwant\n%+v", sessB, sessions)
	}

	queries := []struct {
		name string
		e    func(c *dj.Conn) dj.Expr
	}{
		{"restrict", func(c *dj.Conn) dj.Expr { return dj.From[EmSession](c).Restrict(dj.Where("cost > 20")) }},
		{"restrict by key", func(c *dj.Conn) dj.Expr {
			return dj.From[EmSession](c).Restrict(dj.Match(dj.Key{"rig": uuid.UUID{2, 3}}))
		}},
		{"null", func(c *dj.Conn) dj.Expr { return dj.From[EmSession](c).Restrict(dj.Where("note IS NULL")).Proj() }},
		{"join", func(c *dj.Conn) dj.Expr {
			return dj.From[EmSubject](c).Join(dj.From[EmSession](c)).Proj("sex", "cost", "started", "rig", "weight", "born")
		}},
		{"left join", func(c *dj.Conn) dj.Expr {
			return dj.From[EmLab](c).LeftJoin(dj.From[EmSubject](c).Restrict(dj.Where("sex = 'M'")))
		}},
		{"aggr", func(c *dj.Conn) dj.Expr {
			return dj.From[EmSubject](c).Aggr(dj.From[EmSessionTrial](c), "n=count(*)", "avg_score=avg(score)", "best=max(score)")
		}},
		{"aggr keep all", func(c *dj.Conn) dj.Expr {
			return dj.From[EmLab](c).AggrKeepAll(dj.From[EmSubject](c).Restrict(dj.Where("sex = 'M'")), "n=count(subject_id)")
		}},
		{"U aggr", func(c *dj.Conn) dj.Expr {
			return dj.U("sex").Aggr(dj.From[EmSubject](c), "n=count(*)", "w=sum(weight)")
		}},
		{"U distinct", func(c *dj.Conn) dj.Expr { return dj.U("lab", "sex").Aggr(dj.From[EmSubject](c)) }},
		{"proj computed", func(c *dj.Conn) dj.Expr { return dj.From[EmSession](c).Proj("c2=cost*2", "day=DATE(started)") }},
		{"order limit", func(c *dj.Conn) dj.Expr {
			return dj.From[EmSessionTrial](c).OrderBy("score DESC", "subject_id", "session_id", "trial").Limit(5).Offset(2)
		}},
		{"semijoin", func(c *dj.Conn) dj.Expr {
			return dj.From[EmSubject](c).Restrict(dj.From[EmSessionTrial](c).Restrict(dj.Where("score > 3")))
		}},
		{"antijoin", func(c *dj.Conn) dj.Expr {
			return dj.From[EmSession](c).Exclude(dj.From[EmSessionTrial](c).Restrict(dj.Where("score > 2")))
		}},
		{"union", func(c *dj.Conn) dj.Expr {
			return dj.From[EmSubject](c).Restrict(dj.Where("subject_id = 1")).Proj().Union(dj.From[EmSubject](c).Restrict(dj.Where("sex = 'M'")).Proj())
		}},
	}
	for _, q := range queries {
		want := rows(t, src, q.e(src))
		got := rows(t, rel.Conn, q.e(rel.Conn))
		if len(want) == 0 {
			t.Errorf("%s: no rows on MariaDB", q.name)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %v\nwant %v", q.name, got, want)
		}
		nA, err := dj.Count(ctx, src, q.e(src))
		must(t, err)
		nB, err := dj.Count(ctx, rel.Conn, q.e(rel.Conn))
		must(t, err)
		if nA != nB {
			t.Errorf("%s: Count %d, on MariaDB %d", q.name, nB, nA)
		}
	}

	// Read-only.
	err = dj.Insert1(ctx, rel.Conn, EmSubject{SubjectID: 9, Lab: "north", Sex: "F", Born: born})
	if err == nil || !strings.Contains(err.Error(), "read only") {
		t.Errorf("insert into the release: err = %v, want a read-only refusal", err)
	}
}

// TestOpenCorrupt: a damaged archive is refused.
func TestOpenCorrupt(t *testing.T) {
	dir := t.TempDir()
	_, err := embedded.Open(context.Background(), dir)
	if err == nil {
		t.Fatal("Open of an empty directory succeeded")
	}
	if !errors.Is(err, share.ErrCorruptArchive) && !strings.Contains(err.Error(), "manifest") {
		t.Errorf("err = %v", err)
	}
}

// rows fetches e as sorted text rows, in the order of its heading.
func rows(t *testing.T, c *dj.Conn, e dj.Expr) []string {
	t.Helper()
	maps, err := dj.FetchMaps(context.Background(), c, e)
	must(t, err)
	var out []string
	for _, m := range maps {
		var parts []string
		for _, a := range e.Heading().Attributes {
			parts = append(parts, fmt.Sprintf("%s=%v", a.Name, m[a.Name]))
		}
		out = append(out, strings.Join(parts, "|"))
	}
	sort.Strings(out)
	return out
}

// TestServerExamples runs the Examples that need a server (see
// testenv.RunExample).
func TestServerExamples(t *testing.T) {
	testenv.RunExample(t, ExampleOpen, "1.0 2 3")
}
