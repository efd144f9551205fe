package dj_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/datajoint-go/datajoint/dj"
)

// Sweep removes the objects that failed or killed inserts uploaded but
// never tracked. A dry run first shows what would go.
func ExampleExternalTable_Sweep() {
	ctx := context.Background()
	cfg, err := dj.LoadConfig("") // the stores come from dj_local_conf.json
	if err != nil {
		log.Fatal(err)
	}
	conn, err := dj.Connect(ctx, cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
	s, err := conn.Schema(ctx, "lab_ephys", dj.NoCreate())
	if err != nil {
		log.Fatal(err)
	}
	rep, err := s.External("raw").Sweep(ctx, dj.SweepOptions{Grace: 48 * time.Hour, DryRun: true})
	if err != nil {
		log.Fatal(err)
	}
	for _, o := range rep.Objects {
		fmt.Println(o.Path, o.Size, o.ModTime)
	}
	fmt.Println(rep)
}
