package dj_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"testing"
	"time"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
)

// A connection with read replicas (DJ_REPLICAS="host:port,..."): fetches
// go to a healthy replica, writes and transactions to the server, and a
// context from UsePrimary reads back what was just written.
func ExampleConfig_replicas() {
	ctx := context.Background()
	cfg, err := dj.LoadConfig("") // DJ_HOST, DJ_USER, DJ_PASS, DJ_REPLICAS
	if err != nil {
		log.Fatal(err)
	}
	cfg.ReplicaMaxLag = 5 * time.Second // replicas further behind are left out
	c, err := dj.Connect(ctx, cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	lab, err := c.Schema(ctx, "dj_example_replicas")
	if err != nil {
		log.Fatal(err)
	}
	defer lab.Drop(ctx)
	if err := lab.Declare(ctx, ReplItem{}); err != nil {
		log.Fatal(err)
	}
	if err := dj.Insert1(ctx, c, ReplItem{ID: 1, Val: 2.5}); err != nil { // on the server
		log.Fatal(err)
	}
	// Read your own write from the server: a replica may not have it yet.
	item, err := dj.FetchOne[ReplItem](dj.UsePrimary(ctx), c, dj.From[ReplItem](c))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("written:", item.Val)
	for _, st := range c.Replicas(ctx) {
		fmt.Println("replica takes reads:", st.Healthy, st.Reason)
	}
}

// A read-only connection refuses every write before sending it.
func ExampleConfig_readOnly() {
	ctx := context.Background()
	cfg, err := dj.LoadConfig("") // DJ_READ_ONLY=true sets ReadOnly too
	if err != nil {
		log.Fatal(err)
	}
	cfg.ReadOnly = true
	c, err := dj.Connect(ctx, cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	_, err = c.ExecContext(ctx, "CREATE DATABASE dj_example_never")
	fmt.Println(errors.Is(err, dj.ErrReadOnly), err)
	var one int
	if err := c.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		log.Fatal(err)
	}
	fmt.Println("reads work:", one)
}

// TestReplicaExamples runs the examples above against real servers.
func TestReplicaExamples(t *testing.T) {
	t.Run("ExampleConfig_readOnly", func(t *testing.T) {
		testenv.RunExample(t, ExampleConfig_readOnly, `true read-only connection: CREATE statements are refused (Config.ReadOnly, DJ_READ_ONLY)
reads work: 1`)
	})
	t.Run("ExampleConfig_replicas", func(t *testing.T) {
		p := startReplicaPair(t)
		t.Setenv("DJ_HOST", p.cfg.Host)
		t.Setenv("DJ_USER", p.cfg.User)
		t.Setenv("DJ_PASS", p.cfg.Password)
		t.Setenv("DJ_REPLICAS", p.replica)
		testenv.RunExample(t, ExampleConfig_replicas, `written: 2.5
replica takes reads: true`)
	})
}
