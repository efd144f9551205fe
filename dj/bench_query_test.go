package dj_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/datajoint-go/datajoint/dj"
)

// The join benchmark's tables: 100k rows in 1k groups (engine-limits §4).

type Grp struct {
	dj.Manual
	GrpID   int32  `dj:"pk"`
	GrpName string `dj:"type=varchar(32)"`
	Weight  float64
}

type Obs struct {
	dj.Manual
	RowID int32 `dj:"pk"`
	Grp   dj.Ref[Grp]
	GrpID int32
	X     float64
	Y     float64
	Z     float64
	W     float64
	Label string `dj:"type=varchar(32)"`
}

type joinRow struct {
	RowID   int32
	GrpID   int32
	X       float64
	Label   string
	GrpName string
	Weight  float64
}

func setupJoin(b *testing.B) *dj.Conn {
	c, s := connect(b)
	ctx := context.Background()
	must(b, s.Declare(ctx, Grp{}, Obs{}))
	grps := make([]Grp, 1000)
	for i := range grps {
		grps[i] = Grp{GrpID: int32(i), GrpName: fmt.Sprintf("g%d", i), Weight: math.Mod(float64(i)*0.618, 1)}
	}
	must(b, dj.Insert(ctx, c, grps))
	obs := make([]Obs, 100_000)
	for i := range obs {
		obs[i] = Obs{RowID: int32(i), GrpID: int32(i % 1000), X: math.Sin(float64(i)), Y: float64(i), Z: float64(i % 7), W: 0.5, Label: "o"}
	}
	must(b, dj.Insert(ctx, c, obs))
	return c
}

// BenchmarkJoinFetch: (Obs * Grp) & "weight < 0.5" & "x > 0" fetched into
// structs, beside the same query through database/sql with rows.Scan.
func BenchmarkJoinFetch(b *testing.B) {
	c := setupJoin(b)
	ctx := context.Background()
	e := dj.From[Obs](c).Join(dj.From[Grp](c)).Restrict(dj.Where("weight < 0.5"), dj.Where("x > 0")).
		Proj("x", "label", "grp_name", "weight")
	query, _, err := e.SQL()
	must(b, err)
	want := 0
	versus(b, 1, nil, func() {
		rows, err := c.DB().QueryContext(ctx, query)
		must(b, err)
		var out []joinRow
		for rows.Next() {
			var r joinRow
			must(b, rows.Scan(&r.RowID, &r.GrpID, &r.X, &r.Label, &r.GrpName, &r.Weight))
			out = append(out, r)
		}
		must(b, rows.Err())
		rows.Close()
		want = len(out)
	}, func() {
		out, err := dj.Fetch[joinRow](ctx, c, e)
		must(b, err)
		if want != 0 && len(out) != want {
			b.Fatalf("rows = %d, plain %d", len(out), want)
		}
	})
}

// BenchmarkFetchMatrix: 100k × 4 numeric attributes into a *mat.Dense,
// beside a plain scan into a []float64.
func BenchmarkFetchMatrix(b *testing.B) {
	c := setupJoin(b)
	ctx := context.Background()
	t, err := dj.TableOf[Obs](c)
	must(b, err)
	query := "SELECT `x`,`y`,`z`,`w` FROM " + t.FullName()
	versus(b, 100_000, nil, func() {
		rows, err := c.DB().QueryContext(ctx, query)
		must(b, err)
		var data []float64
		var x, y, z, w float64
		for rows.Next() {
			must(b, rows.Scan(&x, &y, &z, &w))
			data = append(data, x, y, z, w)
		}
		must(b, rows.Err())
		rows.Close()
		if len(data) != 400_000 {
			b.Fatal(len(data))
		}
	}, func() {
		m, err := dj.FetchMatrix(ctx, c, t.Expr(), "x", "y", "z", "w")
		must(b, err)
		if r, _ := m.Dims(); r != 100_000 {
			b.Fatal(r)
		}
	})
}

// BenchmarkBuildRender builds and renders a 5-operator expression.
func BenchmarkBuildRender(b *testing.B) {
	c := offlineLab()
	mouse, scan, neuron := dj.From[Mouse](c), dj.From[Scan](c), dj.From[Neuron](c)
	b.Run("plain", func(b *testing.B) {
		for b.Loop() {
			_ = fmt.Sprintf("SELECT `mouse_id`,`scan_idx`,`n` FROM (SELECT `mouse_id`,`scan_idx`,count(*) as `n` FROM %s NATURAL JOIN %s WHERE (weight > ?) GROUP BY `mouse_id`,`scan_idx`) as `$1` ORDER BY `n` DESC LIMIT 5",
				"`lab`.`mouse` NATURAL JOIN `lab`.`scan`", "`lab`.`__neuron`")
		}
	})
	b.Run("dj", func(b *testing.B) {
		for b.Loop() {
			e := mouse.Join(scan).Restrict(dj.Where("weight > ?", 20)).Aggr(neuron, "n=count(*)").
				Exclude(dj.Match(dj.Key{"mouse_id": 3})).OrderBy("n DESC").Limit(5)
			sql, _, err := e.SQL()
			if err != nil || !strings.HasPrefix(sql, "SELECT") {
				b.Fatal(err, sql)
			}
		}
	})
}
