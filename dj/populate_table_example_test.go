package dj_test

import (
	"context"
	"fmt"
	"log"
	"testing"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
)

// The key source of a table opened by name, and how much of it is made.
func ExampleTableKeySource() {
	ctx := context.Background()
	cfg, err := dj.LoadConfig("")
	if err != nil {
		log.Fatal(err)
	}
	c, err := dj.Connect(ctx, cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	s, err := c.Schema(ctx, "dj_example_key_source")
	if err != nil {
		log.Fatal(err)
	}
	defer s.Drop(ctx)
	if err := s.Declare(ctx, Sweep{}, SweepEnergy{}); err != nil {
		log.Fatal(err)
	}
	if err := dj.Insert(ctx, c, []Sweep{{SweepID: 1, Trace: []float64{1, 2}}, {SweepID: 2, Trace: []float64{3}}}); err != nil {
		log.Fatal(err)
	}
	if err := dj.Insert1(ctx, c, SweepEnergy{SweepID: 1, Energy: 5}, dj.AllowDirectInsert()); err != nil {
		log.Fatal(err)
	}

	t, err := s.Table(ctx, "SweepEnergy") // no Go struct needed
	if err != nil {
		log.Fatal(err)
	}
	ks, err := dj.TableKeySource(ctx, t)
	if err != nil {
		log.Fatal(err)
	}
	total, err := dj.Count(ctx, c, ks)
	if err != nil {
		log.Fatal(err)
	}
	remaining, err := dj.Count(ctx, c, ks.Proj().Exclude(t.Expr()))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d of %d keys left\n", remaining, total)
}

func TestTableKeySourceExample(t *testing.T) {
	testenv.RunExample(t, ExampleTableKeySource, "1 of 2 keys left")
}
