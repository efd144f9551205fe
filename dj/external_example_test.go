package dj_test

import (
	"context"
	"fmt"
	"log"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/external"
)

// Recording keeps its raw trace in the object store "raw" and a report
// file as an attachment in the same store.
type Recording struct {
	dj.Manual `comment:"a recording"`
	RecID     int32     `dj:"pk"`
	Trace     []float64 `dj:"type=blob@raw" comment:"raw trace"`
	Report    *string   `dj:"type=attach@raw" comment:"report file"`
}

// External attributes are stored in an object store configured by name,
// in code as here or in dj_local_conf.json ("stores"). Inserts upload the
// objects in parallel before the rows are written; fetches download them in
// parallel and decode them; attachments are written to DownloadPath.
func ExampleConn_SetStore() {
	ctx := context.Background()
	conn, err := dj.Connect(ctx, dj.Config{Host: "localhost"})
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
	err = conn.SetStore("raw", external.StoreConfig{
		Protocol:  external.ProtocolS3,
		Endpoint:  "localhost:9000",
		Bucket:    "datajoint",
		Location:  "lab",
		AccessKey: "datajoint",
		SecretKey: "datajoint",
	})
	if err != nil {
		log.Fatal(err)
	}
	s, err := conn.Schema(ctx, "lab_ephys")
	if err != nil {
		log.Fatal(err)
	}
	if err := s.Declare(ctx, Recording{}); err != nil {
		log.Fatal(err)
	}
	report := "/data/rec1/report.pdf"
	if err := dj.Insert1(ctx, conn, Recording{RecID: 1, Trace: []float64{0.1, 0.2}, Report: &report}); err != nil {
		log.Fatal(err)
	}
	recs, err := dj.Fetch[Recording](ctx, conn, dj.From[Recording](conn), dj.DownloadPath("/tmp/reports"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(recs[0].Trace), *recs[0].Report)

	// Deleting rows leaves the objects; a cleanup removes the unused ones.
	rep, err := s.External("raw").Delete(ctx, true)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(rep.Objects), "objects deleted")
}
