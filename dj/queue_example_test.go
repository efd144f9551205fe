package dj_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"testing"
	"time"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
)

// Workers that take their keys from the schema's job queue: the key
// source is evaluated once, by the refresh, however many workers run.
func ExampleUseQueue() {
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
	s, err := c.Schema(ctx, fmt.Sprintf("dj_example_queue_%d", os.Getpid()))
	if err != nil {
		log.Fatal(err)
	}
	defer s.Drop(ctx)
	if err := s.Declare(ctx, Sweep{}, SweepEnergy{}); err != nil {
		log.Fatal(err)
	}
	if err := dj.Insert(ctx, c, []Sweep{{SweepID: 1, Trace: []float64{1, 2}}, {SweepID: 2, Trace: []float64{3}}, {SweepID: 3}}); err != nil {
		log.Fatal(err)
	}
	// One process fills the queue ("dj jobs refresh lab.SweepEnergy");
	// without it, the first worker would.
	filled, err := dj.RefreshQueue[SweepEnergy](ctx, c, dj.RefreshOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("queued:", filled.Queued)
	// Each worker process: pop, make, heartbeat; back off while idle.
	err = dj.RunWorker(ctx, dj.WorkerOptions{}, func(ctx context.Context) (int, error) {
		res, err := dj.Populate[SweepEnergy](ctx, c, dj.UseQueue(), dj.Workers(2),
			dj.Heartbeat(10*time.Second, time.Minute), dj.SuppressErrors())
		return res.Made, err
	})
	if err != nil {
		log.Fatal(err)
	}
	st, err := s.Queue().Status(ctx, time.Hour)
	if err != nil {
		log.Fatal(err)
	}
	for _, t := range st {
		fmt.Println(t)
	}
}

// Retry the keys that failed, the most important table first.
func ExampleQueue_Requeue() {
	ctx := context.Background()
	c, err := dj.Connect(ctx, dj.Config{Host: "127.0.0.1"})
	if err != nil {
		log.Fatal(err)
	}
	q := dj.QueueOf(c, "lab")
	if _, err := q.SetPriority(ctx, dj.QueueFilter{Table: "__sweep_energy"}, 10); err != nil {
		log.Fatal(err)
	}
	n, err := q.Requeue(ctx, dj.QueueFilter{Table: "__sweep_energy"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("requeued", n)
}

// TestQueueServerExamples runs the queue Examples that need a server.
func TestQueueServerExamples(t *testing.T) {
	testenv.RunExample(t, ExampleUseQueue, `queued: 3
__sweep_energy: 0 pending, 0 running, 3 done (3 recent), 0 errors`)
}
