package dj_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/blob"
)

// Graph is the Go value of the adapted type <graph>: stored, as a
// DataJoint adapter would, as a flat int64 vector of edge end points.
type Graph struct{ Edges [][2]int64 }

func graphPut(g Graph) ([]int64, error) {
	out := make([]int64, 0, 2*len(g.Edges))
	for _, e := range g.Edges {
		if e[0] < 0 || e[1] < 0 {
			return nil, errors.New("negative node")
		}
		out = append(out, e[0], e[1])
	}
	return out, nil
}

func graphGet(v []int64) (Graph, error) {
	if len(v)%2 != 0 {
		return Graph{}, fmt.Errorf("odd number of end points: %d", len(v))
	}
	var g Graph
	for i := 0; i < len(v); i += 2 {
		g.Edges = append(g.Edges, [2]int64{v[i], v[i+1]})
	}
	return g, nil
}

// Meta is the Go value of <metaz>, stored as JSON through an Adapter
// written against the interface itself.
type Meta struct {
	Owner string
	Runs  int
}

type metaAdapter struct{}

func (metaAdapter) Put(v any) (any, error) {
	if p, ok := v.(*Meta); ok {
		v = *p
	}
	m, ok := v.(Meta)
	if !ok {
		return nil, fmt.Errorf("want Meta, got %T", v)
	}
	return map[string]any{"owner": m.Owner, "runs": m.Runs}, nil
}

func (metaAdapter) Get(stored any) (any, error) {
	m, ok := stored.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("want a JSON object, got %T", stored)
	}
	runs, _ := m["runs"].(float64)
	owner, _ := m["owner"].(string)
	return Meta{Owner: owner, Runs: int(runs)}, nil
}

// pyGraphTable is the table DataJoint for Python 0.14 declares for
//
//	graph_id : int
//	---
//	graph : <graph>        # connectivity   (attribute_type "longblob")
//	meta = null : <metaz>  #                (attribute_type "json")
//	trace : <unknownz>     # no Go adapter  (attribute_type "longblob")
const pyGraphTable = "CREATE TABLE `%s`.`graph_store` (\n" +
	"`graph_id` int NOT NULL,\n" +
	"`graph` longblob NOT NULL COMMENT \":<graph>:connectivity\",\n" +
	"`meta` json DEFAULT NULL COMMENT \":<metaz>:\",\n" +
	"`trace` longblob NOT NULL COMMENT \":<unknownz>:no Go adapter\",\n" +
	"PRIMARY KEY (`graph_id`)\n" +
	") ENGINE=InnoDB, COMMENT \"graphs\""

type GraphRow struct {
	GraphID int32
	Graph   Graph
	Meta    *Meta
	Trace   []float64
}

