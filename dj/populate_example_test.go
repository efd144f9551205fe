package dj_test

import (
	"context"
	"fmt"
	"log"
	"math"
	"os"

	"github.com/datajoint-go/datajoint/dj"
)

// Sweep is raw data entered by hand.
type Sweep struct {
	dj.Manual `comment:"a recorded trace"`
	SweepID   int32 `dj:"pk"`
	Trace     []float64
}

// SweepEnergy is computed from each Sweep.
type SweepEnergy struct {
	dj.Computed `comment:"energy of a trace"`
	Sweep       dj.Ref[Sweep] `dj:"pk"`
	SweepID     int32         `dj:"pk"`
	Energy      float64
}

// Make computes the row of one key: r.SweepID holds the key. Reads and
// writes go through tx, the key's transaction.
func (r *SweepEnergy) Make(ctx context.Context, tx *dj.Tx) error {
	rec, err := dj.FetchOne[Sweep](ctx, tx, dj.From[Sweep](tx).Restrict(dj.Match(*r)))
	if err != nil {
		return err
	}
	for _, x := range rec.Trace {
		r.Energy += x * x
	}
	return dj.Insert1(ctx, tx, *r)
}

// Populate with four workers sharing the keys with every other worker on
// the database.
func ExamplePopulate() {
	ctx := context.Background()
	c, err := dj.Connect(ctx, dj.Config{Host: "127.0.0.1"})
	if err != nil {
		log.Fatal(err)
	}
	s, err := c.Schema(ctx, "lab")
	if err != nil {
		log.Fatal(err)
	}
	if err := s.Declare(ctx, Sweep{}, SweepEnergy{}); err != nil {
		log.Fatal(err)
	}
	res, err := dj.Populate[SweepEnergy](ctx, c, dj.ReserveJobs(), dj.Workers(4), dj.SuppressErrors(), dj.ShowProgress(os.Stderr))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("made %d, %d failed\n", res.Made, len(res.Errors))
	remaining, total, err := dj.Progress[SweepEnergy](ctx, c)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d of %d keys left\n", remaining, total)
}

// SweepPeak uses a three-part make: the long computation runs outside any
// transaction, and the insert happens only if the inputs did not change.
type SweepPeak struct {
	dj.Computed `comment:"peak of a trace"`
	Sweep       dj.Ref[Sweep] `dj:"pk"`
	SweepID     int32         `dj:"pk"`
	Peak        float64
}

// MakeFetch reads the inputs of the key; it runs twice, before the
// computation and again inside the transaction.
func (r *SweepPeak) MakeFetch(ctx context.Context, q dj.Querier) (Sweep, error) {
	return dj.FetchOne[Sweep](ctx, q, dj.From[Sweep](q).Restrict(dj.Match(*r)))
}

// MakeCompute computes without holding a transaction.
func (r *SweepPeak) MakeCompute(ctx context.Context, rec Sweep) (float64, error) {
	peak := math.Inf(-1)
	for _, x := range rec.Trace {
		peak = max(peak, x)
	}
	return peak, nil
}

// MakeInsert inserts the result inside the key's transaction.
func (r *SweepPeak) MakeInsert(ctx context.Context, tx *dj.Tx, peak float64) error {
	r.Peak = peak
	return dj.Insert1(ctx, tx, *r)
}

func ExamplePopulateThreePart() {
	ctx := context.Background()
	c, err := dj.Connect(ctx, dj.Config{Host: "127.0.0.1"})
	if err != nil {
		log.Fatal(err)
	}
	res, err := dj.PopulateThreePart[SweepPeak, Sweep, float64](ctx, c, dj.ReserveJobs())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Made)
}

// A worker process for a batch scheduler: it stops cleanly on SIGTERM and
// returns once no work is left. See examples/worker for a complete one.
func ExampleRunWorker() {
	ctx := context.Background()
	cfg, err := dj.LoadConfig("")
	if err != nil {
		log.Fatal(err)
	}
	c, err := dj.Connect(ctx, cfg)
	if err != nil {
		log.Fatal(err)
	}
	err = dj.RunWorker(ctx, dj.WorkerOptions{}, func(ctx context.Context) (int, error) {
		res, err := dj.Populate[SweepEnergy](ctx, c, dj.ReserveJobs(), dj.Workers(2), dj.SuppressErrors())
		return res.Made, err
	})
	if err != nil {
		log.Fatal(err)
	}
}

// Inspect and clear the errors populate recorded.
func ExampleJobs() {
	ctx := context.Background()
	c, err := dj.Connect(ctx, dj.Config{Host: "127.0.0.1"})
	if err != nil {
		log.Fatal(err)
	}
	s, err := c.Schema(ctx, "lab", dj.NoCreate())
	if err != nil {
		log.Fatal(err)
	}
	errs, err := s.Jobs().Errors(ctx, "__sweep_energy")
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range errs {
		fmt.Println(e.Key, e.ErrorMessage)
	}
	if _, err := s.Jobs().Clear(ctx, dj.JobFilter{Table: "__sweep_energy", Status: dj.JobError}); err != nil {
		log.Fatal(err)
	}
}
