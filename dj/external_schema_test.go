package dj_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/blob"
)

// ExtTag is joined with ExtBlob on id.
type ExtTag struct {
	dj.Manual `comment:"tags"`
	ID        int32  `dj:"pk"`
	Tag       string `dj:"type=varchar(16)"`
}

// extAny reads any of the queries below (Lax).
type extAny struct {
	ID      int32
	Data    []byte
	Payload []byte
	Tag     string
	N       int64
}

// extQueries are the ways to reach ExtBlob's data other than the plain
// table; name → query and the attribute that holds the blob.
func extQueries(c *dj.Conn) map[string]struct {
	e    dj.Expr
	attr string
} {
	b := dj.From[ExtBlob](c)
	tag := dj.From[ExtTag](c)
	one := dj.Where("id=1")
	return map[string]struct {
		e    dj.Expr
		attr string
	}{
		"table":   {b.Restrict(one), "data"},
		"join":    {b.Join(tag).Restrict(one), "data"},
		"join2":   {tag.Join(b).Restrict(one), "data"},
		"proj":    {b.Proj("data").Restrict(one), "data"},
		"rename":  {b.Proj("payload=data").Restrict(one), "payload"},
		"orderby": {b.Restrict(one).OrderBy("id"), "data"},
		"limit":   {b.Restrict(one).OrderBy("id").Limit(1), "data"},
		"aggr":    {b.Aggr(tag, "n=count(*)", "data").Restrict(one), "data"},
		"u":       {dj.U("id").Join(b).Restrict(one), "data"},
	}
}

// readAll reads the blob of row 1 of e through every fetch API and
// returns what each gave.
func readAll(ctx context.Context, c *dj.Conn, e dj.Expr, attr string) map[string]struct {
	data []byte
	err  error
} {
	out := map[string]struct {
		data []byte
		err  error
	}{}
	put := func(api string, data []byte, err error) {
		out[api] = struct {
			data []byte
			err  error
		}{data, err}
	}
	pick := func(r extAny) []byte {
		if attr == "payload" {
			return r.Payload
		}
		return r.Data
	}
	rows, err := dj.Fetch[extAny](ctx, c, e, dj.Lax())
	if err == nil && len(rows) != 1 {
		put("Fetch", nil, nil)
	} else if err != nil {
		put("Fetch", nil, err)
	} else {
		put("Fetch", pick(rows[0]), nil)
	}
	one, err := dj.FetchOne[extAny](ctx, c, e, dj.Lax())
	put("FetchOne", pick(one), err)
	var all []byte
	err = nil
	for r, e := range dj.All[extAny](ctx, c, e, dj.Lax()) {
		if e != nil {
			err = e
			break
		}
		all = pick(r)
	}
	put("All", all, err)
	maps, err := dj.FetchMaps(ctx, c, e)
	if err != nil || len(maps) != 1 {
		put("FetchMaps", nil, err)
	} else {
		v, _ := maps[0][attr].([]byte)
		put("FetchMaps", v, nil)
	}
	col, err := dj.FetchColumn[[]byte](ctx, c, e, attr)
	if err != nil || len(col) != 1 {
		put("FetchColumn", nil, err)
	} else {
		put("FetchColumn", col[0], nil)
	}
	return out
}

// TestExternalFetchKnowsSchema: two schemas share one store location and
// hold the same blob (same hash, same tracking row). The object of schema A
// is removed: every read from schema B must still find B's object, and
// every read from schema A must report A's object missing, whatever the
// order of the schema names and however the query is built.
func TestExternalFetchKnowsSchema(t *testing.T) {
	eachStore(t, func(t *testing.T, env storeEnv) {
		ctx := context.Background()
		cA, sA := connectStore(t, env)
		cB, sB := connectStore(t, env)
		shared := bytes.Repeat([]byte("shared by two schemas "), 50)
		for i, p := range []struct {
			c *dj.Conn
			s *dj.Schema
		}{{cA, sA}, {cB, sB}} {
			must(t, p.s.Declare(ctx, ExtBlob{}, ExtTag{}))
			must(t, dj.Insert(ctx, p.c, []ExtBlob{{ID: 1, Data: shared}, {ID: 2, Data: []byte{byte(i), 1, 2}}}))
			must(t, dj.Insert(ctx, p.c, []ExtTag{{ID: 1, Tag: "one"}, {ID: 2, Tag: "two"}}))
		}
		packed, err := blob.Marshal(shared)
		must(t, err)
		sum := expectedUUID(packed)
		keyA := blobKey(env.location(), sA.Name(), sum)
		keyB := blobKey(env.location(), sB.Name(), sum)
		env.remove(t, keyA)
		if _, ok := env.read(t, keyB); !ok {
			t.Fatalf("no object at %s", keyB)
		}
		for name, q := range extQueries(cB) {
			h := q.e.Heading()
			if a, ok := h.Attr(q.attr); !ok || a.Database != sB.Name() {
				t.Errorf("%s: heading attribute %s: %+v, want database %s", name, q.attr, a, sB.Name())
			}
			for api, r := range readAll(ctx, cB, q.e, q.attr) {
				if r.err != nil || !bytes.Equal(r.data, shared) {
					t.Errorf("schema B, %s, %s: %d bytes, %v", name, api, len(r.data), r.err)
				}
			}
		}
		for name, q := range extQueries(cA) {
			for api, r := range readAll(ctx, cA, q.e, q.attr) {
				if r.err == nil {
					t.Errorf("schema A, %s, %s: read %d bytes of another schema's object", name, api, len(r.data))
					continue
				}
				wantErr(t, r.err, dj.ErrMissingExternal)
				if !strings.Contains(r.err.Error(), sA.Name()) || strings.Contains(r.err.Error(), sB.Name()) {
					t.Errorf("schema A, %s, %s: error names the wrong schema: %v", name, api, r.err)
				}
			}
		}
	})
}

// TestExternalHeadingDatabase: the database of an external attribute
// survives every operator, including a union and a join across schemas.
func TestExternalHeadingDatabase(t *testing.T) {
	ctx := context.Background()
	env := fileEnv(t)
	cA, sA := connectStore(t, env)
	must(t, sA.Declare(ctx, ExtBlob{}, ExtTag{}, ExtRecording{}))
	b := dj.From[ExtBlob](cA)
	tag := dj.From[ExtTag](cA)
	cases := map[string]dj.Expr{
		"table":    b,
		"restrict": b.Restrict(dj.Where("id>0")),
		"proj":     b.Proj("data"),
		"rename":   b.Proj("data2=data"),
		"join":     tag.Join(b),
		"aggr":     b.Aggr(tag, "n=count(*)", "data"),
		"union":    b.Union(tag.Proj()),
		"top":      b.OrderBy("data").Limit(3).Offset(1),
		"u":        dj.U("id").Join(b),
		"u-aggr":   dj.U("data").Aggr(b, "n=count(*)"),
		"nested":   b.Proj("data2=data").Join(tag).OrderBy("id").Limit(2).Proj("data3=data2"),
	}
	for name, e := range cases {
		must(t, e.Err())
		n := 0
		h := e.Heading()
		for _, a := range h.Attributes {
			if a.Category.External() {
				n++
				if a.Database != sA.Name() {
					t.Errorf("%s: %s has database %q, want %q", name, a.Name, a.Database, sA.Name())
				}
			}
		}
		if n == 0 {
			t.Errorf("%s: no external attribute in %v", name, h.Names())
		}
	}
}