func TestAdapterRoundTrip(t *testing.T) {
	c, s := connect(t)
	ctx := context.Background()
	_, err := c.DB().ExecContext(ctx, fmt.Sprintf(pyGraphTable, s.Name()))
	must(t, err)
	dj.RegisterAdapter("graph", dj.AdapterFuncs(graphPut, graphGet))
	dj.RegisterAdapter("<metaz>", metaAdapter{})
	tbl, err := s.Table(ctx, "graph_store")
	must(t, err)
	for name, want := range map[string]string{"graph": "graph", "meta": "metaz", "trace": "unknownz"} {
		if a, ok := tbl.Heading().Attr(name); !ok || a.Adapter != want {
			t.Fatalf("attribute %s: adapter %q, want %q", name, a.Adapter, want)
		}
	}

	g1 := Graph{Edges: [][2]int64{{1, 2}, {2, 3}}}
	g2 := Graph{Edges: [][2]int64{{5, 6}}}
	must(t, tbl.Insert(ctx, c, []GraphRow{
		{GraphID: 1, Graph: g1, Meta: &Meta{Owner: "ann", Runs: 3}, Trace: []float64{1, 2}},
		{GraphID: 2, Graph: g2, Trace: []float64{3}},
	}))
	must(t, tbl.Insert1(ctx, c, map[string]any{"graph_id": 3, "graph": Graph{}, "meta": Meta{Owner: "bo"}, "trace": []float64{}}))

	// The stored value is the underlying type's: a blob of Put's result,
	// which DataJoint for Python reads as its adapter's stored value.
	var raw []byte
	must(t, c.DB().QueryRowContext(ctx, "SELECT `graph` FROM "+tbl.FullName()+" WHERE graph_id=1").Scan(&raw))
	var stored []int64
	must(t, blob.Unmarshal(raw, &stored))
	if !slices.Equal(stored, []int64{1, 2, 2, 3}) {
		t.Fatalf("stored graph = %v", stored)
	}
	var metaText string
	must(t, c.DB().QueryRowContext(ctx, "SELECT `meta` FROM "+tbl.FullName()+" WHERE graph_id=1").Scan(&metaText))
	if !strings.Contains(metaText, `"owner"`) || !strings.Contains(metaText, `"ann"`) {
		t.Fatalf("stored meta = %s", metaText)
	}

	// Structs.
	rows, err := dj.Fetch[GraphRow](ctx, c, tbl.Expr().OrderBy("graph_id"))
	must(t, err)
	if len(rows) != 3 || !reflect.DeepEqual(rows[0].Graph, g1) || !reflect.DeepEqual(rows[1].Graph, g2) ||
		rows[0].Meta == nil || *rows[0].Meta != (Meta{Owner: "ann", Runs: 3}) || rows[1].Meta != nil ||
		rows[2].Meta == nil || rows[2].Meta.Owner != "bo" || len(rows[2].Graph.Edges) != 0 {
		t.Fatalf("rows = %+v", rows)
	}
	if !slices.Equal(rows[0].Trace, []float64{1, 2}) {
		t.Fatalf("unadapted trace = %v", rows[0].Trace)
	}
	one, err := dj.FetchOne[GraphRow](ctx, c, tbl.Expr().Restrict(dj.Match(dj.Key{"graph_id": 2})))
	must(t, err)
	if !reflect.DeepEqual(one.Graph, g2) {
		t.Fatalf("one = %+v", one)
	}

	// Maps: adapted values, NULL without Get, and the underlying value of
	// an attribute whose adapter is not registered.
	maps, err := dj.FetchMaps(ctx, c, tbl.Expr().OrderBy("graph_id"))
	must(t, err)
	if g, ok := maps[0]["graph"].(Graph); !ok || !reflect.DeepEqual(g, g1) {
		t.Fatalf("map graph = %#v", maps[0]["graph"])
	}
	if maps[1]["meta"] != nil || maps[0]["meta"] != (Meta{Owner: "ann", Runs: 3}) {
		t.Fatalf("map meta = %#v, %#v", maps[0]["meta"], maps[1]["meta"])
	}
	var generic any
	must(t, blob.Unmarshal(rawTrace(t, c, tbl.FullName()), &generic))
	if maps[0]["trace"] == nil || !reflect.DeepEqual(maps[0]["trace"], generic) {
		t.Fatalf("unadapted trace in a map = %#v, want %#v", maps[0]["trace"], generic)
	}

	// Columns.
	graphs, err := dj.FetchColumn[Graph](ctx, c, tbl.Expr().OrderBy("graph_id"), "graph")
	must(t, err)
	if len(graphs) != 3 || !reflect.DeepEqual(graphs[1], g2) {
		t.Fatalf("graph column = %+v", graphs)
	}
	traces, err := dj.FetchColumn[[]float64](ctx, c, tbl.Expr().OrderBy("graph_id"), "trace")
	must(t, err)
	if len(traces) != 3 || !slices.Equal(traces[0], []float64{1, 2}) {
		t.Fatalf("trace column = %v", traces)
	}

	// Put and Get errors are ErrType naming the attribute.
	err = tbl.Insert1(ctx, c, GraphRow{GraphID: 9, Graph: Graph{Edges: [][2]int64{{-1, 0}}}, Trace: []float64{}})
	wantErr(t, err, dj.ErrType)
	var de *dj.Error
	if !errors.As(err, &de) || de.Attr != "graph" || !strings.Contains(err.Error(), "negative node") {
		t.Fatalf("put error = %v", err)
	}
	err = tbl.Insert1(ctx, c, map[string]any{"graph_id": 9, "graph": "not a graph", "trace": []float64{}})
	wantErr(t, err, dj.ErrType)
	odd, err := blob.Marshal([]int64{1, 2, 3})
	must(t, err)
	_, err = c.DB().ExecContext(ctx, "INSERT INTO "+tbl.FullName()+" (graph_id, graph, trace) VALUES (10, ?, ?)", odd, odd)
	must(t, err)
	_, err = dj.Fetch[GraphRow](ctx, c, tbl.Expr().Restrict(dj.Match(dj.Key{"graph_id": 10})))
	wantErr(t, err, dj.ErrType)
	if !strings.Contains(err.Error(), "odd number") {
		t.Fatalf("get error = %v", err)
	}
}

func rawTrace(t *testing.T, c *dj.Conn, table string) []byte {
	t.Helper()
	var raw []byte
	must(t, c.DB().QueryRowContext(context.Background(), "SELECT `trace` FROM "+table+" WHERE graph_id=1").Scan(&raw))
	return raw
}
