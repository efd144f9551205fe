package dj_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"

	"github.com/datajoint-go/datajoint/dj"
)

// Probe and ProbeDepth are the tables of a pipeline someone else declared.
type Probe struct {
	dj.Manual
	ProbeID int32 `dj:"pk"`
	Sites   int16
}

type ProbeDepth struct {
	dj.Computed
	Probe   dj.Ref[Probe] `dj:"pk"`
	ProbeID int32         `dj:"pk"`
	Depth   float64
}

// Prob is a misspelled class name: binding it does not create a table.
type Prob struct {
	dj.Manual
	ProbeID int32 `dj:"pk"`
}

// A program working on an existing pipeline binds its structs to the
// tables, and populates a table it opens by name with a function over
// maps.
func ExampleSchema_Bind() {
	ctx := context.Background()
	cfg, err := dj.LoadConfig("")
	if err != nil {
		log.Fatal(err)
	}
	name := fmt.Sprintf("dj_example_bind_%d", os.Getpid())
	// The pipeline, declared elsewhere.
	owner, err := dj.Connect(ctx, cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer owner.Close()
	s, err := owner.Schema(ctx, name)
	if err != nil {
		log.Fatal(err)
	}
	defer s.Drop(ctx)
	if err := s.Declare(ctx, Probe{}, ProbeDepth{}); err != nil {
		log.Fatal(err)
	}

	c, err := dj.Connect(ctx, cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	lab, err := c.Schema(ctx, name, dj.NoCreate())
	if err != nil {
		log.Fatal(err)
	}
	if err := lab.Bind(ctx, Probe{}); err != nil {
		log.Fatal(err)
	}
	err = lab.Bind(ctx, Prob{})
	fmt.Println("Prob:", errors.Is(err, dj.ErrMissingTable))
	if err := dj.Insert(ctx, c, []Probe{{ProbeID: 1, Sites: 64}, {ProbeID: 2, Sites: 384}}); err != nil {
		log.Fatal(err)
	}

	depth, err := lab.Table(ctx, "ProbeDepth")
	if err != nil {
		log.Fatal(err)
	}
	res, err := dj.PopulateMaps(ctx, depth, func(ctx context.Context, tx *dj.Tx, key dj.Key) ([]map[string]any, error) {
		return []map[string]any{{"probe_id": key["probe_id"], "depth": 3.5}}, nil
	}, dj.ReserveJobs())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("made", res.Made)
}
